"""Following, reminders (exactly once), change notices and unsubscribing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from icalendar import Calendar
from kombu.exceptions import OperationalError

from accounts.roles import Role
from events.models import Follow, Notification, NotificationStatus
from events.services import notifications
from events.services.chats import reschedule_chat, transition_chat
from tests.conftest import require_services
from tests.factories import ChatFactory, CityFactory

N = NotificationStatus


@pytest.fixture
def soon_chat(db):
    CityFactory()
    start = timezone.now() + timedelta(minutes=50)
    return ChatFactory(
        title="Potholes & paving", starts_at=start, ends_at=start + timedelta(hours=1)
    )


def _send_here(monkeypatch) -> list[int]:
    """From now on the send task runs in this process, as a worker would; returns the
    list of notification ids it was queued for."""
    sent: list[int] = []
    monkeypatch.setattr(
        "events.tasks.task_send_notification.delay",
        lambda *, notification_id: (
            sent.append(notification_id)
            or notifications.send_notification(notification_id=notification_id)
        ),
    )
    return sent


@pytest.fixture
def captured(monkeypatch):
    """Run on_commit callbacks (the send tasks) in this process, as a worker would."""
    return _send_here(monkeypatch)


@pytest.mark.django_db
def test_reminder_sent_once_in_the_recipients_language_with_ics(
    soon_chat, make_user, mailoutbox, captured, django_capture_on_commit_callbacks
):
    spanish = make_user(Role.RESIDENT, preferred_language="es", email="ana@example.org")
    notifications.follow_topic(user=spanish, topic=soon_chat.topic)

    with django_capture_on_commit_callbacks(execute=True):
        notifications.dispatch_reminders()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.dispatch_reminders()  # the dispatcher runs again: nothing new

    assert [m.to for m in mailoutbox] == [["ana@example.org"]]
    message = mailoutbox[0]
    assert message.subject == "[CivicChat] Recordatorio: Potholes & paving"
    assert "Potholes & paving" in message.body  # not HTML-escaped in a text mail
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == (
        f"{soon_chat.slug}.ics",
        "text/calendar; charset=utf-8; method=PUBLISH",
    )
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["UID"]) == f"{soon_chat.uid}@civicchat"
    assert list(Notification.objects.values_list("lead_minutes", "status")) == [(60, N.SENT)]


@pytest.mark.django_db
def test_reminder_follower_of_chat_and_topic_gets_one_mail(
    soon_chat, resident, mailoutbox, captured, django_capture_on_commit_callbacks
):
    notifications.follow_topic(user=resident, topic=soon_chat.topic)
    notifications.follow_chat(user=resident, chat=soon_chat)

    with django_capture_on_commit_callbacks(execute=True):
        notifications.dispatch_reminders()

    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_reminder_not_due_yet_creates_nothing(resident, settings):
    settings.CIVICCHAT_REMINDER_LEADS = [60]
    chat = ChatFactory(starts_at=timezone.now() + timedelta(hours=3))
    notifications.follow_chat(user=resident, chat=chat)

    assert notifications.dispatch_reminders() == 0
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_claim_only_one_caller_wins():
    chat = ChatFactory()
    from tests.factories import UserFactory

    note = Notification.objects.create(chat=chat, user=UserFactory(), kind="reminder")

    results = [notifications.claim_notification(notification_id=note.pk) for _ in range(3)]

    assert results == [True, False, False]


@pytest.mark.django_db
def test_claim_dead_workers_row_is_retaken_only_after_the_lease(settings, resident):
    settings.CIVICCHAT_NOTIFICATION_LEASE_SECONDS = 600
    note = Notification.objects.create(chat=ChatFactory(), user=resident, kind="reminder")
    now = timezone.now()
    assert notifications.claim_notification(notification_id=note.pk, now=now)

    early = notifications.claim_notification(
        notification_id=note.pk, now=now + timedelta(minutes=5)
    )
    late = notifications.claim_notification(
        notification_id=note.pk, now=now + timedelta(minutes=11)
    )

    assert (early, late) == (False, True)
    assert Notification.objects.get().attempts == 2


@pytest.mark.django_db
def test_reminder_for_a_chat_cancelled_since_is_skipped(soon_chat, resident, mailoutbox):
    notifications.follow_chat(user=resident, chat=soon_chat)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("events.tasks.task_send_notification.delay", lambda **kw: None)
        notifications.dispatch_reminders()
    note = Notification.objects.get()
    soon_chat.status = "cancelled"
    soon_chat.save(update_fields=["status"])

    assert notifications.send_notification(notification_id=note.pk) == N.SKIPPED
    assert mailoutbox == []


@pytest.mark.django_db
def test_reschedule_and_cancel_notify_followers_once_each(
    soon_chat, resident, mailoutbox, captured, django_capture_on_commit_callbacks
):
    notifications.follow_chat(user=resident, chat=soon_chat)

    with django_capture_on_commit_callbacks(execute=True):
        reschedule_chat(
            chat=soon_chat,
            starts_at=soon_chat.starts_at + timedelta(days=1),
            ends_at=soon_chat.ends_at + timedelta(days=1),
            by=None,
        )
    with django_capture_on_commit_callbacks(execute=True):
        transition_chat(chat=soon_chat, to="cancelled", by=None, reason="Budget hearing moved.")

    assert [m.subject for m in mailoutbox] == [
        "[CivicChat] New time: Potholes & paving",
        "[CivicChat] Cancelled: Potholes & paving",
    ]
    assert "Budget hearing moved." in mailoutbox[1].body
    assert mailoutbox[1].attachments[0][2] == "text/calendar; charset=utf-8; method=CANCEL"


@pytest.mark.django_db
def test_unsubscribe_link_works_without_login_and_get_changes_nothing(client, soon_chat, resident):
    notifications.follow_chat(user=resident, chat=soon_chat)
    notifications.follow_topic(user=resident, topic=soon_chat.topic)
    url = notifications.unsubscribe_url(user=resident, chat=soon_chat).removeprefix(
        "http://127.0.0.1:8000"
    )

    page = client.get(url)
    follows_after_get = Follow.objects.filter(user=resident).count()
    done = client.post(url)

    assert follows_after_get == 2
    assert "Unsubscribe" in page.content.decode()
    assert Follow.objects.filter(user=resident).count() == 0
    assert "You will get no more e-mails" in done.content.decode()


@pytest.mark.django_db
def test_unsubscribe_forged_token_is_refused(client, resident, soon_chat):
    notifications.follow_chat(user=resident, chat=soon_chat)
    token = notifications.unsubscribe_token(user=resident, chat=soon_chat)

    response = client.post(f"/unsubscribe/{token[:-2]}xx/")

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert Follow.objects.filter(user=resident).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reminders_two_dispatchers_and_two_senders_at_once_send_one_mail(mailoutbox, settings):
    """On PostgreSQL, two dispatchers and then two senders race in threads."""
    require_services("postgres")
    from tests.factories import UserFactory

    CityFactory()
    start = timezone.now() + timedelta(minutes=30)
    chat = ChatFactory(starts_at=start, ends_at=start + timedelta(hours=1))
    users = [UserFactory() for _ in range(5)]
    for user in users:
        notifications.follow_chat(user=user, chat=chat)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def race(fn):
        def run():
            try:
                barrier.wait(timeout=10)
                fn()
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("events.tasks.task_send_notification.delay", lambda **kw: None)
        race(notifications.dispatch_reminders)
    ids = list(Notification.objects.values_list("pk", flat=True))
    race(lambda: [notifications.send_notification(notification_id=pk) for pk in ids])

    assert errors == []
    assert len(ids) == 5
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in users)
    assert set(Notification.objects.values_list("status", flat=True)) == {N.SENT}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_notice_queued_while_the_broker_is_down_is_sent_once_it_is_back(
    soon_chat, resident, mailoutbox, monkeypatch, settings
):
    settings.CIVICCHAT_REQUEUE_AFTER_SECONDS = 600
    notifications.follow_chat(user=resident, chat=soon_chat)

    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("events.tasks.task_send_notification.delay", broker_down)
    # Committed for real (transaction=True): the queueing fails after the commit and is
    # logged; the staff member's reschedule stands.
    reschedule_chat(
        chat=soon_chat,
        starts_at=soon_chat.starts_at + timedelta(days=1),
        ends_at=soon_chat.ends_at + timedelta(days=1),
        by=None,
    )
    note = Notification.objects.get(kind="rescheduled")
    assert (note.status, note.attempts) == ("pending", 0)

    sent = _send_here(monkeypatch)  # the broker is back
    now = timezone.now()
    notifications.dispatch_reminders(now=now + timedelta(minutes=5))  # may still be queued
    assert sent == []
    notifications.dispatch_reminders(now=now + timedelta(minutes=11))
    notifications.dispatch_reminders(now=now + timedelta(minutes=12))

    assert sent == [note.pk]  # queued again once, sent once
    assert [m.subject for m in mailoutbox] == ["[CivicChat] New time: Potholes & paving"]


@pytest.mark.django_db
def test_dispatcher_queues_each_reminder_once_while_it_waits_for_a_worker(
    soon_chat, make_user, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[int] = []
    monkeypatch.setattr(
        "events.tasks.task_send_notification.delay",
        lambda *, notification_id: queued.append(notification_id),  # workers busy: no send
    )
    for _ in range(3):
        notifications.follow_topic(user=make_user(Role.RESIDENT), topic=soon_chat.topic)

    now = timezone.now()
    for minutes in range(5):  # the beat's dispatcher, once a minute
        with django_capture_on_commit_callbacks(execute=True):
            notifications.dispatch_reminders(now=now + timedelta(minutes=minutes))

    assert sorted(queued) == sorted(Notification.objects.values_list("pk", flat=True))
    assert len(queued) == 3
