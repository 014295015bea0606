"""A resident becomes a neighborhood liaison: applies, is approved, registers for
training, attends, and appears in the public directory. axe-core checks the form pages
on the way."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from civicchat.celery import app as celery_app
from liaisons.models import Application, TrainingSession
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.e2e.helpers import sign_in, sign_out
from tests.factories import (
    CityFactory,
    NeighborhoodFactory,
    TrainingSessionFactory,
    UserFactory,
)

SESSION_TITLE = "Liaison training at the library"


def _path(url: str) -> re.Pattern[str]:
    return re.compile(rf"^https?://[^/]+{re.escape(url)}(\?.*)?$")


def _button(page: Page, name: str):
    return page.get_by_role("button", name=re.compile(rf"^\s*{re.escape(name)}", re.IGNORECASE))


def _tick(page: Page, field: str) -> None:
    # USWDS draws its own box and moves the real input off screen: click the label.
    page.locator(f"label[for='id_{field}']").click()


@pytest.fixture
def journey(settings):
    """Sending runs in the live server's thread, after commit, as a worker would; the
    coordinator's two-factor step is off (TOTP codes are not what this journey tests)."""
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = False
    celery_app.conf.task_always_eager = True
    CityFactory(service_name="Philly311")
    NeighborhoodFactory(name="Kensington", slug="kensington")
    NeighborhoodFactory(name="Olney", slug="olney")
    TrainingSessionFactory(title=SESSION_TITLE, location="Kensington Library", capacity=5)
    resident = UserFactory(
        roles=[Role.RESIDENT], email="rosa@example.org", display_name="Rosa Resident"
    )
    coordinator = UserFactory(
        roles=[Role.RESIDENT, Role.LIAISON_COORDINATOR],
        email="carmen@example.org",
        display_name="Carmen Coordinator",
    )
    yield resident, coordinator
    celery_app.conf.task_always_eager = False


def test_liaison_journey_from_application_to_directory(page: Page, mailoutbox, journey) -> None:
    resident, coordinator = journey

    # The resident finds the program and applies.
    sign_in(page, resident.email)
    page.get_by_role("link", name="Liaisons", exact=True).click()
    expect(page.locator(".cc-training-dates")).to_contain_text(SESSION_TITLE)
    page.get_by_role("link", name="Apply to be a liaison").click()
    expect(page).to_have_url(_path("/liaisons/apply/"))
    assert_no_serious_axe_violations(page)

    page.get_by_label("Name to show", exact=True).fill("Rosa R.")
    page.get_by_label("Neighborhood", exact=True).select_option(label="Kensington")
    page.get_by_label("ZIP code").fill("19125")
    _tick(page, "languages_0")  # English
    _tick(page, "languages_1")  # Spanish
    _tick(page, "availability_2")  # Weekends
    page.get_by_label("Why do you want to be a liaison?").fill("My block needs a voice at 311.")
    _tick(page, "consent_privacy")
    _tick(page, "consent_contact")
    _tick(page, "consent_directory")
    _button(page, "Submit application").click()

    application = Application.objects.get()
    expect(page).to_have_url(_path(f"/liaisons/applications/{application.pk}/"))
    expect(page.locator(".cc-liaison-status")).to_have_text("Submitted")
    expect(page.locator(".cc-next-step")).to_contain_text("A coordinator will review it")
    sign_out(page)

    # The coordinator approves it from the review queue.
    sign_in(page, coordinator.email)
    page.get_by_role("link", name="Review queue").click()
    page.get_by_role("link", name="Rosa R.").click()
    expect(page).to_have_url(_path(f"/liaisons/review/{application.pk}/"))
    assert_no_serious_axe_violations(page)
    page.get_by_label("Personal message in the e-mail (optional)").fill("See you soon!")
    _button(page, "Approve").click()
    expect(page.locator(".cc-liaison-status")).to_have_text("Approved")
    sign_out(page)

    # The resident registers for the training session.
    sign_in(page, resident.email)
    page.goto(f"/liaisons/applications/{application.pk}/")
    expect(page.locator(".cc-next-step")).to_contain_text("Choose a training session")
    assert_no_serious_axe_violations(page)
    _button(page, "Register").click()
    expect(page.locator(".cc-next-step")).to_contain_text(
        f"You are registered for “{SESSION_TITLE}”"
    )
    sign_out(page)

    # The session takes place.
    started = timezone.now() - timedelta(hours=1)
    TrainingSession.objects.update(starts_at=started, ends_at=started + timedelta(hours=2))

    # The coordinator marks attendance.
    sign_in(page, coordinator.email)
    page.goto("/liaisons/training/")
    page.get_by_role("link", name=SESSION_TITLE).click()
    _button(page, "Attended").click()
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(
        "Rosa R. attended and is now an active liaison."
    )
    sign_out(page)

    # Anyone finds the new liaison in the directory, under their neighborhood.
    page.goto("/liaisons/directory/")
    assert_no_serious_axe_violations(page)
    section = page.locator("section", has=page.get_by_role("heading", name="Kensington"))
    expect(section.locator(".cc-directory-name")).to_have_text(["Rosa R."])

    assert [m.subject for m in mailoutbox] == [
        "[CivicChat] Welcome to the liaison program, Rosa R.",
        f"[CivicChat] You are registered: {SESSION_TITLE}",
        "[CivicChat] You are now a Philly311 neighborhood liaison",
    ]
    assert "See you soon!" in mailoutbox[0].body
    assert mailoutbox[1].attachments[0][0] == "liaison-training.ics"
    assert list(resident.groups.order_by("name").values_list("name", flat=True)) == [
        "Liaison",
        "Resident",
    ]


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/liaisons/", "The Philly311 Neighborhood Liaison Program"),
        ("/liaisons/review/", "Liaison applications"),
        ("/liaisons/review/email/", "E-mail applicants"),
        ("/liaisons/training/new/", "New training session"),
        ("/liaisons/coverage/", "Liaison coverage"),
        ("/liaisons/email-templates/approve/es/", "Approved (Spanish)"),
        ("/liaisons/your-data/delete/", "Delete your account"),
    ],
)
def test_liaison_form_page_has_no_serious_axe_violations(
    page: Page, journey, path: str, heading: str
) -> None:
    _resident, coordinator = journey
    sign_in(page, coordinator.email)

    page.goto(path)

    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    assert_no_serious_axe_violations(page)
