"""An applicant's own application through the API, and the coordinators' review:
the liaisons services decide, the API only carries their answers."""

from __future__ import annotations

import pytest
from django.utils import timezone

from liaisons.models import Application, ApplicationNote, AuditAction, AuditEntry
from tests.api.conftest import client_as
from tests.factories import ApplicationFactory, ApplicationNoteFactory, NeighborhoodFactory

pytestmark = pytest.mark.django_db


def fields_of(application: Application) -> dict:
    return Application.objects.filter(pk=application.pk).values().get()


@pytest.mark.parametrize(
    "attack",
    [
        {"status": "approved"},
        {"reviewer": "COORDINATOR"},
        {"user": "OTHER"},
        {"owner": "OTHER"},
        {"status": "active", "motivation": "Sneaking a status in with a real change"},
    ],
    ids=["status", "reviewer", "user", "owner", "status-with-a-real-field"],
)
def test_application_patch_with_fields_the_applicant_may_not_set_changes_nothing(
    world, people, attack
):
    values = {
        key: people["coordinator"].pk
        if value == "COORDINATOR"
        else people["other_resident"].pk
        if value == "OTHER"
        else value
        for key, value in attack.items()
    }
    application = world.own_application
    before = fields_of(application)

    response = client_as(people["resident"]).patch(
        f"/api/v1/applications/{application.pk}/", values, format="json"
    )

    unknown = sorted(set(attack) - {"motivation"})
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert sorted(response.json()["errors"]) == unknown
    assert fields_of(application) == before


def test_application_patch_changes_only_the_fields_given(world, people):
    application = world.own_application
    before = fields_of(application)

    response = client_as(people["resident"]).patch(
        f"/api/v1/applications/{application.pk}/",
        {"motivation": "  I know every block.  ", "languages": ["es", "en"]},
        format="json",
    )

    after = fields_of(application)
    assert response.status_code == 200
    assert {k: after[k] for k in after if after[k] != before[k]} == {
        "motivation": "I know every block.",
        "languages": ["en", "es"],  # the services keep the choices' own order
        "updated_at": after["updated_at"],
    }
    assert (response.json()["motivation"], response.json()["status"]) == (
        "I know every block.",
        "draft",
    )


def test_application_patch_with_submit_sends_a_complete_draft(world, people):
    response = client_as(people["resident"]).patch(
        f"/api/v1/applications/{world.own_application.pk}/", {"submit": True}, format="json"
    )

    world.own_application.refresh_from_db()
    assert (response.status_code, response.json()["status"]) == (200, "submitted")
    assert world.own_application.status == "submitted"


def test_application_patch_that_leaves_a_submission_incomplete_is_refused(world, people):
    response = client_as(people["resident"]).patch(
        f"/api/v1/applications/{world.own_application.pk}/",
        {"motivation": "", "submit": True},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (400, "application_incomplete")
    assert list(response.json()["errors"]) == ["motivation"]
    assert Application.objects.get(pk=world.own_application.pk).status == "draft"


def test_application_patch_once_in_review_is_refused_as_locked(world, people):
    Application.objects.filter(pk=world.own_application.pk).update(status="in_review")
    before = fields_of(world.own_application)

    response = client_as(people["resident"]).patch(
        f"/api/v1/applications/{world.own_application.pk}/", {"phone": "215"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "application_locked")
    assert fields_of(world.own_application) == before


def test_application_of_another_resident_is_not_found_and_nothing_is_logged(world, people):
    resident = client_as(people["resident"])
    url = f"/api/v1/applications/{world.other_application.pk}/"
    before = fields_of(world.other_application)
    audit_before = AuditEntry.objects.count()

    read = resident.get(url)
    edit = resident.patch(url, {"motivation": "Hijacked"}, format="json")
    withdraw = resident.post(f"{url}withdraw/")

    assert [(r.status_code, r.json()["code"]) for r in (read, edit, withdraw)] == [
        (404, "not_found")
    ] * 3
    assert "OTHER APPLICANT" not in read.content.decode()
    assert fields_of(world.other_application) == before
    assert AuditEntry.objects.count() == audit_before


def test_application_read_by_its_applicant_is_audited(world, people):
    response = client_as(people["resident"]).get(
        f"/api/v1/applications/{world.own_application.pk}/"
    )

    entry = AuditEntry.objects.filter(application=world.own_application).get()
    assert (response.status_code, response.json()["display_name"]) == (200, "Rita R.")
    assert (entry.action, entry.actor) == (AuditAction.VIEWED, people["resident"])


def test_own_application_list_holds_only_the_users_applications(world, people):
    ApplicationFactory(user=people["resident"], status="withdrawn", display_name="Old one")

    response = client_as(people["resident"]).get("/api/v1/applications/")

    assert [a["display_name"] for a in response.json()["results"]] == ["Old one", "Rita R."]


def test_apply_creates_a_draft_and_a_second_open_application_is_refused(people):
    client = client_as(people["editor"])
    neighborhood = NeighborhoodFactory(slug="point-breeze")

    first = client.post(
        "/api/v1/applications/",
        {"display_name": "Eda", "neighborhood": "point-breeze", "zip_code": "19146"},
        format="json",
    )
    second = client.post("/api/v1/applications/", {"display_name": "Again"}, format="json")

    created = Application.objects.get(user=people["editor"])
    assert (first.status_code, first.json()["status"]) == (201, "draft")
    assert (created.display_name, created.neighborhood, created.zip_code) == (
        "Eda",
        neighborhood,
        "19146",
    )
    assert (second.status_code, second.json()["code"]) == (400, "open_application_exists")


def test_apply_is_rate_limited_like_the_form(people, settings):
    settings.LIAISONS_APPLY_RATE_USER = "1/h"
    client = client_as(people["editor"])

    first = client.post("/api/v1/applications/", {}, format="json")
    second = client.post("/api/v1/applications/", {}, format="json")

    assert first.status_code == 201
    assert (second.status_code, second.json()["code"]) == (429, "throttled")
    assert Application.objects.filter(user=people["editor"]).count() == 1


# --- the review ---------------------------------------------------------------------------------


def test_review_detail_shows_notes_and_is_audited(world, people):
    ApplicationNoteFactory(
        application=world.other_application, author=people["coordinator"], body="Good fit."
    )

    response = client_as(people["coordinator"]).get(
        f"/api/v1/staff/applications/{world.other_application.pk}/"
    )

    body = response.json()
    assert (body["applicant_email"], body["phone"]) == (
        people["other_resident"].email,
        "215-555-0100",
    )
    assert [note["body"] for note in body["notes"]] == ["Good fit."]
    assert list(
        AuditEntry.objects.filter(application=world.other_application).values_list(
            "action", "actor"
        )
    ) == [(AuditAction.VIEWED, people["coordinator"].pk)]


def test_review_queue_never_lists_drafts_and_filters_by_status(world, people):
    client = client_as(people["coordinator"])

    everything = client.get("/api/v1/staff/applications/").json()["results"]
    submitted = client.get("/api/v1/staff/applications/", {"status": "submitted"}).json()

    assert world.own_application.pk not in [a["id"] for a in everything]
    assert [a["display_name"] for a in submitted["results"]] == ["OTHER APPLICANT"]


def test_review_decision_moves_the_application_and_refuses_a_bad_move(world, people):
    client = client_as(people["coordinator"])
    url = f"/api/v1/staff/applications/{world.other_application.pk}/decision/"

    approved = client.post(url, {"decision": "approve"}, format="json")
    again = client.post(url, {"decision": "reject"}, format="json")

    world.other_application.refresh_from_db()
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert (again.status_code, again.json()["code"]) == (400, "invalid_transition")
    assert world.other_application.status == "approved"


def test_review_assign_puts_a_submitted_application_in_review(world, people):
    response = client_as(people["coordinator"]).post(
        f"/api/v1/staff/applications/{world.other_application.pk}/assign/",
        {"reviewer": people["coordinator"].pk},
        format="json",
    )

    world.other_application.refresh_from_db()
    assert (response.status_code, response.json()["reviewer"]["id"]) == (
        200,
        people["coordinator"].pk,
    )
    assert (world.other_application.status, world.other_application.reviewer) == (
        "in_review",
        people["coordinator"],
    )


def test_review_assign_refuses_someone_who_is_not_a_coordinator(world, people):
    response = client_as(people["coordinator"]).post(
        f"/api/v1/staff/applications/{world.other_application.pk}/assign/",
        {"reviewer": people["comms"].pk},
        format="json",
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["reviewer"])
    assert Application.objects.get(pk=world.other_application.pk).reviewer is None


def test_review_note_is_added_for_coordinators_only(world, people):
    response = client_as(people["coordinator"]).post(
        f"/api/v1/staff/applications/{world.other_application.pk}/notes/",
        {"body": "Met at the block party."},
        format="json",
    )

    note = ApplicationNote.objects.get()
    assert (response.status_code, response.json()["body"]) == (201, "Met at the block party.")
    assert (note.author, note.created_at <= timezone.now()) == (people["coordinator"], True)
