"""Reads for the staff live page, the question tracker and imports (issue 4, part B).

Every function here has a fixed number of queries whatever the number of posts, so
the live page's polling stays cheap (tests/events/live checks the counts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Concat, TruncMinute
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.roles import STAFF_ROLES
from events.capture_selectors import capture_sources, capture_window
from events.models import (
    CaptureRun,
    CaptureSource,
    Chat,
    ImportJob,
    Post,
    QuestionStatus,
    SourceState,
    TrackedQuestion,
)

LIVE_PAGE_POSTS = 50
# At most this many new posts per poll; the next poll fetches the rest.
LIVE_POLL_LIMIT = 100
# A post is sent to open pages only once it is this old (seconds since it was first
# stored). Ids are taken before a transaction commits, so two pollers' batches can
# commit out of id order; a page that moved past a larger id would never see the
# smaller one. Holding back the newest seconds leaves that race to batches slower
# than this.
LIVE_SETTLE_SECONDS = 2
# Bars in the posts-per-minute chart at most; longer spans use wider buckets.
CHART_MAX_BARS = 150
CHART_BUCKETS = (1, 2, 5, 10, 15, 30, 60, 120, 240, 720, 1440)

S = QuestionStatus
UNANSWERED = (S.OPEN,)
FOLLOWING_UP = (S.FOLLOW_UP, S.ROUTED_311)


# --- posts ------------------------------------------------------------------------------


def staff_posts(*, chat_id: int) -> QuerySet[Post]:
    """A chat's posts as staff see them: hidden ones too (marked), not deleted ones;
    with the tracker row and whoever hid it (one query, joins)."""
    return Post.objects.filter(chat_id=chat_id, deleted_at__isnull=True).select_related(
        "tracked_question", "tracked_question__announced_question", "hidden_by"
    )


def latest_posts(*, chat_id: int, limit: int = LIVE_PAGE_POSTS) -> list[Post]:
    """The newest stored posts, newest first (by storage order, like the feed)."""
    return list(staff_posts(chat_id=chat_id).order_by("-pk")[:limit])


def posts_after(
    *,
    chat_id: int,
    after: int,
    now: datetime | None = None,
    limit: int = LIVE_POLL_LIMIT,
    settle_seconds: float = LIVE_SETTLE_SECONDS,
) -> list[Post]:
    """Posts stored after post ``after``, oldest first, up to the first one younger than
    ``settle_seconds`` (see LIVE_SETTLE_SECONDS): the caller's next ``after`` is the
    last one returned, so nothing is skipped. One query."""
    now = now or timezone.now()
    settled_before = now - timedelta(seconds=settle_seconds)
    found: list[Post] = []
    for post in staff_posts(chat_id=chat_id).filter(pk__gt=after).order_by("pk")[:limit]:
        if post.first_seen_at > settled_before:
            break
        found.append(post)
    return found


def get_post_for_staff(*, chat_id: int, post_id: int) -> Post:
    """A post of this chat (hidden or not), or 404: the only way views reach a post."""
    post = staff_posts(chat_id=chat_id).filter(pk=post_id).first()
    if post is None:
        raise Http404("No such post in this chat.")
    return post


def get_source_for_staff(*, chat_id: int, source_id: int) -> CaptureSource:
    source = CaptureSource.objects.filter(chat_id=chat_id, pk=source_id).first()
    if source is None:
        raise Http404("No such capture source in this chat.")
    return source


# --- counters and the chart ---------------------------------------------------------------


@dataclass(frozen=True)
class Counters:
    posts: int
    participants: int
    official: int
    hidden: int
    highlighted: int
    questions_open: int
    questions_answered: int
    questions_following_up: int


def chat_counters(*, chat_id: int) -> Counters:
    """What the live page counts, over posts not deleted at the source. ``posts`` and
    ``official`` leave hidden posts out; ``participants`` are distinct authors (per
    platform) of public posts, hosts not counted. Two queries."""
    public = Q(hidden=False)
    # Aliases must not be field names ("hidden"): the filters below refer to the fields.
    posts = Post.objects.filter(chat_id=chat_id, deleted_at__isnull=True).aggregate(
        n_posts=Count("pk", filter=public),
        n_official=Count("pk", filter=public & Q(is_official=True)),
        n_hidden=Count("pk", filter=Q(hidden=True)),
        n_highlighted=Count("pk", filter=public & Q(highlighted=True)),
        n_participants=Count(
            Concat("platform", Value(":"), "author_handle"),
            filter=public & Q(is_official=False),
            distinct=True,
        ),
    )
    questions = tracked_question_counts(chat_id=chat_id)
    return Counters(
        posts=posts["n_posts"],
        participants=posts["n_participants"],
        official=posts["n_official"],
        hidden=posts["n_hidden"],
        highlighted=posts["n_highlighted"],
        questions_open=questions[S.OPEN],
        questions_answered=questions[S.ANSWERED],
        questions_following_up=questions[S.FOLLOW_UP] + questions[S.ROUTED_311],
    )


@dataclass(frozen=True)
class Bar:
    start: datetime
    count: int
    x: int
    height: int
    y: int


@dataclass
class Chart:
    """Posts per bucket of ``minutes`` minutes, ready for an SVG and a table."""

    minutes: int
    bars: list[Bar] = field(default_factory=list)
    peak: int = 0
    total: int = 0
    bar_width: int = 6
    height: int = 80

    @property
    def width(self) -> int:
        return max(len(self.bars), 1) * self.bar_width

    @property
    def busy(self) -> list[Bar]:
        """The buckets with posts (the table lists these, not every empty minute)."""
        return [bar for bar in self.bars if bar.count]


def _bucket_minutes(span_minutes: int) -> int:
    """The smallest round bucket that keeps the chart within CHART_MAX_BARS bars (an
    archive spanning months gets buckets of whatever size fits)."""
    for size in CHART_BUCKETS:
        if span_minutes / size <= CHART_MAX_BARS:
            return size
    return math.ceil(span_minutes / CHART_MAX_BARS)


def posts_per_minute(*, chat: Chat, now: datetime | None = None) -> Chart:
    """Public posts per minute over the capture window (so far, while it is open),
    widened to any post outside it; buckets grow past CHART_MAX_BARS bars. One query."""
    now = now or timezone.now()
    rows = list(
        Post.objects.filter(chat_id=chat.pk, hidden=False, deleted_at__isnull=True)
        .annotate(minute=TruncMinute("created_at", tzinfo=UTC))
        .values("minute")
        .annotate(n=Count("pk"))
        .order_by("minute")
    )
    opens_at, closes_at = capture_window(chat)
    start = opens_at.astimezone(UTC).replace(second=0, microsecond=0)
    end = min(closes_at, max(now, opens_at)).astimezone(UTC)
    if rows:
        start = min(start, rows[0]["minute"])
        end = max(end, rows[-1]["minute"])
    span = max(1, math.ceil((end - start).total_seconds() / 60) + 1)
    size = _bucket_minutes(span)
    buckets = [0] * max(1, math.ceil(span / size))
    for row in rows:
        index = int((row["minute"] - start).total_seconds() // 60) // size
        buckets[min(index, len(buckets) - 1)] += row["n"]
    chart = Chart(minutes=size, peak=max(buckets), total=sum(buckets))
    usable = chart.height - 2
    for index, count in enumerate(buckets):
        height = round(usable * count / chart.peak) if chart.peak else 0
        if count and height < 2:
            height = 2  # a single post stays visible
        chart.bars.append(
            Bar(
                start=start + timedelta(minutes=index * size),
                count=count,
                x=index * chart.bar_width,
                height=height,
                y=chart.height - height,
            )
        )
    return chart


# --- sources ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceHealth:
    source: CaptureSource
    latest_run: CaptureRun | None

    @property
    def needs_credentials(self) -> bool:
        return self.source.state == SourceState.NEEDS_CREDENTIALS

    @property
    def can_resume(self) -> bool:
        return self.source.state != SourceState.ACTIVE


def source_health(*, chat_id: int) -> list[SourceHealth]:
    """Each capture source with its latest run. Two queries."""
    sources = list(capture_sources(chat_id=chat_id))
    run_ids = [s.latest_run_id for s in sources if s.latest_run_id]  # type: ignore[attr-defined]
    runs = CaptureRun.objects.in_bulk(run_ids) if run_ids else {}
    return [
        SourceHealth(source, runs.get(source.latest_run_id))  # type: ignore[attr-defined]
        for source in sources
    ]


# --- the question tracker ------------------------------------------------------------------


def tracked_questions(*, chat_id: int, statuses: tuple[str, ...] | None = None) -> QuerySet[
    TrackedQuestion
]:  # fmt: skip
    """The chat's tracked questions on public posts (hidden and deleted posts left out),
    oldest first, with the post, Qn, answer and people (one query)."""
    rows = TrackedQuestion.objects.filter(
        chat_id=chat_id, post__hidden=False, post__deleted_at__isnull=True
    ).select_related("post", "announced_question", "answer_post", "owner", "updated_by")
    if statuses:
        rows = rows.filter(status__in=statuses)
    return rows.order_by("asked_at", "pk")


def unanswered_questions(*, chat_id: int, limit: int | None = None) -> list[TrackedQuestion]:
    rows = tracked_questions(chat_id=chat_id, statuses=UNANSWERED)
    return list(rows[:limit] if limit else rows)


def tracked_question_counts(*, chat_id: int) -> dict[str, int]:
    """Tracked questions per status (every status present), public posts only."""
    counts = dict.fromkeys(S.values, 0)
    rows = (
        TrackedQuestion.objects.filter(
            chat_id=chat_id, post__hidden=False, post__deleted_at__isnull=True
        )
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def get_tracked_question_for_staff(*, chat_id: int, question_id: int) -> TrackedQuestion:
    question = (
        TrackedQuestion.objects.filter(chat_id=chat_id, pk=question_id)
        .select_related("post", "announced_question", "answer_post", "owner", "updated_by")
        .first()
    )
    if question is None:
        raise Http404("No such question in this chat.")
    return question


def answer_choices(*, chat_id: int) -> QuerySet[Post]:
    """Hosts' public posts of the chat, newest first: what staff may link as an answer."""
    return Post.objects.filter(
        chat_id=chat_id, is_official=True, hidden=False, deleted_at__isnull=True
    ).order_by("-created_at", "-pk")


def follow_up_owners() -> QuerySet[User]:
    """Everyone who may own a follow-up: active staff (every staff role) and superusers."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=[str(r) for r in STAFF_ROLES]))
        .distinct()
        .order_by("display_name", "email")
    )


def tracker_summary(*, chat_id: int) -> dict[str, Any]:
    """What a recap publishes from the tracker (recaps.services.tracker reads this).

    ``counts``: ``asked`` (every tracked question but the dismissed), ``answered``,
    ``open`` (nobody has taken it up), ``follow_up``, ``routed_311``. ``follow_ups``:
    every question not answered, oldest first, as ``{"text", "url", "question" (the Qn
    label or ""), "status", "owner" (the public team name, or ""), "service_request"}``.
    The owning person is internal and never in here. Hidden and deleted posts are left
    out. Two queries.
    """
    counts = tracked_question_counts(chat_id=chat_id)
    follow_ups = [
        {
            "text": question.post.text,
            "url": question.post.url
            if question.post.url.startswith(("https://", "http://"))
            else "",
            "question": question.announced_question.label if question.announced_question else "",
            "status": question.status,
            "owner": question.owner_team,
            "service_request": question.service_request_number,
        }
        for question in tracked_questions(chat_id=chat_id, statuses=(*UNANSWERED, *FOLLOWING_UP))
    ]
    return {
        "counts": {
            "asked": sum(n for status, n in counts.items() if status != S.DISMISSED),
            "answered": counts[S.ANSWERED],
            "open": counts[S.OPEN],
            "follow_up": counts[S.FOLLOW_UP],
            "routed_311": counts[S.ROUTED_311],
        },
        "follow_ups": follow_ups,
    }


# --- imports -----------------------------------------------------------------------------------


def import_jobs(*, chat_id: int, limit: int = 20) -> list[ImportJob]:
    return list(ImportJob.objects.filter(chat_id=chat_id).select_related("uploaded_by")[:limit])


def get_import_job_for_staff(*, chat_id: int, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(chat_id=chat_id, pk=job_id).select_related("uploaded_by").first()
    if job is None:
        raise Http404("No such import in this chat.")
    return job


def live_poll_settings() -> dict[str, int]:
    return {
        "posts_every": settings.LIVE_POSTS_POLL_SECONDS,
        "stats_every": settings.LIVE_STATS_POLL_SECONDS,
    }
