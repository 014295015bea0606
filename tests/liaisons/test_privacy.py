"""Personal data: the export holds exactly the resident's own data; deleting the
account removes it and keeps anonymous counts; the purge anonymises old closed
applications."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import delete_account
from civicchat.celery import BEAT_SCHEDULE
from liaisons.models import (
    Application,
    ApplicationNote,
    ApplicationStatus,
    AuditAction,
    LiaisonEmail,
    RegistrationStatus,
)
from liaisons.services.applications import transition_application
from liaisons.tasks import task_purge_applications
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    ApplicationNoteFactory,
    LiaisonEmailFactory,
    TrainingRegistrationFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.liaisons.conftest import PHONE, SECRET

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def test_export_holds_exactly_the_residents_own_data(client, application, coordinator):
    other = UserFactory(roles=[Role.RESIDENT], email="other@example.org")
    ApplicationFactory(user=other, motivation="OTHER-SECRET")
    ApplicationNoteFactory(application=application, body="INTERNAL-NOTE")
    transition_application(application=application, to=S.APPROVED, by=coordinator)
    session = TrainingSessionFactory(title="Spring training")
    TrainingRegistrationFactory(session=session, application=application)
    client.force_login(application.user)

    response = client.post("/liaisons/your-data/export/")

    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith('attachment; filename="civicchat-data-')
    # Other apps register their own parts of the export; these are the account's and ours.
    assert {"account", "exported_at", "liaison_program"} <= set(data)
    assert data["account"]["email"] == "rosa@example.org"
    assert data["account"]["email_addresses"] == [
        {"email": "rosa@example.org", "verified": True, "primary": True}
    ]
    (exported,) = data["liaison_program"]["applications"]
    application.refresh_from_db()
    assert exported == {
        "id": application.pk,
        "status": "approved",
        "name_to_show": "Rosa R.",
        "neighborhood": "Kensington",
        "zip_code": "19125",
        "languages": ["en", "es"],
        "availability": ["weekend"],
        "community_organizations": "Block club",
        "why": SECRET,
        "phone": PHONE,
        "consents": {"privacy_notice": True, "contact": True, "public_directory": False},
        "created_at": application.created_at.isoformat(),
        "submitted_at": application.submitted_at.isoformat(),
        "decided_at": application.decided_at.isoformat(),
        "became_liaison_at": None,
        "status_history": [
            {"at": application.decided_at.isoformat(), "from": "submitted", "to": "approved"}
        ],
        "training": [
            {
                "session": "Spring training",
                "starts_at": session.starts_at.isoformat(),
                "place": "City Hall, Room 202",
                "status": "registered",
            }
        ],
        "emails": [
            {
                "subject": "Welcome to the liaison program, Rosa R.",
                "kind": "approve",
                "status": "pending",
                "sent_at": None,
            }
        ],
    }
    body = response.content.decode()
    assert "OTHER-SECRET" not in body
    assert "INTERNAL-NOTE" not in body
    assert application.audit.filter(action=AuditAction.EXPORTED).count() == 1


def sign_in_again(client, user):
    """Sign in, then confirm the password on allauth's re-authentication page, as
    deleting an account asks."""
    client.force_login(user)
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302


def test_delete_account_removes_personal_data_and_keeps_the_count(client, application):
    ApplicationNoteFactory(application=application)
    LiaisonEmailFactory(application=application)
    other = ApplicationFactory(motivation="untouched")
    user = application.user
    sign_in_again(client, user)

    response = client.post("/liaisons/your-data/delete/", {"confirm": "on"})

    assert response.url == "/"
    assert not User.objects.filter(pk=user.pk).exists()
    application.refresh_from_db()
    assert (
        application.user,
        application.display_name,
        application.zip_code,
        application.phone,
        application.motivation,
        application.organisations,
        application.languages,
        application.availability,
        application.consent_directory,
    ) == (None, "", "", "", "", "", [], [], False)
    assert (application.status, application.neighborhood.name) == (S.SUBMITTED, "Kensington")
    assert application.anonymised_at is not None
    assert ApplicationNote.objects.filter(application=application).count() == 0
    assert LiaisonEmail.objects.filter(application=application).count() == 0
    other.refresh_from_db()
    assert other.motivation == "untouched"
    # Signed out: the next page is anonymous.
    assert "_auth_user_id" not in client.session


def test_delete_account_needs_a_recent_sign_in(client, application):
    client.force_login(application.user)  # a session without a recorded sign-in

    response = client.post("/liaisons/your-data/delete/", {"confirm": "on"})

    assert response.url == "/accounts/reauthenticate/?next=%2Fliaisons%2Fyour-data%2Fdelete%2F"
    assert User.objects.filter(pk=application.user_id).exists()


def test_delete_account_needs_the_confirmation(client, application):
    sign_in_again(client, application.user)

    response = client.post("/liaisons/your-data/delete/", {})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["confirm"]
    assert User.objects.filter(pk=application.user_id).exists()


def test_delete_account_frees_the_training_seat(application):
    session = TrainingSessionFactory(capacity=1)
    seat = TrainingRegistrationFactory(session=session, application=application)
    waiting = TrainingRegistrationFactory(session=session, status=RegistrationStatus.WAITLISTED)

    delete_account(user=application.user)

    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert (seat.status, waiting.status) == ("cancelled", "registered")


def test_purge_beat_task_anonymises_only_old_closed_applications(settings):
    settings.LIAISONS_PURGE_AFTER_DAYS = 30
    long_ago = timezone.now() - timedelta(days=31)
    recently = timezone.now() - timedelta(days=29)
    old_rejected = ApplicationFactory(status=S.REJECTED, status_changed_at=long_ago)
    old_withdrawn = ApplicationFactory(status=S.WITHDRAWN, status_changed_at=long_ago)
    new_rejected = ApplicationFactory(status=S.REJECTED, status_changed_at=recently)
    old_active = ApplicationFactory(status=S.ACTIVE, status_changed_at=long_ago)
    ApplicationNoteFactory(application=old_rejected)

    task_purge_applications()

    anonymised = set(
        Application.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True)
    )
    assert anonymised == {old_rejected.pk, old_withdrawn.pk}
    old_rejected.refresh_from_db()
    assert (old_rejected.user, old_rejected.motivation, old_rejected.status) == (
        None,
        "",
        S.REJECTED,
    )
    assert ApplicationNote.objects.count() == 0
    new_rejected.refresh_from_db()
    old_active.refresh_from_db()
    assert (new_rejected.motivation, old_active.motivation) == (
        "I want to help my neighbors.",
        "I want to help my neighbors.",
    )
    assert list(
        old_rejected.audit.filter(action=AuditAction.ANONYMISED).values_list("detail", flat=True)
    ) == ["purged after retention period"]


def test_purge_runs_from_the_beat_schedule():
    assert BEAT_SCHEDULE["liaisons.purge_applications"]["task"] == "liaisons.purge_applications"
    assert task_purge_applications.name == "liaisons.purge_applications"
