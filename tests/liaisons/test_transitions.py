"""The application status machine: every allowed move, every refused one, and what
each move does besides changing the status."""

from __future__ import annotations

import itertools

import pytest

from accounts.roles import Role, roles_of
from liaisons.exceptions import InvalidTransition, NotAllowed
from liaisons.models import (
    Application,
    ApplicationStatus,
    AuditAction,
    AuditEntry,
    LiaisonEmail,
    RegistrationStatus,
)
from liaisons.services.applications import (
    ALLOWED_TRANSITIONS,
    decide_application,
    transition_application,
    withdraw_application,
)
from tests.factories import (
    ApplicationFactory,
    TrainingRegistrationFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus

ALLOWED = sorted((a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets)
REFUSED = sorted(
    (a, b)
    for a, b in itertools.product(S.values, S.values)
    if b not in ALLOWED_TRANSITIONS.get(a, frozenset())
)


def test_transition_table_is_the_documented_lifecycle():
    assert (
        sorted(
            [
                (S.DRAFT, S.SUBMITTED),
                (S.DRAFT, S.WITHDRAWN),
                (S.SUBMITTED, S.IN_REVIEW),
                (S.SUBMITTED, S.APPROVED),
                (S.SUBMITTED, S.WAITLISTED),
                (S.SUBMITTED, S.REJECTED),
                (S.SUBMITTED, S.WITHDRAWN),
                (S.IN_REVIEW, S.APPROVED),
                (S.IN_REVIEW, S.WAITLISTED),
                (S.IN_REVIEW, S.REJECTED),
                (S.IN_REVIEW, S.WITHDRAWN),
                (S.WAITLISTED, S.IN_REVIEW),
                (S.WAITLISTED, S.APPROVED),
                (S.WAITLISTED, S.REJECTED),
                (S.WAITLISTED, S.WITHDRAWN),
                (S.APPROVED, S.ACTIVE),
                (S.APPROVED, S.WITHDRAWN),
                (S.ACTIVE, S.WITHDRAWN),
            ]
        )
        == ALLOWED
    )


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_transition_allowed_move_changes_status_and_writes_audit(source, target, coordinator):
    application = ApplicationFactory(status=source)

    transition_application(application=application, to=target, by=coordinator)

    application.refresh_from_db()
    entry = AuditEntry.objects.get(application=application, action=AuditAction.STATUS_CHANGED)
    assert application.status == target
    assert (entry.action, entry.from_status, entry.to_status, entry.actor) == (
        AuditAction.STATUS_CHANGED,
        source,
        target,
        coordinator,
    )


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_transition_refused_move_raises_and_writes_nothing(source, target, coordinator):
    application = ApplicationFactory(status=source)

    with pytest.raises(InvalidTransition):
        transition_application(application=application, to=target, by=coordinator)

    application.refresh_from_db()
    assert application.status == source
    assert AuditEntry.objects.count() == 0
    assert LiaisonEmail.objects.count() == 0


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        (S.APPROVED, "approve"),
        (S.WAITLISTED, "waitlist"),
        (S.REJECTED, "reject"),
        (S.IN_REVIEW, None),
    ],
)
def test_transition_decision_queues_its_email_once(target, kind, coordinator):
    application = ApplicationFactory(status=S.SUBMITTED)

    transition_application(application=application, to=target, by=coordinator)

    assert list(LiaisonEmail.objects.values_list("kind", flat=True)) == ([kind] if kind else [])


def test_transition_to_active_grants_liaison_role_and_queues_welcome(coordinator):
    application = ApplicationFactory(status=S.APPROVED)

    transition_application(application=application, to=S.ACTIVE, by=coordinator)

    user = type(application.user).objects.get(pk=application.user_id)
    assert roles_of(user) == frozenset({Role.RESIDENT, Role.LIAISON})
    assert list(LiaisonEmail.objects.values_list("kind", flat=True)) == ["welcome"]
    assert Application.objects.get().activated_at is not None


def test_transition_stepping_down_revokes_liaison_role():
    user = UserFactory(roles=[Role.RESIDENT, Role.LIAISON])
    application = ApplicationFactory(user=user, status=S.ACTIVE)

    withdraw_application(application=application, by=user)

    assert roles_of(type(user).objects.get(pk=user.pk)) == frozenset({Role.RESIDENT})


def test_transition_withdrawing_frees_the_seat_for_the_waitlist():
    session = TrainingSessionFactory(capacity=1)
    seated = TrainingRegistrationFactory(session=session)
    waiting = TrainingRegistrationFactory(session=session, status=RegistrationStatus.WAITLISTED)

    withdraw_application(application=seated.application, by=seated.application.user)

    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert (seated.status, waiting.status) == (
        RegistrationStatus.CANCELLED,
        RegistrationStatus.REGISTERED,
    )
    assert list(LiaisonEmail.objects.values_list("application_id", "kind")) == [
        (waiting.application_id, "promoted")
    ]


def test_decide_by_someone_without_the_coordinator_role_is_refused(applicant):
    application = ApplicationFactory(status=S.SUBMITTED)

    with pytest.raises(NotAllowed):
        decide_application(application=application, decision="approve", by=applicant)

    assert Application.objects.get().status == S.SUBMITTED


def test_withdraw_by_someone_else_is_refused(applicant):
    application = ApplicationFactory(status=S.SUBMITTED)

    with pytest.raises(NotAllowed):
        withdraw_application(application=application, by=applicant)

    assert Application.objects.get().status == S.SUBMITTED
