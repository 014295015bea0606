"""Personal data in the liaison program: exports, anonymisation and the purge.

Anonymising an application (when its person deletes their account, or by the purge)
blanks everything the applicant wrote, unlinks the account and deletes the internal
notes and e-mails about them. What stays is an anonymous count: status, neighborhood,
dates, training attendance and the audit trail (whose ``detail`` never holds what the
applicant wrote).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from liaisons.models import (
    CLOSED_STATUSES,
    Application,
    AuditAction,
    AuditEntry,
    TrainingRegistration,
)
from liaisons.services import audit
from liaisons.services.training import release_registrations

# The fields the applicant wrote, and their blank values.
PERSONAL_FIELDS: dict[str, Any] = {
    "display_name": "",
    "zip_code": "",
    "languages": [],
    "availability": [],
    "organisations": "",
    "motivation": "",
    "phone": "",
    "consent_privacy": False,
    "consent_contact": False,
    "consent_directory": False,
}


@transaction.atomic
def anonymise_application(
    *, application: Application, by: User | None, reason: str, now: datetime | None = None
) -> Application:
    """Remove the personal data of one application and keep it as an anonymous count.
    Frees its training seat first (the waitlist moves up). Idempotent."""
    now = now or timezone.now()
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.anonymised_at is not None:
        return application
    release_registrations(application=application, by=by)
    for name, blank in PERSONAL_FIELDS.items():
        setattr(application, name, list(blank) if isinstance(blank, list) else blank)
    application.user = None
    application.anonymised_at = now
    application.save(update_fields=[*PERSONAL_FIELDS, "user", "anonymised_at", "updated_at"])
    application.notes.all().delete()
    application.emails.all().delete()
    audit.record(
        application=application, actor=by, action=AuditAction.ANONYMISED, detail=reason, at=now
    )
    return application


def purge_closed_applications(*, now: datetime | None = None) -> int:
    """The beat dispatcher: anonymise rejected and withdrawn applications whose status
    has not changed for LIAISONS_PURGE_AFTER_DAYS. Each in its own transaction, so a
    failure leaves the others done; returns how many were anonymised."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.LIAISONS_PURGE_AFTER_DAYS)
    due = list(
        Application.objects.filter(
            status__in=CLOSED_STATUSES, anonymised_at__isnull=True, status_changed_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for pk in due:
        anonymise_application(
            application=Application(pk=pk), by=None, reason="purged after retention period", now=now
        )
    return len(due)


# The account-wide hooks (registered with accounts.services in LiaisonsConfig.ready) -----


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@transaction.atomic
def export_liaison_data(*, user: User) -> dict[str, Any]:
    """Everything the program holds about ``user`` that they gave or that was decided
    about them: their applications (with status history), training and the e-mails
    sent. Coordinators' internal notes are working notes and are not included. Each
    export is written to the application's audit trail."""
    applications = list(
        Application.objects.filter(user=user).select_related("neighborhood").order_by("pk")
    )
    history = AuditEntry.objects.filter(
        application__in=applications, action=AuditAction.STATUS_CHANGED
    ).order_by("at", "pk")
    registrations = (
        TrainingRegistration.objects.filter(application__in=applications)
        .select_related("session")
        .order_by("queued_at", "pk")
    )
    by_application: dict[int, dict[str, list[dict[str, Any]]]] = {
        a.pk: {"status_history": [], "training": [], "emails": []} for a in applications
    }
    for entry in history:
        by_application[entry.application_id]["status_history"].append(
            {"at": _iso(entry.at), "from": entry.from_status, "to": entry.to_status}
        )
    for registration in registrations:
        session = registration.session
        by_application[registration.application_id]["training"].append(
            {
                "session": session.title,
                "starts_at": _iso(session.starts_at),
                "place": session.location,
                "status": registration.status,
            }
        )
    for application in applications:
        by_application[application.pk]["emails"] = [
            {"subject": e.subject, "kind": e.kind, "status": e.status, "sent_at": _iso(e.sent_at)}
            for e in application.emails.order_by("created_at", "pk")
        ]
        audit.record(application=application, actor=user, action=AuditAction.EXPORTED)
    return {
        "applications": [
            {
                "id": a.pk,
                "status": a.status,
                "name_to_show": a.display_name,
                "neighborhood": a.neighborhood.name if a.neighborhood else None,
                "zip_code": a.zip_code,
                "languages": list(a.languages),
                "availability": list(a.availability),
                "community_organizations": a.organisations,
                "why": a.motivation,
                "phone": a.phone,
                "consents": {
                    "privacy_notice": a.consent_privacy,
                    "contact": a.consent_contact,
                    "public_directory": a.consent_directory,
                },
                "created_at": _iso(a.created_at),
                "submitted_at": _iso(a.submitted_at),
                "decided_at": _iso(a.decided_at),
                "became_liaison_at": _iso(a.activated_at),
                **by_application[a.pk],
            }
            for a in applications
        ]
    }


@transaction.atomic
def erase_liaison_data(*, user: User) -> int:
    """Before the account is deleted: anonymise every application of ``user``."""
    applications = list(Application.objects.filter(user=user))
    for application in applications:
        anonymise_application(application=application, by=None, reason="account deleted")
    return len(applications)
