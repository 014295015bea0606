"""A fake X API v2: recent search (since_id, start_time/end_time, next_token paging,
includes.users, meta) and tweet lookup, with x-rate-limit-* headers."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from tests.fakes.server import FakeServer, Request, Response

NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class FakeX(FakeServer):
    def __init__(self, *, token: str = "x-test-token") -> None:  # noqa: S107
        super().__init__()
        self.token = token
        self.tweets: list[dict[str, Any]] = []  # newest last
        self.users: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()
        # Earlier versions of edited tweets stay retrievable by id, as on X.
        self.earlier_versions: dict[str, dict[str, Any]] = {}
        self.notices: list[dict[str, Any]] = []  # an "errors" array to send with results
        self.next_id = 1000
        self.reset_epoch = int(time.time()) + 900

    def add_user(self, username: str, name: str = "") -> str:
        user_id = str(len(self.users) + 1)
        self.users[user_id] = {
            "id": user_id,
            "username": username,
            "name": name or username.title(),
            "profile_image_url": f"https://pbs.example/{username}.jpg",
        }
        return user_id

    def add_tweet(
        self,
        text: str,
        *,
        username: str = "resident",
        created_at: datetime | None = None,
        reply_to: str | None = None,
        edit_of: str | None = None,
        raw: dict[str, Any] | None = None,
    ) -> str:
        """Add a tweet (``raw`` replaces the payload: malformed items). Returns its id."""
        with self.lock:
            self.next_id += 1
            tweet_id = str(self.next_id)
            if raw is not None:
                self.tweets.append({"id": tweet_id, **raw})
                return tweet_id
            user_id = next(
                (u["id"] for u in self.users.values() if u["username"] == username), None
            )
            user_id = user_id or self.add_user(username)
            tweet: dict[str, Any] = {
                "id": tweet_id,
                "text": text,
                "author_id": user_id,
                "created_at": _ts(created_at or datetime.now(UTC)),
                "conversation_id": tweet_id,
                "lang": "en",
                "public_metrics": {"like_count": 0, "retweet_count": 0, "reply_count": 0},
                "edit_history_tweet_ids": [tweet_id],
            }
            if reply_to:
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
                tweet["conversation_id"] = reply_to
            if edit_of:
                original = next(t for t in self.tweets if t["id"] == edit_of)
                tweet["edit_history_tweet_ids"] = [*original["edit_history_tweet_ids"], tweet_id]
                tweet["created_at"] = original["created_at"]
                self.tweets.remove(original)
                self.earlier_versions[edit_of] = original
            self.tweets.append(tweet)
            return tweet_id

    def _headers(self) -> dict[str, str]:
        return {
            "x-rate-limit-limit": "450",
            "x-rate-limit-remaining": "449",
            "x-rate-limit-reset": str(self.reset_epoch),
        }

    def route(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Response(401, {"title": "Unauthorized", "status": 401}, self._headers())
        if request.path == "/2/tweets/search/recent":
            return self._search(request)
        if request.path == "/2/tweets":
            return self._lookup(request)
        return Response(404, {"title": "Not Found"})

    def _search(self, request: Request) -> Response:
        query = request.param("query") or ""
        tags = [tag.lower() for tag in re.findall(r"#\w+", query)]
        since_id = request.param("since_id")
        start = request.param("start_time")
        end = request.param("end_time")
        size = int(request.param("max_results") or 10)
        offset = int((request.param("next_token") or "tok-0").split("-")[1])
        matches = []
        for tweet in sorted(self.tweets, key=lambda t: int(t["id"]), reverse=True):
            if tweet["id"] in self.deleted:
                continue
            text = str(tweet.get("text", "")).lower()
            if not any(tag in text for tag in tags):
                continue
            if since_id and int(tweet["id"]) <= int(since_id):
                continue
            created = tweet.get("created_at")
            if start and isinstance(created, str) and created[:19] < start[:19]:
                continue
            if end and isinstance(created, str) and created[:19] >= end[:19]:
                continue
            matches.append(tweet)
        page = matches[offset : offset + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta["newest_id"] = page[0]["id"]
            meta["oldest_id"] = page[-1]["id"]
        if offset + size < len(matches):
            meta["next_token"] = f"tok-{offset + size}"
        body: dict[str, Any] = {"meta": meta}
        if page:
            body["data"] = page
            authors = {t.get("author_id") for t in page}
            body["includes"] = {"users": [u for i, u in self.users.items() if i in authors]}
        if self.notices:
            body["errors"] = self.notices
        return Response(200, body, self._headers())

    def _lookup(self, request: Request) -> Response:
        ids = (request.param("ids") or "").split(",")
        everything = [*self.tweets, *self.earlier_versions.values()]
        existing = {t["id"]: t for t in everything if t["id"] not in self.deleted}
        body: dict[str, Any] = {"data": [existing[i] for i in ids if i in existing]}
        missing = [i for i in ids if i not in existing]
        if missing:
            body["errors"] = [
                {"resource_id": i, "type": NOT_FOUND, "title": "Not Found Error"} for i in missing
            ]
        return Response(200, body, self._headers())
