"""A fake Mastodon instance: the hashtag timeline (max_id / since_id / min_id, limit,
any[], Link headers) and status lookup, with X-RateLimit-* headers (ISO-8601 reset).

Several fakes can "federate" the same status: ``add_status(uri=...)`` with a uri from
another instance gives it this instance's own id, as Mastodon does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tests.fakes.server import FakeServer, Request, Response


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class FakeMastodon(FakeServer):
    def __init__(self, *, domain: str = "social.example", token: str | None = None) -> None:
        super().__init__()
        self.domain = domain
        self.token = token  # when set, requests without it get 401
        self.statuses: list[dict[str, Any]] = []  # ascending id
        self.deleted: set[str] = set()
        self.next_id = 110_000_000_000_000_000
        self.reset_at = datetime.now(UTC) + timedelta(minutes=5)

    def add_status(
        self,
        text: str,
        *,
        acct: str = "resident",
        tags: list[str] | None = None,
        created_at: datetime | None = None,
        uri: str | None = None,
        reply_to: str | None = None,
        reblog_of: str | None = None,
        raw: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Add a status (``raw`` replaces the payload: malformed items). Returns it."""
        with self.lock:
            self.next_id += 1
            status_id = str(self.next_id)
            if raw is not None:
                status = {
                    "id": status_id,
                    "_tags": [t.lstrip("#").lower() for t in tags or []],
                    **raw,
                }
                self.statuses.append(status)
                return status
            username = acct.split("@")[0]
            status = {
                "id": status_id,
                "uri": uri or f"https://{self.domain}/users/{username}/statuses/{status_id}",
                "url": f"https://{self.domain}/@{username}/{status_id}",
                "created_at": _ts(created_at or datetime.now(UTC)),
                "content": f"<p>{text}</p>",
                "language": "en",
                "in_reply_to_id": reply_to,
                "reblog": None,
                "replies_count": 0,
                "reblogs_count": 0,
                "favourites_count": 0,
                "account": {
                    "id": "1",
                    "acct": acct,
                    "username": username,
                    "display_name": username.title(),
                    "url": f"https://{self.domain}/@{username}",
                    "avatar": f"https://{self.domain}/avatars/{username}.png",
                },
                "_tags": [tag.lstrip("#").lower() for tag in tags or []],
            }
            if reblog_of:
                original = next(s for s in self.statuses if s["id"] == reblog_of)
                status["reblog"] = original
                status["_tags"] = original["_tags"]
            self.statuses.append(status)
            return status

    def edit(self, status_id: str, text: str) -> None:
        with self.lock:
            status = next(s for s in self.statuses if s["id"] == status_id)
            status["content"] = f"<p>{text}</p>"
            status["edited_at"] = _ts(datetime.now(UTC))

    def _headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "299",
            "X-RateLimit-Reset": self.reset_at.isoformat().replace("+00:00", "Z"),
        }

    def route(self, request: Request) -> Response:
        if self.token and request.headers.get("authorization") != f"Bearer {self.token}":
            return Response(401, {"error": "The access token is invalid"}, self._headers())
        if request.path.startswith("/api/v1/timelines/tag/"):
            return self._timeline(request)
        if request.path.startswith("/api/v1/statuses/"):
            status_id = request.path.rsplit("/", 1)[-1]
            for status in self.statuses:
                if status["id"] == status_id and status_id not in self.deleted:
                    return Response(200, self._public(status), self._headers())
            return Response(404, {"error": "Record not found"}, self._headers())
        return Response(404, {"error": "Not found"})

    @staticmethod
    def _public(status: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in status.items() if not k.startswith("_")}

    def _timeline(self, request: Request) -> Response:
        tags = {request.path.rsplit("/", 1)[-1].lower()} | {
            tag.lower() for tag in request.query.get("any[]", [])
        }
        limit = min(int(request.param("limit") or 20), 40)
        max_id, since_id, min_id = (request.param(n) for n in ("max_id", "since_id", "min_id"))
        matching = [
            s
            for s in self.statuses
            if s["id"] not in self.deleted and tags & set(s.get("_tags", []))
        ]
        if max_id:
            matching = [s for s in matching if int(s["id"]) < int(max_id)]
        if since_id:
            matching = [s for s in matching if int(s["id"]) > int(since_id)]
        if min_id:
            # The statuses immediately after min_id, still returned newest first.
            matching = [s for s in matching if int(s["id"]) > int(min_id)][:limit]
            page = list(reversed(matching))
        else:
            page = list(reversed(matching))[:limit]
        headers = self._headers()
        if page:
            base = f"{self.url}{request.path}"
            headers["Link"] = (
                f'<{base}?{urlencode({"max_id": page[-1]["id"]})}>; rel="next", '
                f'<{base}?{urlencode({"min_id": page[0]["id"]})}>; rel="prev"'
            )
        return Response(200, [self._public(s) for s in page], headers)
