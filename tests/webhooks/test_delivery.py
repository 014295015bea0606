"""Sending: signed requests to a real receiver on loopback, retries and refusals."""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import ChatStatus
from events.services.chats import transition_chat
from tests.factories import ChatFactory, WebhookDeliveryFactory, WebhookEndpointFactory
from tests.webhooks.conftest import SECRET
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.services import backoff_delay, dispatch_due_deliveries, send_delivery

D = DeliveryStatus


def _schedule_a_chat(django_capture_on_commit_callbacks, **chat):
    """Schedule a draft chat through the service; the send task runs on commit."""
    chat = ChatFactory(status=ChatStatus.DRAFT, title="Trash talk", **chat)
    with django_capture_on_commit_callbacks(execute=True):
        transition_chat(chat=chat, to=ChatStatus.SCHEDULED, by=None)
    return chat


def test_delivery_is_signed_json_the_receiver_can_verify(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    before = int(time.time())

    chat = _schedule_a_chat(django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    [received] = receiver.received
    assert (received.event, received.delivery, received.signature_ok) == (
        "chat.scheduled",
        str(delivery.uuid),
        True,
    )
    assert before <= received.timestamp <= int(time.time())
    assert received.body["id"] == str(delivery.uuid)
    assert received.body["event"] == "chat.scheduled"
    assert (received.body["data"]["id"], received.body["data"]["title"]) == (chat.pk, "Trash talk")
    assert received.body["data"]["status"] == "scheduled"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (D.DELIVERED, 1, 200)
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None


def test_delivery_after_a_500_is_retried_and_succeeds(
    receiver, endpoint, django_capture_on_commit_callbacks, settings
):
    # No waiting between attempts, so the retry is due at once.
    settings.WEBHOOKS_BACKOFF_BASE_SECONDS = 0
    receiver.fail_next(500, body={"error": "database down"})

    _schedule_a_chat(django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (D.PENDING, 1, 500)
    assert delivery.response_body == '{"error": "database down"}'
    assert delivery.error == "The receiver answered 500."

    # Beat's dispatcher finds the due retry and queues it; the send runs on commit.
    with django_capture_on_commit_callbacks(execute=True):
        queued = dispatch_due_deliveries()

    assert queued == [delivery.pk]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.error) == (
        D.DELIVERED,
        2,
        200,
        "",
    )
    # Both attempts carried the same delivery id and a valid signature.
    assert [(r.delivery, r.signature_ok) for r in receiver.received] == [
        (str(delivery.uuid), True),
        (str(delivery.uuid), True),
    ]


def test_retry_is_not_sent_before_its_backoff_has_passed(receiver, endpoint):
    receiver.fail_next(503)
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    now = timezone.now()

    assert send_delivery(delivery_id=delivery.pk, now=now) == D.PENDING

    delivery.refresh_from_db()
    due = delivery.next_attempt_at
    # The first retry waits between half and all of the base delay (jitter).
    assert now + timedelta(seconds=15) <= due <= now + timedelta(seconds=30)
    assert dispatch_due_deliveries(now=due - timedelta(seconds=1)) == []
    assert send_delivery(delivery_id=delivery.pk, now=due - timedelta(seconds=1)) == "not-claimed"
    assert dispatch_due_deliveries(now=due) == [delivery.pk]
    assert send_delivery(delivery_id=delivery.pk, now=due) == D.DELIVERED
    assert len(receiver.received) == 2


@pytest.mark.parametrize(
    ("attempts", "low", "high"),
    [(1, 15, 30), (2, 30, 60), (3, 60, 120), (9, 3600, 7200), (12, 3600, 7200)],
)
def test_backoff_doubles_with_jitter_up_to_the_cap(attempts, low, high):
    delays = [backoff_delay(attempts).total_seconds() for _ in range(50)]

    assert (min(delays) >= low, max(delays) <= high) == (True, True)


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_delivery_answered_with_4xx_is_not_retried(receiver, endpoint, status):
    receiver.fail_next(status, body={"error": "no"})
    delivery = WebhookDeliveryFactory(endpoint=endpoint)

    result = send_delivery(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (result, delivery.status, delivery.attempts, delivery.response_code) == (
        D.FAILED,
        D.FAILED,
        1,
        status,
    )
    assert delivery.next_attempt_at is None
    assert delivery.error == f"The receiver answered {status}; this is not retried."
    assert dispatch_due_deliveries(now=timezone.now() + timedelta(days=1)) == []
    assert len(receiver.received) == 1


def test_delivery_answered_with_429_waits_for_retry_after(receiver, endpoint):
    receiver.fail_next(429, headers={"Retry-After": "600"})
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    now = timezone.now()

    assert send_delivery(delivery_id=delivery.pk, now=now) == D.PENDING

    delivery.refresh_from_db()
    assert delivery.next_attempt_at == now + timedelta(seconds=600)
    assert (delivery.response_code, delivery.error) == (429, "The receiver answered 429.")


def test_delivery_that_times_out_is_retried(receiver, endpoint, settings):
    settings.HTTP_TIMEOUT_SECONDS = 0.2
    receiver.fail_next(200, delay=1.0)
    delivery = WebhookDeliveryFactory(endpoint=endpoint)

    assert send_delivery(delivery_id=delivery.pk) == D.PENDING

    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_code, delivery.error) == (
        1,
        None,
        "No answer within 0.2 seconds.",
    )


def test_delivery_to_a_closed_port_is_retried(db):
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    delivery = WebhookDeliveryFactory(
        endpoint=WebhookEndpointFactory(url=f"http://127.0.0.1:{port}/hooks")
    )

    assert send_delivery(delivery_id=delivery.pk) == D.PENDING

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (D.PENDING, 1)
    assert delivery.error.startswith("ConnectError: ")


def test_delivery_gives_up_after_the_last_attempt(receiver, endpoint, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    settings.WEBHOOKS_BACKOFF_BASE_SECONDS = 0
    receiver.fail_next(502, times=2)
    delivery = WebhookDeliveryFactory(endpoint=endpoint)

    results = [send_delivery(delivery_id=delivery.pk) for _ in range(3)]

    delivery.refresh_from_db()
    assert results == [D.PENDING, D.FAILED, "not-claimed"]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (D.FAILED, 2, None)
    assert delivery.error == "The receiver answered 502. Gave up after 2 attempts."
    assert len(receiver.received) == 2


def test_signature_with_another_secret_is_refused_by_the_receiver(
    receiver, django_capture_on_commit_callbacks
):
    # The endpoint signs with a secret the receiver does not know: it answers 401.
    WebhookEndpointFactory(url=receiver.url + "/hooks", secret="whsec_not-the-receivers-one")

    _schedule_a_chat(django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert [r.signature_ok for r in receiver.received] == [False]
    assert (delivery.status, delivery.response_code) == (D.FAILED, 401)


def test_tampered_body_fails_the_receivers_signature_check(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    _schedule_a_chat(django_capture_on_commit_callbacks)
    request = receiver.requests[0]
    assert receiver.signature_ok(request) is True

    request.body = request.body.replace(b"Trash talk", b"Cash talk")

    assert receiver.signature_ok(request) is False


def test_disabled_endpoint_gets_nothing(receiver, django_capture_on_commit_callbacks):
    WebhookEndpointFactory(url=receiver.url + "/hooks", secret=SECRET, active=False)

    _schedule_a_chat(django_capture_on_commit_callbacks)

    assert list(WebhookDelivery.objects.all()) == []
    assert receiver.received == []


def test_endpoint_disabled_after_the_event_gets_nothing(receiver, endpoint):
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    endpoint.active = False
    endpoint.save(update_fields=["active"])

    result = send_delivery(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (result, delivery.status) == (D.SKIPPED, D.SKIPPED)
    assert receiver.received == []


def test_delivery_keeps_the_urls_host_when_sending_to_the_checked_address(receiver, db):
    # The request goes to the address resolved and checked, under the URL's own Host.
    port = receiver.httpd.server_address[1]
    delivery = WebhookDeliveryFactory(
        endpoint=WebhookEndpointFactory(url=f"http://localhost:{port}/hooks", secret=SECRET)
    )

    assert send_delivery(delivery_id=delivery.pk) == D.DELIVERED

    assert [r.host for r in receiver.received] == [f"localhost:{port}"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/hooks",
        "http://localhost:{port}/hooks",
        "http://[::1]:{port}/hooks",
        "http://10.0.0.7/hooks",
        "http://192.168.1.20/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hooks",
        "http://0.0.0.0:{port}/hooks",
    ],
)
def test_private_destination_is_refused_when_private_urls_are_not_allowed(receiver, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    port = receiver.httpd.server_address[1]
    delivery = WebhookDeliveryFactory(
        endpoint=WebhookEndpointFactory(url=url.format(port=port), secret=SECRET)
    )

    result = send_delivery(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (result, delivery.status, delivery.next_attempt_at) == (D.FAILED, D.FAILED, None)
    assert delivery.error.endswith(
        "resolves to a private or local address; webhooks go to public hosts."
    )
    assert receiver.received == []
