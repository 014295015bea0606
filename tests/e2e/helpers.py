"""Steps the browser journeys share: signing in and out through the real login page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD


def sign_in(
    page: Page,
    email: str,
    *,
    password: str = PASSWORD,
    fresh: bool = False,
    lands_on_profile: bool = True,
) -> None:
    """Sign in with e-mail and password. ``fresh``: drop the context's cookies first (a
    new visitor); ``lands_on_profile``: wait for the profile page, where a completed
    login lands."""
    if fresh:
        page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name=re.compile(r"^\s*sign in\s*$", re.IGNORECASE)).click()
    if lands_on_profile:
        expect(page).to_have_url(re.compile(r"/profile/$"))


def sign_out(page: Page) -> None:
    page.get_by_role("button", name=re.compile(r"^\s*sign out\s*$", re.IGNORECASE)).first.click()
