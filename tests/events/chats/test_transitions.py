"""The chat status machine: every allowed move, every refused one, and the audit."""

from __future__ import annotations

import itertools

import pytest

from accounts.roles import Role
from events.exceptions import ChatValidationError, InvalidTransition
from events.models import Chat, ChatStatus, ChatStatusChange
from events.services.chats import ALLOWED_TRANSITIONS, transition_chat
from tests.factories import ChatFactory

pytestmark = pytest.mark.django_db
S = ChatStatus

ALLOWED = sorted((a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets)
REFUSED = sorted(
    (a, b)
    for a, b in itertools.product(S.values, S.values)
    if b not in ALLOWED_TRANSITIONS.get(a, frozenset())
)


def test_transition_table_is_the_documented_lifecycle():
    assert (
        sorted(
            [
                (S.DRAFT, S.SCHEDULED),
                (S.DRAFT, S.CANCELLED),
                (S.SCHEDULED, S.LIVE),
                (S.SCHEDULED, S.CANCELLED),
                (S.SCHEDULED, S.POSTPONED),
                (S.SCHEDULED, S.DRAFT),
                (S.POSTPONED, S.SCHEDULED),
                (S.POSTPONED, S.CANCELLED),
                (S.LIVE, S.ENDED),
                (S.ENDED, S.RECAP_PUBLISHED),
                (S.RECAP_PUBLISHED, S.ENDED),
            ]
        )
        == ALLOWED
    )


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_transition_allowed_move_changes_status_and_writes_audit(source, target, make_user):
    staff = make_user(Role.COMMS_STAFF)
    chat = ChatFactory(status=source)

    transition_chat(chat=chat, to=target, by=staff, reason="Because.")

    chat.refresh_from_db()
    change = ChatStatusChange.objects.get(chat=chat)
    assert chat.status == target
    assert (change.from_status, change.to_status, change.by, change.reason) == (
        source,
        target,
        staff,
        "Because.",
    )


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_transition_refused_move_raises_and_writes_nothing(source, target):
    chat = ChatFactory(status=source)

    with pytest.raises(InvalidTransition):
        transition_chat(chat=chat, to=target, by=None, reason="Because.")

    chat.refresh_from_db()
    assert chat.status == source
    assert ChatStatusChange.objects.count() == 0


@pytest.mark.parametrize("target", [S.CANCELLED, S.POSTPONED])
def test_transition_cancel_or_postpone_without_reason_is_refused(target):
    chat = ChatFactory(status=S.SCHEDULED)

    with pytest.raises(ChatValidationError) as excinfo:
        transition_chat(chat=chat, to=target, by=None, reason="  ")

    assert list(excinfo.value.errors) == ["reason"]
    assert Chat.objects.get().status == S.SCHEDULED


@pytest.mark.parametrize(
    ("source", "target", "sequence"),
    [
        (S.SCHEDULED, S.CANCELLED, 1),
        (S.SCHEDULED, S.POSTPONED, 1),
        (S.POSTPONED, S.SCHEDULED, 1),
        (S.SCHEDULED, S.LIVE, 0),
        (S.DRAFT, S.SCHEDULED, 0),
    ],
)
def test_transition_raises_sequence_only_when_calendars_must_update(source, target, sequence):
    chat = ChatFactory(status=source)

    transition_chat(chat=chat, to=target, by=None, reason="Weather.")

    assert Chat.objects.get().sequence == sequence
