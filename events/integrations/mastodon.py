"""Mastodon hashtag timeline (``GET /api/v1/timelines/tag/:hashtag``) on one instance.

The timeline shows what has federated to that instance, so a chat may read several.
First poll: backfill from the newest status with ``max_id`` (the ``rel="next"`` link)
until the window's start. Then forward with ``min_id`` (the ``rel="prev"`` link), which
returns the statuses right after the cursor, not just the newest ones as ``since_id``
would. Status ids are per instance, so the key is the status ``uri``; reblogs are not
new posts. ``content`` is HTML and is cleaned. ``X-RateLimit-Reset`` is ISO-8601.

A reply names its parent only by this instance's id; the reply key is stored as
``local:<id>`` and the capture service resolves it to the parent's ``uri``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
from django.conf import settings

from events.integrations.base import (
    HttpClient,
    ItemError,
    KnownPost,
    Page,
    ParsedPost,
    Window,
    iso_reset,
    item_label,
    parse_datetime,
)
from events.integrations.sanitize import clean_html, html_to_text

PAGE_SIZE = 40
LOCAL_REPLY_PREFIX = "local:"


def parse_status(status: dict[str, Any], *, instance_host: str) -> ParsedPost:
    """A ParsedPost from a status; KeyError/ValueError/TypeError when malformed."""
    uri = status["uri"]
    if not isinstance(uri, str) or not uri:
        raise ValueError("status has no uri")
    account = status["account"]
    acct = str(account["acct"]).lstrip("@").lower()
    if "@" not in acct:  # a local account of the instance we asked
        acct = f"{acct}@{instance_host}"
    content = status["content"]
    if not isinstance(content, str):
        raise TypeError("content is not a string")
    reply_to = status.get("in_reply_to_id")
    return ParsedPost(
        platform="mastodon",
        external_key=uri,
        source_item_id=str(status["id"]),
        author_handle=acct,
        author_name=account.get("display_name") or "",
        author_url=account.get("url") or "",
        author_avatar_url=account.get("avatar") or "",
        text=html_to_text(content),
        html=clean_html(content),
        created_at=parse_datetime(status["created_at"]),
        url=status.get("url") or uri,
        reply_to_key=f"{LOCAL_REPLY_PREFIX}{reply_to}" if reply_to else "",
        conversation_key="" if reply_to else uri,
        metrics={
            "replies": status.get("replies_count", 0),
            "reblogs": status.get("reblogs_count", 0),
            "favourites": status.get("favourites_count", 0),
        },
        language=status.get("language") or "",
        raw=status,
    )


def _link_param(response: httpx.Response, rel: str, name: str) -> str | None:
    """The ``name`` query parameter of the ``rel`` Link; we re-issue it on our base URL."""
    link = response.links.get(rel)
    if not link:
        return None
    values = parse_qs(urlsplit(link.get("url", "")).query).get(name)
    return values[0] if values else None


class MastodonClient:
    platform = "mastodon"

    def __init__(
        self,
        *,
        instance_base_url: str,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        base = instance_base_url.rstrip("/")
        if token is None:
            token = settings.MASTODON_TOKENS.get(base, "")
        self.instance_host = urlsplit(base).netloc.lower()
        self.http = HttpClient(
            base_url=base,
            platform_name=f"Mastodon ({self.instance_host})",
            limit_header="x-ratelimit-limit",
            remaining_header="x-ratelimit-remaining",
            reset_header="x-ratelimit-reset",
            reset_parser=iso_reset,
            headers={"Authorization": f"Bearer {token}"} if token else {},
            transport=transport,
        )

    def close(self) -> None:
        self.http.close()

    def _page(self, path: str, params: dict[str, Any], window: Window) -> tuple[Page, Any]:
        statuses, response = self.http.get_json(path, params=params)
        if not isinstance(statuses, list):
            statuses = []
        posts: list[ParsedPost] = []
        errors: list[ItemError] = []
        for status in statuses:
            try:
                if status.get("reblog"):
                    continue  # a boost: the original is its own status
                post = parse_status(status, instance_host=self.instance_host)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                errors.append(
                    ItemError(item_label(status, "uri", "id"), f"malformed status: {exc}")
                )
                continue
            if post.created_at >= window.opens_at:
                posts.append(post)
        return Page(posts=posts, errors=errors, rate_limit=self.http.rate_limit(response)), (
            statuses,
            response,
        )

    def poll(
        self, *, hashtags: list[str], cursor: dict[str, Any], window: Window
    ) -> Iterator[Page]:
        tag, *others = [tag.lstrip("#") for tag in hashtags]
        path = f"/api/v1/timelines/tag/{quote(tag)}"
        base_params: dict[str, Any] = {"limit": PAGE_SIZE}
        if others:
            base_params["any[]"] = others
        min_id = None if window.sweep else cursor.get("min_id")
        if min_id:
            yield from self._forward(path, base_params, str(min_id), window)
        else:
            yield from self._backfill(path, base_params, window, cursor)

    def _forward(
        self, path: str, params: dict[str, Any], min_id: str, window: Window
    ) -> Iterator[Page]:
        while True:
            page, (statuses, response) = self._page(path, {**params, "min_id": min_id}, window)
            if statuses:
                min_id = _link_param(response, "prev", "min_id") or str(statuses[0].get("id"))
            page.cursor = {"min_id": min_id}
            yield page
            if not statuses:
                return

    def _backfill(
        self, path: str, params: dict[str, Any], window: Window, cursor: dict[str, Any]
    ) -> Iterator[Page]:
        newest: str | None = None
        max_id: str | None = None
        while True:
            page_params = {**params, **({"max_id": max_id} if max_id else {})}
            page, (statuses, response) = self._page(path, page_params, window)
            if newest is None and statuses:
                newest = _link_param(response, "prev", "min_id") or str(statuses[0].get("id"))
            page.cursor = {"min_id": newest} if newest else dict(cursor)
            yield page
            max_id = _link_param(response, "next", "max_id")
            if not statuses or not max_id or self._reached_start(statuses, window):
                return

    @staticmethod
    def _reached_start(statuses: list[Any], window: Window) -> bool:
        for status in reversed(statuses):  # the oldest is last
            try:
                return parse_datetime(status["created_at"]) < window.opens_at
            except (KeyError, TypeError, ValueError):
                continue
        return False

    def verify(self, *, posts: list[KnownPost]) -> Iterator[Page]:
        """One status lookup each (by this instance's id): 404 means deleted."""
        for post in posts:
            response = self.http.send("GET", f"/api/v1/statuses/{quote(post.source_item_id)}")
            if response.status_code == 404:
                yield Page(posts=[], deleted_keys=[post.external_key])
                continue
            self.http.check(response)
            yield Page(posts=[], rate_limit=self.http.rate_limit(response))
