"""The Mastodon client against a fake instance on 127.0.0.1 (no network, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from events.integrations.base import (
    CredentialsRejected,
    KnownPost,
    RateLimited,
    TemporaryFailure,
    Window,
)
from events.integrations.mastodon import MastodonClient

NOW = datetime.now(UTC)
WINDOW = Window(opens_at=NOW - timedelta(minutes=30), closes_at=NOW + timedelta(minutes=60))


@pytest.fixture
def client(fake_mastodon, settings):
    settings.HTTP_TIMEOUT_SECONDS = 2.0
    client = MastodonClient(instance_base_url=fake_mastodon.url, token="")
    yield client
    client.close()


def _poll(client, cursor=None, tags=("#CivicTest",)):
    return list(client.poll(hashtags=list(tags), cursor=cursor or {}, window=WINDOW))


def _keys(pages):
    return [post.external_key for page in pages for post in page.posts]


def test_mastodon_backfill_pages_with_max_id_down_to_the_window_start(fake_mastodon, client):
    old = fake_mastodon.add_status(
        "before", tags=["CivicTest"], created_at=NOW - timedelta(hours=2)
    )
    fresh = [fake_mastodon.add_status(f"s{n}", tags=["CivicTest"]) for n in range(45)]

    pages = _poll(client)

    assert [len(page.posts) for page in pages] == [40, 5]
    assert sorted(_keys(pages)) == sorted(s["uri"] for s in fresh)
    assert [r.param("max_id") for r in fake_mastodon.requests] == [None, fresh[5]["id"]]
    assert old["uri"] not in _keys(pages)
    assert pages[-1].cursor == {"min_id": fresh[-1]["id"]}


def test_mastodon_forward_poll_uses_min_id_not_since_id(fake_mastodon, client):
    first = fake_mastodon.add_status("one", tags=["CivicTest"])
    cursor = _poll(client)[-1].cursor
    later = [fake_mastodon.add_status(f"later {n}", tags=["CivicTest"]) for n in range(45)]
    backfill_requests = len(fake_mastodon.requests)

    pages = _poll(client, cursor)

    assert sorted(_keys(pages)) == sorted(s["uri"] for s in later)
    forward = fake_mastodon.requests[backfill_requests:]
    assert [r.param("min_id") for r in forward] == [first["id"], later[39]["id"], later[-1]["id"]]
    assert [r.param("since_id") for r in forward] == [None, None, None]
    assert pages[-1].cursor == {"min_id": later[-1]["id"]}


def test_mastodon_empty_page_keeps_the_cursor(fake_mastodon, client):
    pages = _poll(client, {"min_id": "42"})

    assert [(page.posts, page.cursor) for page in pages] == [([], {"min_id": "42"})]


def test_mastodon_extra_hashtags_go_in_any(fake_mastodon, client):
    _poll(client, tags=("#CivicTest", "#Other"))

    assert (fake_mastodon.requests[0].path, fake_mastodon.requests[0].query["any[]"]) == (
        "/api/v1/timelines/tag/CivicTest",
        ["Other"],
    )


def test_mastodon_reblogs_are_not_new_posts(fake_mastodon, client):
    original = fake_mastodon.add_status("original", tags=["CivicTest"])
    fake_mastodon.add_status("", acct="booster", reblog_of=original["id"])

    assert _keys(_poll(client)) == [original["uri"]]


def test_mastodon_key_is_the_uri_and_local_accounts_get_the_instance(fake_mastodon, client):
    status = fake_mastodon.add_status("hello <b>there</b> #CivicTest", tags=["CivicTest"])
    remote = fake_mastodon.add_status(
        "from afar", acct="Ana@Far.example", tags=["CivicTest"], uri="https://far.example/s/1"
    )

    posts = {p.external_key: p for page in _poll(client) for p in page.posts}

    host = urlsplit(fake_mastodon.url).netloc
    assert (posts[status["uri"]].author_handle, posts[remote["uri"]].author_handle) == (
        f"resident@{host}",
        "ana@far.example",
    )
    assert posts[status["uri"]].html == "<p>hello <b>there</b> #CivicTest</p>"
    assert posts[status["uri"]].text == "hello there #CivicTest"
    assert posts[status["uri"]].source_item_id == status["id"]


def test_mastodon_reply_key_is_local_until_resolved(fake_mastodon, client):
    parent = fake_mastodon.add_status("Q1 #CivicTest", tags=["CivicTest"])
    fake_mastodon.add_status("A1 #CivicTest", tags=["CivicTest"], reply_to=parent["id"])

    replies = [p.reply_to_key for page in _poll(client) for p in page.posts if p.reply_to_key]

    assert replies == [f"local:{parent['id']}"]


def test_mastodon_malformed_status_is_reported_and_the_rest_kept(fake_mastodon, client):
    good = fake_mastodon.add_status("good", tags=["CivicTest"])
    fake_mastodon.add_status("", tags=["CivicTest"], raw={"uri": "https://bad.example/1"})

    pages = _poll(client)

    assert _keys(pages) == [good["uri"]]
    assert [e.as_dict() for page in pages for e in page.errors] == [
        {"item": "https://bad.example/1", "reason": "malformed status: 'account'"}
    ]


def test_mastodon_429_raises_rate_limited_with_the_iso_reset(fake_mastodon, client):
    fake_mastodon.fail_next(429, headers={"X-RateLimit-Reset": "2030-01-02T03:04:05.000Z"})

    with pytest.raises(RateLimited) as caught:
        _poll(client)

    assert caught.value.reset_at == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_mastodon_server_error_is_temporary(fake_mastodon, client):
    fake_mastodon.fail_next(503)

    with pytest.raises(TemporaryFailure) as caught:
        _poll(client)

    assert caught.value.status == 503


def test_mastodon_401_is_rejected_credentials(settings):
    from tests.fakes.mastodon import FakeMastodon

    with FakeMastodon(token="secret") as locked:
        settings.MASTODON_TOKENS = {locked.url: "stale"}
        client = MastodonClient(instance_base_url=locked.url + "/")

        with pytest.raises(CredentialsRejected) as caught:
            _poll(client)

    assert (caught.value.status, locked.requests[0].headers["authorization"]) == (
        401,
        "Bearer stale",
    )


def test_mastodon_verify_names_deleted_statuses(fake_mastodon, client):
    kept = fake_mastodon.add_status("kept", tags=["CivicTest"])
    gone = fake_mastodon.add_status("gone", tags=["CivicTest"])
    fake_mastodon.deleted.add(gone["id"])

    pages = list(
        client.verify(
            posts=[KnownPost(kept["uri"], kept["id"]), KnownPost(gone["uri"], gone["id"])]
        )
    )

    assert [page.deleted_keys for page in pages] == [[], [gone["uri"]]]
