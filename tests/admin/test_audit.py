"""Looking at an application in the admin is written to its audit trail, as on the
coordinators' review pages."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.urls import reverse

from liaisons.models import AuditEntry
from tests.admin.conftest import form_data
from tests.factories import ApplicationNoteFactory


def _entries():
    return list(
        AuditEntry.objects.order_by("pk").values_list("application", "actor", "action", "detail")
    )


def test_viewing_an_application_in_the_admin_writes_the_review_pages_entry(
    client, coordinator, application
):
    client.force_login(coordinator)

    client.get(reverse("liaisons:review_detail", args=[application.pk]))
    review_page_entry = _entries()
    AuditEntry.objects.all().delete()
    client.get(reverse("admin:liaisons_application_change", args=[application.pk]))

    assert _entries() == review_page_entry == [(application.pk, coordinator.pk, "viewed", "")]


def test_every_look_is_written_once(client, coordinator, application):
    client.force_login(coordinator)
    page = reverse("admin:liaisons_application_change", args=[application.pk])

    client.get(page)
    client.get(page)

    assert _entries() == [
        (application.pk, coordinator.pk, "viewed", ""),
        (application.pk, coordinator.pk, "viewed", ""),
    ]


def test_viewing_a_note_is_a_look_at_its_application(client, coordinator, application):
    note = ApplicationNoteFactory(application=application)
    AuditEntry.objects.all().delete()
    client.force_login(coordinator)

    client.get(reverse("admin:liaisons_applicationnote_change", args=[note.pk]))

    assert _entries() == [(application.pk, coordinator.pk, "viewed", "")]


def test_the_list_of_applications_writes_no_entry(client, coordinator, application):
    client.force_login(coordinator)

    response = client.get(reverse("admin:liaisons_application_changelist"))

    assert (response.status_code, _entries()) == (200, [])


def test_refused_look_writes_no_entry(client, editor, application):
    client.force_login(editor)

    response = client.get(reverse("admin:liaisons_application_change", args=[application.pk]))

    assert (response.status_code, _entries()) == (403, [])


def test_note_added_in_the_admin_goes_through_add_note(client, coordinator, application):
    client.force_login(coordinator)
    page = reverse("admin:liaisons_application_change", args=[application.pk])
    data = form_data(client.get(page).content.decode())
    data["notes-TOTAL_FORMS"] = "1"
    data["notes-0-body"] = "Called them; very motivated."

    client.post(page, data)

    assert list(application.notes.values_list("body", "author")) == [
        ("Called them; very motivated.", coordinator.pk)
    ]
    assert [entry[2] for entry in _entries()] == ["viewed", "note_added"]


def test_admin_log_names_an_application_by_number_only(client, coordinator, application):
    client.force_login(coordinator)
    page = reverse("admin:liaisons_application_change", args=[application.pk])
    data = form_data(client.get(page).content.decode())
    data["notes-TOTAL_FORMS"] = "1"
    data["notes-0-body"] = "Left a voicemail."

    client.post(page, data)

    assert list(LogEntry.objects.values_list("object_repr", "user")) == [
        (f"#{application.pk}", coordinator.pk)
    ]
