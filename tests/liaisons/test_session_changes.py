"""A training session that moves or is cancelled: everyone holding a seat or a waitlist
place is told once, in their language, with an .ics that updates or removes the entry;
a cancelled session takes no one and sends nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone, translation
from icalendar import Calendar

from accounts.roles import Role
from core.selectors import city_timezone_name
from liaisons.exceptions import NotAllowed, TrainingError
from liaisons.models import (
    ApplicationStatus,
    AuditAction,
    AuditEntry,
    EmailKind,
    EmailStatus,
    LiaisonEmail,
    RegistrationStatus,
    TrainingRegistration,
    TrainingSession,
)
from liaisons.selectors import upcoming_sessions
from liaisons.services.emails import when_text
from liaisons.services.training import (
    SessionData,
    cancel_session,
    dispatch_training_reminders,
    invite_approved_applicants,
    register_for_session,
    update_session,
)
from tests.factories import (
    ApplicationFactory,
    LiaisonEmailFactory,
    TrainingRegistrationFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.liaisons.conftest import with_mfa

pytestmark = pytest.mark.django_db
R = RegistrationStatus
S = ApplicationStatus
NEW_PLACE = "Free Library, Room 3"
REASON = "The trainer is ill."


def speaking(registration, language):
    user = registration.application.user
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return registration


@pytest.fixture
def full_session():
    """A one-seat session: Spanish-speaking Rosa has the seat, Ed waits, and Al
    cancelled earlier (he is told nothing)."""
    session = TrainingSessionFactory(capacity=1, title="Training at City Hall")
    seated = speaking(TrainingRegistrationFactory(session=session), "es")
    waiting = speaking(TrainingRegistrationFactory(session=session, status=R.WAITLISTED), "en")
    TrainingRegistrationFactory(session=session, status=R.CANCELLED)
    return session, seated, waiting


def moved(session, *, days=1, location=NEW_PLACE, title=None, description=""):
    return SessionData(
        title=title or session.title,
        starts_at=session.starts_at + timedelta(days=days),
        ends_at=session.ends_at + timedelta(days=days),
        capacity=session.capacity,
        location=location,
        description=description,
    )


def by_recipient(mailoutbox):
    return {message.to[0]: message for message in mailoutbox}


def ics_event(message):
    (name, content, mimetype) = message.attachments[0]
    calendar = Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    return name, mimetype, str(calendar["METHOD"]), event


def local_when(session, language):
    with translation.override(language), timezone.override(city_timezone_name()):
        return when_text(session)


# Moving a session ---------------------------------------------------------------------------


def test_moving_a_session_emails_registered_and_waitlisted_once_in_their_language(
    coordinator, full_session, django_capture_on_commit_callbacks, mailoutbox
):
    session, seated, waiting = full_session

    with django_capture_on_commit_callbacks(execute=True):
        update_session(session=session, data=moved(session), by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):  # saved again, unchanged
        update_session(session=TrainingSession.objects.get(), data=moved(session), by=coordinator)

    session.refresh_from_db()
    mail = by_recipient(mailoutbox)
    rosa, ed = mail[seated.application.user.email], mail[waiting.application.user.email]
    assert len(mailoutbox) == 2
    assert (rosa.subject, ed.subject) == (
        "[CivicChat] Nuevo horario o lugar: Training at City Hall",
        "[CivicChat] New time or place: Training at City Hall",
    )
    assert local_when(session, "es") in rosa.body
    assert local_when(session, "en") in ed.body
    assert (NEW_PLACE in rosa.body, NEW_PLACE in ed.body) == (True, True)
    # Only the seat holder gets the .ics: it replaces the old entry (same UID, SEQUENCE 1).
    name, mimetype, method, event = ics_event(rosa)
    assert (name, mimetype, method) == (
        "liaison-training.ics",
        "text/calendar; charset=utf-8; method=PUBLISH",
        "PUBLISH",
    )
    assert (str(event["UID"]), event["SEQUENCE"], event.decoded("DTSTART")) == (
        f"{session.uid}@training.civicchat",
        1,
        session.starts_at,
    )
    assert str(event["LOCATION"]) == NEW_PLACE
    assert ed.attachments == []
    assert sorted(LiaisonEmail.objects.values_list("key", "kind")) == sorted(
        [
            (f"changed:{seated.pk}:1", EmailKind.SESSION_CHANGED),
            (f"changed:{waiting.pk}:1", EmailKind.SESSION_CHANGED),
        ]
    )


def test_moving_a_session_again_emails_again(coordinator, full_session):
    session, seated, waiting = full_session

    update_session(session=session, data=moved(session, days=1), by=coordinator)
    update_session(session=session, data=moved(session, days=2), by=coordinator)

    assert sorted(LiaisonEmail.objects.values_list("key", flat=True)) == sorted(
        [
            f"changed:{seated.pk}:1",
            f"changed:{seated.pk}:2",
            f"changed:{waiting.pk}:1",
            f"changed:{waiting.pk}:2",
        ]
    )


def test_editing_only_the_title_and_description_sends_nothing_until_it_moves(
    coordinator, full_session
):
    session, seated, waiting = full_session
    data = moved(
        session, days=0, location=session.location, title="Renamed", description="Bring ID."
    )

    update_session(session=session, data=data, by=coordinator)
    session.refresh_from_db()
    sent_after_edit = LiaisonEmail.objects.count()
    update_session(session=session, data=moved(session, title="Renamed"), by=coordinator)

    session.refresh_from_db()
    assert (session.title, session.sequence, sent_after_edit) == ("Renamed", 1, 0)
    assert sorted(LiaisonEmail.objects.values_list("key", flat=True)) == sorted(
        [f"changed:{seated.pk}:1", f"changed:{waiting.pk}:1"]
    )


# Cancelling a session -----------------------------------------------------------------------


def test_cancelling_a_session_emails_everyone_once_with_an_ics_that_removes_it(
    coordinator, full_session, django_capture_on_commit_callbacks, mailoutbox
):
    session, seated, waiting = full_session

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = cancel_session(session=session, by=coordinator, reason=f"  {REASON} ")

    session.refresh_from_db()
    mail = by_recipient(mailoutbox)
    rosa, ed = mail[seated.application.user.email], mail[waiting.application.user.email]
    assert cancelled == 2
    assert (session.is_cancelled, session.cancel_reason, session.cancelled_by) == (
        True,
        REASON,
        coordinator,
    )
    assert len(mailoutbox) == 2
    assert (rosa.subject, ed.subject) == (
        "[CivicChat] Cancelada: Training at City Hall",
        "[CivicChat] Cancelled: Training at City Hall",
    )
    assert (REASON in rosa.body, REASON in ed.body) == (True, True)
    for message in (rosa, ed):
        _name, mimetype, method, event = ics_event(message)
        assert (mimetype, method) == ("text/calendar; charset=utf-8; method=CANCEL", "CANCEL")
        assert (str(event["UID"]), event["SEQUENCE"], str(event["STATUS"])) == (
            f"{session.uid}@training.civicchat",
            1,
            "CANCELLED",
        )
        # Outlook removes the event only when the cancellation names its organizer.
        assert str(event["ORGANIZER"]).startswith("mailto:")
    assert sorted(LiaisonEmail.objects.values_list("key", "kind")) == sorted(
        [
            (f"cancelled:{seated.pk}:1", EmailKind.SESSION_CANCELLED),
            (f"cancelled:{waiting.pk}:1", EmailKind.SESSION_CANCELLED),
        ]
    )


def test_cancelling_a_session_cancels_every_place_and_moves_no_one_up(coordinator, full_session):
    session, seated, waiting = full_session

    cancel_session(session=session, by=coordinator)

    assert set(TrainingRegistration.objects.values_list("status", flat=True)) == {R.CANCELLED}
    assert sorted(
        AuditEntry.objects.filter(action=AuditAction.TRAINING).values_list(
            "application_id", "detail", "actor"
        )
    ) == sorted(
        (registration.application_id, f"cancelled for session {session.pk}", coordinator.pk)
        for registration in (seated, waiting)
    )
    # The applicants stay approved: they can choose another session.
    assert register_for_session(
        application=waiting.application,
        session=TrainingSessionFactory(),
        by=waiting.application.user,
    ).status == (R.REGISTERED)


def test_cancelled_session_can_no_longer_be_registered_for_or_invited_to(client, coordinator):
    session = TrainingSessionFactory()
    applicant = ApplicationFactory(status=S.APPROVED)
    cancel_session(session=session, by=coordinator)
    client.force_login(applicant.user)

    with pytest.raises(TrainingError):
        register_for_session(application=applicant, session=session, by=applicant.user)
    with pytest.raises(TrainingError):
        invite_approved_applicants(session=session, by=coordinator)
    response = client.get(f"/liaisons/applications/{applicant.pk}/")

    assert list(upcoming_sessions()) == []
    assert response.context["sessions"] == []
    assert TrainingRegistration.objects.count() == 0
    assert LiaisonEmail.objects.count() == 0


def test_cancelled_session_cannot_be_edited(coordinator):
    session = TrainingSessionFactory()
    cancel_session(session=session, by=coordinator)

    with pytest.raises(TrainingError):
        update_session(session=session, data=moved(session), by=coordinator)

    session.refresh_from_db()
    assert session.location == "City Hall, Room 202"


def test_cancelling_twice_is_refused(coordinator, full_session):
    session, _seated, _waiting = full_session
    cancel_session(session=session, by=coordinator, reason="First")

    with pytest.raises(TrainingError, match="cancelled"):
        cancel_session(session=session, by=coordinator, reason="Second")

    session.refresh_from_db()
    assert (session.cancel_reason, session.sequence) == ("First", 1)
    assert LiaisonEmail.objects.count() == 2


def test_cancelling_an_ended_session_is_refused(coordinator):
    start = timezone.now() - timedelta(hours=3)
    session = TrainingSessionFactory(starts_at=start, ends_at=start + timedelta(hours=2))
    TrainingRegistrationFactory(session=session)

    with pytest.raises(TrainingError, match="ended"):
        cancel_session(session=session, by=coordinator)

    session.refresh_from_db()
    assert (session.is_cancelled, LiaisonEmail.objects.count()) == (False, 0)


def test_cancelling_needs_a_coordinator(full_session):
    session, seated, _waiting = full_session

    with pytest.raises(NotAllowed):
        cancel_session(session=session, by=seated.application.user)

    session.refresh_from_db()
    assert session.is_cancelled is False
    assert TrainingRegistration.objects.filter(status=R.REGISTERED).count() == 1


def test_cancel_view_refuses_other_staff_then_works_for_a_coordinator(
    client, coordinator, full_session
):
    session, _seated, _waiting = full_session
    editor = with_mfa(UserFactory(roles=[Role.RESIDENT, Role.EDITOR]))
    url = f"/liaisons/training/{session.pk}/cancel/"
    client.force_login(editor)

    client.post(url, {"reason": REASON})
    session.refresh_from_db()
    assert (session.is_cancelled, LiaisonEmail.objects.count()) == (False, 0)

    client.force_login(coordinator)
    response = client.post(url, {"reason": REASON})

    session.refresh_from_db()
    assert (session.is_cancelled, session.cancel_reason) == (True, REASON)
    assert response.url == f"/liaisons/training/{session.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The session is cancelled. Everyone registered or waiting is told by e-mail."
    ]


def test_staff_pages_offer_the_cancel_form_then_show_the_cancelled_session(client, coordinator):
    session = TrainingSessionFactory(title="Training at the library")
    detail = f"/liaisons/training/{session.pk}/"
    cancel = f"/liaisons/training/{session.pk}/cancel/"
    client.force_login(coordinator)

    before = client.get(detail).content.decode()
    form = client.get(cancel).content.decode()
    client.post(cancel, {"reason": REASON})
    after = client.get(detail).content.decode()
    listing = client.get("/liaisons/training/").content.decode()

    assert f'href="{cancel}"' in before
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'name="reason"' in form
    assert "usa-button--secondary" in form
    assert f'href="{cancel}"' not in after
    assert f'href="{detail}edit/"' not in after
    assert "This session was cancelled" in after
    assert REASON in after
    assert 'cc-tag--warning">Cancelled</span>' in listing
    assert REASON in listing


def test_applicant_page_shows_their_session_was_cancelled(client, coordinator):
    registration = TrainingRegistrationFactory(session__title="Training at the library")
    cancel_session(session=registration.session, by=coordinator, reason=REASON)
    client.force_login(registration.application.user)

    html = client.get(f"/liaisons/applications/{registration.application_id}/").content.decode()

    assert "“Training at the library” was cancelled" in html
    assert REASON in html
    assert "the session was cancelled" in html


# Mail that would arrive after the cancellation --------------------------------------------


def test_reminders_skip_a_cancelled_session(django_capture_on_commit_callbacks, mailoutbox):
    start = timezone.now() + timedelta(hours=20)
    session = TrainingSessionFactory(
        starts_at=start, ends_at=start + timedelta(hours=2), cancelled_at=timezone.now()
    )
    # cancel_session leaves no seat behind; the dispatcher must not rely on it.
    TrainingRegistrationFactory(session=session)

    with django_capture_on_commit_callbacks(execute=True):
        queued = dispatch_training_reminders()

    assert (queued, mailoutbox, LiaisonEmail.objects.count()) == (0, [], 0)


def test_unsent_emails_about_a_cancelled_session_are_skipped(coordinator):
    registration = TrainingRegistrationFactory()
    pending = LiaisonEmailFactory(
        application=registration.application, session=registration.session, kind="reminder"
    )
    other = LiaisonEmailFactory(application=registration.application, kind="approve")

    cancel_session(session=registration.session, by=coordinator)

    assert dict(
        LiaisonEmail.objects.filter(pk__in=[pending.pk, other.pk]).values_list("pk", "status")
    ) == {pending.pk: EmailStatus.SKIPPED, other.pk: EmailStatus.PENDING}
