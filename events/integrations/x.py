"""X API v2 recent search (``GET /2/tweets/search/recent``), app-only bearer token.

A cycle: the first poll asks from the window's start (``start_time``), later ones from
the newest tweet already seen (``since_id``); ``meta.next_token`` is followed within the
cycle and ``meta.newest_id`` of the first page is the next cursor. Authors come from
``includes.users``. An ``errors`` array inside a 200 is a partial notice (a withheld
author, say), recorded on the run, not a failed poll. An edited tweet has a new id but
the same first id in ``edit_history_tweet_ids``: that first id is the post's key, so an
edit updates the row. ``x-rate-limit-reset`` is epoch seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from django.conf import settings

from events.integrations.base import (
    CredentialsRejected,
    HttpClient,
    ItemError,
    KnownPost,
    Page,
    ParsedPost,
    Window,
    epoch_reset,
    item_label,
    parse_datetime,
    rfc3339,
)
from events.integrations.sanitize import X_LINKS, text_to_html

SEARCH_PATH = "/2/tweets/search/recent"
LOOKUP_PATH = "/2/tweets"
TWEET_FIELDS = (
    "author_id,created_at,public_metrics,conversation_id,in_reply_to_user_id,"
    "referenced_tweets,lang,edit_history_tweet_ids,entities"
)
USER_FIELDS = "username,name,profile_image_url"
PAGE_SIZE = 100
# Recent search reaches back seven days; a start_time older than that is refused.
SEARCH_HORIZON = timedelta(days=7) - timedelta(minutes=5)
# end_time must be at least 10 seconds before the request.
END_TIME_MARGIN = timedelta(seconds=15)
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"


def build_query(hashtags: list[str]) -> str:
    tags = " OR ".join(hashtags)
    return f"({tags}) -is:retweet" if len(hashtags) > 1 else f"{tags} -is:retweet"


def parse_tweet(tweet: dict[str, Any], users: dict[str, dict[str, Any]]) -> ParsedPost:
    """A ParsedPost from one tweet and the users of its page; KeyError/ValueError if malformed."""
    tweet_id = str(tweet["id"])
    text = tweet["text"]
    if not isinstance(text, str):
        raise ValueError("text is not a string")
    created_at = parse_datetime(tweet["created_at"])
    author = users.get(str(tweet["author_id"]))
    if author is None:
        raise KeyError(f"author {tweet['author_id']} not in includes.users")
    username = author["username"]
    history = tweet.get("edit_history_tweet_ids") or [tweet_id]
    reply_to = next(
        (
            ref["id"]
            for ref in tweet.get("referenced_tweets") or []
            if ref.get("type") == "replied_to"
        ),
        "",
    )
    return ParsedPost(
        platform="x",
        external_key=str(history[0]),
        source_item_id=tweet_id,
        author_handle=username.lower(),
        author_name=author.get("name") or "",
        author_url=f"https://x.com/{username}",
        author_avatar_url=author.get("profile_image_url") or "",
        text=text,
        html=text_to_html(text, style=X_LINKS),
        created_at=created_at,
        url=f"https://x.com/{username}/status/{tweet_id}",
        reply_to_key=str(reply_to),
        conversation_key=str(tweet.get("conversation_id") or history[0]),
        metrics=tweet.get("public_metrics") or {},
        language=tweet.get("lang") or "",
        raw={"tweet": tweet, "author": author},
    )


def parse_search_page(payload: dict[str, Any]) -> tuple[list[ParsedPost], list[ItemError]]:
    users = {str(user.get("id")): user for user in payload.get("includes", {}).get("users", [])}
    posts, errors = [], []
    for tweet in payload.get("data") or []:
        try:
            posts.append(parse_tweet(tweet, users))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            errors.append(ItemError(item_label(tweet, "id"), f"malformed tweet: {exc}"))
    # Partial errors in a 200: a notice on the run, not a failure.
    for notice in payload.get("errors") or []:
        label = str(notice.get("resource_id") or notice.get("value") or "response")
        errors.append(ItemError(label, str(notice.get("detail") or notice.get("title"))))
    return posts, errors


class XClient:
    platform = "x"

    def __init__(
        self,
        *,
        bearer_token: str | None = None,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        token = settings.X_BEARER_TOKEN if bearer_token is None else bearer_token
        if not token:
            raise CredentialsRejected("X needs a bearer token: set X_BEARER_TOKEN.")
        self.http = HttpClient(
            base_url=base_url or settings.X_API_BASE_URL,
            platform_name="X",
            limit_header="x-rate-limit-limit",
            remaining_header="x-rate-limit-remaining",
            reset_header="x-rate-limit-reset",
            reset_parser=epoch_reset,
            headers={"Authorization": f"Bearer {token}"},
            transport=transport,
        )

    def close(self) -> None:
        self.http.close()

    def poll(
        self, *, hashtags: list[str], cursor: dict[str, Any], window: Window
    ) -> Iterator[Page]:
        params: dict[str, Any] = {
            "query": build_query(hashtags),
            "max_results": PAGE_SIZE,
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": USER_FIELDS,
        }
        since_id = None if window.sweep else cursor.get("since_id")
        now = datetime.now(UTC)
        if since_id:
            params["since_id"] = since_id
        else:
            params["start_time"] = rfc3339(max(window.opens_at, now - SEARCH_HORIZON))
        end_time = min(window.closes_at, now - END_TIME_MARGIN)
        if window.sweep and end_time > max(window.opens_at, now - SEARCH_HORIZON):
            params["end_time"] = rfc3339(end_time)
        newest = since_id
        next_token = None
        first = True
        while first or next_token:
            page_params = {**params, **({"next_token": next_token} if next_token else {})}
            payload, response = self.http.get_json(SEARCH_PATH, params=page_params)
            meta = payload.get("meta") or {}
            if first and meta.get("newest_id"):
                newest = meta["newest_id"]
            first = False
            posts, errors = parse_search_page(payload)
            next_token = meta.get("next_token")
            yield Page(
                posts=posts,
                errors=errors,
                cursor={"since_id": newest} if newest else dict(cursor),
                rate_limit=self.http.rate_limit(response),
            )

    def verify(self, *, posts: list[KnownPost]) -> Iterator[Page]:
        """Tweets lookup by id: a resource-not-found error means deleted (or withdrawn)."""
        for start in range(0, len(posts), PAGE_SIZE):
            batch = posts[start : start + PAGE_SIZE]
            by_id = {post.source_item_id: post.external_key for post in batch}
            payload, response = self.http.get_json(
                LOOKUP_PATH, params={"ids": ",".join(by_id), "tweet.fields": "id"}
            )
            deleted = [
                by_id[str(error.get("resource_id"))]
                for error in payload.get("errors") or []
                if error.get("type") == NOT_FOUND and str(error.get("resource_id")) in by_id
            ]
            yield Page(posts=[], deleted_keys=deleted, rate_limit=self.http.rate_limit(response))
