"""The staff live page in Chromium: a post stored after the page opened appears without
a reload, hiding a post works in place, and axe finds nothing serious."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from events.models import Post
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.e2e.helpers import sign_in
from tests.factories import (
    ChatFactory,
    ChatHostFactory,
    CityFactory,
    PostFactory,
    TrackedQuestionFactory,
    UserFactory,
)


def _stored_a_while_ago(post: Post) -> Post:
    # Past the live page's settle delay (events.live_selectors.LIVE_SETTLE_SECONDS).
    Post.objects.filter(pk=post.pk).update(first_seen_at=timezone.now() - timedelta(seconds=30))
    return post


def test_live_page_shows_a_new_post_without_reload_and_hides_in_place(page: Page, settings):
    # Not about MFA enrolment (tests/accounts covers that); poll every second to be quick.
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = False
    settings.LIVE_POSTS_POLL_SECONDS = 1
    CityFactory()
    now = timezone.now()
    chat = ChatFactory(
        title="Trash and recycling",
        hashtag="#PhillyTrash",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        status="live",
    )
    ChatHostFactory(chat=chat, platform="x", handle="@philly311")
    _stored_a_while_ago(
        PostFactory(chat=chat, author_name="Rosa", text="Bulk pickup was great this week")
    )
    TrackedQuestionFactory(
        post=_stored_a_while_ago(
            PostFactory(chat=chat, author_name="Sam", text="When is recycling collected?")
        )
    )
    staff = UserFactory(roles=[Role.COMMS_STAFF], email="comms@example.org")

    sign_in(page, staff.email)
    page.goto(f"/staff/chats/{chat.pk}/live/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Live: Trash and recycling")
    feed = page.locator("#live-posts")
    expect(feed.get_by_text("Bulk pickup was great this week")).to_be_visible()
    assert_no_serious_axe_violations(page)

    # A post stored now (by capture or an import) shows up at the top, no reload.
    _stored_a_while_ago(
        PostFactory(chat=chat, author_name="Lee", text="Can I put out extra bags on Monday?")
    )
    new_post = feed.locator("li").first
    expect(new_post).to_contain_text("Can I put out extra bags on Monday?", timeout=8_000)
    expect(page.locator("#live-announcer")).to_have_text("1 new post.")
    expect(page.locator('[data-counter="posts"]')).to_have_text("3", timeout=8_000)

    # Hide it in place: open "Hide…", say why, submit; the post stays, marked hidden.
    new_post.get_by_text("Hide…").click()
    new_post.get_by_label("Why hide this post?").fill("Shares a home address")
    new_post.get_by_role("button", name="Hide this post").click()
    expect(feed.locator("li").first).to_contain_text(
        "Hidden from the public by User", timeout=5_000
    )
    expect(page.locator("#live-announcer")).to_have_text("The post is hidden.")
    hidden = Post.objects.get(text="Can I put out extra bags on Monday?")
    assert (hidden.hidden, hidden.hidden_reason, hidden.hidden_by_id) == (
        True,
        "Shares a home address",
        staff.pk,
    )
    assert_no_serious_axe_violations(page)
