"""Webhooks: the one write path for endpoints and deliveries.

Exactly-once intent, at-least-once delivery, resting on the WebhookDelivery row:
- ``emit`` creates one PENDING row per subscribed, active endpoint *in the caller's
  transaction* (the chat or recap service), and queues a send task on commit: a change
  that rolls back sends nothing, a committed one is never forgotten.
- a sender *claims* the row with a conditional UPDATE (PENDING and due -> SENDING);
  only the caller whose UPDATE changed a row sends. The HTTP request runs outside any
  transaction.
- the result is recorded on the row: DELIVERED (2xx); FAILED for a refusal that a retry
  will not change (other 4xx, 3xx, an unsafe URL) or after WEBHOOKS_MAX_ATTEMPTS;
  otherwise (5xx, 429, timeouts, connection errors) PENDING again with
  ``next_attempt_at`` pushed back exponentially, with jitter.
- beat runs ``dispatch_due_deliveries``, which queues the rows that are due (and rows a
  dead worker left SENDING). No task is ever scheduled with a countdown.
A receiver may see a delivery twice (a worker killed after the request, before the row
was saved): the X-CivicChat-Delivery id is stable across attempts for that reason.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.queueing import delay_on_commit
from webhooks import net
from webhooks.exceptions import InvalidEndpoint
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.signing import signed_headers

if TYPE_CHECKING:
    from accounts.models import User
    from events.models import Chat
    from recaps.models import Recap

logger = logging.getLogger(__name__)

S = DeliveryStatus
E = WebhookEvent
MIN_SECRET_LENGTH = 16

# Chat status moves that are news for a webhook, by the status moved to. Moves by the
# clock (live, ended) are not; "recap published" has its own event.
CHAT_STATUS_EVENTS: dict[str, str] = {
    "scheduled": E.CHAT_SCHEDULED,
    "cancelled": E.CHAT_CANCELLED,
    "postponed": E.CHAT_CHANGED,
    "draft": E.CHAT_CHANGED,  # withdrawn from the public listing
}


# Endpoints ----------------------------------------------------------------------------


@dataclass
class EndpointData:
    """What staff enter for an endpoint. An empty ``secret`` means "make one"."""

    name: str
    url: str
    events: list[str] = field(default_factory=list)
    secret: str = ""


def generate_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def validate_endpoint_data(data: EndpointData, *, new: bool) -> None:
    """Raise InvalidEndpoint with every problem at once (field -> messages). The URL
    is resolved here, so a host that points inside our network is refused at once
    (and again, for real, at every send)."""
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("Give the endpoint a name.")]
    try:
        net.check_url(data.url.strip())
    except (net.UnsafeDestination, net.DestinationUnreachable) as exc:
        errors["url"] = [str(exc)]
    unknown = [event for event in data.events if event not in E.values]
    if unknown or not data.events:
        errors["events"] = [_("Choose at least one event.")]
    if new and data.secret and len(data.secret.strip()) < MIN_SECRET_LENGTH:
        errors["secret"] = [
            _("A secret needs at least %(n)d characters; leave it empty to get one.")
            % {"n": MIN_SECRET_LENGTH}
        ]
    if errors:
        raise InvalidEndpoint(errors)


def _events_in_order(events: Iterable[str]) -> list[str]:
    wanted = set(events)
    return [event for event in E.values if event in wanted]


@transaction.atomic
def create_endpoint(*, data: EndpointData, by: User) -> WebhookEndpoint:
    """A new active endpoint. Its secret (``data.secret``, or a generated one) is on
    the returned row for the page to show once; it is never logged."""
    validate_endpoint_data(data, new=True)
    endpoint = WebhookEndpoint.objects.create(
        name=data.name.strip(),
        url=data.url.strip(),
        secret=data.secret.strip() or generate_secret(),
        events=_events_in_order(data.events),
        created_by=by,
    )
    logger.info("webhook endpoint %s created by user %s", endpoint.pk, by.pk)
    return endpoint


@transaction.atomic
def update_endpoint(*, endpoint: WebhookEndpoint, data: EndpointData, by: User) -> WebhookEndpoint:
    """Change the name, URL and events; the secret stays (``data.secret`` is ignored)."""
    validate_endpoint_data(data, new=False)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.name = data.name.strip()
    endpoint.url = data.url.strip()
    endpoint.events = _events_in_order(data.events)
    endpoint.save(update_fields=["name", "url", "events", "updated_at"])
    logger.info("webhook endpoint %s changed by user %s", endpoint.pk, by.pk)
    return endpoint


@transaction.atomic
def set_endpoint_active(*, endpoint: WebhookEndpoint, active: bool, by: User) -> int:
    """Enable or disable an endpoint. Disabling also marks its waiting deliveries
    "not sent" (a disabled endpoint gets nothing, not even what was queued before);
    enabling does not bring them back. Returns how many deliveries were dropped."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    dropped = 0
    if endpoint.active != active:
        endpoint.active = active
        endpoint.save(update_fields=["active", "updated_at"])
        logger.info(
            "webhook endpoint %s %s by user %s",
            endpoint.pk,
            "enabled" if active else "disabled",
            by.pk,
        )
    if not active:
        dropped = WebhookDelivery.objects.filter(endpoint=endpoint, status=S.PENDING).update(
            status=S.SKIPPED, next_attempt_at=None, error=_("The endpoint was disabled.")
        )
    return dropped


@transaction.atomic
def delete_endpoint(*, endpoint: WebhookEndpoint, by: User) -> None:
    """Delete the endpoint and its delivery log."""
    pk = endpoint.pk
    WebhookEndpoint.objects.filter(pk=pk).delete()
    logger.info("webhook endpoint %s deleted by user %s", pk, by.pk)


# Emitting -----------------------------------------------------------------------------


def emit(*, event: str, payload: Mapping[str, Any]) -> list[int]:
    """Record ``event`` for every active endpoint subscribed to it and queue the sends
    after the caller's transaction commits. Call it inside the transaction of the change
    it reports. Returns the new deliveries' ids (none: no subscriber, no rows)."""
    if event not in E.values:
        raise ValueError(f"unknown webhook event {event!r}")
    endpoint_ids = [
        pk
        for pk, events in WebhookEndpoint.objects.filter(active=True).values_list("pk", "events")
        if event in events
    ]
    if not endpoint_ids:
        return []
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint_id=pk,
            event=event,
            payload=dict(payload),
            status=S.PENDING,
            next_attempt_at=now,
            queued_at=now,
        )
        for pk in endpoint_ids
    )
    ids = [delivery.pk for delivery in deliveries]
    _send_on_commit(ids)
    return ids


def emit_chat_event(*, chat: Chat, from_status: str | None = None) -> list[int]:
    """The webhook news of a chat service call: ``from_status`` given, a status move
    (CHAT_STATUS_EVENTS; a draft cancelled was never public, so nothing); otherwise an
    edit, "chat.changed" unless the chat is a draft."""
    event: str | None
    if from_status is None:
        event = E.CHAT_CHANGED if chat.status != "draft" else None
    elif chat.status == "cancelled" and from_status == "draft":
        event = None
    else:
        event = CHAT_STATUS_EVENTS.get(chat.status)
    if event is None:
        return []
    return emit(event=event, payload=chat_payload(chat))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def chat_payload(chat: Chat) -> dict[str, Any]:
    """A chat as webhooks describe it: its public facts (no author, no internal fields)."""
    from events.calendar import chat_url

    topic = chat.topic
    return {
        "id": chat.pk,
        "uid": str(chat.uid),
        "slug": chat.slug,
        "url": chat_url(chat),
        "title": chat.title,
        "description": chat.description,
        "status": chat.status,
        "status_reason": chat.status_reason,
        "sequence": chat.sequence,
        "topic": {"id": topic.pk, "slug": topic.slug, "name": topic.name},
        "hashtag": chat.hashtag,
        "hashtags": chat.hashtags,
        "platforms": list(chat.platforms),
        "starts_at": _iso(chat.starts_at),
        "ends_at": _iso(chat.ends_at),
    }


def recap_payload(recap: Recap) -> dict[str, Any]:
    """A published recap and its chat. The chat is read afresh: the caller's copy may
    predate the move to "recap published" that publishing made."""
    from events.models import Chat

    chat = Chat.objects.select_related("topic").get(pk=recap.chat_id)
    return {
        "id": recap.pk,
        "url": settings.CIVICCHAT_SITE_URL + reverse("recaps:recap_detail", args=[chat.slug]),
        "title": recap.title,
        "intro": recap.intro,
        "version": recap.version,
        "published_at": _iso(recap.published_at),
        "chat": chat_payload(chat),
    }


def _send_on_commit(ids: list[int]) -> None:
    from webhooks.tasks import task_send_delivery  # tasks import this module

    # A delivery whose message is lost is queued again once its queued_at is stale.
    delay_on_commit(task_send_delivery, "delivery_id", ids)


# Sending ------------------------------------------------------------------------------


def body_of(delivery: WebhookDelivery) -> bytes:
    """The JSON body of a delivery: the same bytes on every attempt."""
    envelope = {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "created_at": _iso(delivery.created_at),
        "data": delivery.payload,
    }
    return json.dumps(
        envelope, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def claim_delivery(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Take a due PENDING row for sending. True for exactly one caller: a conditional
    UPDATE is atomic on every database, so two workers cannot both succeed, and a row
    whose retry is not yet due is left alone (a late duplicate task cannot send early)."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=S.PENDING, next_attempt_at__lte=now
    ).update(
        status=S.SENDING,
        claimed_at=now,
        last_attempt_at=now,
        attempts=F("attempts") + 1,
    )
    return claimed == 1


def _jitter(seconds: float) -> float:
    # Jitter spreads the retries of many deliveries; not security-sensitive.
    return random.uniform(seconds / 2, seconds)  # noqa: S311


def backoff_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: base * 2^(n-1),
    capped, with jitter."""
    ceiling = min(
        settings.WEBHOOKS_BACKOFF_MAX_SECONDS,
        settings.WEBHOOKS_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0),
    )
    return timedelta(seconds=_jitter(ceiling))


def retry_after_delay(value: str, *, now: datetime) -> timedelta | None:
    """A Retry-After header (seconds, or an HTTP date) as a delay, capped; None if
    absent or unreadable."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        delay = timedelta(seconds=int(value))
    else:
        try:
            delay = parsedate_to_datetime(value) - now
        except (TypeError, ValueError):
            return None
    cap = timedelta(seconds=settings.WEBHOOKS_BACKOFF_MAX_SECONDS)
    return max(timedelta(0), min(delay, cap))


def send_delivery(*, delivery_id: int, now: datetime | None = None) -> str:
    """Claim, send and record one delivery; returns its status afterwards (or
    "not-claimed" when another sender has it or it is not due)."""
    now = now or timezone.now()
    if not claim_delivery(delivery_id=delivery_id, now=now):
        return "not-claimed"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.active or delivery.event not in endpoint.events:
        return _finish(delivery, S.SKIPPED, error=_("The endpoint no longer takes this event."))
    # The response columns describe the last attempt only.
    delivery.response_code, delivery.response_body = None, ""
    body = body_of(delivery)
    headers = signed_headers(
        secret=endpoint.secret,
        body=body,
        event=delivery.event,
        delivery_id=str(delivery.uuid),
        # The receiver compares this with its own clock: the real time, always.
        timestamp=int(time.time()),
    )
    try:
        reply = net.post(url=endpoint.url, body=body, headers=headers)
    except net.UnsafeDestination as exc:
        return _finish(delivery, S.FAILED, error=str(exc))
    except net.DestinationUnreachable as exc:
        return _retry_later(delivery, now=now, error=str(exc))
    except httpx.TimeoutException:
        return _retry_later(
            delivery,
            now=now,
            error=_("No answer within %(seconds)s seconds.")
            % {"seconds": f"{settings.HTTP_TIMEOUT_SECONDS:g}"},
        )
    except httpx.TransportError as exc:
        return _retry_later(delivery, now=now, error=f"{type(exc).__name__}: {exc}"[:500])
    delivery.response_code = reply.status
    delivery.response_body = reply.excerpt
    if 200 <= reply.status < 300:
        return _finish(delivery, S.DELIVERED, error="")
    if reply.status == 429 or reply.status >= 500:
        wait = retry_after_delay(reply.retry_after, now=now) if reply.status == 429 else None
        return _retry_later(
            delivery,
            now=now,
            error=_("The receiver answered %(code)d.") % {"code": reply.status},
            wait=wait,
        )
    return _finish(
        delivery,
        S.FAILED,
        error=_("The receiver answered %(code)d; this is not retried.") % {"code": reply.status},
    )


_RESULT_FIELDS = [
    "status",
    "error",
    "response_code",
    "response_body",
    "next_attempt_at",
    "queued_at",
    "delivered_at",
]


def _finish(delivery: WebhookDelivery, status: str, *, error: str) -> str:
    delivery.status = status
    delivery.error = error
    delivery.next_attempt_at = None
    delivery.queued_at = None
    if status == S.DELIVERED:
        delivery.delivered_at = timezone.now()
    delivery.save(update_fields=_RESULT_FIELDS)
    logger.info(
        "webhook delivery %s to endpoint %s: %s after %d attempt(s), response %s",
        delivery.pk,
        delivery.endpoint_id,
        status,
        delivery.attempts,
        delivery.response_code,
    )
    return status


def _retry_later(
    delivery: WebhookDelivery, *, now: datetime, error: str, wait: timedelta | None = None
) -> str:
    if delivery.attempts >= settings.WEBHOOKS_MAX_ATTEMPTS:
        return _finish(
            delivery,
            S.FAILED,
            error=error + " " + _("Gave up after %(n)d attempts.") % {"n": delivery.attempts},
        )
    delivery.status = S.PENDING
    delivery.error = error
    delivery.next_attempt_at = now + max(wait or timedelta(0), backoff_delay(delivery.attempts))
    delivery.queued_at = None
    delivery.save(update_fields=_RESULT_FIELDS)
    logger.info(
        "webhook delivery %s to endpoint %s: attempt %d failed, next at %s",
        delivery.pk,
        delivery.endpoint_id,
        delivery.attempts,
        delivery.next_attempt_at.isoformat(),
    )
    return S.PENDING


@transaction.atomic
def dispatch_due_deliveries(*, now: datetime | None = None) -> list[int]:
    """Beat: queue a send for every delivery that is due and not already queued, and
    recover rows a dead worker left SENDING. Returns the ids queued.

    Rows are locked while they are marked queued (``SKIP LOCKED`` on PostgreSQL; SQLite
    serialises writers instead), so two dispatchers never queue the same row; the
    send's claim would stop a second send anyway."""
    now = now or timezone.now()
    lease = now - timedelta(seconds=settings.WEBHOOKS_LEASE_SECONDS)
    # A worker died mid-send (longer ago than any task can run): try again, or stop.
    stuck = WebhookDelivery.objects.filter(status=S.SENDING, claimed_at__lt=lease)
    stuck.filter(attempts__gte=settings.WEBHOOKS_MAX_ATTEMPTS).update(
        status=S.FAILED, next_attempt_at=None, error=_("The sender stopped; gave up.")
    )
    stuck.update(status=S.PENDING, next_attempt_at=now, queued_at=None)
    due = list(
        WebhookDelivery.objects.select_for_update(skip_locked=True)
        .filter(status=S.PENDING, next_attempt_at__lte=now)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=lease))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[: settings.WEBHOOKS_DISPATCH_BATCH]
    )
    if due:
        WebhookDelivery.objects.filter(pk__in=due).update(queued_at=now)
        _send_on_commit(due)
    return due


@transaction.atomic
def retry_delivery(*, delivery: WebhookDelivery, by: User) -> WebhookDelivery:
    """Staff send a failed (or not sent) delivery again, now, with a fresh count of
    attempts. Deliveries that are waiting, sending or delivered are left as they are."""
    now = timezone.now()
    updated = WebhookDelivery.objects.filter(
        pk=delivery.pk, status__in=[S.FAILED, S.SKIPPED], endpoint__active=True
    ).update(status=S.PENDING, attempts=0, next_attempt_at=now, queued_at=now, error="")
    if updated:
        logger.info("webhook delivery %s queued again by user %s", delivery.pk, by.pk)
        _send_on_commit([delivery.pk])
    return WebhookDelivery.objects.get(pk=delivery.pk)
