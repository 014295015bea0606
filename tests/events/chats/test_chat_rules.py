"""Validation and the hashtag overlap rule, with the messages staff will read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from events.exceptions import ChatValidationError
from events.models import Chat, ChatStatus, Platform
from events.services.chats import (
    ChatData,
    HostData,
    QuestionData,
    advance_chats_by_clock,
    create_chat,
    duplicate_chat,
    reschedule_chat,
    transition_chat,
)
from tests.factories import ChatFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _data(**overrides):
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    values = {
        "topic": TopicFactory(),
        "title": "Trash pickup chat",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "hashtag": "#PhillyTrash",
        "platforms": [Platform.X],
        "hosts": [HostData(Platform.X, "@philly311", "Philly311")],
        "questions": [QuestionData("Q one?", 5), QuestionData("Q two?", 20, published=True)],
    }
    values.update(overrides)
    return ChatData(**values)


def _errors(data):
    with pytest.raises(ChatValidationError) as excinfo:
        create_chat(data=data, by=None)
    return excinfo.value.errors


def test_create_chat_writes_draft_with_hosts_and_ordered_questions():
    chat = create_chat(data=_data(), by=None)

    assert (chat.status, chat.slug.startswith("trash-pickup-chat-")) == (ChatStatus.DRAFT, True)
    assert list(chat.hosts.values_list("platform", "handle")) == [("x", "@philly311")]
    assert list(chat.questions.values_list("position", "text", "published")) == [
        (1, "Q one?", False),
        (2, "Q two?", True),
    ]


def test_validation_end_before_start_names_the_end_field():
    data = _data()
    data.ends_at = data.starts_at - timedelta(minutes=1)

    assert _errors(data) == {"ends_at": ["The chat must end after it starts."]}


def test_validation_too_long_names_the_limit(settings):
    settings.CIVICCHAT_MAX_CHAT_HOURS = 4
    data = _data()
    data.ends_at = data.starts_at + timedelta(hours=5)

    assert _errors(data) == {"ends_at": ["A chat can last at most 4 hours."]}


@pytest.mark.parametrize("tag", ["Philly311", "#", "#311Philly", "#Philly 311", "#Philly-311"])
def test_validation_bad_hashtag_is_explained(tag):
    assert _errors(_data(hashtag=tag)) == {
        "hashtag": [
            f"{tag} is not a hashtag: use # followed by a letter, then letters, digits "
            "or underscores."
        ]
    }


def test_validation_reports_every_problem_at_once():
    data = _data(title=" ", hashtag="nope", questions=[QuestionData("", 500)])

    assert sorted(_errors(data)) == ["hashtag", "questions", "title"]


def test_overlap_same_hashtag_overlapping_window_is_refused_naming_the_other_chat():
    first = create_chat(data=_data(title="First chat"), by=None)
    transition_chat(chat=first, to=ChatStatus.SCHEDULED, by=None)
    data = _data(title="Second chat", hashtag="#phillytrash")  # case does not matter
    data.starts_at = first.starts_at + timedelta(minutes=30)
    data.ends_at = data.starts_at + timedelta(hours=1)
    second = create_chat(data=data, by=None)

    with pytest.raises(ChatValidationError) as excinfo:
        transition_chat(chat=second, to=ChatStatus.SCHEDULED, by=None)

    assert excinfo.value.errors == {
        "hashtag": [
            "“First chat” is already scheduled on #PhillyTrash at an overlapping time. "
            "Pick another time or hashtag."
        ]
    }
    assert Chat.objects.get(pk=second.pk).status == ChatStatus.DRAFT


@pytest.mark.parametrize(
    ("offset", "hashtag"),
    [
        (timedelta(hours=1), "#PhillyTrash"),  # back to back: no overlap
        (timedelta(minutes=30), "#OtherTag"),  # overlapping time, other tag
    ],
)
def test_overlap_adjacent_window_or_other_tag_is_allowed(offset, hashtag):
    first = create_chat(data=_data(), by=None)
    transition_chat(chat=first, to=ChatStatus.SCHEDULED, by=None)
    data = _data(hashtag=hashtag)
    data.starts_at = first.starts_at + offset
    data.ends_at = data.starts_at + timedelta(hours=1)

    second = transition_chat(chat=create_chat(data=data, by=None), to="scheduled", by=None)

    assert second.status == ChatStatus.SCHEDULED


def test_overlap_ignores_cancelled_chats():
    first = ChatFactory(hashtag="#PhillyTrash", status=ChatStatus.CANCELLED)
    data = _data()
    data.starts_at, data.ends_at = first.starts_at, first.ends_at

    chat = transition_chat(chat=create_chat(data=data, by=None), to="scheduled", by=None)

    assert chat.status == ChatStatus.SCHEDULED


def test_reschedule_raises_sequence_and_keeps_uid():
    chat = transition_chat(chat=create_chat(data=_data(), by=None), to="scheduled", by=None)
    uid = chat.uid

    moved = reschedule_chat(
        chat=chat,
        starts_at=chat.starts_at + timedelta(days=1),
        ends_at=chat.ends_at + timedelta(days=1),
        by=None,
    )

    assert (moved.uid, moved.sequence, moved.status) == (uid, 1, ChatStatus.SCHEDULED)


def test_duplicate_builds_a_draft_a_month_later_with_unpublished_questions():
    chat = create_chat(data=_data(), by=None)
    start = chat.starts_at + timedelta(days=28)

    copy = duplicate_chat(chat=chat, starts_at=start, by=None)

    assert (copy.status, copy.duplicated_from, copy.starts_at, copy.duration) == (
        ChatStatus.DRAFT,
        chat,
        start,
        timedelta(hours=1),
    )
    assert copy.uid != chat.uid
    assert list(copy.questions.values_list("text", "published")) == [
        ("Q one?", False),
        ("Q two?", False),
    ]


def test_clock_moves_scheduled_to_live_then_ended_and_is_safe_to_rerun():
    now = timezone.now()
    starting = ChatFactory(starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1))
    over = ChatFactory(
        starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1), status="live"
    )
    missed = ChatFactory(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=2))
    later = ChatFactory(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))

    first = advance_chats_by_clock(now=now)
    second = advance_chats_by_clock(now=now)

    statuses = {c.pk: c.status for c in Chat.objects.all()}
    assert statuses == {
        starting.pk: "live",
        over.pk: "ended",
        missed.pk: "ended",
        later.pk: "scheduled",
    }
    assert (first, second) == ({"live": 2, "ended": 2}, {"live": 0, "ended": 0})


def test_update_keeps_question_rows_so_links_to_them_survive():
    chat = create_chat(data=_data(), by=None)
    q1, q2 = chat.questions.order_by("position")
    data = _data(
        topic=chat.topic,
        questions=[QuestionData("Q one, reworded?", 5, True), QuestionData("Q two?", 20, True)],
    )
    data.starts_at, data.ends_at = chat.starts_at, chat.ends_at

    from events.services.chats import update_chat

    update_chat(chat=chat, data=data, by=None)

    assert list(chat.questions.order_by("position").values_list("pk", "text", "published")) == [
        (q1.pk, "Q one, reworded?", True),
        (q2.pk, "Q two?", True),
    ]
