"""The Bluesky client against a fake PDS on 127.0.0.1 (no network). The session lives in
the cache (cleared before each test by tests/conftest.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from events.integrations.base import (
    CredentialsRejected,
    KnownPost,
    RateLimited,
    TemporaryFailure,
    Window,
)
from events.integrations.bluesky import BlueskyClient

NOW = datetime.now(UTC)
WINDOW = Window(opens_at=NOW - timedelta(minutes=30), closes_at=NOW + timedelta(minutes=60))


def _client(fake, password=None):
    return BlueskyClient(
        handle=fake.handle, app_password=password or fake.password, base_url=fake.url
    )


@pytest.fixture
def client(fake_bluesky, settings):
    settings.HTTP_TIMEOUT_SECONDS = 2.0
    client = _client(fake_bluesky)
    yield client
    client.close()


def _poll(client, cursor=None):
    return list(client.poll(hashtags=["#CivicTest"], cursor=cursor or {}, window=WINDOW))


def _keys(pages):
    return [post.external_key for page in pages for post in page.posts]


def _searches(fake):
    return [r for r in fake.requests if r.path == "/xrpc/app.bsky.feed.searchPosts"]


def test_bluesky_pages_with_the_cursor_and_keeps_the_newest_indexed_at(fake_bluesky, client):
    views = [
        fake_bluesky.add_post(f"p{n} #CivicTest", indexed_at=NOW - timedelta(seconds=300 - n))
        for n in range(130)
    ]

    pages = _poll(client)

    assert [len(page.posts) for page in pages] == [100, 30]
    search = _searches(fake_bluesky)
    assert [(r.param("q"), r.param("sort"), r.param("cursor")) for r in search] == [
        ("#CivicTest", "latest", None),
        ("#CivicTest", "latest", "100"),
    ]
    assert search[0].param("since") == WINDOW.opens_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert pages[-1].cursor == {"indexed_at": views[-1]["indexedAt"]}


def test_bluesky_stops_at_a_page_of_posts_already_seen(fake_bluesky, client):
    for n in range(150):
        fake_bluesky.add_post(f"old {n} #CivicTest", indexed_at=NOW - timedelta(minutes=20))
    cursor = {"indexed_at": (NOW - timedelta(minutes=10)).isoformat()}
    new = [fake_bluesky.add_post(f"new {n} #CivicTest") for n in range(3)]

    pages = _poll(client, cursor)

    # 153 hits in pages of 100: page 1 mixes new and seen, page 2 is all seen -> stop.
    assert [r.param("cursor") for r in _searches(fake_bluesky)] == [None, "100"]
    assert set(_keys(pages)) >= {view["uri"] for view in new}
    assert pages[-1].cursor == {"indexed_at": new[-1]["indexedAt"]}


def test_bluesky_session_is_created_once_for_many_polls(fake_bluesky, client, settings):
    fake_bluesky.add_post("hello #CivicTest")
    _poll(client)
    other_worker = _client(fake_bluesky)

    _poll(other_worker)

    assert (fake_bluesky.logins, fake_bluesky.refreshes) == (1, 0)


def test_bluesky_expired_access_token_is_refreshed_not_a_new_login(fake_bluesky, client):
    fake_bluesky.add_post("hello #CivicTest")
    _poll(client)
    fake_bluesky.expire_access_tokens()

    pages = _poll(client)

    assert (fake_bluesky.logins, fake_bluesky.refreshes, len(_keys(pages))) == (1, 1, 1)


def test_bluesky_access_token_near_its_exp_is_refreshed_before_the_request(fake_bluesky, client):
    fake_bluesky.access_lifetime = 30  # shorter than the client's 60 s margin
    _poll(client)
    requests_before = len(fake_bluesky.requests)

    _poll(client)

    paths = [r.path for r in fake_bluesky.requests[requests_before:]]
    assert paths == ["/xrpc/com.atproto.server.refreshSession", "/xrpc/app.bsky.feed.searchPosts"]


def test_bluesky_refused_refresh_falls_back_to_a_login(fake_bluesky, client):
    _poll(client)
    fake_bluesky.expire_access_tokens()
    fake_bluesky.refresh_tokens.clear()

    _poll(client)

    assert (fake_bluesky.logins, fake_bluesky.refreshes) == (2, 0)


def test_bluesky_wrong_app_password_is_rejected_credentials(fake_bluesky):
    client = _client(fake_bluesky, password="wrong")

    with pytest.raises(CredentialsRejected) as caught:
        _poll(client)

    assert caught.value.status == 401


def test_bluesky_missing_account_is_rejected_before_any_request(fake_bluesky, settings):
    settings.BLUESKY_HANDLE = ""

    with pytest.raises(CredentialsRejected):
        BlueskyClient(base_url=fake_bluesky.url)

    assert fake_bluesky.requests == []


def test_bluesky_429_raises_rate_limited_with_the_epoch_reset(fake_bluesky, client):
    fake_bluesky.fail_next(
        429, headers={"RateLimit-Reset": "1900000000"}, path_prefix="/xrpc/app.bsky.feed"
    )

    with pytest.raises(RateLimited) as caught:
        _poll(client)

    assert caught.value.reset_at == datetime.fromtimestamp(1900000000, tz=UTC)


def test_bluesky_server_error_is_temporary(fake_bluesky, client):
    fake_bluesky.fail_next(502, path_prefix="/xrpc/app.bsky.feed")

    with pytest.raises(TemporaryFailure) as caught:
        _poll(client)

    assert caught.value.status == 502


def test_bluesky_empty_page_keeps_the_cursor(fake_bluesky, client):
    cursor = {"indexed_at": "2030-01-01T00:00:00.000Z"}

    pages = _poll(client, cursor)

    assert [(page.posts, page.cursor) for page in pages] == [([], cursor)]


def test_bluesky_malformed_post_is_reported_and_the_rest_kept(fake_bluesky, client):
    good = fake_bluesky.add_post("good #CivicTest")
    bad = fake_bluesky.add_post("bad #CivicTest", raw={"author": {"handle": "x"}})

    (page,) = _poll(client)

    assert [p.external_key for p in page.posts] == [good["uri"]]
    assert [e.as_dict() for e in page.errors] == [
        {"item": bad["uri"], "reason": "malformed post: 'record'"}
    ]


def test_bluesky_facets_link_exact_utf8_byte_ranges(fake_bluesky, client):
    text = "Café ☕ #CivicTest with @ana.bsky.social"
    data = text.encode()
    tag_start = data.index(b"#CivicTest")
    mention_start = data.index(b"@ana")
    facets = [
        {
            "index": {"byteStart": tag_start, "byteEnd": tag_start + len(b"#CivicTest")},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "CivicTest"}],
        },
        {
            "index": {"byteStart": mention_start, "byteEnd": len(data)},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:ana"}],
        },
    ]
    fake_bluesky.add_post(text, facets=facets, reply_to="at://did:plc:city/app.bsky.feed.post/q1")

    (post,) = [p for page in _poll(client) for p in page.posts]

    assert post.html == (
        '<p>Café ☕ <a href="https://bsky.app/hashtag/CivicTest" class="mention hashtag" '
        'rel="nofollow noopener noreferrer">#CivicTest</a> with '
        '<a href="https://bsky.app/profile/did%3Aplc%3Aana" class="u-url mention" '
        'rel="nofollow noopener noreferrer">@ana.bsky.social</a></p>'
    )
    assert (post.reply_to_key, post.conversation_key) == (
        "at://did:plc:city/app.bsky.feed.post/q1",
        "at://did:plc:city/app.bsky.feed.post/q1",
    )


def test_bluesky_verify_names_posts_get_posts_leaves_out(fake_bluesky, client):
    kept = fake_bluesky.add_post("kept #CivicTest")
    gone = fake_bluesky.add_post("gone #CivicTest")
    fake_bluesky.deleted.add(gone["uri"])

    pages = list(client.verify(posts=[KnownPost(kept["uri"], "c1"), KnownPost(gone["uri"], "c2")]))

    assert [page.deleted_keys for page in pages] == [[gone["uri"]]]


def test_bluesky_jwt_expiry_is_read_from_the_token(fake_bluesky):
    from events.integrations.bluesky import _jwt_expiry
    from tests.fakes.bluesky import make_jwt

    exp = int(time.time()) + 100

    assert _jwt_expiry(make_jwt(exp)) == datetime.fromtimestamp(exp, tz=UTC)
