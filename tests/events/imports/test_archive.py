"""One archive row at a time: column names, dates, platforms, keys, links, sanitising."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from events.integrations.archive import Record, RowInvalid, column_key, parse_record


def _parse(**fields: object):
    return parse_record(
        Record(line=2, fields={column_key(k): v for k, v in fields.items()}, raw={})
    )


def _reason(**fields: object) -> str:
    with pytest.raises(RowInvalid) as invalid:
        _parse(**fields)
    return invalid.value.reason


BASE = {"created_at": "2024-05-02T22:05:00Z", "text": "Hello #Philly311NLP"}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Author Handle", "author_handle"),
        ("author.username", "author_username"),
        ("authorHandle", "author_handle"),
        ("record.createdAt", "record_created_at"),
        (" public_metrics.like_count ", "public_metrics_like_count"),
        ("user_name", "user_name"),
    ],
)
def test_column_key_ignores_case_spaces_dots_and_camel_case(name, key):
    assert column_key(name) == key


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-02T18:05:00-04:00", datetime(2024, 5, 2, 22, 5, tzinfo=UTC)),
        ("2024-05-02T22:05:00.000Z", datetime(2024, 5, 2, 22, 5, tzinfo=UTC)),
        ("2024-05-02 22:05:00+00:00", datetime(2024, 5, 2, 22, 5, tzinfo=UTC)),
        ("Thu May 02 22:05:00 +0000 2024", datetime(2024, 5, 2, 22, 5, tzinfo=UTC)),
    ],
)
def test_created_at_accepts_iso_8601_with_a_zone_and_twitters_classic_format(value, expected):
    post = _parse(platform="x", id="1", author_handle="rosa", text="hi", created_at=value)

    assert post.created_at == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("yesterday", "created_at is not an ISO-8601 date and time: yesterday"),
        (
            "2024-05-02T22:05:00",
            "created_at has no time zone (add “Z” or an offset such as “-05:00”): "
            "2024-05-02T22:05:00",
        ),
        ("", "created_at is missing."),
    ],
)
def test_created_at_without_a_zone_or_unreadable_is_refused(value, reason):
    assert _reason(platform="x", id="1", author_handle="rosa", text="hi", created_at=value) == (
        reason
    )


def test_created_at_in_the_future_is_refused():
    later = (timezone.now() + timedelta(days=3)).isoformat()

    assert _reason(platform="x", id="1", author_handle="r", text="t", created_at=later) == (
        f"created_at is in the future: {later[:60]}"
    )


@pytest.mark.parametrize(
    ("fields", "platform", "key", "handle"),
    [
        ({"url": "https://x.com/Rosa_PHL/status/1790000000000000001"}, "x",
         "1790000000000000001", "rosa_phl"),
        ({"tweet_url": "https://twitter.com/rosa/status/42"}, "x", "42", "rosa"),
        ({"url": "https://mastodon.example/@sam/111"}, "mastodon",
         "https://mastodon.example/users/sam/statuses/111", "sam@mastodon.example"),
        ({"uri": "at://did:plc:abc/app.bsky.feed.post/3k", "author_handle": "lee.bsky.social"},
         "bluesky", "at://did:plc:abc/app.bsky.feed.post/3k", "lee.bsky.social"),
        ({"url": "https://bsky.app/profile/lee.bsky.social/post/3kabc"}, "bluesky",
         "at://lee.bsky.social/app.bsky.feed.post/3kabc", "lee.bsky.social"),
        ({"platform": "Twitter", "id": "7", "screen_name": "@Ben"}, "x", "7", "ben"),
    ],
)  # fmt: skip
def test_platform_key_and_handle_come_from_the_link_when_not_given(fields, platform, key, handle):
    post = _parse(**BASE, **fields)

    assert (post.platform, post.external_key, post.author_handle) == (platform, key, handle)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"id": "1", "author_handle": "a"},
         "Say which platform the post is from (x, mastodon or bluesky)."),
        ({"platform": "mastodon", "id": "5", "author_handle": "a"},
         "A Mastodon post needs its uri or url (ids differ between instances)."),
        ({"platform": "x", "author_handle": "a"}, "The post has no id or url."),
        ({"platform": "x", "id": "1"}, "author_handle is missing."),
        ({"platform": "x", "id": "1", "author_handle": "a b"},
         "author_handle is not a handle: a b"),
        ({"platform": "x", "id": "1", "author_handle": "a",
          "author_avatar_url": "data:image/png;base64,AAAA"},
         "author_avatar_url is not an http(s) link: data:image/png;base64,AAAA"),
        ({"platform": "x", "id": "1", "author_handle": "a", "likes": "many"},
         "likes is not a whole number: many"),
        ({"platform": "x", "id": "1", "author_handle": "a", "reply_to": "yesterday"},
         "reply_to is not an X post id or link: yesterday"),
    ],
)  # fmt: skip
def test_row_problems_are_reported_with_a_reason(fields, reason):
    assert _reason(**BASE, **fields) == reason


def test_text_of_plain_text_platforms_is_escaped_and_linked():
    post = _parse(**{**BASE, "text": "<b>hi</b> https://phila.gov/311 #Philly311NLP"},
                  platform="x", id="1", author_handle="rosa")  # fmt: skip

    assert post.html == (
        "<p>&lt;b&gt;hi&lt;/b&gt; "
        '<a href="https://phila.gov/311" rel="nofollow noopener noreferrer">'
        "https://phila.gov/311</a> "
        '<a href="https://x.com/hashtag/Philly311NLP" class="mention hashtag" '
        'rel="nofollow noopener noreferrer">#Philly311NLP</a></p>'
    )


def test_mastodon_html_is_cleaned_and_gives_the_text():
    post = _parse(
        platform="mastodon",
        uri="https://mastodon.example/users/sam/statuses/1",
        author_handle="sam@mastodon.example",
        created_at=BASE["created_at"],
        content='<p>Hi<img src=x onerror="alert(1)"><script>bad()</script></p>',
    )

    assert (post.text, post.html) == ("Hi", "<p>Hi</p>")
