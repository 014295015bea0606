"""Keyboard-only journeys: a resident applies to be a liaison, an editor publishes a recap.

Nothing is clicked and nothing is filled in by selector: every step presses Tab or
Shift+Tab until the control is focused, checks what has focus by its role and
accessible name (what a screen reader announces) and that the focus can be seen (an
outline or a box shadow), then types or presses Enter or Space. The only navigation by
address is each journey's first page.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from events.models import ChatStatus
from liaisons.models import Application
from recaps.models import Recap, RecapStatus
from recaps.services.drafting import create_draft_recap
from tests.factories import (
    PASSWORD,
    ChatFactory,
    ChatHostFactory,
    CityFactory,
    NeighborhoodFactory,
    PostFactory,
    QuestionFactory,
    TopicFactory,
    UserFactory,
)

# Enough for the header, the navigation and a long form; a control not reached by then
# is not reachable.
MAX_TABS = 60

# True when the focused element draws a focus indicator. USWDS moves a checkbox's or a
# radio button's real input off screen (its own outline would not be seen) and draws
# the box, and its focus ring, on the label's ::before.
FOCUS_IS_VISIBLE = """
() => {
  const shows = (style) =>
    (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) ||
    (style.boxShadow !== "" && style.boxShadow !== "none");
  const element = document.activeElement;
  if (element.matches(".usa-checkbox__input, .usa-radio__input")) {
    return shows(getComputedStyle(element.labels[0], "::before"));
  }
  return shows(getComputedStyle(element));
}
"""


def _assert_focus(page: Page, role: str, name: str) -> None:
    """What has focus is this control (role and accessible name), and shows it."""
    focused = page.locator(":focus")
    expect(focused).to_have_role(role)
    expect(focused).to_have_accessible_name(name)
    assert (name, page.evaluate(FOCUS_IS_VISIBLE)) == (name, True)


def _tab_to(page: Page, role: str, name: str, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the control with this role and accessible name
    has focus."""
    page.wait_for_load_state()
    target = page.get_by_role(role, name=name, exact=True)
    is_focused = "element => element === document.activeElement"
    for _ in range(MAX_TABS):
        if target.evaluate(is_focused):
            break
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    _assert_focus(page, role, name)


def _skip_to_main(page: Page) -> None:
    """The first Tab on a page reaches the skip link; after Enter, the next Tab lands in
    the main content, past the header and the navigation."""
    page.wait_for_load_state()  # a key pressed while the page loads goes nowhere
    page.keyboard.press("Tab")
    _assert_focus(page, "link", "Skip to main content")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main-content$"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null") is True


def _sign_in_by_keyboard(page: Page, email: str) -> None:
    """On the login page: e-mail, password, Enter."""
    _tab_to(page, "textbox", "Email")
    page.keyboard.type(email)
    _tab_to(page, "textbox", "Password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")


def test_keyboard_only_resident_applies_to_be_a_liaison(page: Page) -> None:
    CityFactory(service_name="Philly311")
    kensington = NeighborhoodFactory(name="Kensington", slug="kensington")
    NeighborhoodFactory(name="Olney", slug="olney")
    resident = UserFactory(email="rosa@example.org", display_name="Rosa Resident")

    # From the program page, signed out: "Sign in to apply" leads back to the form.
    page.goto("/liaisons/")
    _skip_to_main(page)
    _tab_to(page, "link", "Sign in to apply")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/liaisons/apply/$"))
    _sign_in_by_keyboard(page, resident.email)
    expect(page).to_have_url(re.compile(r"/liaisons/apply/$"))

    _skip_to_main(page)
    _tab_to(page, "textbox", "Name to show")
    page.keyboard.press("Control+A")
    page.keyboard.type("Rosa R.")
    _tab_to(page, "combobox", "Neighborhood")
    page.keyboard.type("Kensington")  # a closed select jumps to the option typed
    expect(page.locator(":focus")).to_have_value(str(kensington.pk))
    _tab_to(page, "textbox", "ZIP code")
    page.keyboard.type("19125")
    for choice in ("English", "Spanish", "Weekends"):
        _tab_to(page, "checkbox", choice)
        page.keyboard.press("Space")
    _tab_to(page, "textbox", "Why do you want to be a liaison?")
    page.keyboard.type("My block needs a voice at 311.")
    for consent in (
        "I agree that the 311 liaison coordinators may read and keep this application "
        "as described above.",
        "I agree to be contacted by e-mail (and phone, if given) about the program.",
    ):
        _tab_to(page, "checkbox", consent)
        page.keyboard.press("Space")
    _tab_to(page, "button", "Submit application")
    page.keyboard.press("Enter")

    # (The skip link's #main-content stays on the address through the redirect.)
    expect(page).to_have_url(re.compile(r"/liaisons/applications/\d+/(#main-content)?$"))
    application = Application.objects.get()
    assert f"/liaisons/applications/{application.pk}/" in page.url
    expect(page.locator(".cc-liaison-status")).to_have_text("Submitted")
    assert (
        application.user,
        application.status,
        application.display_name,
        application.neighborhood,
        application.zip_code,
        application.languages,
        application.availability,
        application.motivation,
        application.consent_privacy,
        application.consent_contact,
        application.consent_directory,
    ) == (
        resident,
        "submitted",
        "Rosa R.",
        kensington,
        "19125",
        ["en", "es"],
        ["weekend"],
        "My block needs a voice at 311.",
        True,
        True,
        False,
    )


def _ended_chat_with_a_draft() -> Recap:
    """Yesterday's chat: the hosts' Q1 and two replies (Ann's first: more likes)."""
    CityFactory()
    start = (timezone.now() - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    chat = ChatFactory(
        title="Illegal dumping: what works",
        hashtag="#PhillyTrash",
        topic=TopicFactory(name="Streets and sanitation"),
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status=ChatStatus.ENDED,
    )
    ChatHostFactory(chat=chat, platform="x", handle="@philly311")
    QuestionFactory(chat=chat, position=1, text="How do you report dumping?")
    for minute, handle, text, likes in [
        (5, "philly311", "Q1 How do you report dumping? #PhillyTrash", 0),
        (6, "ann", "A1 With the 311 app, photo included.", 10),
        (7, "bob", "A1 I call 311 and it gets picked up in a week.", 2),
    ]:
        PostFactory(
            chat=chat,
            author_handle=handle,
            author_name=handle.title(),
            text=text,
            html=f"<p>{text}</p>",
            created_at=start + timedelta(minutes=minute),
            is_official=handle == "philly311",
            external_key=f"k{minute}",
            reply_to_key="" if minute == 5 else "k5",
            metrics={"like_count": likes},
        )
    return create_draft_recap(chat=chat)


def test_keyboard_only_editor_reorders_and_publishes_a_recap(page: Page, settings) -> None:
    # About the keyboard, not MFA enrolment (tests/recaps/staff/test_access.py has that).
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = False
    recap = _ended_chat_with_a_draft()
    editor = UserFactory(roles=[Role.EDITOR], email="editor@example.org")

    page.goto("/accounts/login/")
    _sign_in_by_keyboard(page, editor.email)
    expect(page).to_have_url(re.compile(r"/profile/$"))

    # To the draft through the navigation.
    _tab_to(page, "link", "Recaps")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/recaps/$"))
    _skip_to_main(page)
    _tab_to(page, "link", "Illegal dumping: what works")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Illegal dumping: what works")

    # Bob's reply goes above Ann's; focus stays on the reply that moved.
    _tab_to(page, "button", "Move up (section 1, highlight 3, Bob)")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The highlight is moved.")).to_be_visible()
    _assert_focus(page, "button", "Move up (section 1, highlight 2, Bob)")

    # Back up the page to the workflow: submit (Space), then publish (Enter).
    _tab_to(page, "button", "Submit for review", backwards=True)
    page.keyboard.press("Space")
    expect(page.get_by_text("The recap is submitted for review.")).to_be_visible()
    _tab_to(page, "button", "Publish")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The recap is published.")).to_be_visible()

    recap.refresh_from_db()
    order = recap.sections.get().highlights.order_by("position")
    assert (recap.status, recap.published_by, [h.post.author_handle for h in order]) == (
        RecapStatus.PUBLISHED,
        editor,
        ["philly311", "bob", "ann"],
    )
