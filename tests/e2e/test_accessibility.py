"""Public pages pass axe-core with no serious or critical violations."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import CityFactory, TopicFactory

TOPIC_NAME = "Trash and recycling"
SIGN_UP = re.compile(r"^\s*sign up\s*$", re.IGNORECASE)
SIGN_IN = re.compile(r"^\s*sign in\s*$", re.IGNORECASE)


@pytest.mark.parametrize(
    ("path", "content"),
    [
        # The seeded topic proves axe checks a home page with content, not an empty one.
        ("/", lambda page: page.get_by_text(TOPIC_NAME, exact=True)),
        ("/accounts/signup/", lambda page: page.get_by_role("heading", name=SIGN_UP, level=1)),
        ("/accounts/login/", lambda page: page.get_by_role("heading", name=SIGN_IN, level=1)),
    ],
    ids=["home", "signup", "login"],
)
def test_public_page_has_no_serious_axe_violations(
    page: Page, path: str, content: Callable[[Page], Locator]
) -> None:
    CityFactory()
    TopicFactory(name=TOPIC_NAME)
    TopicFactory.create_batch(2)

    response = page.goto(path)

    assert response is not None
    assert response.status == 200
    # axe runs on the page the path is meant to show, not on an error or empty page.
    expect(content(page).first).to_be_visible()
    assert_no_serious_axe_violations(page)
