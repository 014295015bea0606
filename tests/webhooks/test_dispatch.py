"""The beat dispatcher: due retries, lost tasks and dead workers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.conftest import require_services
from tests.factories import WebhookDeliveryFactory
from webhooks.models import DeliveryStatus
from webhooks.services import dispatch_due_deliveries, send_delivery

D = DeliveryStatus


def test_dispatcher_queues_due_deliveries_once(db, settings, django_capture_on_commit_callbacks):
    now = timezone.now()
    due = WebhookDeliveryFactory(next_attempt_at=now - timedelta(seconds=5))
    WebhookDeliveryFactory(next_attempt_at=now + timedelta(minutes=5))  # not yet
    WebhookDeliveryFactory(status=D.DELIVERED, next_attempt_at=None)

    with django_capture_on_commit_callbacks() as callbacks:
        first = dispatch_due_deliveries(now=now)
        second = dispatch_due_deliveries(now=now + timedelta(seconds=15))

    assert (first, second) == ([due.pk], [])
    assert len(callbacks) == 1  # one queueing callback, for the first tick


def test_dispatcher_queues_again_a_task_that_never_ran(db, settings):
    # emit() queued it on commit, but the message was lost: after the lease it is due again.
    now = timezone.now()
    lost = WebhookDeliveryFactory(next_attempt_at=now, queued_at=now)

    assert dispatch_due_deliveries(now=now + timedelta(seconds=15)) == []
    later = now + timedelta(seconds=settings.WEBHOOKS_LEASE_SECONDS + 1)
    assert dispatch_due_deliveries(now=later) == [lost.pk]


@pytest.mark.parametrize(("attempts", "expected"), [(1, D.PENDING), (10, D.FAILED)])
def test_dispatcher_recovers_a_delivery_whose_worker_died(db, settings, attempts, expected):
    now = timezone.now()
    stuck = WebhookDeliveryFactory(
        status=D.SENDING,
        attempts=attempts,
        claimed_at=now - timedelta(seconds=settings.WEBHOOKS_LEASE_SECONDS + 1),
    )

    queued = dispatch_due_deliveries(now=now)

    stuck.refresh_from_db()
    assert (queued, stuck.status) == ([stuck.pk] if expected == D.PENDING else [], expected)


def test_dispatcher_leaves_a_delivery_that_is_being_sent(db):
    now = timezone.now()
    WebhookDeliveryFactory(status=D.SENDING, attempts=1, claimed_at=now - timedelta(seconds=30))

    assert dispatch_due_deliveries(now=now) == []


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_senders_at_once_send_a_delivery_once(receiver):
    require_services("postgres")
    delivery = WebhookDeliveryFactory(
        endpoint__url=receiver.url + "/hooks", endpoint__secret=receiver.secret
    )
    receiver.response_delay = 0.3  # both senders are in flight at the same time
    start = threading.Barrier(2)
    results: list[str] = []

    def send():
        try:
            start.wait()
            results.append(send_delivery(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [D.DELIVERED, "not-claimed"]
    assert len(receiver.received) == 1
