"""Applying: drafts, submitting, editing until review starts, withdrawing, the
directory choice, and the rate limit that keeps what was typed."""

from __future__ import annotations

import pytest

from liaisons.exceptions import ApplicationIncomplete, ApplicationLocked, OpenApplicationExists
from liaisons.models import Application, ApplicationStatus, AuditAction
from liaisons.services.applications import (
    ApplicationData,
    assign_reviewer,
    create_application,
    update_application,
)
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def form_data(neighborhood, **overrides):
    data = {
        "display_name": "Rosa R.",
        "neighborhood": str(neighborhood.pk),
        "zip_code": "19125",
        "languages": ["es", "en"],
        "availability": ["weekend"],
        "organisations": "",
        "motivation": "My block needs a voice.",
        "phone": "",
        "consent_privacy": "on",
        "consent_contact": "on",
    }
    data.update(overrides)
    return data


def test_apply_submit_creates_submitted_application_in_list_order(client, applicant, kensington):
    client.force_login(applicant)

    response = client.post("/liaisons/apply/", {**form_data(kensington), "submit": "1"})

    application = Application.objects.get()
    assert response.url == f"/liaisons/applications/{application.pk}/"
    assert (application.status, application.user, application.languages) == (
        S.SUBMITTED,
        applicant,
        ["en", "es"],  # SpokenLanguage order, whatever order they were ticked in
    )
    assert list(application.audit.order_by("pk").values_list("action", "to_status")) == [
        (AuditAction.CREATED, ""),
        (AuditAction.STATUS_CHANGED, S.SUBMITTED),
    ]


def test_apply_draft_may_be_incomplete(client, applicant, kensington):
    client.force_login(applicant)

    client.post("/liaisons/apply/", {"display_name": "Rosa", "draft": "1"})

    application = Application.objects.get()
    assert (application.status, application.display_name, application.neighborhood) == (
        S.DRAFT,
        "Rosa",
        None,
    )


def test_apply_submit_incomplete_shows_each_missing_field_and_saves_nothing(
    client, applicant, kensington
):
    client.force_login(applicant)

    response = client.post(
        "/liaisons/apply/",
        {**form_data(kensington, motivation="", consent_privacy=""), "submit": "1"},
    )

    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["consent_privacy", "motivation"]
    assert Application.objects.count() == 0


def test_apply_asks_no_street_address(client, applicant):
    client.force_login(applicant)

    form = client.get("/liaisons/apply/").context["form"]

    assert list(form.fields) == [
        "display_name",
        "neighborhood",
        "zip_code",
        "languages",
        "availability",
        "organisations",
        "motivation",
        "phone",
        "consent_privacy",
        "consent_contact",
        "consent_directory",
    ]


def test_apply_with_an_open_application_leads_to_it(client, application):
    client.force_login(application.user)

    response = client.get("/liaisons/apply/")

    assert response.url == f"/liaisons/applications/{application.pk}/"


def test_create_second_open_application_is_refused(application):
    with pytest.raises(OpenApplicationExists):
        create_application(user=application.user, data=ApplicationData(), submit=False)

    assert Application.objects.count() == 1


def test_create_after_rejection_is_allowed(applicant):
    ApplicationFactory(user=applicant, status=S.REJECTED)

    create_application(user=applicant, data=ApplicationData(display_name="Again"), submit=False)

    assert sorted(Application.objects.values_list("status", flat=True)) == [S.DRAFT, S.REJECTED]


def test_edit_submitted_application_saves_changes(client, application, kensington):
    client.force_login(application.user)

    response = client.post(
        f"/liaisons/applications/{application.pk}/edit/",
        {**form_data(kensington, motivation="Changed my mind."), "save": "1"},
    )

    application.refresh_from_db()
    assert response.url == f"/liaisons/applications/{application.pk}/"
    assert (application.status, application.motivation) == (S.SUBMITTED, "Changed my mind.")


def test_edit_submitted_application_must_stay_complete(application):
    with pytest.raises(ApplicationIncomplete) as excinfo:
        update_application(
            application=application,
            data=ApplicationData(display_name="Rosa"),
            by=application.user,
        )

    assert sorted(excinfo.value.errors) == [
        "availability",
        "consent_contact",
        "consent_privacy",
        "languages",
        "motivation",
        "neighborhood",
        "zip_code",
    ]


def test_edit_is_locked_once_a_reviewer_is_assigned(application, coordinator):
    assign_reviewer(application=application, reviewer=coordinator, by=coordinator)

    with pytest.raises(ApplicationLocked):
        update_application(
            application=application,
            data=ApplicationData.of(application),
            by=application.user,
        )

    assert Application.objects.get().status == S.IN_REVIEW


def test_withdraw_page_then_post_withdraws(client, application):
    client.force_login(application.user)

    page = client.get(f"/liaisons/applications/{application.pk}/withdraw/")
    response = client.post(f"/liaisons/applications/{application.pk}/withdraw/")

    assert "Withdraw my application" in page.content.decode()
    assert response.url == f"/liaisons/applications/{application.pk}/"
    assert Application.objects.get().status == S.WITHDRAWN


@pytest.mark.parametrize(
    ("status", "next_step"),
    [
        (S.DRAFT, "Your application is a draft"),
        (S.SUBMITTED, "A coordinator will review it"),
        (S.IN_REVIEW, "A coordinator is reviewing your application"),
        (S.WAITLISTED, "you are on our waitlist"),
        (S.APPROVED, "Choose a training session below"),
        (S.ACTIVE, "You are an active neighborhood liaison"),
        (S.REJECTED, "We could not offer you a place"),
        (S.WITHDRAWN, "You withdrew this application"),
    ],
)
def test_application_page_says_the_next_step_at_every_stage(client, applicant, status, next_step):
    application = ApplicationFactory(user=applicant, status=status)
    client.force_login(applicant)

    response = client.get(f"/liaisons/applications/{application.pk}/")

    assert next_step in response.content.decode()


def test_directory_choice_is_saved_and_audited(client, application):
    client.force_login(application.user)

    client.post(f"/liaisons/applications/{application.pk}/directory/", {"listed": "on"})

    application.refresh_from_db()
    assert application.consent_directory is True
    assert list(
        application.audit.filter(action=AuditAction.DIRECTORY).values_list("detail", flat=True)
    ) == ["listed"]


def test_apply_rate_limited_keeps_what_was_typed_and_saves_nothing(
    client, applicant, kensington, settings
):
    settings.LIAISONS_APPLY_RATE_USER = "2/h"
    client.force_login(applicant)
    draft = {**form_data(kensington, motivation="Typed with care"), "submit": "1"}
    client.post("/liaisons/apply/", {"display_name": "x"})  # 1: a draft
    application = Application.objects.get()
    client.post(f"/liaisons/applications/{application.pk}/edit/", {"draft": "1"})  # 2

    response = client.post(f"/liaisons/applications/{application.pk}/edit/", draft)  # 3

    body = response.content.decode()
    assert response.status_code == 429
    assert "Too many attempts in a short time, so nothing was saved." in body
    assert "Typed with care</textarea>" in body
    application.refresh_from_db()
    assert (application.status, application.motivation) == (S.DRAFT, "")
