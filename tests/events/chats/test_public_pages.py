"""Public chat and topic pages, feeds and following."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import ChatStatus, Follow
from tests.factories import ChatFactory, ChatHostFactory, CityFactory, QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _titles(response):
    return re.findall(
        r'<h3 class="usa-collection__heading">\s*<a[^>]*>([^<]*)</a>', response.content.decode()
    )


@pytest.fixture(autouse=True)
def _city():
    CityFactory()


@pytest.mark.parametrize("count", [1, 3])
def test_chat_list_query_count_is_flat(client, count, django_assert_num_queries):
    topic = TopicFactory()
    for _ in range(count):
        ChatFactory(topic=topic)
    client.get("/chats/")  # warm the city cache

    # The city comes from the cache (warmed above). Queries: the topics for the filter,
    # the paginator's count, the page of chats joined with their topics.
    with django_assert_num_queries(3):
        response = client.get("/chats/")

    assert len(_titles(response)) == count


def test_chat_list_upcoming_and_past_hide_drafts(client):
    now = timezone.now()
    ChatFactory(
        title="Soon", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=1)
    )
    ChatFactory(
        title="Later", starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=1)
    )
    ChatFactory(title="Draft", status=ChatStatus.DRAFT)
    ChatFactory(
        title="Last month",
        status=ChatStatus.ENDED,
        starts_at=now - timedelta(days=30),
        ends_at=now - timedelta(days=30) + timedelta(hours=1),
    )
    ChatFactory(title="Called off", status=ChatStatus.CANCELLED)

    upcoming = _titles(client.get("/chats/"))
    past = _titles(client.get("/chats/?when=past"))

    assert upcoming == ["Soon", "Later"]
    assert sorted(past) == ["Called off", "Last month"]


def test_chat_list_filters_by_topic(client):
    trash, parks = TopicFactory(name="Trash"), TopicFactory(name="Parks")
    ChatFactory(topic=trash, title="Trash chat")
    ChatFactory(topic=parks, title="Parks chat")

    assert _titles(client.get(f"/chats/?topic={parks.slug}")) == ["Parks chat"]


def test_chat_list_paginates_ten_per_page(client):
    start = timezone.now() + timedelta(days=1)
    for n in range(12):
        ChatFactory(
            title=f"Chat {n:02}",
            starts_at=start + timedelta(days=n),
            ends_at=start + timedelta(days=n, hours=1),
        )

    first, second = _titles(client.get("/chats/")), _titles(client.get("/chats/?page=2"))

    assert (len(first), second) == (10, ["Chat 10", "Chat 11"])


def test_chat_page_shows_time_hosts_and_only_published_questions(client):
    chat = ChatFactory(title="Street lights")
    ChatHostFactory(chat=chat, platform="mastodon", handle="@philly311@mastodon.example")
    QuestionFactory(chat=chat, position=1, text="Is your block lit?", published=True)
    QuestionFactory(chat=chat, position=2, text="Secret follow-up", published=False)

    html = client.get(f"/chats/{chat.slug}/").content.decode()

    local = timezone.localtime(chat.starts_at).isoformat()
    assert f'<time datetime="{local}">' in html
    questions = [
        (q, text.strip()) for q, text in re.findall(r"<strong>(Q\d)</strong> ([^<]*)", html)
    ]
    assert questions == [("Q1", "Is your block lit?")]
    assert 'href="https://mastodon.example/@philly311"' in html
    assert "Secret follow-up" not in html


def test_chat_page_live_banner_only_while_live(client):
    live = ChatFactory(status=ChatStatus.LIVE)
    scheduled = ChatFactory()

    assert "Live now" in client.get(f"/chats/{live.slug}/").content.decode()
    assert "Live now" not in client.get(f"/chats/{scheduled.slug}/").content.decode()


def test_chat_page_of_draft_is_not_found(client):
    draft = ChatFactory(status=ChatStatus.DRAFT, title="Not yet public")

    response = client.get(f"/chats/{draft.slug}/")

    assert response.status_code == 404
    assert "Not yet public" not in response.content.decode()


def test_chat_page_escapes_staff_text(client):
    chat = ChatFactory(
        title="<script>alert(1)</script>", description="<img src=x onerror=alert(2)>"
    )

    html = client.get(f"/chats/{chat.slug}/").content.decode()

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_pages_link_the_atom_feed_for_autodiscovery(client):
    chat = ChatFactory()

    for url in ("/chats/", f"/chats/{chat.slug}/", f"/topics/{chat.topic.slug}/"):
        html = client.get(url).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in html, url


def test_atom_feed_lists_upcoming_chats_with_stable_ids(client):
    chat = ChatFactory(title="Recycling Q&A")
    ChatFactory(status=ChatStatus.DRAFT, title="Draft")

    xml = client.get("/chats/feed/").content.decode()

    assert re.findall(r"<entry><title>([^<]*)</title>", xml) == ["Recycling Q&amp;A"]
    assert f"<id>urn:uuid:{chat.uid}</id>" in xml


def test_follow_topic_requires_login_then_follows_and_unfollows(client, resident):
    topic = TopicFactory()

    anonymous = client.post(f"/topics/{topic.slug}/follow/")
    client.force_login(resident)
    client.post(f"/topics/{topic.slug}/follow/", {"action": "follow"})
    client.post(f"/topics/{topic.slug}/follow/", {"action": "follow"})
    followed = list(Follow.objects.values_list("user", "topic"))
    client.post(f"/topics/{topic.slug}/follow/", {"action": "unfollow"})

    assert anonymous.url.startswith("/accounts/login/")
    assert followed == [(resident.pk, topic.pk)]
    assert Follow.objects.count() == 0


def test_follow_chat_page_shows_state(client, resident):
    chat = ChatFactory()
    client.force_login(resident)

    client.post(f"/chats/{chat.slug}/follow/", {"action": "follow", "next": f"/chats/{chat.slug}/"})
    html = client.get(f"/chats/{chat.slug}/").content.decode()

    assert "Stop following this chat" in html


def test_follow_ignores_offsite_next(client, resident):
    chat = ChatFactory()
    client.force_login(resident)

    response = client.post(f"/chats/{chat.slug}/follow/", {"next": "https://evil.example/"})

    assert response.url == f"/chats/{chat.slug}/"


@pytest.mark.parametrize("count", [1, 3])
def test_topic_page_query_count_is_flat(client, count, django_assert_num_queries):
    topic = TopicFactory()
    for _ in range(count):
        ChatFactory(topic=topic)
    client.get(f"/topics/{topic.slug}/")

    # topic, upcoming chats (with topic), past chats (with topic); anonymous: no follows.
    with django_assert_num_queries(3):
        html = client.get(f"/topics/{topic.slug}/").content.decode()

    assert html.count('class="usa-collection__item cc-chat-summary"') == count


def test_home_shows_the_next_chat_prominently_and_the_rest_as_upcoming(client):
    now = timezone.now()
    ChatFactory(
        title="Later chat",
        starts_at=now + timedelta(days=9),
        ends_at=now + timedelta(days=9, hours=1),
    )
    ChatFactory(
        title="Postponed chat",
        status=ChatStatus.POSTPONED,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=1),
    )
    ChatFactory(
        title="Soonest chat",
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=1),
    )

    html = client.get("/").content.decode()

    next_box = re.search(r'id="cc-next-chat-title"><a[^>]*>([^<]*)</a>', html)
    assert next_box is not None
    assert next_box.group(1) == "Soonest chat"
    assert _titles(client.get("/")) == ["Postponed chat", "Later chat"]
