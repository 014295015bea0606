"""A visitor becomes a verified Resident: sign up, confirm the e-mail, sign in."""

from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.e2e.helpers import sign_in

EMAIL = "new.resident@example.org"
PASSWORD = "Rittenhouse-square-1682"
CONFIRM_PATH = re.compile(r"/accounts/confirm-email/[^/\s]+/")


def _path(url: str) -> re.Pattern[str]:
    """Matches a full page URL whose path is exactly ``url`` (query string allowed)."""
    return re.compile(rf"^https?://[^/]+{re.escape(url)}(\?.*)?$")


def test_signup_journey_ends_on_profile_as_verified_resident(page: Page, mailoutbox) -> None:
    # A visitor finds the sign-up form from the home page.
    page.goto("/")
    page.get_by_role("link", name=re.compile(r"^\s*sign up\s*$", re.IGNORECASE)).first.click()
    expect(page).to_have_url(_path("/accounts/signup/"))

    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)", exact=True).fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^\s*sign up\s*$", re.IGNORECASE)).click()

    expect(
        page.get_by_role("heading", name=re.compile(r"verify your email", re.IGNORECASE))
    ).to_be_visible()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [EMAIL]
    links = CONFIRM_PATH.findall(mailoutbox[0].body)
    assert len(links) == 1, mailoutbox[0].body
    confirm_path = links[0]

    # Verification is mandatory: the right password alone does not open the profile.
    sign_in(page, EMAIL, password=PASSWORD, lands_on_profile=False)
    expect(
        page.get_by_role("heading", name=re.compile(r"verify your email", re.IGNORECASE))
    ).to_be_visible()
    page.goto("/profile/")
    expect(page).to_have_url(_path("/accounts/login/"))

    page.goto(confirm_path)
    page.get_by_role("button", name=re.compile(r"^\s*confirm\s*$", re.IGNORECASE)).click()
    # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION is off: confirming leads to the sign-in page.
    expect(page).to_have_url(_path("/accounts/login/"))

    sign_in(page, EMAIL, password=PASSWORD, lands_on_profile=False)
    expect(page).to_have_url(_path("/profile/"))
    expect(page.get_by_role("main")).to_contain_text(EMAIL)

    user = User.objects.get(email=EMAIL)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (EMAIL, True, True)
    assert list(user.groups.values_list("name", flat=True)) == ["Resident"]
