"""Whole public pages from the shared cache for visitors who are not signed in.

Public pages (home, chats, topics, published recaps, calendars, feeds, the public API
lists) are the same for every visitor without an account, so ``PublicPageCacheMiddleware``
keeps each one in the cache (Redis in production, shared by all web processes) for
``CIVICCHAT_PAGE_CACHE_SECONDS`` and serves it from there without running the view.

**Invalidation.** One version number for all public pages. Every stored page records the
version it was rendered at and is never served under another. A service that changes
what public pages show calls ``bump_public_pages()`` once; the version moves when its
transaction commits (so no request can store the old content under the new version).
The callers: ``events.services.chats`` (update_chat, transition_chat — which the clock
uses too — and set_questions_published), ``events.services.topics.save_topic``,
``events.services.moderation`` (hide_post, unhide_post), ``recaps.services.editing.
record_version`` (every recap edit and workflow move records a version) and
``core.services.save_city``. The time limit covers what changes by itself (a chat
leaving "upcoming" when it ends); within it a page whose time is up is served once more
while one request renders it again (no stampede of renders).

**What is served from the cache**: a GET of a view in ``CACHED_VIEWS``, with no query
parameter outside ``CACHED_QUERY_PARAMS``, by a request that carries no cookie but the
language and CSRF cookies (so no session: not signed in; no pending messages), no
``Authorization`` header (API tokens) and is not an htmx request.
**What is stored**: such a request's 200 response that sets no cookie, is not marked
private, no-store or no-cache, varies on nothing but Cookie and Accept-Language (the key
holds the language; the request has no session) and embeds no CSP nonce. The key is the
scheme, host, path, query and language.

**Two levels.** The shared cache holds every stored page. Each web process also keeps
the pages it served last in memory and reads the version number from the shared cache
at most once a second, so most pages are served without any round trip; a change made
in one process reaches the others within that second (at once in the process that made
it).

**Placement**: first in MIDDLEWARE. A page is stored with every header the middlewares
below it added (HSTS, CSP, Permissions-Policy, ...) and served again with exactly those
headers, without running any middleware: one lookup in this process's memory, at most
one round trip to the shared cache. Those headers are the same for every request with
the same key (HSTS depends on the scheme, which is in it); a page whose
Content-Security-Policy carries a per-request nonce is never stored. A plain-HTTP
request that production redirects to HTTPS never finds a page (only 200s are stored).
Public API reads served from the cache do not count towards the anonymous API throttle:
they cost the server nothing.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import translation

logger = logging.getLogger(__name__)

VERSION_KEY = "public-pages:version"
# The views whose anonymous GETs are cached (URL names, namespaced).
CACHED_VIEWS = frozenset(
    {
        "core:home",
        "events:chat_list",
        "events:chat_detail",
        "events:topic_detail",
        "events:calendar",
        "events:chat_calendar",
        "events:topic_calendar",
        "events:chat_feed",
        "recaps:recap_detail",
        "recaps:recap_embed",
        "recaps:recap_feed",
        "v1:topic_list",
        "v1:chat_list",
        "v1:recap_list",
    }
)
# Query parameters those pages read (chat list filters and pages, API filters and
# cursors). A request with any other is rendered, not stored: made-up parameters
# (cache busters) must not fill the shared cache with copies of the same page.
CACHED_QUERY_PARAMS = frozenset(
    {
        "when",
        "topic",
        "page",
        "cursor",
        "page_size",
        "status",
        "hashtag",
        "starts_after",
        "starts_before",
    }
)
# A page is kept this much longer than it is fresh, to be served while being re-rendered.
STALE_GRACE_SECONDS = 30
# A stale page is re-rendered by one request at a time; others serve it meanwhile.
RENDER_LOCK_SECONDS = 10
MAX_BODY_BYTES = 2 * 1024 * 1024
# Each web process also keeps the pages it served last in memory (this many bytes at
# most) and reads the version number from the shared cache at most this often.
LOCAL_BYTES = 16 * 1024 * 1024
VERSION_CHECK_SECONDS = 1.0
MAX_QUERY_CHARS = 500
_VARY_IN_KEY = frozenset({"cookie", "accept-language"})
_UNCACHEABLE = frozenset({"private", "no-store", "no-cache"})


def bump_public_pages() -> None:
    """Make every cached public page stale once the current transaction commits (at
    once outside a transaction). What it changes: the version number in the cache."""
    transaction.on_commit(_bump, robust=True)


def _bump() -> None:
    LOCAL.forget_version()  # this process sees the change at once, the others within 1 s
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or evicted): any new number will do
        cache.set(VERSION_KEY, _new_version(), timeout=None)
    except Exception:
        logger.warning("cache unreachable; public pages not invalidated", exc_info=True)


def _new_version() -> int:
    # Never equal to a number used before, so an evicted counter cannot revive old pages.
    return time.time_ns()


def _version_of(found: dict[str, Any]) -> int:
    version = found.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return int(version)


class _LocalPages:
    """The pages this process served last (least recently used go first, within
    LOCAL_BYTES) and the version number as last read from the shared cache. Shared by
    the threads of a gthread worker, hence the lock."""

    def __init__(self, budget: int) -> None:
        self._lock = threading.Lock()
        self._pages: OrderedDict[str, tuple[Any, ...]] = OrderedDict()
        self._bytes = 0
        self._budget = budget
        self._version: int | None = None
        self._version_read_at = 0.0

    def recent_version(self) -> int | None:
        """The version, if read from the shared cache less than a second ago."""
        if time.monotonic() - self._version_read_at < VERSION_CHECK_SECONDS:
            return self._version
        return None

    def set_version(self, version: int) -> None:
        with self._lock:
            if version != self._version:  # every page kept here is stale
                self._pages.clear()
                self._bytes = 0
            self._version = version
            self._version_read_at = time.monotonic()

    def forget_version(self) -> None:
        self._version_read_at = 0.0

    def get(self, key: str) -> tuple[Any, ...] | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is not None:
                self._pages.move_to_end(key)
            return entry

    def put(self, key: str, entry: tuple[Any, ...]) -> None:
        size = len(entry[4])
        with self._lock:
            if entry[0] != self._version:
                return
            old = self._pages.pop(key, None)
            self._bytes += size - (len(old[4]) if old else 0)
            self._pages[key] = entry
            while self._bytes > self._budget:
                _key, evicted = self._pages.popitem(last=False)
                self._bytes -= len(evicted[4])

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0
            self._version = None
            self._version_read_at = 0.0


LOCAL = _LocalPages(LOCAL_BYTES)


def cached_per_version(name: str, build: Callable[[], bytes], *, seconds: int = 3600) -> bytes:
    """``build()`` computed once per version of the public pages and language, kept at
    most ``seconds``; for content that does not change with time by itself (calendar
    files). Builds every time when the cache is unreachable or the page cache is off."""
    if settings.CIVICCHAT_PAGE_CACHE_SECONDS <= 0:
        return build()
    key = f"public-bytes:{translation.get_language()}:{name}"
    try:
        found = cache.get_many([VERSION_KEY, key])
        version = _version_of(found)
    except Exception:
        logger.warning("cache unreachable; building %s", name, exc_info=True)
        return build()
    stored = found.get(key)
    if stored is not None and stored[0] == version:
        return bytes(stored[1])
    content = build()
    try:
        cache.set(key, (version, content), seconds)
    except Exception:
        logger.warning("cache unreachable; %s not stored", name, exc_info=True)
    return content


class PublicPageCacheMiddleware:
    """Serves and stores public pages for visitors who are not signed in (see the
    module's docstring for exactly which requests and responses)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        seconds = settings.CIVICCHAT_PAGE_CACHE_SECONDS
        if seconds <= 0 or not self._cacheable_request(request):
            return self.get_response(request)
        try:
            key = self._key(request)
        except DisallowedHost:
            return self.get_response(request)  # refused further in, as usual
        if key is None:
            return self.get_response(request)
        # This process's own copy: no round trip at all.
        version = LOCAL.recent_version()
        stored: tuple[Any, ...] = LOCAL.get(key) or ()
        if version is not None and stored and stored[0] == version and time.time() < stored[1]:
            return _rebuild(stored)
        # The shared cache: the version and the page in one round trip.
        try:
            found = cache.get_many([VERSION_KEY, key])
            version = _version_of(found)
        except Exception:
            logger.warning("cache unreachable; rendering %s", request.path, exc_info=True)
            return self.get_response(request)
        LOCAL.set_version(version)
        stored = found.get(key) or ()
        if stored and stored[0] == version:
            if time.time() < stored[1]:
                LOCAL.put(key, stored)
                return _rebuild(stored)
            if not self._claim_render(key):
                return _rebuild(stored)  # stale, while another request renders it

        response = self.get_response(request)
        if isinstance(response, HttpResponse) and self._storable(request, response):
            entry = (
                version,
                time.time() + seconds,
                response.status_code,
                list(response.items()),
                response.content,
            )
            try:
                cache.set(key, entry, seconds + STALE_GRACE_SECONDS)
            except Exception:
                logger.warning("cache unreachable; %s not stored", request.path, exc_info=True)
            LOCAL.put(key, entry)
        return response

    @staticmethod
    def _claim_render(key: str) -> bool:
        """True for the one request that re-renders a page whose time is up."""
        try:
            return bool(cache.add(f"{key}:rendering", 1, RENDER_LOCK_SECONDS))
        except Exception:
            logger.warning("cache unreachable", exc_info=True)
            return False

    @staticmethod
    def _cacheable_request(request: HttpRequest) -> bool:
        allowed_cookies = {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
        return (
            request.method == "GET"
            and set(request.COOKIES) <= allowed_cookies
            and "HTTP_AUTHORIZATION" not in request.META
            and "HTTP_HX_REQUEST" not in request.META
            and _known_query(request)
        )

    @staticmethod
    def _key(request: HttpRequest) -> str | None:
        if not _is_cached_view(get_urlconf() or settings.ROOT_URLCONF, request.path_info):
            return None
        # What LocaleMiddleware will choose (from the cookie or Accept-Language).
        language = translation.get_language_from_request(request)
        url = request.build_absolute_uri()
        digest = hashlib.sha256(f"{language}\n{url}".encode()).hexdigest()
        return f"public-page:{digest}"

    @staticmethod
    def _storable(request: HttpRequest, response: HttpResponse) -> bool:
        if response.status_code != 200 or response.cookies:
            return False
        if isinstance(getattr(request, "_csp_nonce", None), str):
            return False  # the page and its policy carry this request's nonce
        directives = {
            part.split("=", 1)[0].strip().lower()
            for part in response.get("Cache-Control", "").split(",")
        }
        vary = {part.strip().lower() for part in response.get("Vary", "").split(",")} - {""}
        return (
            not directives & _UNCACHEABLE
            and vary <= _VARY_IN_KEY
            and len(response.content) <= MAX_BODY_BYTES
        )


def _known_query(request: HttpRequest) -> bool:
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return True
    if len(query) > MAX_QUERY_CHARS:
        return False
    return all(
        name in CACHED_QUERY_PARAMS and len(values) == 1 for name, values in request.GET.lists()
    )


@functools.lru_cache(maxsize=4096)
def _is_cached_view(urlconf: str, path: str) -> bool:
    """Whether ``path`` is a view in CACHED_VIEWS, remembered per path: resolving costs
    more than serving a page from this process's memory."""
    try:
        return resolve(path, urlconf).view_name in CACHED_VIEWS
    except Resolver404:
        return False


def _rebuild(stored: tuple[Any, ...]) -> HttpResponse:
    _version, _fresh_until, status, headers, content = stored
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response
