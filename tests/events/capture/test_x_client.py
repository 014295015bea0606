"""The X client against a fake X API v2 on 127.0.0.1 (no network, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from events.integrations.base import (
    CredentialsRejected,
    KnownPost,
    RateLimited,
    TemporaryFailure,
    Window,
)
from events.integrations.x import XClient

NOW = datetime.now(UTC)
WINDOW = Window(opens_at=NOW - timedelta(minutes=30), closes_at=NOW + timedelta(minutes=60))


@pytest.fixture
def client(fake_x, settings):
    settings.HTTP_TIMEOUT_SECONDS = 2.0
    client = XClient(bearer_token=fake_x.token, base_url=fake_x.url)
    yield client
    client.close()


def _poll(client, cursor=None, window=WINDOW):
    return list(client.poll(hashtags=["#CivicTest"], cursor=cursor or {}, window=window))


def test_x_poll_follows_next_token_and_keeps_newest_id(fake_x, client):
    ids = [fake_x.add_tweet(f"post {n} #CivicTest") for n in range(150)]

    pages = _poll(client)

    assert [len(page.posts) for page in pages] == [100, 50]
    assert pages[-1].cursor == {"since_id": ids[-1]}
    assert [r.param("next_token") for r in fake_x.requests] == [None, "tok-100"]
    assert fake_x.requests[0].param("query") == "#CivicTest -is:retweet"
    assert fake_x.requests[0].param("start_time") == WINDOW.opens_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_x_second_poll_asks_since_the_newest_id(fake_x, client):
    first = fake_x.add_tweet("first #CivicTest")
    cursor = _poll(client)[-1].cursor
    second = fake_x.add_tweet("second #CivicTest")

    pages = _poll(client, cursor)

    assert [post.external_key for page in pages for post in page.posts] == [second]
    assert fake_x.requests[-1].param("since_id") == first
    assert fake_x.requests[-1].param("start_time") is None
    assert pages[-1].cursor == {"since_id": second}


def test_x_empty_page_keeps_the_cursor(fake_x, client):
    pages = _poll(client, {"since_id": "999"})

    assert [(page.posts, page.cursor) for page in pages] == [([], {"since_id": "999"})]


def test_x_multiple_hashtags_are_ored_without_retweets(fake_x, client):
    list(client.poll(hashtags=["#A", "#B"], cursor={}, window=WINDOW))

    assert fake_x.requests[0].param("query") == "(#A OR #B) -is:retweet"


def test_x_parses_author_reply_and_metrics(fake_x, client):
    parent = fake_x.add_tweet("Q1 what do you think? #CivicTest", username="PhillyCity")
    reply = fake_x.add_tweet("A1 more trees https://trees.example #CivicTest", reply_to=parent)

    post = next(p for page in _poll(client) for p in page.posts if p.external_key == reply)

    assert (post.author_handle, post.author_url, post.reply_to_key, post.conversation_key) == (
        "resident",
        "https://x.com/resident",
        parent,
        parent,
    )
    assert post.url == f"https://x.com/resident/status/{reply}"
    assert post.html == (
        '<p>A1 more trees <a href="https://trees.example" rel="nofollow noopener noreferrer">'
        'https://trees.example</a> <a href="https://x.com/hashtag/CivicTest" '
        'class="mention hashtag" rel="nofollow noopener noreferrer">#CivicTest</a></p>'
    )
    assert post.metrics == {"like_count": 0, "retweet_count": 0, "reply_count": 0}


def test_x_edited_tweet_keeps_the_first_id_as_key(fake_x, client):
    original = fake_x.add_tweet("typo #CivicTest")
    edited = fake_x.add_tweet("fixed #CivicTest", edit_of=original)

    posts = [p for page in _poll(client) for p in page.posts]

    assert [(p.external_key, p.source_item_id, p.text) for p in posts] == [
        (original, edited, "fixed #CivicTest")
    ]


def test_x_malformed_tweet_is_reported_and_the_rest_kept(fake_x, client):
    good = fake_x.add_tweet("good #CivicTest")
    bad = fake_x.add_tweet("", raw={"text": "no author or date #CivicTest"})

    (page,) = _poll(client)

    assert [p.external_key for p in page.posts] == [good]
    assert [(e.item, e.reason) for e in page.errors] == [(bad, "malformed tweet: 'created_at'")]


def test_x_errors_array_in_a_200_is_a_notice_not_a_failure(fake_x, client):
    good = fake_x.add_tweet("good #CivicTest")
    fake_x.notices = [{"resource_id": "77", "detail": "User has been suspended: [77]."}]

    (page,) = _poll(client)

    assert [p.external_key for p in page.posts] == [good]
    assert [e.as_dict() for e in page.errors] == [
        {"item": "77", "reason": "User has been suspended: [77]."}
    ]


def test_x_429_raises_rate_limited_with_the_epoch_reset(fake_x, client):
    fake_x.fail_next(429, headers={"x-rate-limit-reset": "1900000000"}, body={"title": "Too Many"})

    with pytest.raises(RateLimited) as caught:
        _poll(client)

    assert caught.value.reset_at == datetime.fromtimestamp(1900000000, tz=UTC)


def test_x_429_on_the_second_page_ends_the_cycle_after_the_first(fake_x, client):
    for n in range(120):
        fake_x.add_tweet(f"post {n} #CivicTest")
    pages = client.poll(hashtags=["#CivicTest"], cursor={}, window=WINDOW)
    first = next(pages)
    fake_x.fail_next(429, headers={"x-rate-limit-reset": "1900000000"})

    with pytest.raises(RateLimited):
        next(pages)

    assert len(first.posts) == 100


@pytest.mark.parametrize("status", [500, 502, 503])
def test_x_server_error_is_temporary(fake_x, client, status):
    fake_x.fail_next(status)

    with pytest.raises(TemporaryFailure) as caught:
        _poll(client)

    assert caught.value.status == status


def test_x_timeout_is_temporary(fake_x, settings):
    settings.HTTP_TIMEOUT_SECONDS = 0.2
    client = XClient(bearer_token=fake_x.token, base_url=fake_x.url)
    fake_x.fail_next(200, delay=1.0)

    with pytest.raises(TemporaryFailure) as caught:
        _poll(client)

    assert caught.value.message.startswith("X did not answer in time")


def test_x_wrong_token_is_rejected_credentials(fake_x):
    client = XClient(bearer_token="wrong", base_url=fake_x.url)

    with pytest.raises(CredentialsRejected) as caught:
        _poll(client)

    assert caught.value.status == 401


def test_x_missing_token_is_rejected_before_any_request(fake_x, settings):
    settings.X_BEARER_TOKEN = ""

    with pytest.raises(CredentialsRejected):
        XClient(base_url=fake_x.url)

    assert fake_x.requests == []


def test_x_verify_names_deleted_tweets(fake_x, client):
    kept = fake_x.add_tweet("kept #CivicTest")
    gone = fake_x.add_tweet("gone #CivicTest")
    fake_x.deleted.add(gone)

    pages = list(client.verify(posts=[KnownPost(kept, kept), KnownPost(gone, gone)]))

    assert [page.deleted_keys for page in pages] == [[gone]]
