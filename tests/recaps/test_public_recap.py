"""The public recap page, its cache, the embed, the feed and the archive exports."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from events.models import Post
from recaps.models import RecapStatus
from recaps.services import editing
from recaps.services.drafting import create_draft_recap
from recaps.services.workflow import transition_recap
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(ended_chat, editor):
    recap = create_draft_recap(chat=ended_chat)
    editing.update_recap_text(
        recap=recap, title="Trash talk: the recap", intro="We listened.", by=editor
    )
    transition_recap(recap=recap, to=RecapStatus.IN_REVIEW, by=editor)
    return transition_recap(recap=recap, to=RecapStatus.PUBLISHED, by=editor)


def _url(chat, suffix="recap/"):
    return f"/chats/{chat.slug}/{suffix}"


def test_recap_page_states_numbers_in_words_and_links_originals(client, published, ended_chat):
    html = client.get(_url(ended_chat)).content.decode()

    assert "6 posts from 3 participants" in html
    assert "3 posts by the hosts" in html
    assert re.findall(
        r'<h2 id="cc-recap-section-\d" class="cc-section-title">(.*?)</h2>', html
    ) == [
        '<span class="cc-recap__qlabel">Q1</span> How do you report dumping?',
        '<span class="cc-recap__qlabel">Q2</span> What would help?',
    ]
    assert html.count("See the original post") == 6
    assert '<meta property="og:title" content="Trash talk: the recap">' in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_recap_page_timeline_has_a_table_alternative(client, published, ended_chat):
    html = client.get(_url(ended_chat)).content.decode()

    assert 'role="img" aria-labelledby="cc-timeline-title cc-timeline-desc"' in html
    rows = re.findall(
        r'<tr><th scope="row"><time[^>]*>([^<]*)</time></th><td>(\d+)</td></tr>', html
    )
    assert len(rows) == 60
    assert [n for _t, n in rows if n != "0"] == ["1", "2", "1", "1", "1"]


@pytest.mark.parametrize("status", [RecapStatus.DRAFT, RecapStatus.IN_REVIEW])
def test_unpublished_recap_is_not_found_for_everyone(client, ended_chat, editor, status):
    recap = create_draft_recap(chat=ended_chat)
    recap.status = status
    recap.save(update_fields=["status"])

    anonymous = client.get(_url(ended_chat))
    client.force_login(editor)
    as_editor = client.get(_url(ended_chat))  # editors preview on their own pages

    assert (anonymous.status_code, as_editor.status_code) == (404, 404)
    assert "Trash talk" not in anonymous.content.decode()


def test_post_content_is_sanitised_and_author_escaped(client, ended_chat, editor):
    evil = PostFactory(
        chat=ended_chat,
        author_handle="eve",
        author_name="<script>alert('name')</script>",
        text="A1 click",
        html=(
            '<p onclick="x()">A1 <a href="javascript:alert(1)">click</a><script>bad()</script></p>'
        ),
        created_at=ended_chat.starts_at + timedelta(minutes=8),
        metrics={"like_count": 99},
    )
    recap = create_draft_recap(chat=ended_chat)
    transition_recap(recap=recap, to=RecapStatus.IN_REVIEW, by=editor)
    transition_recap(recap=recap, to=RecapStatus.PUBLISHED, by=editor)

    html = client.get(_url(ended_chat)).content.decode()

    assert evil.pk in recap.sections.first().highlights.values_list("post_id", flat=True)
    assert "<script>" not in html.split("<main")[1].split("</main>")[0]
    assert "javascript:" not in html
    assert "onclick" not in html
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in html


@pytest.mark.parametrize("extra_posts", [10, 1000])
def test_recap_page_query_count_does_not_grow_with_posts(
    client, ended_chat, editor, extra_posts, django_assert_num_queries
):
    PostFactory.create_batch(
        extra_posts,
        chat=ended_chat,
        text="A1 me too",
        created_at=ended_chat.starts_at + timedelta(minutes=30),
    )
    recap = create_draft_recap(chat=ended_chat)
    transition_recap(recap=recap, to=RecapStatus.IN_REVIEW, by=editor)
    transition_recap(recap=recap, to=RecapStatus.PUBLISHED, by=editor)
    client.get(_url(ended_chat))  # warm the city and body caches

    # 1) recap with chat and topic, 2) the moderation stamp of its highlighted posts;
    # the body comes from the cache. Anonymous: no session, no user.
    with django_assert_num_queries(2):
        cached = client.get(_url(ended_chat))
    from django.core.cache import cache

    cache.clear()
    # Cold: + the city, the sections, their highlights with posts (one query each).
    with django_assert_num_queries(5):
        cold = client.get(_url(ended_chat))

    def main(response):
        return response.content.decode().split("<main")[1].split("</main>")[0]

    assert main(cached) == main(cold)  # (the page differs only in its CSRF token)
    assert f"{6 + extra_posts} posts from" in cold.content.decode()


def test_cache_follows_edits_and_moderation(client, published, ended_chat, editor):
    before = client.get(_url(ended_chat)).content.decode()
    editing.update_recap_text(recap=published, title="A new title", intro="New intro.", by=editor)
    after_edit = client.get(_url(ended_chat)).content.decode()
    bob = Post.objects.get(author_handle="bob")
    bob.hidden = True
    bob.save(update_fields=["hidden", "updated_at"])
    after_hide = client.get(_url(ended_chat)).content.decode()

    assert "A1 I call 311" in before
    assert '<h1 class="cc-page-title">A new title</h1>' in after_edit
    assert "A1 I call 311" not in after_hide


def test_embed_is_frameable_and_the_page_is_not(client, published, ended_chat):
    page = client.get(_url(ended_chat))
    embed = client.get(_url(ended_chat, "recap/embed/"))

    assert page["X-Frame-Options"] == "DENY"
    assert "X-Frame-Options" not in embed
    assert "6 posts from 3 participants" in embed.content.decode()


def _public_keys(chat):
    return list(
        Post.objects.filter(chat=chat, hidden=False, deleted_at__isnull=True)
        .order_by("created_at", "pk")
        .values_list("external_key", flat=True)
    )


def test_csv_export_equals_the_visible_archive(client, ended_chat):
    PostFactory(chat=ended_chat, text='=HYPERLINK("http://evil")', author_name="@mallory")

    response = client.get(_url(ended_chat, "archive.csv"))

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["external_key"] for r in rows] == _public_keys(ended_chat)
    evil = next(r for r in rows if r["text"].startswith("'="))
    assert (evil["text"], evil["author_name"]) == ('\'=HYPERLINK("http://evil")', "'@mallory")


def test_json_export_equals_the_visible_archive(client, ended_chat):
    response = client.get(_url(ended_chat, "archive.json"))

    data = json.loads(b"".join(response.streaming_content))
    assert [p["external_key"] for p in data["posts"]] == _public_keys(ended_chat)
    assert data["hashtags"] == ["#PhillyTrash"]
    assert "raw" not in data["posts"][0]


def test_archive_of_a_future_chat_is_not_found(client):
    from tests.factories import ChatFactory

    chat = ChatFactory()

    assert client.get(_url(chat, "archive.json")).status_code == 404


def test_recaps_feed_lists_published_recaps(client, published):
    xml = client.get("/recaps/feed/").content.decode()

    assert re.findall(r"<entry><title>([^<]*)</title>", xml) == ["Trash talk: the recap"]
