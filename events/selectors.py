"""Reads for topics (and, later, chats): one query shape for pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from events.models import Topic


def active_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(active=True).order_by("name")
