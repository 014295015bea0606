"""The audit trail of applications: every view and every change, who and when."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from accounts.models import User
from liaisons.models import Application, AuditAction, AuditEntry


def record(
    *,
    application: Application,
    actor: User | None,
    action: AuditAction,
    detail: str = "",
    from_status: str = "",
    to_status: str = "",
    at: datetime | None = None,
) -> AuditEntry:
    """Write one audit row. ``detail`` must not repeat what the applicant wrote."""
    return AuditEntry.objects.create(
        application=application,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        detail=detail[:200],
        from_status=from_status,
        to_status=to_status,
        at=at or timezone.now(),
    )


def record_view(*, application: Application, viewer: User) -> AuditEntry:
    """Log that ``viewer`` opened the application (called by every page that shows it)."""
    return record(application=application, actor=viewer, action=AuditAction.VIEWED)
