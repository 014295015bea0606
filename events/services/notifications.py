"""Following, reminders and change notices: e-mail to the people who asked for it.

Exactly-once delivery rests on the Notification row:
- dispatchers only *create* rows, with a unique key (chat, user, kind, lead, sequence)
  and ``ignore_conflicts``, so running a dispatcher twice, or two at once, creates each
  notification once;
- a sender *claims* a row with a conditional UPDATE (pending -> sending); only the one
  whose UPDATE changed a row sends. A row left "sending" by a worker that died is
  re-claimed only after CIVICCHAT_NOTIFICATION_LEASE_SECONDS, longer than any task can
  run (the hard time limit), so a live sender is never raced.
The remaining window: a worker killed after the mail server accepted the message but
before the row was marked sent. That mail goes out again after the lease.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from core.queueing import delay_on_commit, take_lost
from core.selectors import city_timezone_name, get_city
from events.calendar import build_calendar, chat_url
from events.models import (
    Chat,
    ChatStatus,
    Follow,
    Notification,
    NotificationKind,
    NotificationStatus,
    Topic,
)
from events.selectors import followers_of

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "events.unsubscribe"
MAX_ATTEMPTS = 5
N = NotificationStatus


# Following ---------------------------------------------------------------------------


def follow_topic(*, user: User, topic: Topic) -> Follow:
    """Idempotent: following twice keeps one row."""
    try:
        with transaction.atomic():
            return Follow.objects.get_or_create(user=user, topic=topic)[0]
    except IntegrityError:  # a concurrent request created it
        return Follow.objects.get(user=user, topic=topic)


def follow_chat(*, user: User, chat: Chat) -> Follow:
    try:
        with transaction.atomic():
            return Follow.objects.get_or_create(user=user, chat=chat)[0]
    except IntegrityError:
        return Follow.objects.get(user=user, chat=chat)


def unfollow(*, user: User, topic: Topic | None = None, chat: Chat | None = None) -> int:
    """Stop following a topic or a chat; returns how many follows were removed."""
    if topic is not None:
        return Follow.objects.filter(user=user, topic=topic).delete()[0]
    if chat is not None:
        return Follow.objects.filter(user=user, chat=chat).delete()[0]
    return 0


def unsubscribe_token(*, user: User, chat: Chat) -> str:
    """A signed, login-free token that stops the e-mails about ``chat``: it removes the
    user's follow of the chat and of its topic."""
    return signing.dumps({"u": user.pk, "c": chat.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user: User, chat: Chat) -> str:
    token = unsubscribe_token(user=user, chat=chat)
    return settings.CIVICCHAT_SITE_URL + reverse("events:unsubscribe", args=[token])


def read_unsubscribe_token(token: str) -> tuple[User, Chat] | None:
    """The (user, chat) a token names, or None when it is forged or names nothing."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    chat = Chat.objects.select_related("topic").filter(pk=data.get("c")).first()
    if user is None or chat is None:
        return None
    return user, chat


@transaction.atomic
def unsubscribe(*, user: User, chat: Chat) -> int:
    """Stop every e-mail about ``chat``: unfollow it and its topic, skip pending mail."""
    removed = (
        Follow.objects.filter(user=user).filter(Q(chat=chat) | Q(topic=chat.topic)).delete()[0]
    )
    Notification.objects.filter(user=user, chat__topic=chat.topic, status=N.PENDING).update(
        status=N.SKIPPED, error="unsubscribed"
    )
    return removed


# Creating notifications -------------------------------------------------------------


def _create_notifications(chat: Chat, *, kind: str, lead_minutes: int = 0) -> list[int]:
    """Create the missing rows (one per follower) and return the ids of those created
    now: rows from an earlier run are queued already (requeue_lost covers lost ones),
    and queueing them again every minute would flood the queue during a big send."""
    users = list(followers_of(chat).values_list("pk", flat=True))
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                chat=chat,
                user_id=pk,
                kind=kind,
                lead_minutes=lead_minutes,
                sequence=chat.sequence,
                queued_at=now,
            )
            for pk in users
        ],
        ignore_conflicts=True,
    )
    return list(
        Notification.objects.filter(
            chat=chat,
            kind=kind,
            lead_minutes=lead_minutes,
            sequence=chat.sequence,
            status=N.PENDING,
            queued_at=now,
        ).values_list("pk", flat=True)
    )


def _send_on_commit(ids: list[int]) -> None:
    from events.tasks import task_send_notification  # tasks import this module

    delay_on_commit(task_send_notification, "notification_id", ids)


def requeue_lost(*, now: datetime | None = None) -> list[int]:
    """Rows still pending and never attempted CIVICCHAT_REQUEUE_AFTER_SECONDS after they
    were queued lost their broker message: queue them again (and note when), so each is
    re-queued at most once per interval. Called by the reminder dispatcher."""
    return take_lost(Notification.objects.filter(status=N.PENDING), now=now or timezone.now())


def queue_recap_notices(*, chat: Chat) -> int:
    """Tell the followers of the chat and its topic that its recap is published (once
    per chat: unpublishing and publishing again does not e-mail them twice)."""
    ids = _create_notifications(chat, kind=NotificationKind.RECAP_PUBLISHED)
    _send_on_commit(ids)
    return len(ids)


def queue_change_notices(*, chat: Chat, kind: str) -> int:
    """Tell followers that ``chat`` was rescheduled or cancelled (once per sequence)."""
    ids = _create_notifications(chat, kind=kind)
    _send_on_commit(ids)
    return len(ids)


@transaction.atomic
def dispatch_reminders(*, now: datetime | None = None) -> int:
    """Create (once) and queue the reminders that are due: for each lead L in
    CIVICCHAT_REMINDER_LEADS, every scheduled chat starting within L from now gets one
    reminder per follower. Only the shortest due lead is used, so a chat scheduled an
    hour before it starts does not get a "tomorrow" reminder as well."""
    now = now or timezone.now()
    leads = sorted(settings.CIVICCHAT_REMINDER_LEADS)
    if not leads:
        return 0
    chats = Chat.objects.filter(
        status=ChatStatus.SCHEDULED,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(minutes=leads[-1]),
    ).select_related("topic")
    ids: list[int] = []
    for chat in chats:
        lead = next(lead for lead in leads if chat.starts_at <= now + timedelta(minutes=lead))
        ids += _create_notifications(chat, kind=NotificationKind.REMINDER, lead_minutes=lead)
    # Rows a dead worker left behind, and rows whose first send failed: send again.
    stale = now - timedelta(seconds=settings.CIVICCHAT_NOTIFICATION_LEASE_SECONDS)
    ids += list(
        Notification.objects.filter(
            Q(status=N.SENDING, claimed_at__lt=stale)
            | Q(status=N.PENDING, attempts__gt=0, claimed_at__lt=now - timedelta(minutes=1))
        ).values_list("pk", flat=True)
    )
    # And rows whose broker message was lost before any attempt.
    ids += requeue_lost(now=now)
    _send_on_commit(sorted(set(ids)))
    return len(ids)


# Sending ---------------------------------------------------------------------------------


def claim_notification(*, notification_id: int, now: datetime | None = None) -> bool:
    """Take the row for sending. True for exactly one caller: a conditional UPDATE is
    atomic on every database, so two workers cannot both see it succeed."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.CIVICCHAT_NOTIFICATION_LEASE_SECONDS)
    claimed = (
        Notification.objects.filter(pk=notification_id)
        .filter(Q(status=N.PENDING) | Q(status=N.SENDING, claimed_at__lt=stale))
        .update(status=N.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    return claimed == 1


def send_notification(*, notification_id: int) -> str:
    """Claim and send one notification; returns its final status. Skips (without
    sending) a reminder whose chat was cancelled or moved since it was created."""
    if not claim_notification(notification_id=notification_id):
        return "not-claimed"
    notification = Notification.objects.select_related("chat__topic", "user").get(
        pk=notification_id
    )
    chat = notification.chat
    stale_reminder = notification.kind == NotificationKind.REMINDER and (
        chat.status != ChatStatus.SCHEDULED or chat.sequence != notification.sequence
    )
    if stale_reminder or not notification.user.is_active:
        _finish(notification, N.SKIPPED, "chat changed" if stale_reminder else "inactive user")
        return N.SKIPPED
    try:
        build_email(notification).send()
    except Exception as exc:  # noqa: BLE001  (any mail failure is retried, then reported)
        logger.warning("notification %s failed: %s", notification.pk, exc)
        final = N.FAILED if notification.attempts >= MAX_ATTEMPTS else N.PENDING
        _finish(notification, final, f"{type(exc).__name__}: {exc}"[:500])
        return final
    _finish(notification, N.SENT, "")
    return N.SENT


def _finish(notification: Notification, status: str, error: str) -> None:
    notification.status = status
    notification.error = error
    fields = ["status", "error"]
    if status == N.SENT:
        notification.sent_at = timezone.now()
        fields.append("sent_at")
    notification.save(update_fields=fields)


_TEMPLATES = {
    NotificationKind.REMINDER: "events/email/reminder",
    NotificationKind.RESCHEDULED: "events/email/rescheduled",
    NotificationKind.CANCELLED: "events/email/cancelled",
    NotificationKind.RECAP_PUBLISHED: "events/email/recap_published",
}


def build_email(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail for a notification, in the recipient's language and the city's time
    zone, with the chat's .ics attached and one-click unsubscribe headers (RFC 8058)."""
    user, chat = notification.user, notification.chat
    unsubscribe = unsubscribe_url(user=user, chat=chat)
    with translation.override(user.preferred_language), timezone.override(city_timezone_name()):
        context = {
            "user": user,
            "chat": chat,
            "city": get_city(),
            "chat_url": chat_url(chat),
            "unsubscribe_url": unsubscribe,
            "notification": notification,
            "recap_url": settings.CIVICCHAT_SITE_URL
            + reverse("recaps:recap_detail", args=[chat.slug]),
        }
        base = _TEMPLATES[NotificationKind(notification.kind)]
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        body = render_to_string(f"{base}_body.txt", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=body,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    if notification.kind != NotificationKind.RECAP_PUBLISHED:
        method = "CANCEL" if chat.status == ChatStatus.CANCELLED else "PUBLISH"
        message.attach(
            f"{chat.slug}.ics",
            build_calendar([chat], name=chat.title, method=method),
            f"text/calendar; charset=utf-8; method={method}",
        )
    return message
