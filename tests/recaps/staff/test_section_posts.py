"""Adding highlights: the chat's public posts, searchable and paged, each with an
"Add to section" form; nothing else can be added."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import ChatFactory, PostFactory
from tests.recaps.staff.conftest import alerts, content, outline, versions

pytestmark = pytest.mark.django_db


def _url(recap, section, **query):
    url = reverse("recaps_staff:section_posts", args=[recap.pk, section.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _posts(page: str) -> list[tuple[str, bool]]:
    """(post text, offers "Add to section") of each listed post, in order."""
    items = re.findall(
        r'<li id="post-\d+" class="cc-highlight" data-post="\d+">(.*?)</li>', page, re.S
    )
    return [
        (
            re.search(r'<div class="cc-post__body"><p>(.*?)</p>', item, re.S)[1],
            "Add to section" in item,
        )
        for item in items
    ]


def test_section_posts_lists_visible_posts_of_the_chat_only(editor_client, recap):
    second = recap.sections.order_by("position")[1]
    PostFactory(chat=ChatFactory(), text="Another chat's post")

    page = editor_client.get(_url(recap, second)).content.decode()

    # H is hidden and X deleted at the source: never offered. D is already in Q2.
    assert _posts(page) == [
        ("Post A", True),
        ("Post B", True),
        ("Post C", True),
        ("Post D", False),
        ("Post E", True),
    ]


def test_section_posts_search_matches_text_and_author(editor_client, recap):
    section = recap.sections.first()

    by_text = editor_client.get(_url(recap, section, q="post e")).content.decode()
    by_author = editor_client.get(_url(recap, section, q="author_b")).content.decode()
    nothing = editor_client.get(_url(recap, section, q="zebra")).content.decode()

    assert _posts(by_text) == [("Post E", True)]
    assert _posts(by_author) == [("Post B", False)]
    assert (_posts(nothing), "No posts match." in nothing) == ([], True)


def test_section_posts_pages_by_twenty(editor_client, recap):
    section = recap.sections.first()
    for i in range(20):
        PostFactory(
            chat=recap.chat,
            text=f"Later {i:02}",
            html=f"<p>Later {i:02}</p>",
            created_at=recap.chat.starts_at + timedelta(minutes=30 + i),
        )

    first = editor_client.get(_url(recap, section)).content.decode()
    second = editor_client.get(_url(recap, section, page=2)).content.decode()

    assert len(_posts(first)) == 20
    assert _posts(second) == [(f"Later {i:02}", True) for i in range(15, 20)]


def test_add_to_section_appends_the_post_with_its_note(editor_client, editor, recap):
    second = recap.sections.order_by("position")[1]
    post = recap.chat.posts.get(text="Post E")
    before = versions(recap)
    url = _url(recap, second, q="post", page=1)

    response = editor_client.post(url, {"post": post.pk, "note": " A good point. "})

    assert response["Location"] == f"{url}#post-{post.pk}"
    assert outline(recap) == [
        ("Q1 Reporting potholes", ["Post A", "Post B", "Post C"]),
        ("Q2 Paving schedule", ["Post D", "Post E"]),
    ]
    assert content(recap)["sections"][1]["highlights"][1] == {
        "post_id": post.pk,
        "role": "other",
        "note": "A good point.",
    }
    assert versions(recap) == [(before[0][0] + 1, "Added a highlight", editor.pk), *before]
    assert alerts(editor_client.get(response["Location"]).content.decode()) == [
        "The post by Author E is added to “Q2 Paving schedule”."
    ]


@pytest.mark.parametrize("which", ["hidden", "deleted", "other chat"])
def test_add_to_section_refuses_posts_nobody_may_see(editor_client, recap, which):
    post = {
        "hidden": lambda: recap.chat.posts.get(text="Post H"),
        "deleted": lambda: recap.chat.posts.get(text="Post X"),
        "other chat": lambda: PostFactory(chat=ChatFactory()),
    }[which]()
    section = recap.sections.first()
    before = (content(recap), versions(recap))

    response = editor_client.post(_url(recap, section), {"post": post.pk, "note": ""})

    assert alerts(editor_client.get(response["Location"]).content.decode()) == [
        "Only this chat's visible posts can be highlighted."
    ]
    assert (content(recap), versions(recap)) == before


def test_add_to_section_refuses_a_post_already_there(editor_client, recap):
    section = recap.sections.first()
    post = recap.chat.posts.get(text="Post A")
    before = (content(recap), versions(recap))

    response = editor_client.post(_url(recap, section), {"post": post.pk})

    assert alerts(editor_client.get(response["Location"]).content.decode()) == [
        "That post is already in this section."
    ]
    assert (content(recap), versions(recap)) == before


@pytest.mark.parametrize("count", [1, 3])
def test_section_posts_query_count_is_flat(editor_client, recap, count, django_assert_num_queries):
    section = recap.sections.first()
    for _ in range(count):
        PostFactory(chat=recap.chat)
    editor_client.get(_url(recap, section))  # warm the city cache

    # The session, the user, the user's role groups, the recap with its chat and topic,
    # the section, the paginator's count, the page of posts, and the section's post ids.
    with django_assert_num_queries(8):
        page = editor_client.get(_url(recap, section)).content.decode()

    assert len(_posts(page)) == 5 + count
