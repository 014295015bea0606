"""Training: seats and the waitlist, attendance making liaisons, invitations, and
reminders that carry an .ics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from accounts.roles import Role, roles_of
from civicchat.celery import BEAT_SCHEDULE
from liaisons.exceptions import SessionInvalid, TrainingError
from liaisons.models import (
    Application,
    ApplicationStatus,
    EmailKind,
    LiaisonEmail,
    RegistrationStatus,
    TrainingRegistration,
)
from liaisons.services.training import (
    SessionData,
    create_session,
    dispatch_training_reminders,
    invite_approved_applicants,
    record_attendance,
    register_for_session,
    update_session,
)
from liaisons.tasks import task_dispatch_reminders
from tests.factories import ApplicationFactory, TrainingRegistrationFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db
S = ApplicationStatus
R = RegistrationStatus


def approved(**kwargs):
    return ApplicationFactory(status=S.APPROVED, **kwargs)


def test_register_takes_seats_then_fills_the_waitlist_in_order():
    session = TrainingSessionFactory(capacity=1)
    first, second, third = approved(), approved(), approved()

    statuses = [
        register_for_session(application=a, session=session, by=a.user).status
        for a in (first, second, third)
    ]

    assert statuses == [R.REGISTERED, R.WAITLISTED, R.WAITLISTED]
    assert list(LiaisonEmail.objects.order_by("pk").values_list("application_id", "kind")) == [
        (first.pk, EmailKind.REGISTERED),
        (second.pk, EmailKind.TRAINING_WAITLISTED),
        (third.pk, EmailKind.TRAINING_WAITLISTED),
    ]


def test_register_twice_returns_the_same_seat():
    session = TrainingSessionFactory()
    application = approved()

    first = register_for_session(application=application, session=session, by=application.user)
    again = register_for_session(application=application, session=session, by=application.user)

    assert first.pk == again.pk
    assert TrainingRegistration.objects.count() == 1


@pytest.mark.parametrize("status", [S.SUBMITTED, S.WAITLISTED, S.ACTIVE])
def test_register_needs_an_approved_application(status):
    application = ApplicationFactory(status=status)

    with pytest.raises(TrainingError):
        register_for_session(
            application=application, session=TrainingSessionFactory(), by=application.user
        )

    assert TrainingRegistration.objects.count() == 0


def test_register_for_a_second_session_is_refused_until_the_first_is_cancelled():
    registration = TrainingRegistrationFactory()
    application = registration.application

    with pytest.raises(TrainingError):
        register_for_session(
            application=application, session=TrainingSessionFactory(), by=application.user
        )

    assert TrainingRegistration.objects.count() == 1


def test_cancelled_seat_goes_to_the_first_on_the_waitlist(client):
    session = TrainingSessionFactory(capacity=1)
    seat = TrainingRegistrationFactory(session=session)
    later = timezone.now()
    first = TrainingRegistrationFactory(
        session=session, status=R.WAITLISTED, queued_at=later - timedelta(hours=2)
    )
    second = TrainingRegistrationFactory(session=session, status=R.WAITLISTED, queued_at=later)
    client.force_login(seat.application.user)

    client.post(f"/liaisons/applications/{seat.application_id}/registrations/{seat.pk}/cancel/")

    assert dict(TrainingRegistration.objects.values_list("pk", "status")) == {
        seat.pk: R.CANCELLED,
        first.pk: R.REGISTERED,
        second.pk: R.WAITLISTED,
    }


def test_more_seats_move_the_waitlist_up(coordinator):
    session = TrainingSessionFactory(capacity=1)
    TrainingRegistrationFactory(session=session)
    waiting = TrainingRegistrationFactory(session=session, status=R.WAITLISTED)
    data = SessionData(
        title=session.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        capacity=2,
        location=session.location,
    )

    update_session(session=session, data=data, by=coordinator)

    waiting.refresh_from_db()
    session.refresh_from_db()
    assert (waiting.status, session.sequence) == (R.REGISTERED, 0)


def test_moving_a_session_raises_its_sequence(coordinator):
    session = TrainingSessionFactory()
    data = SessionData(
        title=session.title,
        starts_at=session.starts_at + timedelta(days=1),
        ends_at=session.ends_at + timedelta(days=1),
        capacity=session.capacity,
        location=session.location,
    )

    update_session(session=session, data=data, by=coordinator)

    session.refresh_from_db()
    assert session.sequence == 1


def test_session_needs_a_place_or_a_link(coordinator):
    now = timezone.now()
    data = SessionData(
        title="Training", starts_at=now, ends_at=now - timedelta(hours=1), capacity=0
    )

    with pytest.raises(SessionInvalid) as excinfo:
        create_session(data=data, by=coordinator)

    assert sorted(excinfo.value.errors) == ["capacity", "ends_at", "location"]


def test_attendance_makes_an_active_liaison_with_role_and_welcome(
    client, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=1))
    registration = TrainingRegistrationFactory(session=session)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/liaisons/training/{session.pk}/registrations/{registration.pk}/attendance/",
            {"outcome": "attended"},
        )

    registration.refresh_from_db()
    application = Application.objects.get()
    assert response.url == f"/liaisons/training/{session.pk}/"
    assert (registration.status, registration.attendance_marked_by) == (R.ATTENDED, coordinator)
    assert application.status == S.ACTIVE
    assert roles_of(application.user) == frozenset({Role.RESIDENT, Role.LIAISON})
    # The test city keeps the default service name, "311".
    assert [m.subject for m in mailoutbox] == ["[CivicChat] You are now a 311 neighborhood liaison"]


def test_attendance_before_the_session_starts_is_refused(coordinator):
    registration = TrainingRegistrationFactory()

    with pytest.raises(TrainingError):
        record_attendance(registration=registration, attended=True, by=coordinator)

    registration.refresh_from_db()
    assert (registration.status, registration.application.status) == (R.REGISTERED, S.APPROVED)


def test_absence_keeps_the_applicant_approved_to_register_again(coordinator):
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=1))
    registration = TrainingRegistrationFactory(session=session)

    record_attendance(registration=registration, attended=False, by=coordinator)
    again = register_for_session(
        application=registration.application,
        session=TrainingSessionFactory(),
        by=registration.application.user,
    )

    assert again.status == R.REGISTERED
    assert Application.objects.get().status == S.APPROVED


def test_invitations_go_once_to_approved_applicants_without_a_seat(coordinator):
    session = TrainingSessionFactory()
    without_seat = approved()
    TrainingRegistrationFactory()  # approved, already has a seat
    ApplicationFactory(status=S.SUBMITTED)

    first = invite_approved_applicants(session=session, by=coordinator)
    second = invite_approved_applicants(session=session, by=coordinator)

    assert (first, second) == (1, 0)
    assert list(LiaisonEmail.objects.values_list("application_id", "kind")) == [
        (without_seat.pk, EmailKind.INVITATION)
    ]


def test_reminder_sent_once_with_the_ics_in_the_applicants_language(
    django_capture_on_commit_callbacks, mailoutbox
):
    start = timezone.now() + timedelta(hours=20)
    session = TrainingSessionFactory(
        title="Training at the library", starts_at=start, ends_at=start + timedelta(hours=2)
    )
    registration = TrainingRegistrationFactory(session=session)
    registration.application.user.preferred_language = "es"
    registration.application.user.save(update_fields=["preferred_language"])
    TrainingRegistrationFactory()  # next week: not due yet

    with django_capture_on_commit_callbacks(execute=True):
        task_dispatch_reminders()
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_training_reminders()  # the beat ticks again: nothing new

    (message,) = mailoutbox
    assert message.to == [registration.application.user.email]
    assert message.subject == "[CivicChat] Recordatorio: Training at the library"
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == (
        "liaison-training.ics",
        "text/calendar; charset=utf-8; method=PUBLISH",
    )
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    assert (str(event["UID"]), str(event["SUMMARY"])) == (
        f"{session.uid}@training.civicchat",
        "Training at the library",
    )
    assert list(LiaisonEmail.objects.values_list("kind", "status")) == [
        (EmailKind.REMINDER, "sent")
    ]


def test_reminders_run_from_the_beat_schedule():
    assert BEAT_SCHEDULE["liaisons.dispatch_reminders"]["task"] == task_dispatch_reminders.name


def test_applicant_downloads_the_ics_of_their_own_session(client):
    registration = TrainingRegistrationFactory()
    client.force_login(registration.application.user)

    response = client.get(
        f"/liaisons/applications/{registration.application_id}/registrations/"
        f"{registration.pk}/calendar.ics"
    )

    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert str(event["LOCATION"]) == "City Hall, Room 202"
