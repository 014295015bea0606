"""A fake Bluesky PDS: createSession / refreshSession (JWTs with an ``exp`` claim),
app.bsky.feed.searchPosts (q, sort=latest, since/until, cursor) and getPosts, with
RateLimit-* headers (epoch reset). Expired access tokens get 400 ExpiredToken."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from tests.fakes.server import FakeServer, Request, Response


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def make_jwt(exp: float) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'exp': int(exp), 'jti': uuid.uuid4().hex})}.sig"


class FakeBluesky(FakeServer):
    def __init__(self, *, handle: str = "city.bsky.social", password: str = "app-pass") -> None:  # noqa: S107
        super().__init__()
        self.handle = handle
        self.password = password
        self.access_tokens: dict[str, float] = {}  # token -> server-side expiry
        self.refresh_tokens: set[str] = set()
        self.access_lifetime = 7200.0
        self.logins = 0
        self.refreshes = 0
        self.posts: list[dict[str, Any]] = []  # ascending indexedAt
        self.deleted: set[str] = set()
        self.seq = 0
        self.reset_epoch = int(time.time()) + 300

    def add_post(
        self,
        text: str,
        *,
        handle: str = "resident.bsky.social",
        indexed_at: datetime | None = None,
        facets: list[dict[str, Any]] | None = None,
        reply_to: str | None = None,
        raw: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        with self.lock:
            self.seq += 1
            rkey = f"3k{self.seq:010d}"
            uri = f"at://did:plc:{handle.split('.')[0]}/app.bsky.feed.post/{rkey}"
            stamp = _ts(indexed_at or datetime.now(UTC))
            if raw is not None:
                view = {"uri": uri, "indexedAt": stamp, "_text": text, **raw}
                self.posts.append(view)
                return view
            record: dict[str, Any] = {
                "$type": "app.bsky.feed.post",
                "text": text,
                "createdAt": stamp,
            }
            if facets:
                record["facets"] = facets
            if reply_to:
                record["reply"] = {"parent": {"uri": reply_to}, "root": {"uri": reply_to}}
            view = {
                "uri": uri,
                "cid": f"bafy{self.seq}",
                "author": {
                    "did": f"did:plc:{handle.split('.')[0]}",
                    "handle": handle,
                    "displayName": handle.split(".")[0].title(),
                    "avatar": f"https://cdn.bsky.example/{handle}.jpg",
                },
                "record": record,
                "indexedAt": stamp,
                "likeCount": 0,
                "repostCount": 0,
                "replyCount": 0,
                "quoteCount": 0,
                "_text": text,
            }
            self.posts.append(view)
            return view

    def expire_access_tokens(self) -> None:
        """Server-side expiry: the tokens' exp claims still look valid to the client."""
        with self.lock:
            self.access_tokens = dict.fromkeys(self.access_tokens, 0.0)

    def _headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": "3000",
            "RateLimit-Remaining": "2999",
            "RateLimit-Reset": str(self.reset_epoch),
            "RateLimit-Policy": "3000;w=300",
        }

    def _session(self) -> dict[str, Any]:
        access = make_jwt(time.time() + self.access_lifetime)
        refresh = make_jwt(time.time() + 90 * 86400)
        self.access_tokens[access] = time.time() + self.access_lifetime
        self.refresh_tokens.add(refresh)
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.handle,
            "did": "did:plc:city",
        }

    def route(self, request: Request) -> Response:
        headers = self._headers()
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if request.path == "/xrpc/com.atproto.server.createSession":
            body = request.json()
            if (body.get("identifier"), body.get("password")) != (self.handle, self.password):
                return Response(401, {"error": "AuthenticationRequired"}, headers)
            self.logins += 1
            return Response(200, self._session(), headers)
        if request.path == "/xrpc/com.atproto.server.refreshSession":
            if bearer not in self.refresh_tokens:
                return Response(400, {"error": "ExpiredToken", "message": "Token has expired"})
            self.refresh_tokens.discard(bearer)
            self.refreshes += 1
            return Response(200, self._session(), headers)
        if bearer not in self.access_tokens:
            return Response(401, {"error": "AuthMissing"}, headers)
        if self.access_tokens[bearer] < time.time():
            return Response(400, {"error": "ExpiredToken", "message": "Token has expired"}, headers)
        if request.path == "/xrpc/app.bsky.feed.searchPosts":
            return self._search(request, headers)
        if request.path == "/xrpc/app.bsky.feed.getPosts":
            uris = set(request.query.get("uris", []))
            found = [self._public(p) for p in self.posts if p["uri"] in uris - self.deleted]
            return Response(200, {"posts": found}, headers)
        return Response(501, {"error": "MethodNotImplemented"}, headers)

    @staticmethod
    def _public(view: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in view.items() if not k.startswith("_")}

    def _search(self, request: Request, headers: dict[str, str]) -> Response:
        q = (request.param("q") or "").lower()
        since, until = request.param("since"), request.param("until")
        limit = int(request.param("limit") or 25)
        offset = int(request.param("cursor") or 0)
        hits = []
        for view in reversed(self.posts):  # latest first
            if view["uri"] in self.deleted or q not in view["_text"].lower():
                continue
            if since and view["indexedAt"][:19] < since[:19]:
                continue
            if until and view["indexedAt"][:19] >= until[:19]:
                continue
            hits.append(self._public(view))
        page = hits[offset : offset + limit]
        body: dict[str, Any] = {"posts": page, "hitsTotal": len(hits)}
        if offset + limit < len(hits):
            body["cursor"] = str(offset + limit)
        return Response(200, body, headers)
