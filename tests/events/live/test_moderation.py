"""Hide, show again and highlight: the services, their audit rows, the live page's forms
(with and without htmx) and what the public sees."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from events.capture_selectors import public_posts
from events.integrations.base import ParsedPost
from events.models import ModerationAction, Post
from events.services.capture import upsert_posts
from events.services.moderation import (
    ModerationError,
    hide_post,
    set_post_highlighted,
    unhide_post,
)
from tests.events.live.conftest import post_ids
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def _url(name: str, post: Post) -> str:
    return reverse(f"staff:{name}", kwargs={"pk": post.chat_id, "post_pk": post.pk})


def _audit(post: Post) -> list[tuple[str, int | None, str]]:
    return list(
        ModerationAction.objects.filter(post=post)
        .order_by("pk")
        .values_list("action", "by_id", "reason")
    )


def test_hide_post_records_who_and_why_and_leaves_public_posts(chat, comms):
    kept = PostFactory(chat=chat)
    post = PostFactory(chat=chat)

    hide_post(post_id=post.pk, by=comms, reason="Personal attack")

    post.refresh_from_db()
    assert (post.hidden, post.hidden_by, post.hidden_reason, post.hidden_at is not None) == (
        True,
        comms,
        "Personal attack",
        True,
    )
    assert list(public_posts(chat_id=chat.pk)) == [kept]
    assert _audit(post) == [("hide", comms.pk, "Personal attack")]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_hide_post_refuses_a_missing_or_overlong_reason(chat, comms, reason):
    post = PostFactory(chat=chat)

    with pytest.raises(ModerationError):
        hide_post(post_id=post.pk, by=comms, reason=reason)

    post.refresh_from_db()
    assert (post.hidden, _audit(post)) == (False, [])


def test_unhide_post_shows_it_again_and_keeps_the_old_reason_in_the_audit(chat, comms):
    post = PostFactory(chat=chat)
    hide_post(post_id=post.pk, by=comms, reason="Spam")

    unhide_post(post_id=post.pk, by=comms)

    post.refresh_from_db()
    assert (post.hidden, post.hidden_by, post.hidden_reason) == (False, None, "")
    assert list(public_posts(chat_id=chat.pk)) == [post]
    assert _audit(post) == [("hide", comms.pk, "Spam"), ("unhide", comms.pk, "")]
    assert ModerationAction.objects.get(action="unhide").detail == {"previous_reason": "Spam"}


def test_highlight_twice_writes_one_audit_row(chat, comms):
    post = PostFactory(chat=chat)

    set_post_highlighted(post_id=post.pk, by=comms, highlighted=True)
    set_post_highlighted(post_id=post.pk, by=comms, highlighted=True)
    set_post_highlighted(post_id=post.pk, by=comms, highlighted=False)

    post.refresh_from_db()
    assert post.highlighted is False
    assert _audit(post) == [("highlight", comms.pk, ""), ("unhighlight", comms.pk, "")]


def test_hidden_post_stays_hidden_when_the_platform_sends_an_edit(chat, comms):
    post = PostFactory(chat=chat, platform="x", external_key="777", text="Original")
    hide_post(post_id=post.pk, by=comms, reason="Doxxing")
    edited = ParsedPost(
        platform="x",
        external_key="777",
        source_item_id="778",
        author_handle=post.author_handle,
        author_name="",
        author_url="",
        author_avatar_url="",
        text="Edited text",
        html="<p>Edited text</p>",
        created_at=post.created_at,
        url=post.url,
    )

    upsert_posts(chat_id=chat.pk, posts=[edited])

    post.refresh_from_db()
    assert (post.text, post.hidden, post.hidden_reason) == ("Edited text", True, "Doxxing")


def test_hide_form_without_javascript_hides_and_goes_back_to_the_post(staff_client, chat, comms):
    post = PostFactory(chat=chat)

    response = staff_client.post(_url("post_hide", post), {"reason": "Off topic"})

    post.refresh_from_db()
    assert (post.hidden, post.hidden_reason, post.hidden_by) == (True, "Off topic", comms)
    assert response.url == reverse("staff:chat_live", kwargs={"pk": chat.pk}) + f"#post-{post.pk}"
    page = staff_client.get(response.url).content.decode()
    assert "The post is hidden." in page
    assert "Hidden from the public by Dana Comms: Off topic" in page


def test_hide_form_with_htmx_returns_the_post_swapped_and_an_announcement(staff_client, chat):
    post = PostFactory(chat=chat)

    page = staff_client.post(
        _url("post_hide", post), {"reason": "Spam"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert post_ids(page) == [post.pk]
    assert "Hidden from the public by Dana Comms: Spam" in page
    assert "Show again" in page
    assert re.findall(r'hx-swap-oob="innerHTML:#live-announcer">([^<]*)<', page) == [
        "The post is hidden."
    ]


def test_hide_form_without_a_reason_shows_the_error_and_hides_nothing(staff_client, chat):
    post = PostFactory(chat=chat)

    page = staff_client.post(_url("post_hide", post), {"reason": ""}).content.decode()

    post.refresh_from_db()
    assert post.hidden is False
    assert re.findall(r'class="cc-error">([^<]*)<', page) == ["This field is required."]


def test_hide_page_asks_for_the_reason(staff_client, chat):
    post = PostFactory(chat=chat, text="Something rude")

    page = staff_client.get(_url("post_hide", post)).content.decode()

    assert post_ids(page) == [post.pk]
    assert re.findall(r'<label class="usa-label[^"]*" for="id_reason">([^<]*)<', page) == [
        "Why hide this post?"
    ]


def test_unhide_and_highlight_forms_change_the_post(staff_client, chat, comms):
    post = PostFactory(chat=chat, hidden=True, hidden_reason="Spam", hidden_by=comms)

    staff_client.post(_url("post_unhide", post))
    staff_client.post(_url("post_highlight", post), {"highlighted": "1"})

    post.refresh_from_db()
    assert (post.hidden, post.highlighted) == (False, True)
    assert _audit(post) == [("unhide", comms.pk, ""), ("highlight", comms.pk, "")]


def test_moderation_of_another_chats_post_is_not_found(staff_client, chat):
    other = PostFactory()
    url = reverse("staff:post_hide", kwargs={"pk": chat.pk, "post_pk": other.pk})

    response = staff_client.post(url, {"reason": "Spam"})

    other.refresh_from_db()
    assert (response.status_code, other.hidden) == (404, False)


XSS_HTML = (
    '<p>Hi <script>alert("html")</script><img src=x onerror="alert(1)">'
    '<a href="javascript:alert(2)">click</a><a href="https://ok.example/" onclick="x()">ok</a></p>'
)


def test_live_page_renders_script_payloads_in_posts_inert(staff_client, chat):
    post = PostFactory(
        chat=chat,
        author_name='<script>alert("name")</script>',
        author_handle='"><img src=x onerror=alert(3)>',
        author_avatar_url="javascript:alert(4)",
        text='<script>alert("text")</script>',
        html=XSS_HTML,
        url="javascript:alert(5)",
        hidden=True,
        hidden_reason="<b onmouseover=alert(6)>bad</b>",
    )

    page = staff_client.get(reverse("staff:chat_live", kwargs={"pk": chat.pk})).content.decode()

    item = page.split(f'<li id="post-{post.pk}"')[1].split("</li>")[0]
    assert "<script" not in item
    assert "javascript:" not in item
    assert "onerror" not in item.replace("onerror=alert(3)&gt;", "")  # escaped handle only
    assert "onclick" not in item
    assert "<img" not in item  # no avatar without an http(s) URL, no injected image
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in item
    assert "&lt;b onmouseover=alert(6)&gt;bad&lt;/b&gt;" in item
    assert '<a href="https://ok.example/" rel="nofollow noopener noreferrer">ok</a>' in item


def test_avatar_is_shown_without_referrer_and_lazily(staff_client, chat):
    PostFactory(chat=chat, author_avatar_url="https://pbs.example/rosa.jpg")

    page = staff_client.get(reverse("staff:chat_live", kwargs={"pk": chat.pk})).content.decode()

    assert re.findall(r"<img [^>]*>", page.split('id="live-posts"')[1]) == [
        '<img class="cc-post__avatar" src="https://pbs.example/rosa.jpg" alt="" width="40" '
        'height="40" loading="lazy" referrerpolicy="no-referrer">'
    ]
