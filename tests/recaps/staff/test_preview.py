"""The preview is the public page itself, under a "not published" banner."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from events.models import ChatStatus
from tests.recaps.staff.conftest import SECRET

pytestmark = pytest.mark.django_db


def _main(page: str) -> str:
    match = re.search(r'<main id="main-content" class="cc-main">(.*)</main>', page, re.S)
    assert match is not None
    return match[1]


def _without_banner(page: str) -> str:
    banner = r'<div class="usa-alert usa-alert--warning cc-preview-banner.*?</div>\s*</div>\s*'
    return re.sub(banner, "", _main(page), count=1, flags=re.S)


def _preview(client, recap) -> str:
    return client.get(reverse("recaps_staff:recap_preview", args=[recap.pk])).content.decode()


def _banner(page: str) -> str:
    match = re.search(r'<strong class="cc-preview-banner__title"[^>]*>(.*?)</strong>', page)
    return match[1] if match else ""


def test_preview_of_a_draft_shows_the_banner_and_the_recap(editor_client, recap):
    page = _preview(editor_client, recap)

    assert _banner(page) == "Preview — not published"
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", page) == [SECRET]
    headings = r'<h2 id="cc-recap-section-\d+" class="cc-section-title">(.*?)</h2>'
    assert re.findall(headings, page) == [
        "Q1 Reporting potholes",
        "Q2 Paving schedule",
    ]
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_preview_is_exactly_what_the_public_sees_once_published(editor_client, recap):
    preview = _preview(editor_client, recap)
    # Published as it stands (the chat page's status follows, as publishing does).
    recap.status, recap.chat.status = "published", ChatStatus.RECAP_PUBLISHED
    recap.save(update_fields=["status"])
    recap.chat.save(update_fields=["status"])

    public = Client().get(reverse("recaps:recap_detail", args=[recap.chat.slug])).content.decode()

    assert _without_banner(preview) == _main(public)
    assert _banner(public) == ""


def test_preview_leaves_out_hidden_posts_as_the_public_page_does(editor_client, recap):
    post = recap.chat.posts.get(text="Post B")
    post.hidden = True
    post.save(update_fields=["hidden"])

    page = _preview(editor_client, recap)

    assert re.findall(r'<div class="cc-post__body"><p>(Post \w)</p>', page) == [
        "Post A",
        "Post C",
        "Post D",
    ]


def test_preview_of_a_published_recap_says_it_is_live(editor_client, recap):
    recap.status = "published"
    recap.save(update_fields=["status"])

    page = _preview(editor_client, recap)

    assert _banner(page) == "Preview — published"
