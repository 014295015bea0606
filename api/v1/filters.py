"""Query-string filters (django-filter). Each narrows a selector's query shape; the
review queue and the directory hand their values to their selectors instead, so the
rules for those reads stay in one place."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.models import Neighborhood
from events.models import Chat, ChatStatus, Platform, Post
from events.selectors import PUBLIC_STATUSES
from liaisons.models import Application, ApplicationStatus, SpokenLanguage
from liaisons.selectors import REVIEWABLE, directory_entries, review_queue
from recaps.models import Recap


class ChatFilter(filters.FilterSet):
    topic = filters.CharFilter(field_name="topic__slug", help_text=_("A topic's slug."))
    status = filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in PUBLIC_STATUSES], help_text=_("One status.")
    )
    hashtag = filters.CharFilter(field_name="hashtag", lookup_expr="iexact")
    starts_after = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Chat
        fields: list[str] = []


class StaffChatFilter(ChatFilter):
    status = filters.ChoiceFilter(choices=ChatStatus.choices, help_text=_("One status."))


class PostFilter(filters.FilterSet):
    platform = filters.ChoiceFilter(choices=Platform.choices)
    is_official = filters.BooleanFilter(help_text=_("Posted by one of the chat's hosts."))
    highlighted = filters.BooleanFilter()
    posted_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    posted_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Post
        fields: list[str] = []


class StaffPostFilter(PostFilter):
    hidden = filters.BooleanFilter()


class RecapFilter(filters.FilterSet):
    topic = filters.CharFilter(field_name="chat__topic__slug", help_text=_("A topic's slug."))

    class Meta:
        model = Recap
        fields: list[str] = []


class DirectoryFilter(filters.FilterSet):
    neighborhood = filters.ModelChoiceFilter(
        queryset=Neighborhood.objects.filter(active=True),
        to_field_name="slug",
        help_text=_("A neighborhood's slug."),
    )

    class Meta:
        model = Application
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return directory_entries(neighborhood=self.form.cleaned_data.get("neighborhood"))


class ReviewQueueFilter(filters.FilterSet):
    status = filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in ApplicationStatus if s.value in REVIEWABLE]
    )
    neighborhood = filters.ModelChoiceFilter(
        queryset=Neighborhood.objects.all(), to_field_name="slug"
    )
    language = filters.ChoiceFilter(choices=SpokenLanguage.choices)
    mine = filters.BooleanFilter(help_text=_("Only applications you review."))
    unassigned = filters.BooleanFilter(help_text=_("Only applications nobody reviews yet."))

    class Meta:
        model = Application
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        data = self.form.cleaned_data
        return review_queue(
            status=data.get("status") or "",
            neighborhood=data.get("neighborhood"),
            language=data.get("language") or "",
            reviewer=self.request.user if data.get("mine") else None,
            unassigned=bool(data.get("unassigned")),
        )
