"""An editor builds and publishes a recap; a visitor reads it on the chat's recap page."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from events.models import ChatStatus
from recaps.models import Recap, RecapStatus
from recaps.services.drafting import create_draft_recap
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.e2e.helpers import sign_in, sign_out
from tests.factories import (
    ChatFactory,
    ChatHostFactory,
    CityFactory,
    PostFactory,
    QuestionFactory,
    TopicFactory,
    UserFactory,
)

INTRO = "Forty neighbours told us how they report illegal dumping, and what would help."


def _ended_chat_with_a_draft() -> Recap:
    """A chat that ended yesterday: the hosts' Q1, their answer, and two residents'
    replies (Ann's has more likes, so the draft puts it first)."""
    CityFactory()
    start = (timezone.now() - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    chat = ChatFactory(
        title="Illegal dumping: what works",
        slug="illegal-dumping",
        hashtag="#PhillyTrash",
        topic=TopicFactory(name="Streets and sanitation"),
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status=ChatStatus.ENDED,
    )
    ChatHostFactory(chat=chat, platform="x", handle="@philly311")
    QuestionFactory(chat=chat, position=1, text="How do you report dumping?")

    def post(minute: int, handle: str, name: str, text: str, **extra: object) -> None:
        PostFactory(
            chat=chat,
            author_handle=handle,
            author_name=name,
            text=text,
            html=f"<p>{text}</p>",
            created_at=start + timedelta(minutes=minute),
            is_official=handle == "philly311",
            **extra,
        )

    post(
        5, "philly311", "Philly311", "Q1 How do you report dumping? #PhillyTrash", external_key="q1"
    )
    post(6, "ann", "Ann", "A1 With the 311 app, photo included.", reply_to_key="q1",
         metrics={"like_count": 10})  # fmt: skip
    post(7, "bob", "Bob", "A1 I call 311 and it gets picked up in a week.", reply_to_key="q1",
         metrics={"like_count": 2})  # fmt: skip
    return create_draft_recap(chat=chat)


def _highlight_texts(page: Page, scope: str) -> list[str]:
    return [text.strip() for text in page.locator(f"{scope} .cc-post__body").all_inner_texts()]


def test_recap_journey_editor_publishes_and_a_visitor_reads_it(page: Page, settings):
    # This journey is about recaps, not MFA enrolment (tests/recaps/staff/test_access.py
    # proves editors are sent to set it up).
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = False
    recap = _ended_chat_with_a_draft()
    editor = UserFactory(roles=[Role.EDITOR], email="editor@example.org")
    q1 = "Q1 How do you report dumping? #PhillyTrash"
    ann = "A1 With the 311 app, photo included."
    bob = "A1 I call 311 and it gets picked up in a week."

    # The editor finds the draft from the navigation.
    sign_in(page, editor.email)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Recaps"
    ).click()
    page.get_by_role("link", name="Illegal dumping: what works").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Illegal dumping: what works")
    assert _highlight_texts(page, "#sections") == [q1, ann, bob]

    # Bob's reply goes above Ann's, with the keyboard: focus "Move up", press Enter.
    move_up = page.get_by_role("button", name="Move up (section 1, highlight 3, Bob)")
    move_up.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("The highlight is moved.")).to_be_visible()
    assert _highlight_texts(page, "#sections") == [q1, bob, ann]
    # Focus stays on the moved reply's "Move up": Enter again would move it further.
    expect(page.get_by_role("button", name="Move up (section 1, highlight 2, Bob)")).to_be_focused()

    # An introduction.
    page.get_by_label("Introduction", exact=True).fill(INTRO)
    page.get_by_role("button", name="Save title and introduction").click()
    expect(page.get_by_text("The title and introduction are saved.")).to_be_visible()
    assert_no_serious_axe_violations(page)

    # The preview: the public page, marked as not published.
    page.get_by_role("link", name="Preview", exact=True).click()
    expect(page.get_by_text("Preview — not published")).to_be_visible()
    expect(page.get_by_text(INTRO)).to_be_visible()
    assert _highlight_texts(page, "main") == [q1, bob, ann]
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Back to the editor").click()

    # Review, then publish.
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("The recap is submitted for review.")).to_be_visible()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("The recap is published.")).to_be_visible()
    recap.refresh_from_db()
    assert (recap.status, recap.published_by, recap.intro) == (
        RecapStatus.PUBLISHED,
        editor,
        INTRO,
    )
    sign_out(page)

    # A visitor finds it from the chat's page and reads it.
    page.goto("/chats/illegal-dumping/")
    page.get_by_role("link", name=re.compile("What was asked and answered")).click()
    expect(page).to_have_url(re.compile(r"/chats/illegal-dumping/recap/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Illegal dumping: what works")
    expect(page.get_by_text(INTRO)).to_be_visible()
    expect(page.get_by_text("Preview — not published")).to_have_count(0)
    assert _highlight_texts(page, "main") == [q1, bob, ann]
    assert_no_serious_axe_violations(page)

    # The editors' pages stay closed to the visitor.
    page.goto(f"/staff/recaps/{recap.pk}/preview/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
