"""Browser journeys: real Chromium (Debian's, never a downloaded one) driven by Playwright.

Every test here is marked ``e2e`` and runs against pytest-django's ``live_server``, a
server thread in this process, so the test sees the server's database rows (transactional
tests) and the mails it sends (``mailoutbox``, locmem backend).

Chromium policy: a missing executable skips these tests locally and fails them with
CIVICCHAT_REQUIRE_SERVICES=1 (CI), like the service policy in tests/conftest.py.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, Page, Playwright, Route, sync_playwright

from tests.conftest import REQUIRE_SERVICES

E2E_DIR = Path(__file__).parent
CHROMIUM_PATH = os.environ.get("CIVICCHAT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
# Failing fast keeps a broken page from costing 30 s per locator.
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e as ``e2e`` and give it serialized rollback.

    live_server makes these tests transactional, and a transactional test ends by
    flushing every table, including the role groups that accounts migration 0002
    created. serialized_rollback reloads the migrated rows before each test, so
    signing up (which adds the user to "Resident") works in every test, not just
    the first.
    """
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep each phase's report on the item so fixtures can see whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not (os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)):
        message = f"Chromium not found at {CHROMIUM_PATH} (set CIVICCHAT_CHROMIUM)"
        if REQUIRE_SERVICES:
            pytest.fail(message + " but CIVICCHAT_REQUIRE_SERVICES=1")
        pytest.skip(message)
    # Playwright's sync API runs an asyncio event loop on this thread, so Django's
    # async-safety check sees a running loop and raises SynchronousOnlyOperation on
    # every ORM call the test makes (factories, assertions on the database). The
    # test code is still plain synchronous code on one thread, which is exactly what
    # the check exists to protect, so switching it off is safe here. It is set only
    # while Playwright runs (e2e tests run last: pytest-django orders transactional
    # tests after the others) and restored afterwards.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            yield pw
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _e2e_clear_cache(request: pytest.FixtureRequest) -> None:
    """The live server shares this process's cache: start every journey with an empty one.

    Otherwise allauth's rate limits ("login_failed": 10/m/ip) add up across tests and
    the cached City outlives the flushed row.
    """
    cache.clear()


@pytest.fixture
def page(browser: Browser, live_server, request: pytest.FixtureRequest) -> Generator[Page]:
    """A fresh browser context per test, pointed at the live server.

    Requests to any other origin are aborted, so a page that pulls a font, script or
    stylesheet from the internet fails visibly instead of hanging on this offline machine.
    On failure a screenshot goes to test-artifacts/e2e/<test name>.png.
    """
    origin = urlsplit(live_server.url).netloc
    blocked: list[str] = []

    def only_live_server(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).netloc == origin:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/*", only_live_server)
    page = context.new_page()
    yield page

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        artifacts = Path(request.config.rootpath) / "test-artifacts" / "e2e"
        artifacts.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
        page.screenshot(path=artifacts / f"{name}.png", full_page=True)
    context.close()
    assert not blocked, f"the page requested other origins (blocked): {blocked}"
