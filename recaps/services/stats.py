"""Recap numbers, computed in the database (aggregates, never a loop over posts), so a
chat of 100,000 posts is summarised in well under a second (bench/recap_stats.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMinute

from events.capture_selectors import public_posts
from events.models import Chat, Post

TOP_PARTICIPANTS = 5
# The timeline covers the chat itself, stretched to the posts captured just before and
# after it, within the capture window.
TIMELINE_BEFORE = timedelta(minutes=15)
TIMELINE_AFTER = timedelta(minutes=60)


def compute_stats(chat: Chat) -> dict[str, Any]:
    """Posts, participants, official posts, per platform, busiest minute, top residents.

    Hidden posts and posts deleted at the source never count. Four queries: three
    passes over the partial index ``post_public_author_idx``, which holds exactly what
    they read (so once autovacuum has visited the table PostgreSQL does not read the
    posts' rows at all), and the top residents' names. A chat of 100,000 posts takes
    well under a second (bench/recap_stats.py).
    """
    posts = public_posts(chat_id=chat.pk).order_by()
    per_platform = list(
        posts.values("platform")
        .annotate(
            # Counting a column of the index, not the primary key, keeps the scan in it.
            n=Count("*"),
            official=Count("platform", filter=Q(is_official=True)),
            # Handles are per platform: distinct per platform, summed, is distinct pairs.
            people=Count("author_handle", distinct=True),
        )
        .order_by("platform")
    )
    busiest = (
        posts.annotate(minute=TruncMinute("created_at", tzinfo=UTC))
        .values("minute")
        .annotate(n=Count("*"))
        .order_by("-n", "minute")
        .first()
    )
    top = list(
        posts.filter(is_official=False)
        .values("platform", "author_handle")
        .annotate(n=Count("*"))
        .order_by("-n", "author_handle", "platform")[:TOP_PARTICIPANTS]
    )
    profiles = _latest_profiles(posts, [(row["platform"], row["author_handle"]) for row in top])
    return {
        "posts": sum(row["n"] for row in per_platform),
        "participants": sum(row["people"] for row in per_platform),
        "official_posts": sum(row["official"] for row in per_platform),
        "per_platform": {row["platform"]: row["n"] for row in per_platform},
        "busiest_minute": (
            {"minute": busiest["minute"].isoformat(), "posts": busiest["n"]} if busiest else None
        ),
        "top_participants": [
            {
                "platform": row["platform"],
                "handle": row["author_handle"],
                "name": profiles[row["platform"], row["author_handle"]][0],
                "url": profiles[row["platform"], row["author_handle"]][1],
                "posts": row["n"],
            }
            for row in top
        ],
    }


def _latest_profiles(
    posts: QuerySet[Post], authors: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str]]:
    """(name, profile URL) of each (platform, handle) as on their latest post (names
    change). One query (none without authors): those few authors' posts, found through
    the index, newest first; the first row per author wins."""
    if not authors:
        return {}
    match = Q()
    for platform, handle in authors:
        match |= Q(platform=platform, author_handle=handle)
    profiles: dict[tuple[str, str], tuple[str, str]] = {}
    rows = posts.filter(match).order_by("-created_at", "-pk")
    for platform, handle, name, url in rows.values_list(
        "platform", "author_handle", "author_name", "author_url"
    ):
        profiles.setdefault((platform, handle), (name, url))
    return profiles


def compute_timeline(chat: Chat) -> list[dict[str, Any]]:
    """Posts per minute, every minute from the chat's start (or its first post, if
    earlier) to its end (or its last post, if later), zeros included. One query."""
    window_start = chat.starts_at - TIMELINE_BEFORE
    window_end = chat.ends_at + TIMELINE_AFTER
    counts = {
        row["minute"]: row["n"]
        for row in public_posts(chat_id=chat.pk)
        .filter(created_at__gte=window_start, created_at__lt=window_end)
        .annotate(minute=TruncMinute("created_at", tzinfo=UTC))
        .values("minute")
        .annotate(n=Count("*"))
        .order_by("minute")
    }
    first = min([_floor(chat.starts_at), *counts])
    last = max([_floor(chat.ends_at - timedelta(seconds=1)), *counts])
    timeline = []
    minute = first
    while minute <= last:
        timeline.append({"minute": minute.isoformat(), "posts": counts.get(minute, 0)})
        minute += timedelta(minutes=1)
    return timeline


def _floor(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)
