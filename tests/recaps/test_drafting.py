"""The auto-draft on a known capture: exact numbers, sections and highlights."""

from __future__ import annotations

import pytest

from recaps.models import HighlightRole, Recap, RecapStatus
from recaps.services.drafting import create_draft_recap
from recaps.services.stats import compute_stats, compute_timeline
from recaps.services.workflow import draft_ended_chats

pytestmark = pytest.mark.django_db


def test_stats_count_only_visible_posts(ended_chat):
    stats = compute_stats(ended_chat)

    assert {k: stats[k] for k in ("posts", "participants", "official_posts", "per_platform")} == {
        "posts": 6,  # 8 captured, one hidden, one deleted at the source
        "participants": 3,  # philly311, ann, bob
        "official_posts": 3,
        "per_platform": {"x": 6},
    }
    assert stats["busiest_minute"] == {"minute": "2026-11-05T23:06:00+00:00", "posts": 2}
    assert [(p["handle"], p["posts"]) for p in stats["top_participants"]] == [
        ("ann", 2),
        ("bob", 1),
    ]


def test_timeline_has_every_minute_of_the_chat_with_zeros(ended_chat):
    timeline = compute_timeline(ended_chat)

    assert len(timeline) == 60
    assert timeline[0] == {"minute": "2026-11-05T23:00:00+00:00", "posts": 0}
    assert [(i, p["posts"]) for i, p in enumerate(timeline) if p["posts"]] == [
        (5, 1),
        (6, 2),
        (7, 1),
        (20, 1),
        (21, 1),
    ]


def test_draft_has_a_section_per_question_with_host_question_answers_and_replies(ended_chat):
    recap = create_draft_recap(chat=ended_chat)

    sections = [
        (
            s.question.position,
            [(h.post.author_handle, h.role) for h in s.highlights.order_by("position")],
        )
        for s in recap.sections.order_by("position")
    ]
    assert sections == [
        (
            1,
            [
                ("philly311", HighlightRole.QUESTION),
                ("philly311", HighlightRole.HOST_ANSWER),
                ("ann", HighlightRole.RESIDENT),  # most engaged first
                ("bob", HighlightRole.RESIDENT),
            ],
        ),
        (2, [("philly311", HighlightRole.QUESTION), ("ann", HighlightRole.RESIDENT)]),
    ]
    assert (recap.status, recap.title, recap.stats["posts"], recap.version) == (
        RecapStatus.DRAFT,
        "Trash talk",
        6,
        1,
    )


def test_draft_never_uses_hidden_or_deleted_posts(ended_chat):
    recap = create_draft_recap(chat=ended_chat)

    used = {h.post.author_handle for s in recap.sections.all() for h in s.highlights.all()}

    assert used == {"philly311", "ann", "bob"}


def test_draft_twice_returns_the_same_recap(ended_chat):
    first = create_draft_recap(chat=ended_chat)
    second = create_draft_recap(chat=ended_chat)

    assert (first.pk, Recap.objects.count(), first.sections.count()) == (second.pk, 1, 2)


def test_dispatcher_drafts_only_ended_chats_without_recap(ended_chat):
    from tests.factories import ChatFactory

    ChatFactory(status="scheduled")
    ChatFactory(status="live")

    assert (draft_ended_chats(), draft_ended_chats()) == (1, 0)
    assert list(Recap.objects.values_list("chat_id", flat=True)) == [ended_chat.pk]
