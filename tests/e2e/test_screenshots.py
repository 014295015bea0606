"""The README's screenshots, taken from the demo data so they show the product as it is.

Every run renders the five pages at 1280x900 and checks that each shows what its
screenshot is meant to show. The PNGs go to test-artifacts/screenshots/, except with
CIVICCHAT_UPDATE_SCREENSHOTS=1, when they replace docs/screenshots/*.png (the README's):

    CIVICCHAT_UPDATE_SCREENSHOTS=1 make pytest PYTEST_ARGS=tests/e2e/test_screenshots.py

so a CI run never changes the tree.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from django.core.management import call_command
from playwright.sync_api import Page, expect

from core.management.commands.seed_demo import DEMO_DOMAIN, DEMO_PASSWORD
from events.demo import RISING_QUESTIONS
from events.models import Chat
from recaps.demo import INTRO, TOTAL_POSTS
from tests.e2e.helpers import sign_in

ROOT = Path(__file__).resolve().parents[2]
RECAP_CHAT = "philly311nlp-tweet-chat"
UPCOMING_CHAT = "phillyrising-winter-safety-chat"
LIVE_FEED_SIZE = 50  # the live page shows the newest 50 posts


def _folder() -> Path:
    if os.environ.get("CIVICCHAT_UPDATE_SCREENSHOTS") == "1":
        return ROOT / "docs" / "screenshots"
    folder = ROOT / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _h1(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def _shoot(page: Page, name: str, folder: Path) -> None:
    # The page as a first-time visitor sees it, not wherever a test left the pointer.
    page.mouse.move(0, 0)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=folder / f"{name}.png", animations="disabled", caret="hide")


def test_readme_screenshots_show_the_demo(page: Page, settings) -> None:
    # As `make run` shows staff pages: without the two-factor step.
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = False
    call_command("seed_demo", stdout=io.StringIO())
    recap_chat = Chat.objects.get(slug=RECAP_CHAT)
    folder = _folder()

    page.goto("/")
    _h1(page, "Ask Philadelphia. In public, on the record.")
    expect(page.get_by_text("PhillyRising: a safer winter on your block").first).to_be_visible()
    _shoot(page, "home", folder)

    page.goto(f"/chats/{UPCOMING_CHAT}/")
    _h1(page, "PhillyRising: a safer winter on your block")
    expect(page.get_by_text(RISING_QUESTIONS[0])).to_be_visible()
    _shoot(page, "chat", folder)

    page.goto(f"/chats/{RECAP_CHAT}/recap/")
    _h1(page, f"Recap: {recap_chat.title}")
    expect(page.get_by_text(INTRO)).to_be_visible()
    _shoot(page, "recap", folder)

    sign_in(page, f"comms@{DEMO_DOMAIN}", password=DEMO_PASSWORD, fresh=True)
    page.goto(f"/staff/chats/{recap_chat.pk}/live/")
    _h1(page, f"Live: {recap_chat.title}")
    expect(page.locator('[data-counter="posts"]')).to_have_text(str(TOTAL_POSTS))
    expect(page.locator("#live-posts > li")).to_have_count(LIVE_FEED_SIZE)
    _shoot(page, "live", folder)

    sign_in(page, f"resident@{DEMO_DOMAIN}", password=DEMO_PASSWORD, fresh=True)
    page.goto("/liaisons/apply/")
    _h1(page, "Apply to be a neighborhood liaison")
    expect(page.get_by_label("Name to show", exact=True)).to_have_value("Rosa Resident")
    _shoot(page, "liaison-apply", folder)

    names = ["home", "chat", "recap", "live", "liaison-apply"]
    sizes = {name: _png_size(folder / f"{name}.png") for name in names}
    assert sizes == dict.fromkeys(names, (1280, 900))


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    header = path.read_bytes()[16:24]
    return int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")
