"""What every platform client shares: the parsed shapes, the errors and the HTTP layer.

A client turns one poll cycle into an iterator of ``Page``s. It never sleeps and never
retries on its own: a rate limit, a server error or a rejected credential ends the cycle
with an exception that says when to come back (``RateLimited.reset_at``) or why not
(``CredentialsRejected``). Scheduling is the service's business.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

USER_AGENT = "CivicChat/1.0 (public hashtag chat archive)"


# --- errors ---------------------------------------------------------------------------


class CaptureError(Exception):
    """A poll cycle that could not finish. ``message`` is shown to staff."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class RateLimited(CaptureError):
    """429: come back at ``reset_at`` (None when the platform did not say)."""

    def __init__(self, message: str, *, reset_at: datetime | None, status: int = 429) -> None:
        super().__init__(message, status=status)
        self.reset_at = reset_at


class CredentialsRejected(CaptureError):
    """401/403, or credentials missing: polling again will not help until someone acts."""


class TemporaryFailure(CaptureError):
    """5xx, a timeout, a dropped connection or an unreadable page: retry with backoff."""


class RequestRejected(CaptureError):
    """Another 4xx (a bad query, an unknown hashtag endpoint): retry with backoff."""


# --- parsed shapes --------------------------------------------------------------------


@dataclass(frozen=True)
class RateLimit:
    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None


@dataclass
class ParsedPost:
    """One post in the shape of ``events.models.Post`` (sanitised, keys normalised)."""

    platform: str
    external_key: str
    source_item_id: str
    author_handle: str
    author_name: str
    author_url: str
    author_avatar_url: str
    text: str
    html: str
    created_at: datetime
    url: str
    reply_to_key: str = ""
    conversation_key: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    language: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemError:
    """A skipped item (or a notice sent with a good page): ``{"item": ..., "reason": ...}``."""

    item: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"item": self.item, "reason": self.reason}


@dataclass
class Page:
    """One response: its posts, what was skipped, and the cursor to keep if the cycle
    ends here (the service stores the last page's cursor once the cycle completes)."""

    posts: list[ParsedPost]
    errors: list[ItemError] = field(default_factory=list)
    cursor: dict[str, Any] = field(default_factory=dict)
    rate_limit: RateLimit | None = None
    # Keys the platform says no longer exist (deletion checks in the sweep).
    deleted_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Window:
    """The capture window of a chat, and whether this is the catch-up sweep after it."""

    opens_at: datetime
    closes_at: datetime
    sweep: bool = False


@dataclass(frozen=True)
class KnownPost:
    """A stored post the sweep asks the platform about (deleted or not)."""

    external_key: str
    source_item_id: str


class PlatformClient(Protocol):
    def poll(
        self, *, hashtags: list[str], cursor: dict[str, Any], window: Window
    ) -> Iterator[Page]:
        """Pages of one cycle, newest first; each page's ``cursor`` is the one to keep."""
        ...

    def verify(self, *, posts: list[KnownPost]) -> Iterator[Page]:
        """Pages whose ``deleted_keys`` name the posts that are gone at the source."""
        ...

    def close(self) -> None: ...


# --- helpers --------------------------------------------------------------------------


def parse_datetime(value: object) -> datetime:
    """An aware UTC datetime from an ISO-8601 string; ValueError when it is not one."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"not a timestamp: {value!r}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return parsed.astimezone(UTC)


def epoch_reset(value: str | None) -> datetime | None:
    """X and Bluesky send the reset as epoch seconds."""
    try:
        return datetime.fromtimestamp(int(float(value or "")), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def iso_reset(value: str | None) -> datetime | None:
    """Mastodon sends the reset as an ISO-8601 time."""
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class HttpClient:
    """httpx with the project's timeout and the platform's rate-limit headers.

    ``limit_header``/``remaining_header``/``reset_header`` name the headers (they differ
    per platform) and ``reset_parser`` reads the reset time.
    """

    def __init__(
        self,
        *,
        base_url: str,
        platform_name: str,
        limit_header: str,
        remaining_header: str,
        reset_header: str,
        reset_parser: Callable[[str | None], datetime | None],
        headers: dict[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.platform_name = platform_name
        self.limit_header = limit_header
        self.remaining_header = remaining_header
        self.reset_header = reset_header
        self.reset_parser = reset_parser
        self.client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=settings.HTTP_TIMEOUT_SECONDS,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self.client.close()

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """The response, whatever its status; network failures become TemporaryFailure."""
        try:
            return self.client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise TemporaryFailure(f"{self.platform_name} did not answer in time ({exc}).") from exc
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"Could not reach {self.platform_name}: {exc}.") from exc

    def rate_limit(self, response: httpx.Response) -> RateLimit:
        headers = response.headers
        return RateLimit(
            limit=_int_or_none(headers.get(self.limit_header)),
            remaining=_int_or_none(headers.get(self.remaining_header)),
            reset_at=self.reset_parser(headers.get(self.reset_header)),
        )

    def check(self, response: httpx.Response) -> None:
        """Raise the CaptureError that a non-2xx response means."""
        status = response.status_code
        if status < 300:
            return
        name = self.platform_name
        detail = response.text[:300]
        if status == 429:
            reset_at = self.rate_limit(response).reset_at
            raise RateLimited(f"{name} rate limit reached.", reset_at=reset_at)
        if status in (401, 403):
            raise CredentialsRejected(
                f"{name} refused our credentials (HTTP {status}). Check the token or "
                f"password in the settings, then resume the source. {detail}",
                status=status,
            )
        if status >= 500:
            raise TemporaryFailure(f"{name} had a server error (HTTP {status}).", status=status)
        raise RequestRejected(
            f"{name} rejected the request (HTTP {status}): {detail}", status=status
        )

    def get_json(self, url: str, **kwargs: Any) -> tuple[Any, httpx.Response]:
        response = self.send("GET", url, **kwargs)
        self.check(response)
        return self.json(response), response

    def json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise TemporaryFailure(
                f"{self.platform_name} sent a page that is not JSON (HTTP {response.status_code})."
            ) from exc


def item_label(item: object, *keys: str) -> str:
    """Something to name a malformed item by in the run's errors."""
    if isinstance(item, dict):
        for key in keys:
            if item.get(key):
                return str(item[key])[:200]
    return repr(item)[:200]
