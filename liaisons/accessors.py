"""Guarded accessors: the only way views reach an application or a registration.

Each answers 404 (never 403) to anyone who may not see the row, so a URL does not
tell a stranger whether an application exists. Logging the view in the audit trail
is the caller's next step (``liaisons.services.audit.record_view``).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.models import User
from accounts.roles import Role, has_role
from liaisons.models import (
    ACTIVE_REGISTRATION,
    Application,
    ApplicationStatus,
    TrainingRegistration,
)


def get_application_for_applicant(*, user: User | AnonymousUser, pk: int) -> Application:
    """The signed-in user's own application; 404 for everyone else, coordinators too
    (they use the review pages)."""
    if not user.is_authenticated:
        raise Http404
    application = (
        Application.objects.select_related("neighborhood", "user")
        .filter(pk=pk, user=user, anonymised_at__isnull=True)
        .first()
    )
    if application is None:
        raise Http404
    return application


def get_application_for_reviewer(*, user: User | AnonymousUser, pk: int) -> Application:
    """A submitted application for a liaison coordinator; 404 for everyone else, and
    for drafts (not yet sent to anyone)."""
    if not has_role(user, Role.LIAISON_COORDINATOR):
        raise Http404
    application = (
        Application.objects.select_related("neighborhood", "user", "reviewer")
        .filter(pk=pk)
        .exclude(status=ApplicationStatus.DRAFT)
        .first()
    )
    if application is None:
        raise Http404
    return application


def get_active_registration_for_applicant(
    *, user: User | AnonymousUser, application_pk: int, registration_pk: int
) -> TrainingRegistration:
    """A seat or waitlist place of the user's own application; 404 otherwise."""
    application = get_application_for_applicant(user=user, pk=application_pk)
    registration = (
        TrainingRegistration.objects.select_related("session", "application")
        .filter(pk=registration_pk, application=application, status__in=ACTIVE_REGISTRATION)
        .first()
    )
    if registration is None:
        raise Http404
    return registration


def get_registration_for_coordinator(
    *, user: User | AnonymousUser, session_pk: int, registration_pk: int
) -> TrainingRegistration:
    """A registration of a session, for a liaison coordinator; 404 otherwise."""
    if not has_role(user, Role.LIAISON_COORDINATOR):
        raise Http404
    registration = (
        TrainingRegistration.objects.select_related("session", "application__user")
        .filter(pk=registration_pk, session_id=session_pk, application__anonymised_at__isnull=True)
        .first()
    )
    if registration is None:
        raise Http404
    return registration
