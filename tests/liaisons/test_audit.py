"""The audit trail: every view and every change of an application, who and when, and
coordinators can read it."""

from __future__ import annotations

import pytest

from liaisons.models import AuditAction, AuditEntry
from tests.factories import AuditEntryFactory

pytestmark = pytest.mark.django_db


def trail(application):
    return list(
        AuditEntry.objects.filter(application=application)
        .order_by("pk")
        .values_list("action", "actor__email", "to_status")
    )


def test_audit_records_applicant_and_coordinator_views(client, application, coordinator):
    client.force_login(application.user)
    client.get(f"/liaisons/applications/{application.pk}/")
    client.get(f"/liaisons/applications/{application.pk}/edit/")
    client.force_login(coordinator)
    client.get(f"/liaisons/review/{application.pk}/")

    assert trail(application) == [
        (AuditAction.VIEWED, "rosa@example.org", ""),
        (AuditAction.VIEWED, "rosa@example.org", ""),
        (AuditAction.VIEWED, "carmen@example.org", ""),
    ]


def test_audit_records_refused_viewers_nowhere(client, application, make_user):
    client.force_login(make_user())

    client.get(f"/liaisons/applications/{application.pk}/")
    client.get(f"/liaisons/review/{application.pk}/")

    assert trail(application) == []


def test_audit_records_changes_with_their_author(client, application, coordinator):
    client.force_login(coordinator)

    client.post(f"/liaisons/review/{application.pk}/assign/", {"reviewer": coordinator.pk})
    client.post(f"/liaisons/review/{application.pk}/notes/", {"body": "Called her."})
    client.post(f"/liaisons/review/{application.pk}/decide/", {"decision": "approve"})

    assert trail(application) == [
        (AuditAction.REVIEWER_ASSIGNED, "carmen@example.org", ""),
        (AuditAction.STATUS_CHANGED, "carmen@example.org", "in_review"),
        (AuditAction.NOTE_ADDED, "carmen@example.org", ""),
        (AuditAction.STATUS_CHANGED, "carmen@example.org", "approved"),
        (AuditAction.EMAILED, "carmen@example.org", ""),
    ]


def test_audit_log_is_shown_to_coordinators_newest_first(client, application, coordinator):
    AuditEntryFactory(application=application, action=AuditAction.EDITED)
    client.force_login(coordinator)

    response = client.get(f"/liaisons/review/{application.pk}/")

    # The view itself is logged before the page is drawn, so it is the newest row.
    rows = [(e.action, e.actor.email) for e in response.context["audit"]]
    assert rows == [
        (AuditAction.VIEWED, "carmen@example.org"),
        (AuditAction.EDITED, "rosa@example.org"),
    ]
    assert 'data-action="edited"' in response.content.decode()
