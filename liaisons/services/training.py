"""Training: sessions, seats and the waitlist, attendance, invitations and reminders.

Seats are counted under a row lock on the session, so two applicants cannot take the
last seat at once (PostgreSQL; SQLite serialises writers anyway). When a seat frees up
the first applicant on the waitlist (``queued_at`` order) gets it and an e-mail.
Attending makes the applicant an active liaison through the application's one
transition function. Everyone holding a seat or a waitlist place is e-mailed when the
session moves or is cancelled; a cancelled session takes no one and sends nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role
from liaisons.exceptions import NotAllowed, SessionInvalid, TrainingError
from liaisons.models import (
    ACTIVE_REGISTRATION,
    Application,
    ApplicationStatus,
    AuditAction,
    EmailKind,
    EmailStatus,
    LiaisonEmail,
    RegistrationStatus,
    TrainingRegistration,
    TrainingSession,
)
from liaisons.services import audit
from liaisons.services.applications import transition_application
from liaisons.services.emails import queue_email, retry_stale

R = RegistrationStatus
E = EmailStatus
# E-mails about a session that are pointless once it is cancelled (if not sent yet).
SESSION_NEWS = (
    EmailKind.INVITATION,
    EmailKind.REGISTERED,
    EmailKind.TRAINING_WAITLISTED,
    EmailKind.PROMOTED,
    EmailKind.REMINDER,
    EmailKind.SESSION_CHANGED,
)


@dataclass
class SessionData:
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    location: str = ""
    online_url: str = ""
    description: str = ""


def validate_session(data: SessionData) -> None:
    """SessionInvalid with every problem at once (field -> messages)."""
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Give the session a title.")]
    if timezone.is_naive(data.starts_at) or timezone.is_naive(data.ends_at):
        errors["starts_at"] = [_("Times must include a time zone.")]
    elif data.ends_at <= data.starts_at:
        errors["ends_at"] = [_("The session must end after it starts.")]
    if not data.location.strip() and not data.online_url.strip():
        errors["location"] = [_("Give a place, an online link, or both.")]
    if data.capacity < 1:
        errors["capacity"] = [_("A session needs at least one seat.")]
    if errors:
        raise SessionInvalid(errors)


def _require_coordinator(by: User) -> None:
    if not has_role(by, Role.LIAISON_COORDINATOR):
        raise NotAllowed


def _refuse_cancelled(session: TrainingSession) -> None:
    if session.is_cancelled:
        raise TrainingError(_("This session is cancelled."))


def _values(data: SessionData) -> dict[str, object]:
    return {
        "title": data.title.strip(),
        "description": data.description.strip(),
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "location": data.location.strip(),
        "online_url": data.online_url.strip(),
        "capacity": data.capacity,
    }


@transaction.atomic
def create_session(*, data: SessionData, by: User) -> TrainingSession:
    _require_coordinator(by)
    validate_session(data)
    return TrainingSession.objects.create(created_by=by, **_values(data))


@transaction.atomic
def update_session(*, session: TrainingSession, data: SessionData, by: User) -> TrainingSession:
    """Edit a session that is not cancelled (TrainingError otherwise). More seats move
    applicants up from the waitlist. A new time or place raises SEQUENCE and e-mails
    everyone then registered or waitlisted (once per registration and SEQUENCE, in
    their language); people with a seat get the updated .ics, which replaces the old
    entry in their calendar."""
    _require_coordinator(by)
    validate_session(data)
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    _refuse_cancelled(session)
    taken = session.registrations.filter(status=R.REGISTERED).count()
    if data.capacity < taken:
        raise SessionInvalid(
            {
                "capacity": [
                    _("%(taken)d people are registered; cancel registrations first.")
                    % {"taken": taken}
                ]
            }
        )
    values = _values(data)
    moved = any(
        getattr(session, name) != values[name]
        for name in ("starts_at", "ends_at", "location", "online_url")
    )
    for name, value in values.items():
        setattr(session, name, value)
    fields = [*values, "updated_at"]
    if moved:
        session.sequence += 1
        fields.append("sequence")
    session.save(update_fields=fields)
    _fill_from_waitlist(session, by=by)
    if moved:
        _announce_change(session, by=by)
    return session


def _announce_change(session: TrainingSession, *, by: User) -> int:
    """Queue the SESSION_CHANGED e-mail to everyone registered or waitlisted for the
    locked ``session`` (after the waitlist moved up, so the text fits each person)."""
    registrations = session.registrations.select_related(
        "application__user", "application__neighborhood"
    ).filter(status__in=ACTIVE_REGISTRATION, application__user__isnull=False)
    queued = 0
    for registration in registrations:
        email = queue_email(
            application=registration.application,
            kind=EmailKind.SESSION_CHANGED,
            key=f"changed:{registration.pk}:{session.sequence}",
            by=by,
            session=session,
            with_calendar=registration.status == R.REGISTERED,
        )
        queued += email is not None
    return queued


@transaction.atomic
def cancel_session(
    *, session: TrainingSession, by: User, reason: str = "", now: datetime | None = None
) -> int:
    """A coordinator cancels a session that has not ended (TrainingError if it has, or
    is cancelled already). Every seat and waitlist place is cancelled (audited; nobody
    moves up), SEQUENCE rises, e-mails not sent yet about the session are skipped, and
    each person who held a place is e-mailed once, in their language, with an .ics
    (STATUS:CANCELLED, METHOD:CANCEL) that removes it from their calendar. Returns how
    many registrations were cancelled."""
    _require_coordinator(by)
    now = now or timezone.now()
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    _refuse_cancelled(session)
    if session.ends_at <= now:
        raise TrainingError(_("This session has already ended."))
    session.cancelled_at, session.cancelled_by = now, by
    session.cancel_reason = reason.strip()[:500]
    session.sequence += 1
    session.save(
        update_fields=["cancelled_at", "cancelled_by", "cancel_reason", "sequence", "updated_at"]
    )
    LiaisonEmail.objects.filter(session=session, kind__in=SESSION_NEWS, status=E.PENDING).update(
        status=E.SKIPPED, error="session cancelled"
    )
    registrations = list(
        TrainingRegistration.objects.select_for_update(of=("self",))
        .select_related("application__user", "application__neighborhood")
        .filter(session=session, status__in=ACTIVE_REGISTRATION)
    )
    for registration in registrations:
        _cancel(registration, by=by, refill=False)
        queue_email(
            application=registration.application,
            kind=EmailKind.SESSION_CANCELLED,
            key=f"cancelled:{registration.pk}:{session.sequence}",
            by=by,
            session=session,
            message=session.cancel_reason,
        )
    return len(registrations)


# Registrations -----------------------------------------------------------------------------


@transaction.atomic
def register_for_session(
    *, application: Application, session: TrainingSession, by: User, now: datetime | None = None
) -> TrainingRegistration:
    """An approved applicant takes a seat, or a place on the waitlist when the session
    is full. One seat or waitlist place at a time (TrainingError otherwise); asking
    twice returns the same registration. E-mails the confirmation with the .ics."""
    now = now or timezone.now()
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.user_id != by.pk:
        raise NotAllowed
    if application.status != ApplicationStatus.APPROVED:
        raise TrainingError(_("Only approved applicants can register for training."))
    _refuse_cancelled(session)
    if session.starts_at <= now:
        raise TrainingError(_("This session has already started."))
    current = application.registrations.filter(status__in=ACTIVE_REGISTRATION).first()
    if current is not None and current.session_id == session.pk:
        return current
    if current is not None:
        raise TrainingError(
            _("You are already signed up for another session. Cancel it first to switch.")
        )
    taken = session.registrations.filter(status=R.REGISTERED).count()
    status = R.REGISTERED if taken < session.capacity else R.WAITLISTED
    registration, created = TrainingRegistration.objects.get_or_create(
        session=session,
        application=application,
        defaults={"status": status, "queued_at": now},
    )
    if not created:  # cancelled earlier, back again: the end of the queue
        registration.status, registration.queued_at = status, now
        registration.save(update_fields=["status", "queued_at", "updated_at"])
    entry = audit.record(
        application=application,
        actor=by,
        action=AuditAction.TRAINING,
        detail=f"{status} for session {session.pk}",
    )
    queue_email(
        application=application,
        kind=EmailKind.REGISTERED if status == R.REGISTERED else EmailKind.TRAINING_WAITLISTED,
        key=f"training:{entry.pk}",
        by=by,
        session=session,
    )
    return registration


@transaction.atomic
def cancel_registration(*, registration: TrainingRegistration, by: User) -> TrainingRegistration:
    """The applicant (or a coordinator) gives up a seat or waitlist place; the seat goes
    to the first on the waitlist."""
    registration = (
        TrainingRegistration.objects.select_for_update(of=("self",))
        .select_related("application", "session")
        .get(pk=registration.pk)
    )
    owner = registration.application.user_id == by.pk
    if not owner and not has_role(by, Role.LIAISON_COORDINATOR):
        raise NotAllowed
    if registration.status not in ACTIVE_REGISTRATION:
        raise TrainingError(_("This registration is not active."))
    _cancel(registration, by=by)
    return registration


def release_registrations(*, application: Application, by: User | None) -> int:
    """Cancel every seat and waitlist place of ``application`` (it was withdrawn or
    rejected); returns how many. Called inside transition_application."""
    registrations = list(
        TrainingRegistration.objects.select_for_update(of=("self",))
        .select_related("session", "application")
        .filter(application=application, status__in=ACTIVE_REGISTRATION)
    )
    for registration in registrations:
        _cancel(registration, by=by)
    return len(registrations)


def _cancel(registration: TrainingRegistration, *, by: User | None, refill: bool = True) -> None:
    """Cancel one locked registration; its seat goes to the waitlist if ``refill``."""
    held_seat = registration.status == R.REGISTERED
    registration.status = R.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    audit.record(
        application=registration.application,
        actor=by,
        action=AuditAction.TRAINING,
        detail=f"cancelled for session {registration.session_id}",
    )
    if held_seat and refill:
        session = TrainingSession.objects.select_for_update().get(pk=registration.session_id)
        _fill_from_waitlist(session, by=by)


def _fill_from_waitlist(session: TrainingSession, *, by: User | None) -> list[TrainingRegistration]:
    """Give free seats of a locked, upcoming ``session`` to the waitlist in order."""
    if session.starts_at <= timezone.now() or session.is_cancelled:
        return []
    free = session.capacity - session.registrations.filter(status=R.REGISTERED).count()
    if free <= 0:
        return []
    promoted = list(
        session.registrations.select_related("application__user", "application__neighborhood")
        .filter(status=R.WAITLISTED)
        .order_by("queued_at", "pk")[:free]
    )
    for registration in promoted:
        registration.status = R.REGISTERED
        registration.save(update_fields=["status", "updated_at"])
        entry = audit.record(
            application=registration.application,
            actor=by,
            action=AuditAction.TRAINING,
            detail=f"moved up from the waitlist of session {session.pk}",
        )
        queue_email(
            application=registration.application,
            kind=EmailKind.PROMOTED,
            key=f"training:{entry.pk}",
            by=by,
            session=session,
        )
    return promoted


@transaction.atomic
def record_attendance(
    *,
    registration: TrainingRegistration,
    attended: bool,
    by: User,
    now: datetime | None = None,
) -> TrainingRegistration:
    """A coordinator marks a registered applicant as attended or absent, once the
    session has started. Attending makes the application active (Liaison role,
    welcome e-mail); absent applicants stay approved and can register again. An
    absence can be corrected to attended; attendance is final."""
    _require_coordinator(by)
    now = now or timezone.now()
    registration = (
        TrainingRegistration.objects.select_for_update(of=("self",))
        .select_related("session", "application")
        .get(pk=registration.pk)
    )
    if registration.session.starts_at > now:
        raise TrainingError(_("Attendance can be marked once the session has started."))
    if registration.status not in {R.REGISTERED, R.NO_SHOW}:
        raise TrainingError(_("Only registered applicants can be marked."))
    if registration.status == R.NO_SHOW and not attended:
        return registration
    registration.status = R.ATTENDED if attended else R.NO_SHOW
    registration.attendance_marked_by = by
    registration.attendance_marked_at = now
    registration.save(
        update_fields=["status", "attendance_marked_by", "attendance_marked_at", "updated_at"]
    )
    audit.record(
        application=registration.application,
        actor=by,
        action=AuditAction.TRAINING,
        detail=f"{registration.status} session {registration.session_id}",
        at=now,
    )
    if attended and registration.application.status == ApplicationStatus.APPROVED:
        transition_application(
            application=registration.application, to=ApplicationStatus.ACTIVE, by=by, now=now
        )
    return registration


@transaction.atomic
def invite_approved_applicants(*, session: TrainingSession, by: User) -> int:
    """E-mail an invitation to this upcoming session to every approved applicant without
    a seat or waitlist place; each applicant is invited to a session once. A cancelled
    session invites no one (TrainingError)."""
    _require_coordinator(by)
    # Locked so a cancellation waits for the invitations and then skips them.
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    _refuse_cancelled(session)
    if session.starts_at <= timezone.now():
        raise TrainingError(_("This session has already started."))
    applications = (
        Application.objects.filter(status=ApplicationStatus.APPROVED, user__isnull=False)
        .exclude(registrations__status__in=ACTIVE_REGISTRATION)
        .select_related("user", "neighborhood")
        .distinct()
    )
    invited = 0
    dates: dict[str, str] = {}
    for application in applications:
        email = queue_email(
            application=application,
            kind=EmailKind.INVITATION,
            key=f"invitation:{session.pk}:{application.pk}",
            by=by,
            session=session,
            training_dates=dates,
        )
        invited += email is not None
    return invited


@transaction.atomic
def dispatch_training_reminders(*, now: datetime | None = None) -> int:
    """The beat dispatcher: queue (once per registration and session SEQUENCE) a
    reminder with the .ics to everyone registered for a session that starts within
    LIAISONS_TRAINING_REMINDER_HOURS and is not cancelled, and queue again e-mails
    left unsent."""
    now = now or timezone.now()
    horizon = now + timedelta(hours=settings.LIAISONS_TRAINING_REMINDER_HOURS)
    due = list(
        TrainingRegistration.objects.filter(
            status=R.REGISTERED,
            session__starts_at__gt=now,
            session__starts_at__lte=horizon,
            session__cancelled_at__isnull=True,
            application__user__isnull=False,
        ).select_related("session", "application__user", "application__neighborhood")
    )
    keys = {r.pk: f"reminder:{r.pk}:{r.session.sequence}" for r in due}
    # Rendering costs more than this one query: skip the reminders already queued.
    done = set(LiaisonEmail.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    queued = 0
    for registration in due:
        if keys[registration.pk] in done:
            continue
        email = queue_email(
            application=registration.application,
            kind=EmailKind.REMINDER,
            key=keys[registration.pk],
            session=registration.session,
        )
        queued += email is not None
    return queued + retry_stale(now=now)
