"""Reads of the liaison program: one query shape per page, shared with any future API.

Every function that returns applications is for pages already guarded by a role
(review queue) or by ``liaisons.accessors`` (one application); the public directory
returns only display names and neighborhoods.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from core.models import Neighborhood
from liaisons.models import (
    ACTIVE_REGISTRATION,
    OPEN_STATUSES,
    Application,
    ApplicationNote,
    ApplicationStatus,
    AuditEntry,
    LiaisonEmail,
    RegistrationStatus,
    TrainingRegistration,
    TrainingSession,
)

S = ApplicationStatus
R = RegistrationStatus
# Statuses a coordinator sees in the queue (drafts are not applications yet).
REVIEWABLE = [s for s in S.values if s != S.DRAFT]


def review_queue(
    *,
    status: str = "",
    neighborhood: Neighborhood | None = None,
    language: str = "",
    reviewer: User | None = None,
    unassigned: bool = False,
) -> QuerySet[Application]:
    """Submitted applications (never drafts or anonymised ones), oldest first, with
    the neighborhood and the reviewer joined: one query for a page of any size."""
    applications = Application.objects.filter(
        status__in=[status] if status else REVIEWABLE, anonymised_at__isnull=True
    ).select_related("neighborhood", "reviewer")
    if neighborhood is not None:
        applications = applications.filter(neighborhood=neighborhood)
    if language:
        # ``languages`` is a JSON list of codes; the quoted code matches one whole
        # element on SQLite and PostgreSQL alike (codes are validated, quote-free).
        applications = applications.filter(languages__icontains=f'"{language}"')
    if reviewer is not None:
        applications = applications.filter(reviewer=reviewer)
    if unassigned:
        applications = applications.filter(reviewer__isnull=True)
    return applications.order_by("submitted_at", "pk")


def directory_entries(*, neighborhood: Neighborhood | None = None) -> QuerySet[Any]:
    """Active liaisons who opted in: only their display name and neighborhood leave
    the database (``values``), by neighborhood then name."""
    entries = Application.objects.filter(
        status=S.ACTIVE,
        consent_directory=True,
        anonymised_at__isnull=True,
        user__is_active=True,
    ).exclude(display_name="")
    if neighborhood is not None:
        entries = entries.filter(neighborhood=neighborhood)
    return entries.order_by("neighborhood__name", "display_name", "pk").values(
        "display_name", "neighborhood__name", "neighborhood__slug"
    )


def coverage() -> QuerySet[Neighborhood]:
    """Every active neighborhood with its active liaisons, applicants in training and
    applications waiting for a decision: one query, fewest liaisons first."""
    current = Q(liaison_applications__anonymised_at__isnull=True)
    return (
        Neighborhood.objects.filter(active=True)
        .annotate(
            active_liaisons=Count(
                "liaison_applications",
                filter=current & Q(liaison_applications__status=S.ACTIVE),
            ),
            in_training=Count(
                "liaison_applications",
                filter=current & Q(liaison_applications__status=S.APPROVED),
            ),
            pending=Count(
                "liaison_applications",
                filter=current
                & Q(liaison_applications__status__in=[S.SUBMITTED, S.IN_REVIEW, S.WAITLISTED]),
            ),
        )
        .order_by("active_liaisons", "in_training", "name")
    )


def _with_seat_counts(sessions: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    return sessions.annotate(
        registered_count=Count("registrations", filter=Q(registrations__status=R.REGISTERED)),
        waitlist_count=Count("registrations", filter=Q(registrations__status=R.WAITLISTED)),
    )


def open_sessions(*, now: datetime | None = None) -> QuerySet[TrainingSession]:
    """Sessions open for registration: not started, not cancelled."""
    now = now or timezone.now()
    return TrainingSession.objects.filter(starts_at__gt=now, cancelled_at__isnull=True)


def upcoming_sessions(*, now: datetime | None = None) -> QuerySet[TrainingSession]:
    """The open sessions, soonest first, with seat counts."""
    return _with_seat_counts(open_sessions(now=now)).order_by("starts_at", "pk")


def all_sessions() -> QuerySet[TrainingSession]:
    """Every session for coordinators (cancelled ones too), latest first, with seat
    counts."""
    return _with_seat_counts(TrainingSession.objects.all()).order_by("-starts_at", "-pk")


def session_roster(session: TrainingSession) -> QuerySet[TrainingRegistration]:
    """Registrations of a session with the applicants joined: seats, then the waitlist
    in queue order, then the rest."""
    return (
        session.registrations.select_related("application__neighborhood", "application__user")
        .filter(application__anonymised_at__isnull=True)
        .order_by("status", "queued_at", "pk")
    )


def application_audit(application: Application) -> QuerySet[AuditEntry]:
    return application.audit.select_related("actor").order_by("-at", "-pk")


def application_notes(application: Application) -> QuerySet[ApplicationNote]:
    return application.notes.select_related("author").order_by("created_at", "pk")


def application_emails(application: Application) -> QuerySet[LiaisonEmail]:
    return application.emails.order_by("-created_at", "-pk")


def application_registrations(application: Application) -> QuerySet[TrainingRegistration]:
    return application.registrations.select_related("session").order_by("-queued_at", "-pk")


def active_registration(application: Application) -> TrainingRegistration | None:
    return (
        application.registrations.select_related("session")
        .filter(status__in=ACTIVE_REGISTRATION)
        .first()
    )


def applications_of(user: User) -> QuerySet[Application]:
    """The user's own applications, newest first."""
    return Application.objects.filter(user=user).select_related("neighborhood").order_by("-pk")


def open_application_of(user: User) -> Application | None:
    return applications_of(user).filter(status__in=OPEN_STATUSES).first()


def coordinators() -> QuerySet[User]:
    """People who may review applications (the reviewer choices)."""
    return (
        User.objects.filter(groups__name=Role.LIAISON_COORDINATOR.value, is_active=True)
        .order_by("display_name", "email")
        .distinct()
    )
