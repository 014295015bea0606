"""Which service calls become which events, and that they are committed with them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from accounts.roles import Role
from events.models import ChatStatus
from events.services.chats import chat_data_from, reschedule_chat, transition_chat, update_chat
from recaps.models import RecapStatus
from recaps.services.workflow import transition_recap
from tests.factories import ChatFactory, RecapFactory, UserFactory, WebhookEndpointFactory
from webhooks.models import WebhookDelivery

S = ChatStatus


def _events() -> list[tuple[str, int]]:
    return list(WebhookDelivery.objects.order_by("pk").values_list("event", "endpoint_id"))


@pytest.mark.parametrize(
    ("source", "to", "reason", "expected"),
    [
        (S.DRAFT, S.SCHEDULED, "", ["chat.scheduled"]),
        (S.POSTPONED, S.SCHEDULED, "", ["chat.scheduled"]),
        (S.SCHEDULED, S.CANCELLED, "Storm warning", ["chat.cancelled"]),
        (S.SCHEDULED, S.POSTPONED, "Host is ill", ["chat.changed"]),
        (S.SCHEDULED, S.DRAFT, "", ["chat.changed"]),
        (S.DRAFT, S.CANCELLED, "Never mind", []),  # a draft was never public
        (S.SCHEDULED, S.LIVE, "", []),  # the clock's moves are not news
        (S.LIVE, S.ENDED, "", []),
    ],
)
def test_chat_status_move_emits_its_event(db, source, to, reason, expected):
    endpoint = WebhookEndpointFactory()
    chat = ChatFactory(status=source)

    transition_chat(chat=chat, to=to, by=None, reason=reason)

    assert _events() == [(event, endpoint.pk) for event in expected]


def test_cancelled_event_carries_the_reason_and_new_sequence(db):
    WebhookEndpointFactory()
    chat = ChatFactory(status=S.SCHEDULED, title="Trash talk")

    transition_chat(chat=chat, to=S.CANCELLED, by=None, reason="Storm warning")

    payload = WebhookDelivery.objects.get().payload
    assert {k: payload[k] for k in ("id", "title", "status", "status_reason", "sequence")} == {
        "id": chat.pk,
        "title": "Trash talk",
        "status": "cancelled",
        "status_reason": "Storm warning",
        "sequence": 1,
    }
    assert payload["url"] == f"http://127.0.0.1:8000/chats/{chat.slug}/"
    assert payload["topic"] == {
        "id": chat.topic_id,
        "slug": chat.topic.slug,
        "name": chat.topic.name,
    }


def test_editing_a_scheduled_chat_emits_chat_changed(db):
    WebhookEndpointFactory()
    chat = ChatFactory(status=S.SCHEDULED)
    data = chat_data_from(chat)
    data.title = "Trash talk, rescheduled"

    update_chat(chat=chat, data=data, by=None)

    assert [(d.event, d.payload["title"]) for d in WebhookDelivery.objects.all()] == [
        ("chat.changed", "Trash talk, rescheduled")
    ]


def test_rescheduling_a_chat_emits_chat_changed_with_the_new_time(db):
    WebhookEndpointFactory()
    chat = ChatFactory(status=S.SCHEDULED)
    later = chat.starts_at + timedelta(days=1)

    reschedule_chat(chat=chat, starts_at=later, ends_at=later + timedelta(hours=1), by=None)

    [delivery] = WebhookDelivery.objects.all()
    assert (delivery.event, delivery.payload["starts_at"]) == ("chat.changed", later.isoformat())


def test_editing_a_draft_emits_nothing(db):
    WebhookEndpointFactory()
    chat = ChatFactory(status=S.DRAFT)

    update_chat(chat=chat, data=chat_data_from(chat), by=None)

    assert _events() == []


def test_publishing_a_recap_emits_recap_published(db):
    endpoint = WebhookEndpointFactory()
    editor = UserFactory(roles=[Role.EDITOR])
    recap = RecapFactory(status=RecapStatus.IN_REVIEW, title="What we heard")

    transition_recap(recap=recap, to=RecapStatus.PUBLISHED, by=editor)

    [delivery] = WebhookDelivery.objects.all()
    assert (delivery.endpoint_id, delivery.event) == (endpoint.pk, "recap.published")
    assert {k: delivery.payload[k] for k in ("id", "title", "version")} == {
        "id": recap.pk,
        "title": "What we heard",
        "version": 1,
    }
    assert delivery.payload["chat"]["status"] == "recap_published"
    assert delivery.payload["url"] == f"http://127.0.0.1:8000/chats/{recap.chat.slug}/recap/"


def test_endpoint_gets_only_the_events_it_subscribed_to(db):
    calendar = WebhookEndpointFactory(events=["chat.scheduled", "chat.cancelled"])
    newsletter = WebhookEndpointFactory(events=["recap.published"])
    chat = ChatFactory(status=S.DRAFT)

    transition_chat(chat=chat, to=S.SCHEDULED, by=None)
    transition_chat(chat=chat, to=S.POSTPONED, by=None, reason="Host is ill")

    assert _events() == [("chat.scheduled", calendar.pk)]
    assert newsletter.deliveries.count() == 0


def test_change_that_rolls_back_leaves_no_delivery_and_queues_nothing(
    db, django_capture_on_commit_callbacks
):
    WebhookEndpointFactory()
    chat = ChatFactory(status=S.DRAFT)

    def schedule_then_fail() -> None:
        with transaction.atomic():
            transition_chat(chat=chat, to=S.SCHEDULED, by=None)
            raise RuntimeError("the caller's transaction fails after the move")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        schedule_then_fail()

    assert _events() == []
    assert callbacks == []


def test_send_is_queued_only_when_the_change_commits(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    chat = ChatFactory(status=S.DRAFT)

    with django_capture_on_commit_callbacks() as callbacks:
        transition_chat(chat=chat, to=S.SCHEDULED, by=None)
        # Inside the transaction the row exists, but nothing has been sent.
        assert (WebhookDelivery.objects.count(), receiver.received) == (1, [])

    for callback in callbacks:
        callback()
    assert [r.event for r in receiver.received] == ["chat.scheduled"]
