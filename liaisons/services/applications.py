"""Applications: drafts, submission, review and the one status machine.

Status moves only through ``transition_application``, which checks ALLOWED_TRANSITIONS,
writes an AuditEntry and queues its e-mail on commit. The functions around it check
*who* may ask for a move (the applicant, or a liaison coordinator) before calling it;
views reach applications only through ``liaisons.accessors``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role
from accounts.services import grant_role, revoke_role
from core.models import Neighborhood
from liaisons.exceptions import (
    ApplicationIncomplete,
    ApplicationLocked,
    InvalidTransition,
    NotAllowed,
    OpenApplicationExists,
)
from liaisons.models import (
    OPEN_STATUSES,
    Application,
    ApplicationNote,
    ApplicationStatus,
    AuditAction,
    Availability,
    EmailKind,
    SpokenLanguage,
)
from liaisons.services import audit
from liaisons.services.emails import queue_email

S = ApplicationStatus

# Every allowed move; anything else raises InvalidTransition.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.IN_REVIEW, S.APPROVED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN}),
    S.IN_REVIEW: frozenset({S.APPROVED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN}),
    S.WAITLISTED: frozenset({S.IN_REVIEW, S.APPROVED, S.REJECTED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.ACTIVE, S.WITHDRAWN}),
    S.ACTIVE: frozenset({S.WITHDRAWN}),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
# The e-mail (a template staff edit) each decision sends.
DECISION_EMAILS: dict[str, EmailKind] = {
    S.APPROVED: EmailKind.APPROVE,
    S.WAITLISTED: EmailKind.WAITLIST,
    S.REJECTED: EmailKind.REJECT,
    S.ACTIVE: EmailKind.WELCOME,
}
# What a coordinator may decide, by the name of the button.
DECISIONS: dict[str, str] = {
    "approve": S.APPROVED,
    "waitlist": S.WAITLISTED,
    "reject": S.REJECTED,
    "review": S.IN_REVIEW,
}


@dataclass
class ApplicationData:
    """What the applicant writes; drafts may leave any of it empty."""

    display_name: str = ""
    neighborhood: Neighborhood | None = None
    zip_code: str = ""
    languages: list[str] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)
    organisations: str = ""
    motivation: str = ""
    phone: str = ""
    consent_privacy: bool = False
    consent_contact: bool = False
    consent_directory: bool = False

    @classmethod
    def of(cls, application: Application) -> ApplicationData:
        return cls(
            display_name=application.display_name,
            neighborhood=application.neighborhood,
            zip_code=application.zip_code,
            languages=list(application.languages),
            availability=list(application.availability),
            organisations=application.organisations,
            motivation=application.motivation,
            phone=application.phone,
            consent_privacy=application.consent_privacy,
            consent_contact=application.consent_contact,
            consent_directory=application.consent_directory,
        )

    def cleaned(self) -> dict[str, object]:
        """Model field values: trimmed text, known codes only, in their list order."""
        return {
            "display_name": self.display_name.strip(),
            "neighborhood": self.neighborhood,
            "zip_code": self.zip_code.strip(),
            "languages": [c for c in SpokenLanguage.values if c in set(self.languages)],
            "availability": [c for c in Availability.values if c in set(self.availability)],
            "organisations": self.organisations.strip(),
            "motivation": self.motivation.strip(),
            "phone": self.phone.strip(),
            "consent_privacy": self.consent_privacy,
            "consent_contact": self.consent_contact,
            "consent_directory": self.consent_directory,
        }


def check_complete(data: ApplicationData) -> None:
    """Raise ApplicationIncomplete naming every field a submitted application needs."""
    errors: dict[str, list[str]] = {}
    if not data.display_name.strip():
        errors["display_name"] = [_("Tell us the name to show.")]
    if data.neighborhood is None:
        errors["neighborhood"] = [_("Choose your neighborhood.")]
    if not data.zip_code.strip():
        errors["zip_code"] = [_("Enter your ZIP code.")]
    if not data.languages:
        errors["languages"] = [_("Choose at least one language you speak.")]
    if not data.availability:
        errors["availability"] = [_("Choose when you are usually available.")]
    if not data.motivation.strip():
        errors["motivation"] = [_("Tell us in a few words why you want to be a liaison.")]
    if not data.consent_privacy:
        errors["consent_privacy"] = [_("You need to agree to the privacy notice to apply.")]
    if not data.consent_contact:
        errors["consent_contact"] = [_("You need to agree to be contacted about the program.")]
    if errors:
        raise ApplicationIncomplete(errors)


def _require_owner(application: Application, by: User) -> None:
    if application.user_id is None or application.user_id != by.pk:
        raise NotAllowed


def _require_coordinator(by: User) -> None:
    if not has_role(by, Role.LIAISON_COORDINATOR):
        raise NotAllowed


# The applicant ---------------------------------------------------------------------------


@transaction.atomic
def create_application(*, user: User, data: ApplicationData, submit: bool) -> Application:
    """A new application by ``user``: a draft, or submitted at once when ``submit``.
    One open application per person (OpenApplicationExists); writes CREATED (and the
    SUBMITTED status change) to the audit trail."""
    if submit:
        check_complete(data)
    if Application.objects.filter(user=user, status__in=OPEN_STATUSES).exists():
        raise OpenApplicationExists
    now = timezone.now()
    try:
        with transaction.atomic():
            application = Application.objects.create(
                user=user, status=S.DRAFT, status_changed_at=now, **data.cleaned()
            )
    except IntegrityError:  # a second tab created one a moment ago
        raise OpenApplicationExists from None
    audit.record(application=application, actor=user, action=AuditAction.CREATED, at=now)
    if submit:
        application = transition_application(application=application, to=S.SUBMITTED, by=user)
    return application


@transaction.atomic
def update_application(
    *, application: Application, data: ApplicationData, by: User, submit: bool = False
) -> Application:
    """Save the applicant's changes while the application is a draft or submitted and
    not yet in review (ApplicationLocked after). A submitted application must stay
    complete; ``submit`` also submits a draft."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _require_owner(application, by)
    if not application.is_editable:
        raise ApplicationLocked
    if submit or application.status == S.SUBMITTED:
        check_complete(data)
    values = data.cleaned()
    for name, value in values.items():
        setattr(application, name, value)
    application.save(update_fields=[*values, "updated_at"])
    audit.record(application=application, actor=by, action=AuditAction.EDITED)
    if submit and application.status == S.DRAFT:
        application = transition_application(application=application, to=S.SUBMITTED, by=by)
    return application


@transaction.atomic
def withdraw_application(*, application: Application, by: User) -> Application:
    """The applicant withdraws (also an active liaison stepping down)."""
    _require_owner(application, by)
    return transition_application(application=application, to=S.WITHDRAWN, by=by)


@transaction.atomic
def set_directory_listing(*, application: Application, listed: bool, by: User) -> Application:
    """The applicant chooses whether the public directory lists them (display name and
    neighborhood only, and only while they are an active liaison)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _require_owner(application, by)
    if application.consent_directory != listed:
        application.consent_directory = listed
        application.save(update_fields=["consent_directory", "updated_at"])
        audit.record(
            application=application,
            actor=by,
            action=AuditAction.DIRECTORY,
            detail="listed" if listed else "not listed",
        )
    return application


# Coordinators ----------------------------------------------------------------------------


@transaction.atomic
def assign_reviewer(*, application: Application, reviewer: User | None, by: User) -> Application:
    """Make ``reviewer`` (a coordinator, or None) responsible for the application. A
    submitted application goes in review, so the applicant can no longer edit it."""
    _require_coordinator(by)
    if reviewer is not None and not has_role(reviewer, Role.LIAISON_COORDINATOR):
        raise NotAllowed(_("Only liaison coordinators can review applications."))
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status == S.DRAFT:
        raise NotAllowed(_("Drafts are not reviewed."))
    application.reviewer = reviewer
    application.save(update_fields=["reviewer", "updated_at"])
    audit.record(
        application=application,
        actor=by,
        action=AuditAction.REVIEWER_ASSIGNED,
        detail=(reviewer.display_name or reviewer.email) if reviewer else "unassigned",
    )
    if reviewer is not None and application.status == S.SUBMITTED:
        application = transition_application(application=application, to=S.IN_REVIEW, by=by)
    return application


@transaction.atomic
def decide_application(
    *, application: Application, decision: str, by: User, message: str = ""
) -> Application:
    """A coordinator's decision by button name (DECISIONS): start review, approve,
    waitlist or reject. ``message`` is added to the e-mail the decision sends."""
    _require_coordinator(by)
    if decision not in DECISIONS:
        raise InvalidTransition
    return transition_application(
        application=application, to=DECISIONS[decision], by=by, message=message
    )


@transaction.atomic
def add_note(*, application: Application, body: str, by: User) -> ApplicationNote:
    """An internal note, seen by coordinators only."""
    _require_coordinator(by)
    body = body.strip()
    if not body:
        raise NotAllowed(_("Write a note first."))
    note = ApplicationNote.objects.create(application=application, author=by, body=body)
    audit.record(application=application, actor=by, action=AuditAction.NOTE_ADDED)
    return note


# The status machine ----------------------------------------------------------------------


@transaction.atomic
def transition_application(
    *,
    application: Application,
    to: str,
    by: User | None,
    message: str = "",
    now: datetime | None = None,
) -> Application:
    """Move ``application`` to status ``to``; the only place its status changes.

    Guarantees: the move is in ALLOWED_TRANSITIONS (else InvalidTransition, nothing
    written); the row is locked while it moves. Side effects, in the same transaction:
    one STATUS_CHANGED audit row; ``submitted_at``/``decided_at``/``activated_at``;
    approving, waitlisting, rejecting and activating queue their e-mail (sent after
    commit); becoming active grants the Liaison role, leaving it revokes it; withdrawing
    or rejecting cancels training registrations (the waitlist moves up).
    """
    now = now or timezone.now()
    # Lock the application only: PostgreSQL cannot lock the nullable side of the outer
    # joins (user, neighborhood), which are read here, not changed.
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("user", "neighborhood")
        .get(pk=application.pk)
    )
    if to not in ALLOWED_TRANSITIONS.get(application.status, frozenset()):
        raise InvalidTransition(
            _("An application cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": S(application.status).label,
                "to": S(to).label if to in S.values else to,
            }
        )
    from_status = application.status
    application.status = to
    application.status_changed_at = now
    fields = ["status", "status_changed_at", "updated_at"]
    if to == S.SUBMITTED:
        application.submitted_at = now
        fields.append("submitted_at")
    if to in {S.APPROVED, S.WAITLISTED, S.REJECTED}:
        application.decided_at = now
        fields.append("decided_at")
    if to == S.ACTIVE:
        application.activated_at = now
        fields.append("activated_at")
    application.save(update_fields=fields)
    entry = audit.record(
        application=application,
        actor=by,
        action=AuditAction.STATUS_CHANGED,
        from_status=from_status,
        to_status=to,
        at=now,
    )
    user = application.user
    if user is not None and to == S.ACTIVE:
        grant_role(user=user, role=Role.LIAISON)
    if user is not None and from_status == S.ACTIVE:
        revoke_role(user=user, role=Role.LIAISON)
    if to in {S.WITHDRAWN, S.REJECTED}:
        from liaisons.services.training import release_registrations

        release_registrations(application=application, by=by)
    if to in DECISION_EMAILS:
        queue_email(
            application=application,
            kind=DECISION_EMAILS[to],
            key=f"status:{entry.pk}",
            by=by,
            message=message,
        )
    return application
