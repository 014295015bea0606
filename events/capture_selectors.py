"""Reads for capture: windows, sources, runs and posts (one query shape for pages,
the command and the live page that part B adds)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from events.models import CaptureRun, CaptureSource, Chat, ChatHost, Post

# Chats whose posts we capture: everything that is, was or will be public and held.
CAPTURED_STATUSES = ("scheduled", "live", "ended", "recap_published")


def capture_window(chat: Chat) -> tuple[datetime, datetime]:
    """When capture opens and closes for ``chat`` (settings: before/after the chat)."""
    return (
        chat.starts_at - timedelta(seconds=settings.CAPTURE_WINDOW_BEFORE_SECONDS),
        chat.ends_at + timedelta(seconds=settings.CAPTURE_WINDOW_AFTER_SECONDS),
    )


def sweep_due_at(chat: Chat) -> datetime:
    return capture_window(chat)[1] + timedelta(seconds=settings.CAPTURE_SWEEP_DELAY_SECONDS)


def normalize_handle(handle: str) -> str:
    """Handles compare lower-case and without a leading "@" ("@City@Social.example")."""
    return handle.strip().lstrip("@").lower()


def host_handles(*, chat_id: int, platform: str) -> set[str]:
    """The chat's official accounts on ``platform``, normalised (one query)."""
    handles = ChatHost.objects.filter(chat_id=chat_id, platform=platform).values_list(
        "handle", flat=True
    )
    return {normalize_handle(handle) for handle in handles}


def capture_sources(*, chat_id: int) -> QuerySet[CaptureSource]:
    """A chat's sources with their latest run id annotated (two queries with the runs)."""
    latest_run = CaptureRun.objects.filter(source=OuterRef("pk")).order_by("-started_at", "-pk")
    return (
        CaptureSource.objects.filter(chat_id=chat_id)
        .annotate(latest_run_id=Subquery(latest_run.values("pk")[:1]))
        .order_by("platform", "instance_base_url", "pk")
    )


def recent_runs(*, source_id: int, limit: int = 20) -> QuerySet[CaptureRun]:
    return CaptureRun.objects.filter(source_id=source_id).order_by("-started_at", "-pk")[:limit]


def public_posts(*, chat_id: int) -> QuerySet[Post]:
    """Posts anyone may see: not hidden by staff, not deleted at the source; oldest first."""
    return Post.objects.filter(chat_id=chat_id, hidden=False, deleted_at__isnull=True).order_by(
        "created_at", "pk"
    )
