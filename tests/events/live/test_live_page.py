"""The staff live page: the feed, its poll for newer posts, counters, the chart, sources."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.live_selectors import chat_counters, posts_after, posts_per_minute
from events.models import Post, SourceState
from tests.events.live.conftest import alerts, counters, post_ids
from tests.factories import (
    CaptureRunFactory,
    CaptureSourceFactory,
    ChatFactory,
    PostFactory,
    TrackedQuestionFactory,
)

pytestmark = pytest.mark.django_db


def _live(chat) -> str:
    return reverse("staff:chat_live", kwargs={"pk": chat.pk})


def _poll(chat, after: int) -> str:
    return reverse("staff:chat_live_posts", kwargs={"pk": chat.pk}) + f"?after={after}"


def _settled(*posts: Post) -> None:
    """Stored a minute ago: past the live page's settle delay."""
    Post.objects.filter(pk__in=[p.pk for p in posts]).update(
        first_seen_at=timezone.now() - timedelta(minutes=1)
    )


def test_live_page_shows_posts_newest_first_with_the_poller_after_the_newest(staff_client, chat):
    first, second, third = PostFactory.create_batch(3, chat=chat)
    PostFactory(chat=ChatFactory())  # another chat's post

    page = staff_client.get(_live(chat)).content.decode()

    assert post_ids(page) == [third.pk, second.pk, first.pk]
    assert re.findall(r'hx-get="([^"]+)" hx-trigger="every 4s"', page) == [
        _poll(chat, third.pk).replace("&", "&amp;")
    ]


def test_live_posts_partial_returns_only_posts_newer_than_the_cursor(staff_client, chat):
    seen = PostFactory(chat=chat)
    new_one, new_two = PostFactory.create_batch(2, chat=chat)
    PostFactory(chat=ChatFactory())
    _settled(seen, new_one, new_two)

    response = staff_client.get(_poll(chat, seen.pk), HTTP_HX_REQUEST="true")
    page = response.content.decode()

    assert response.status_code == 200
    assert post_ids(page) == [new_two.pk, new_one.pk]  # newest first, to go on top
    assert f'?after={new_two.pk}"' in page  # the next poll asks after the newest
    assert 'hx-swap-oob="afterbegin:#live-posts"' in page
    assert response["HX-Trigger"] == "live-posts-added"


def test_live_posts_partial_answers_204_when_nothing_is_newer(staff_client, chat):
    post = PostFactory(chat=chat)
    _settled(post)

    response = staff_client.get(_poll(chat, post.pk), HTTP_HX_REQUEST="true")

    assert (response.status_code, response.content) == (204, b"")


@pytest.mark.parametrize("after", ["", "abc", "-1"])
def test_live_posts_partial_refuses_a_cursor_that_is_not_a_post_id(staff_client, chat, after):
    response = staff_client.get(
        reverse("staff:chat_live_posts", kwargs={"pk": chat.pk}) + f"?after={after}"
    )

    assert (response.status_code, response.content.decode()) == (
        400,
        "“after” must be a post id.",
    )


def test_posts_after_stops_at_the_first_post_still_settling(chat):
    now = timezone.now()
    old, fresh, older_but_later_id = PostFactory.create_batch(3, chat=chat)
    Post.objects.filter(pk=old.pk).update(first_seen_at=now - timedelta(seconds=30))
    Post.objects.filter(pk=fresh.pk).update(first_seen_at=now - timedelta(seconds=1))
    Post.objects.filter(pk=older_but_later_id.pk).update(first_seen_at=now - timedelta(seconds=30))

    found = posts_after(chat_id=chat.pk, after=0, now=now, settle_seconds=2)

    # Not past ``fresh``: the next poll (after=old) still sees fresh and the one after it.
    assert [p.pk for p in found] == [old.pk]


@pytest.mark.parametrize("count", [1, 3])
def test_live_posts_partial_query_count_is_the_same_for_1_and_3_posts(
    staff_client, chat, count, django_assert_num_queries
):
    seen = PostFactory(chat=chat)
    new = PostFactory.create_batch(count, chat=chat, author_avatar_url="https://pbs.example/a.png")
    TrackedQuestionFactory(post=new[0])
    _settled(seen, *new)
    staff_client.get(_poll(chat, 0))  # warm the city cache

    # The session, the user, the user's role groups, the chat, and the new posts with
    # their tracker rows, announced questions and who hid them (joins).
    with django_assert_num_queries(5):
        page = staff_client.get(_poll(chat, seen.pk)).content.decode()

    assert len(post_ids(page)) == count


@pytest.mark.parametrize("count", [1, 3])
def test_live_page_query_count_is_the_same_for_1_and_3_posts(
    staff_client, chat, count, django_assert_num_queries
):
    source = CaptureSourceFactory(chat=chat)
    CaptureRunFactory(source=source)
    for post in PostFactory.create_batch(count, chat=chat):
        TrackedQuestionFactory(post=post)
    staff_client.get(_live(chat))  # warm the city cache

    # The session, the user, the user's role groups, the chat with its topic, the post
    # counters, the question counts, the posts per minute, the sources (with their latest
    # run's id), the latest runs, the unanswered questions and the latest posts.
    with django_assert_num_queries(11):
        page = staff_client.get(_live(chat)).content.decode()

    assert len(post_ids(page)) == count


def test_live_page_counts_posts_participants_hosts_and_hidden(staff_client, chat):
    PostFactory(chat=chat, author_handle="rosa")
    PostFactory(chat=chat, author_handle="rosa")
    PostFactory(chat=chat, author_handle="rosa", platform="bluesky")  # another person
    PostFactory(chat=chat, author_handle="philly311", is_official=True)
    PostFactory(chat=chat, author_handle="troll", hidden=True, hidden_reason="abuse")
    PostFactory(chat=chat, author_handle="gone", deleted_at=timezone.now())
    TrackedQuestionFactory(post=PostFactory(chat=chat, author_handle="sam"))

    page = staff_client.get(_live(chat)).content.decode()

    assert counters(page) == {
        "posts": 5,
        "participants": 3,
        "official": 1,
        "questions_open": 1,
        "questions_answered": 0,
        "hidden": 1,
    }


def test_chat_counters_ignore_other_chats(chat):
    PostFactory(chat=ChatFactory(), author_handle="elsewhere")
    PostFactory(chat=chat, author_handle="here", highlighted=True)

    found = chat_counters(chat_id=chat.pk)

    assert (found.posts, found.participants, found.highlighted) == (1, 1, 1)


def test_posts_per_minute_counts_public_posts_in_each_minute(chat):
    start = chat.starts_at.astimezone(UTC).replace(second=0, microsecond=0)
    for seconds in (5, 30, 59, 65):
        PostFactory(chat=chat, created_at=start + timedelta(seconds=seconds))
    PostFactory(chat=chat, created_at=start + timedelta(seconds=10), hidden=True)
    now = start + timedelta(minutes=3)

    chart = posts_per_minute(chat=chat, now=now)

    busy = [(bar.start, bar.count) for bar in chart.busy]
    assert busy == [(start, 3), (start + timedelta(minutes=1), 1)]
    assert (chart.minutes, chart.total, chart.peak) == (1, 4, 3)
    # From the window's opening, 15 minutes before the start, to now.
    assert (chart.bars[0].start, chart.bars[-1].start) == (
        start - timedelta(minutes=15),
        start + timedelta(minutes=3),
    )


def test_posts_per_minute_uses_wider_buckets_for_a_long_archive(chat):
    early = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)
    PostFactory(chat=chat, created_at=early)
    PostFactory(chat=chat, created_at=early + timedelta(minutes=7))

    chart = posts_per_minute(chat=chat)

    assert chart.minutes > 1
    assert len(chart.bars) <= 150
    assert chart.total == 2


def test_live_page_chart_has_a_table_alternative(staff_client, chat):
    start = chat.starts_at
    PostFactory.create_batch(2, chat=chat, created_at=start + timedelta(minutes=2))

    page = staff_client.get(_live(chat)).content.decode()

    table = page.split('id="live-chart-table"')[1].split("</table>")[0]
    assert re.findall(r"<tr><td><time[^>]*>[^<]+</time></td><td>(\d+)</td></tr>", table) == ["2"]
    assert 'role="img" aria-labelledby="live-chart-title live-chart-summary"' in page


def test_live_page_says_a_source_needs_credentials_and_offers_to_resume(staff_client, chat):
    CaptureSourceFactory(
        chat=chat,
        platform="x",
        state=SourceState.NEEDS_CREDENTIALS,
        next_poll_at=None,
        last_error="X needs a bearer token: set X_BEARER_TOKEN, then resume this source.",
    )

    page = staff_client.get(_live(chat)).content.decode()

    assert alerts(page) == [
        "Capture from X (Twitter) has stopped: it needs credentials. Ask the administrator "
        "to set them, then resume capture.",
        "X needs a bearer token: set X_BEARER_TOKEN, then resume this source.",
    ]
    assert "Resume capture from X (Twitter)" in page


def test_resume_source_makes_it_active_and_due_now(staff_client, chat):
    source = CaptureSourceFactory(
        chat=chat, state=SourceState.NEEDS_CREDENTIALS, next_poll_at=None, last_error="401"
    )
    url = reverse("staff:source_resume", kwargs={"pk": chat.pk, "source_pk": source.pk})

    response = staff_client.post(url)

    source.refresh_from_db()
    assert (source.state, source.last_error, source.next_poll_at is not None) == (
        "active",
        "",
        True,
    )
    assert response.url == _live(chat)


def test_resume_source_of_another_chat_is_not_found(staff_client, chat):
    source = CaptureSourceFactory(state=SourceState.NEEDS_CREDENTIALS)
    url = reverse("staff:source_resume", kwargs={"pk": chat.pk, "source_pk": source.pk})

    response = staff_client.post(url)

    source.refresh_from_db()
    assert (response.status_code, source.state) == (404, "needs_credentials")


def test_resume_source_with_htmx_returns_the_panel_and_an_announcement(staff_client, chat):
    source = CaptureSourceFactory(chat=chat, state=SourceState.PAUSED)
    url = reverse("staff:source_resume", kwargs={"pk": chat.pk, "source_pk": source.pk})

    page = staff_client.post(url, HTTP_HX_REQUEST="true").content.decode()

    assert page.startswith('<div id="live-stats"') or '<div id="live-stats"' in page[:400]
    assert re.findall(r'hx-swap-oob="innerHTML:#live-announcer">([^<]*)<', page) == [
        "Capture from X (Twitter) resumes with the next poll."
    ]


def test_live_stats_partial_lists_unanswered_questions_oldest_first(staff_client, chat):
    later = TrackedQuestionFactory(
        post=PostFactory(chat=chat, text="Where do I get a recycling bin?")
    )
    earlier = TrackedQuestionFactory(
        post=PostFactory(
            chat=chat,
            text="When is bulk pickup?",
            created_at=chat.starts_at + timedelta(minutes=1),
        )
    )
    TrackedQuestionFactory(post=PostFactory(chat=chat, text="Answered one?"), status="answered")
    TrackedQuestionFactory(
        post=PostFactory(chat=chat, text="Hidden one?", hidden=True, hidden_reason="spam")
    )

    page = staff_client.get(reverse("staff:chat_live_stats", kwargs={"pk": chat.pk}))

    texts = re.findall(r'id="live-question-(\d+)">([^<]*)<', page.content.decode())
    assert texts == [
        (str(earlier.pk), "When is bulk pickup?"),
        (str(later.pk), "Where do I get a recycling bin?"),
    ]


def test_mark_answered_from_the_live_page_goes_back_to_it(staff_client, chat):
    question = TrackedQuestionFactory(post=PostFactory(chat=chat))
    url = reverse(
        "staff:tracked_question_status", kwargs={"pk": chat.pk, "question_pk": question.pk}
    )

    response = staff_client.post(url, {"to": "answered", "next": "live"})

    question.refresh_from_db()
    assert (question.status, response.url) == ("answered", _live(chat))


def test_live_page_speaks_spanish_to_a_spanish_speaking_staff_member(staff_client, chat, comms):
    comms.preferred_language = "es"
    comms.save(update_fields=["preferred_language"])
    TrackedQuestionFactory(post=PostFactory(chat=chat, text="¿Cuándo pasa el camión?"))

    page = staff_client.get(_live(chat)).content.decode()

    assert '<h1 class="cc-page-title">En vivo: Trash and recycling</h1>' in page
    assert "Pregunta: Abierta" in page
    assert ">Marcar como respondida</button>" in page
