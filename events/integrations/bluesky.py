"""Bluesky search (``app.bsky.feed.searchPosts``), authenticated with an app password.

Authenticated calls go to the account's PDS (``BLUESKY_API_BASE_URL``, bsky.social by
default), which proxies ``app.bsky.*`` reads to the AppView; search is not reliably open
to anonymous callers on the public AppView.

The session (``com.atproto.server.createSession``) is kept in the cache and refreshed
with ``refreshSession`` when the access token is about to expire or is reported expired
(``ExpiredToken``); a new login happens only when the refresh token is also gone.

A cycle: for each hashtag, ``q=#tag``, ``sort=latest``, paging with ``cursor`` until a
page holds only posts already seen (``indexedAt`` at or before the last cycle's newest,
less a small overlap for index lag), or before the window's start on the first poll.
Keys are post ``uri``s; links come from the record's facets (UTF-8 byte ranges).
``RateLimit-Reset`` is epoch seconds.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache

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
from events.integrations.sanitize import BLUESKY_LINKS, bluesky_facets, text_to_html

logger = logging.getLogger(__name__)

SEARCH = "/xrpc/app.bsky.feed.searchPosts"
GET_POSTS = "/xrpc/app.bsky.feed.getPosts"
CREATE_SESSION = "/xrpc/com.atproto.server.createSession"
REFRESH_SESSION = "/xrpc/com.atproto.server.refreshSession"
PAGE_SIZE = 100
GET_POSTS_MAX = 25
# Search results can be indexed a little out of order; re-read this much of the past.
OVERLAP = timedelta(seconds=30)
# Refresh the access token this long before it expires.
EXPIRY_MARGIN = timedelta(seconds=60)
SESSION_CACHE_SECONDS = 60 * 60 * 24 * 30
EXPIRED = {"ExpiredToken", "InvalidToken"}


def _jwt_expiry(token: str) -> datetime | None:
    """The ``exp`` claim of a JWT, unverified (only to refresh in time)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
    except (IndexError, KeyError, TypeError, ValueError):
        return None


def parse_post_view(view: dict[str, Any]) -> ParsedPost:
    """A ParsedPost from a ``postView``; KeyError/ValueError/TypeError when malformed."""
    uri = view["uri"]
    if not isinstance(uri, str) or not uri.startswith("at://"):
        raise ValueError("post has no at:// uri")
    author = view["author"]
    handle = str(author["handle"]).lower()
    record = view["record"]
    text = record["text"]
    if not isinstance(text, str):
        raise TypeError("record.text is not a string")
    indexed_at = parse_datetime(view["indexedAt"])
    reply = record.get("reply") or {}
    parent = (reply.get("parent") or {}).get("uri", "")
    root = (reply.get("root") or {}).get("uri", "")
    rkey = uri.rsplit("/", 1)[-1]
    langs = record.get("langs") or []
    return ParsedPost(
        platform="bluesky",
        external_key=uri,
        source_item_id=str(view.get("cid") or ""),
        author_handle=handle,
        author_name=author.get("displayName") or "",
        author_url=f"https://bsky.app/profile/{handle}",
        author_avatar_url=author.get("avatar") or "",
        text=text,
        html=text_to_html(text, style=BLUESKY_LINKS, facets=bluesky_facets(record.get("facets"))),
        # indexedAt, not the client-declared createdAt: it is what search orders by and
        # cannot be back-dated. createdAt stays in raw.
        created_at=indexed_at,
        url=f"https://bsky.app/profile/{handle}/post/{rkey}",
        reply_to_key=parent,
        conversation_key=root or uri,
        metrics={
            "replies": view.get("replyCount", 0),
            "reposts": view.get("repostCount", 0),
            "likes": view.get("likeCount", 0),
            "quotes": view.get("quoteCount", 0),
        },
        language=langs[0] if langs and isinstance(langs[0], str) else "",
        raw=view,
    )


class BlueskyClient:
    platform = "bluesky"

    def __init__(
        self,
        *,
        handle: str | None = None,
        app_password: str | None = None,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.handle = settings.BLUESKY_HANDLE if handle is None else handle
        self.password = settings.BLUESKY_APP_PASSWORD if app_password is None else app_password
        if not (self.handle and self.password):
            raise CredentialsRejected(
                "Bluesky needs an account: set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD."
            )
        base = (base_url or settings.BLUESKY_API_BASE_URL).rstrip("/")
        self.session_key = f"capture:bluesky:session:{base}:{self.handle}"
        self.http = HttpClient(
            base_url=base,
            platform_name="Bluesky",
            limit_header="ratelimit-limit",
            remaining_header="ratelimit-remaining",
            reset_header="ratelimit-reset",
            reset_parser=epoch_reset,
            transport=transport,
        )

    def close(self) -> None:
        self.http.close()

    # --- session ----------------------------------------------------------------------

    def _store(self, data: dict[str, Any]) -> dict[str, Any]:
        session = {"accessJwt": data["accessJwt"], "refreshJwt": data["refreshJwt"]}
        cache.set(self.session_key, session, SESSION_CACHE_SECONDS)
        return session

    def _login(self) -> dict[str, Any]:
        response = self.http.send(
            "POST", CREATE_SESSION, json={"identifier": self.handle, "password": self.password}
        )
        if response.status_code in (400, 401):
            raise CredentialsRejected(
                "Bluesky refused the handle or app password (createSession): check "
                "BLUESKY_HANDLE and BLUESKY_APP_PASSWORD, then resume the source.",
                status=response.status_code,
            )
        self.http.check(response)
        logger.info("bluesky: new session for %s", self.handle)
        return self._store(self.http.json(response))

    def _refresh(self, session: dict[str, Any]) -> dict[str, Any]:
        response = self.http.send(
            "POST", REFRESH_SESSION, headers={"Authorization": f"Bearer {session['refreshJwt']}"}
        )
        if response.status_code in (400, 401):
            return self._login()  # the refresh token expired or was revoked
        self.http.check(response)
        return self._store(self.http.json(response))

    def _session(self) -> dict[str, Any]:
        session = cache.get(self.session_key)
        if not session:
            return self._login()
        expiry = _jwt_expiry(session["accessJwt"])
        if expiry is not None and expiry - EXPIRY_MARGIN <= datetime.now(UTC):
            return self._refresh(session)
        return session

    def _get(self, path: str, params: dict[str, Any]) -> tuple[Any, httpx.Response]:
        session = self._session()
        for attempt in range(2):
            response = self.http.send(
                "GET",
                path,
                params=params,
                headers={"Authorization": f"Bearer {session['accessJwt']}"},
            )
            if attempt == 0 and response.status_code in (400, 401) and self._expired(response):
                session = self._refresh(session)
                continue
            break
        self.http.check(response)
        return self.http.json(response), response

    @staticmethod
    def _expired(response: httpx.Response) -> bool:
        try:
            return response.json().get("error") in EXPIRED
        except (ValueError, AttributeError):
            return False

    # --- capture ----------------------------------------------------------------------

    def poll(
        self, *, hashtags: list[str], cursor: dict[str, Any], window: Window
    ) -> Iterator[Page]:
        seen_until = None if window.sweep else cursor.get("indexed_at")
        stop_at = parse_datetime(seen_until) - OVERLAP if seen_until else window.opens_at
        newest = seen_until
        for tag in hashtags:
            params: dict[str, Any] = {"q": tag, "sort": "latest", "limit": PAGE_SIZE}
            if not seen_until:
                params["since"] = rfc3339(window.opens_at)
            if window.sweep:
                params["until"] = rfc3339(window.closes_at)
            page_cursor = None
            while True:
                payload, response = self._get(
                    SEARCH, {**params, **({"cursor": page_cursor} if page_cursor else {})}
                )
                views = payload.get("posts") or []
                posts, errors, all_old = self._parse(views, stop_at)
                for post in posts:
                    stamp = post.raw.get("indexedAt")
                    if stamp and (newest is None or parse_datetime(stamp) > parse_datetime(newest)):
                        newest = stamp
                yield Page(
                    posts=[post for post in posts if post.created_at >= window.opens_at],
                    errors=errors,
                    cursor={"indexed_at": newest} if newest else dict(cursor),
                    rate_limit=self.http.rate_limit(response),
                )
                page_cursor = payload.get("cursor")
                if not views or not page_cursor or all_old:
                    break

    @staticmethod
    def _parse(
        views: list[Any], stop_at: datetime
    ) -> tuple[list[ParsedPost], list[ItemError], bool]:
        posts, errors = [], []
        all_old = True
        for view in views:
            try:
                post = parse_post_view(view)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                errors.append(ItemError(item_label(view, "uri"), f"malformed post: {exc}"))
                continue
            posts.append(post)
            if post.created_at > stop_at:
                all_old = False
        return posts, errors, all_old and bool(posts)

    def verify(self, *, posts: list[KnownPost]) -> Iterator[Page]:
        """getPosts leaves out posts that no longer exist: those are deleted."""
        for start in range(0, len(posts), GET_POSTS_MAX):
            keys = [post.external_key for post in posts[start : start + GET_POSTS_MAX]]
            payload, response = self._get(GET_POSTS, {"uris": keys})
            found = {view.get("uri") for view in payload.get("posts") or []}
            yield Page(
                posts=[],
                deleted_keys=[key for key in keys if key not in found],
                rate_limit=self.http.rate_limit(response),
            )
