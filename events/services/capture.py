"""Write paths for capture: sources, the dispatcher, one poll of a source, the upsert.

Guarantees (docs/architecture.md, "Capture"):

- One row per post: ``upsert_posts`` inserts with ON CONFLICT (platform, external_key)
  DO UPDATE, so the same page stored twice, or by two pollers at once, leaves one row.
- Two polls of one source never overlap: ``source_lock`` (``cache.add`` with a timeout,
  Redis in production) is held for the whole cycle.
- Every poll is a ``CaptureRun``; nothing sleeps: rate limits, 5xx/timeouts (backoff
  with jitter) and rejected credentials all end as a new ``next_poll_at`` or a state.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, cast

import orjson
import psycopg
from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.utils import timezone

from core.prefetch import prefetched
from events.capture_selectors import (
    CAPTURED_STATUSES,
    capture_window,
    host_handles,
    sweep_due_at,
)
from events.integrations import client_for
from events.integrations.base import (
    CaptureError,
    CredentialsRejected,
    ItemError,
    KnownPost,
    ParsedPost,
    PlatformClient,
    RateLimited,
    Window,
)
from events.integrations.mastodon import LOCAL_REPLY_PREFIX
from events.models import (
    CaptureRun,
    CaptureSource,
    Chat,
    Platform,
    Post,
    RunKind,
    RunStatus,
    SourceState,
)
from events.services.questions import detect_questions_after_capture

logger = logging.getLogger(__name__)

UPSERT_BATCH_SIZE = 1000
# Written on conflict. Never: chat (a post stays in the chat that first captured it),
# source and source_item_id (first source wins, so a Mastodon id stays paired with its
# instance), moderation fields (staff decisions survive re-polls), first_seen_at.
POST_UPDATE_FIELDS = [
    "author_handle",
    "author_name",
    "author_url",
    "author_avatar_url",
    "text",
    "html",
    "created_at",
    "url",
    "reply_to_key",
    "conversation_key",
    "metrics",
    "language",
    "raw",
    "content_hash",
    "is_official",
    "deleted_at",
    "updated_at",
]


# --- sources --------------------------------------------------------------------------


def _credentials_problem(platform: str) -> str:
    if platform == Platform.X and not settings.X_BEARER_TOKEN:
        return "X needs a bearer token: set X_BEARER_TOKEN, then resume this source."
    if platform == Platform.BLUESKY and not (
        settings.BLUESKY_HANDLE and settings.BLUESKY_APP_PASSWORD
    ):
        return (
            "Bluesky needs an account: set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD, "
            "then resume this source."
        )
    return ""


@transaction.atomic
def ensure_capture_sources(*, chat: Chat) -> list[CaptureSource]:
    """Create the missing sources of ``chat``: one per platform it is held on (one per
    configured instance for Mastodon), querying all its hashtags, first poll when the
    window opens. A platform without credentials starts as "needs credentials".
    Existing sources are left as they are. Returns all the chat's sources."""
    query = " ".join(chat.hashtags)
    opens_at, _closes_at = capture_window(chat)
    wanted: list[tuple[str, str]] = []
    for platform in chat.platforms:
        if platform == Platform.MASTODON:
            wanted += [(platform, url) for url in settings.MASTODON_INSTANCES]
        elif platform in (Platform.X, Platform.BLUESKY):
            wanted.append((platform, ""))
    existing = set(
        CaptureSource.objects.filter(chat=chat).values_list("platform", "instance_base_url")
    )
    new = []
    for platform, instance in wanted:
        if (platform, instance) in existing:
            continue
        problem = _credentials_problem(platform)
        new.append(
            CaptureSource(
                chat=chat,
                platform=platform,
                query=query,
                instance_base_url=instance,
                state=SourceState.NEEDS_CREDENTIALS if problem else SourceState.ACTIVE,
                last_error=problem,
                next_poll_at=None if problem else opens_at,
            )
        )
    CaptureSource.objects.bulk_create(new)
    return list(CaptureSource.objects.filter(chat=chat).order_by("platform", "pk"))


@transaction.atomic
def resume_capture_source(*, source_id: int, now: datetime | None = None) -> CaptureSource:
    """Make a paused or needs-credentials source active again and due now."""
    source = CaptureSource.objects.select_for_update().get(pk=source_id)
    source.state = SourceState.ACTIVE
    source.failures = 0
    source.last_error = ""
    source.next_poll_at = now or timezone.now()
    source.save(update_fields=["state", "failures", "last_error", "next_poll_at", "updated_at"])
    return source


@transaction.atomic
def reschedule_chat_capture(*, chat: Chat) -> int:
    """After a chat's times change: its active, unswept sources poll at the new window's
    opening (or at once if it is already open). Returns how many sources moved."""
    opens_at, _closes_at = capture_window(chat)
    return CaptureSource.objects.filter(
        chat=chat, state=SourceState.ACTIVE, swept_at__isnull=True
    ).update(next_poll_at=max(opens_at, timezone.now()), updated_at=timezone.now())


# --- the per-source lock --------------------------------------------------------------


def _lock_key(source_id: int) -> str:
    return f"capture:lock:source:{source_id}"


@contextmanager
def source_lock(source_id: int) -> Iterator[bool]:
    """Hold the poll lock of a source: yields True if we got it, False if someone has it.

    ``cache.add`` is atomic on Redis (SET NX) and expires after CAPTURE_LOCK_SECONDS, so
    a killed worker cannot hold it for long. Released only by its holder (token check).
    """
    key = _lock_key(source_id)
    token = uuid.uuid4().hex
    acquired = cache.add(key, token, timeout=settings.CAPTURE_LOCK_SECONDS)
    try:
        yield acquired
    finally:
        # get-then-delete is not atomic, but the lock outlives the hard time limit, so
        # our token can only have expired here if this process overran by minutes.
        if acquired and cache.get(key) == token:
            cache.delete(key)


# --- the dispatcher ---------------------------------------------------------------------


def dispatch_due_captures(*, now: datetime | None = None) -> list[int]:
    """Beat's capture tick. Creates sources for chats about to open, closes runs left
    "running" by a dead worker, then claims due sources and queues one poll each on commit.

    Claiming pushes ``next_poll_at`` ahead by the lease, so the next tick does not queue
    them again; if a task is lost, the source is due again after the lease. On
    PostgreSQL rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED, so two
    dispatchers never claim the same source; on SQLite (development), which has no row
    locks, Django drops the clause and the write lock serialises dispatchers instead.
    """
    now = now or timezone.now()
    _ensure_sources_for_open_chats(now)
    _close_abandoned_runs(now)
    lease = now + timedelta(seconds=settings.CAPTURE_CLAIM_LEASE_SECONDS)
    with transaction.atomic():
        due = CaptureSource.objects.filter(
            state=SourceState.ACTIVE,
            next_poll_at__lte=now,
            chat__status__in=CAPTURED_STATUSES,
        ).order_by("next_poll_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("pk", flat=True)[: settings.CAPTURE_DISPATCH_BATCH])
        if ids:
            CaptureSource.objects.filter(pk__in=ids).update(next_poll_at=lease, updated_at=now)
            transaction.on_commit(lambda: _queue_polls(ids), robust=True)
    return ids


def _queue_polls(source_ids: list[int]) -> None:
    from events.tasks import task_poll_capture_source  # tasks import this module

    for source_id in source_ids:
        task_poll_capture_source.apply_async(
            kwargs={"source_id": source_id}, queue=settings.CAPTURE_QUEUE
        )


def _ensure_sources_for_open_chats(now: datetime) -> None:
    before = timedelta(seconds=settings.CAPTURE_WINDOW_BEFORE_SECONDS)
    after = timedelta(seconds=settings.CAPTURE_WINDOW_AFTER_SECONDS)
    chats = Chat.objects.filter(
        status__in=("scheduled", "live"),
        starts_at__lte=now + before + timedelta(hours=1),
        ends_at__gte=now - after,
        capture_sources__isnull=True,
    )
    for chat in chats:
        ensure_capture_sources(chat=chat)


def _close_abandoned_runs(now: datetime) -> None:
    # A run still "running" after the lock expired lost its worker (killed, OOM).
    stale = now - timedelta(seconds=settings.CAPTURE_LOCK_SECONDS)
    CaptureRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=stale).update(
        status=RunStatus.FAILED, ended_at=now, message="The worker stopped during this poll."
    )


# --- upsert -------------------------------------------------------------------------------


@dataclass
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: UpsertCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged


def _digested(post: ParsedPost, is_official: bool) -> tuple[bytes, str]:
    """The post's content fields as one JSON array (_DIGEST_FIELDS order, text cut to
    the columns' lengths, keys sorted, compact) and its digest, the SHA-256 of that
    JSON. On PostgreSQL the same JSON is the row sent to the server: each post is
    encoded once. orjson: a quarter of the json module's time (bench/ingest.py)."""
    fields = [
        post.author_handle[:300], post.author_name[:300], post.author_url[:1000],
        post.author_avatar_url[:1000], post.text, post.html, post.created_at.isoformat(),
        post.url[:1000], post.reply_to_key[:500], post.conversation_key[:500], post.metrics,
        post.language[:20], is_official,
    ]  # fmt: skip
    encoded = _dumps(fields, sort_keys=True)
    return encoded, hashlib.sha256(encoded).hexdigest()


def _dumps(value: Any, *, sort_keys: bool = False) -> bytes:
    """Compact JSON in UTF-8. orjson refuses what a payload may still hold: integers
    beyond 64 bits, and lone UTF-16 surrogates (``"\\ud800"`` decodes to one; no UTF-8
    can carry it, nor can PostgreSQL's jsonb). The json module writes those, a lone
    surrogate as "?", so such a post is stored instead of failing its page on every poll.
    The same value always takes the same path, so a post's digest is stable."""
    try:
        return orjson.dumps(value, default=str, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except orjson.JSONEncodeError:
        text = json.dumps(
            value, default=str, sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=False
        )
        return text.encode("utf-8", errors="replace")


def _digest(post: ParsedPost, is_official: bool) -> str:
    return _digested(post, is_official)[1]


def _batches(items: Iterable[ParsedPost], size: int) -> Iterator[list[ParsedPost]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def upsert_posts(
    *,
    chat_id: int,
    posts: Iterable[ParsedPost],
    source_id: int | None = None,
    officials: dict[str, set[str]] | None = None,
    batch_size: int = UPSERT_BATCH_SIZE,
) -> UpsertCounts:
    """Store ``posts`` (any iterable, consumed in batches) in chat ``chat_id``.

    Per batch, one INSERT ... ON CONFLICT (platform, external_key) DO UPDATE that
    rewrites a stored post only when its content digest changed (an edit, new metrics):
    unchanged posts are not rewritten, and a post deleted earlier is undeleted only
    when it comes back changed. ``officials`` maps platform -> host handles (looked up
    when omitted).

    On PostgreSQL a batch is that one statement, its rows sent as one JSON parameter,
    and the counts come from the statement itself (RETURNING), so they are exact even
    with concurrent writers. On SQLite (development) a SELECT of the stored digests
    comes first and the counts come from it.
    """
    counts = UpsertCounts()
    if officials is None:
        officials = {p: host_handles(chat_id=chat_id, platform=p) for p in Platform.values}
    upsert = _upsert_batch_postgres if connection.vendor == "postgresql" else _upsert_batch
    for batch in _batches(posts, batch_size):
        counts.add(upsert(chat_id, batch, source_id, officials))
    return counts


def _upsert_batch(
    chat_id: int,
    batch: list[ParsedPost],
    source_id: int | None,
    officials: dict[str, set[str]],
) -> UpsertCounts:
    """SQLite (any database but PostgreSQL): SELECT the stored digests, then
    bulk_create(update_conflicts=True) of the new and changed posts only."""
    # Last one wins: ON CONFLICT DO UPDATE cannot touch the same row twice in a statement.
    by_key = {(post.platform, post.external_key): post for post in batch}
    existing: dict[tuple[str, str], str] = {}
    for platform in {platform for platform, _key in by_key}:
        keys = [key for p, key in by_key if p == platform]
        rows = Post.objects.filter(platform=platform, external_key__in=keys).values_list(
            "external_key", "content_hash"
        )
        existing.update({(platform, key): digest for key, digest in rows})
    counts = UpsertCounts()
    now = timezone.now()
    to_write = []
    for key, post in by_key.items():
        is_official = post.author_handle in officials.get(post.platform, set())
        digest = _digest(post, is_official)
        old = existing.get(key)
        if old == digest:
            counts.unchanged += 1
            continue
        if old is None:
            counts.new += 1
        else:
            counts.updated += 1
        to_write.append(
            Post(
                platform=post.platform,
                external_key=post.external_key,
                source_item_id=post.source_item_id,
                chat_id=chat_id,
                source_id=source_id,
                author_handle=post.author_handle[:300],
                author_name=post.author_name[:300],
                author_url=post.author_url[:1000],
                author_avatar_url=post.author_avatar_url[:1000],
                text=post.text,
                html=post.html,
                created_at=post.created_at,
                url=post.url[:1000],
                reply_to_key=post.reply_to_key[:500],
                conversation_key=post.conversation_key[:500],
                metrics=post.metrics,
                language=post.language[:20],
                raw=post.raw,
                content_hash=digest,
                is_official=is_official,
                hidden=False,
                hidden_reason="",
                highlighted=False,
                deleted_at=None,
                first_seen_at=now,
                updated_at=now,
            )
        )
    if to_write:
        with transaction.atomic():
            Post.objects.bulk_create(
                to_write,
                update_conflicts=True,
                unique_fields=["platform", "external_key"],
                update_fields=POST_UPDATE_FIELDS,
            )
    return counts


# --- upsert on PostgreSQL ---------------------------------------------------------------
#
# One batch = one statement, in one round trip (and its own transaction when the caller
# has none):
#
#   INSERT INTO events_post AS post (...)
#   SELECT r->>0, ..., <chat, source, moderation defaults, now>
#   FROM jsonb_array_elements(<the batch as one JSON array of rows>) AS r
#   ON CONFLICT (platform, external_key) DO UPDATE SET <POST_UPDATE_FIELDS>
#     WHERE post.content_hash IS DISTINCT FROM EXCLUDED.content_hash
#   RETURNING (post.xmax = 0)
#
# - No SELECT of the stored keys first: the unique index arbitrates (no plan that
#   depends on fresh statistics), the WHERE skips unchanged rows, and RETURNING gives
#   one row per inserted (xmax = 0) or updated post; the batch's other posts were
#   unchanged. The counts are exact, even with concurrent writers.
# - The batch travels as a bound parameter: each post encoded once in Python (orjson), one
#   jsonb parse on the server, ``metrics`` and ``raw`` taken out of it as jsonb without
#   being encoded or parsed again. No COPY, no staging table (session state, extra
#   round trips, TRUNCATE per batch), no per-column array adaptation in Python (what
#   makes bulk_create slow here); bench/ingest.py measures the path.
# - Only per-post values are in the JSON; the chat, source, moderation defaults and
#   timestamps are the same for the whole batch and are parameters.
# - Server-side binding: the JSON (~100 KB for 100 posts) is neither escaped into the
#   SQL text nor kept in Django's query log under DEBUG.

# Per-post fields, in the order of the JSON rows built by _json_rows: the keys, the
# digest, the raw payload, then the digested fields as _digested encodes them.
_KEY_FIELDS = ["platform", "external_key", "source_item_id", "content_hash", "raw"]
_DIGEST_FIELDS = [
    "author_handle", "author_name", "author_url", "author_avatar_url", "text", "html",
    "created_at", "url", "reply_to_key", "conversation_key", "metrics", "language",
    "is_official",
]  # fmt: skip
_ROW_FIELDS = [*_KEY_FIELDS, *_DIGEST_FIELDS]
_JSON_FIELDS = {"metrics", "raw"}


def _column(name: str) -> str:
    return cast("models.Field[Any, Any]", Post._meta.get_field(name)).column


@functools.cache
def _postgres_upsert_sql() -> str:
    """The upsert statement, built from the model once (psycopg %(name)s parameters)."""
    key_type = cast("models.ForeignKey[Any, Any]", Post._meta.get_field("chat")).db_type(connection)
    values = []
    for index, name in enumerate(_ROW_FIELDS):
        field = cast("models.Field[Any, Any]", Post._meta.get_field(name))
        if name in _JSON_FIELDS:
            values.append(f"r->{index}")  # jsonb as it is
        elif isinstance(field, models.CharField | models.TextField):
            # text, assigned to the column: too long is an error, never a silent cut
            values.append(f"r->>{index}")
        else:
            values.append(f"(r->>{index})::{field.db_type(connection)}")
    batch_values = {  # the same for every post of the batch
        "chat": f"%(chat_id)s::{key_type}",
        "source": f"%(source_id)s::{key_type}",
        "hidden": "false",
        "hidden_reason": "''",
        "highlighted": "false",
        "deleted_at": "NULL",
        "first_seen_at": "%(now)s::timestamptz",
        "updated_at": "%(now)s::timestamptz",
    }
    columns = ", ".join(_column(name) for name in [*_ROW_FIELDS, *batch_values])
    updates = ", ".join(f"{_column(f)} = EXCLUDED.{_column(f)}" for f in POST_UPDATE_FIELDS)
    # SQL built from strings (S608, bandit B608): only our own table and column names are
    # formatted in; the rows travel as a parameter.
    return (
        f"INSERT INTO {Post._meta.db_table} AS post ({columns}) "  # noqa: S608  # nosec
        f"SELECT {', '.join([*values, *batch_values.values()])} "
        f"FROM jsonb_array_elements(%(rows)s::jsonb) AS r "
        f"ON CONFLICT (platform, external_key) DO UPDATE SET {updates} "
        f"WHERE post.content_hash IS DISTINCT FROM EXCLUDED.content_hash "
        f"RETURNING (post.xmax = 0)"
    )


def _json_rows(posts: Iterable[ParsedPost], officials: dict[str, set[str]]) -> str:
    """The batch as a JSON array of rows in _ROW_FIELDS order. The digested fields are
    spliced in as _digested encoded them for the digest, not encoded a second time."""
    rows = []
    no_officials: set[str] = set()
    for post in posts:
        is_official = post.author_handle in officials.get(post.platform, no_officials)
        fields, digest = _digested(post, is_official)
        keys = _dumps([post.platform, post.external_key, post.source_item_id, digest, post.raw])
        rows.append(keys[:-1] + b"," + fields[1:])
    return (b"[" + b",".join(rows) + b"]").decode()


def _upsert_batch_postgres(
    chat_id: int,
    batch: list[ParsedPost],
    source_id: int | None,
    officials: dict[str, set[str]],
) -> UpsertCounts:
    # Last one wins: ON CONFLICT DO UPDATE cannot touch the same row twice in a statement.
    posts = {(post.platform, post.external_key): post for post in batch}
    params = {
        "chat_id": chat_id,
        "source_id": source_id,
        "now": timezone.now(),
        "rows": _json_rows(posts.values(), officials),
    }
    with _server_binding_cursor() as cursor:
        cursor.execute(_postgres_upsert_sql(), params)
        inserted = [flag for (flag,) in cursor.fetchall()]
    new = sum(inserted)
    return UpsertCounts(new=new, updated=len(inserted) - new, unchanged=len(posts) - len(inserted))


def _server_binding_cursor() -> Any:
    """What ``connection.cursor()`` gives (health check, Django's wrapper: query log,
    execute wrappers, error translation), around a psycopg cursor that binds parameters
    on the server: Django's default cursor binds them into the SQL text. The query
    log keeps the SQL with $n placeholders only."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = psycopg.Cursor(connection.connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    return wrap(cast("Any", cursor))


def mark_posts_deleted(*, platform: str, keys: list[str], now: datetime | None = None) -> int:
    """Note that the platform no longer has these posts; they leave public pages."""
    if not keys:
        return 0
    now = now or timezone.now()
    return Post.objects.filter(
        platform=platform, external_key__in=keys, deleted_at__isnull=True
    ).update(deleted_at=now, updated_at=now)


def _resolve_local_replies(source: CaptureSource) -> None:
    """Mastodon replies name their parent by this instance's id: swap in its uri."""
    pending = list(
        Post.objects.filter(source=source, reply_to_key__startswith=LOCAL_REPLY_PREFIX).values_list(
            "pk", "reply_to_key"
        )
    )
    if not pending:
        return
    local_ids = {key.removeprefix(LOCAL_REPLY_PREFIX) for _pk, key in pending}
    parents = dict(
        Post.objects.filter(source=source, source_item_id__in=local_ids).values_list(
            "source_item_id", "external_key"
        )
    )
    for pk, key in pending:
        parent = parents.get(key.removeprefix(LOCAL_REPLY_PREFIX))
        if parent:
            Post.objects.filter(pk=pk).update(reply_to_key=parent)


# --- one poll ---------------------------------------------------------------------------


@dataclass
class PollResult:
    """What one call of ``poll_source`` did (printed by ``manage.py capture``)."""

    source_id: int
    status: str  # a RunStatus value, or "skipped"
    run_id: int | None = None
    kind: str = ""
    pages: int = 0
    new: int = 0
    updated: int = 0
    deleted: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    message: str = ""
    next_poll_at: datetime | None = None
    progress_saved_at: float = field(default=float("-inf"), repr=False)


RUN_COUNT_FIELDS = ["pages", "new_posts", "updated_posts", "deleted_posts", "errors"]
RUN_PROGRESS_SECONDS = 1.0


def _jitter(seconds: float) -> float:
    # Jitter spreads retries of many sources; not security-sensitive.
    return random.uniform(seconds / 2, seconds)  # noqa: S311


def backoff_delay(failures: int) -> timedelta:
    """Exponential backoff with jitter for the ``failures``-th consecutive failure."""
    ceiling = min(
        settings.CAPTURE_BACKOFF_MAX_SECONDS,
        settings.CAPTURE_BACKOFF_BASE_SECONDS * 2 ** max(failures - 1, 0),
    )
    return timedelta(seconds=_jitter(ceiling))


def _run_kind(
    source: CaptureSource, now: datetime, force: bool
) -> tuple[str | None, datetime | None]:
    """(kind of run to do now, or None) and, when None, when the source is next due."""
    opens_at, closes_at = capture_window(source.chat)
    if source.swept_at and not force:
        return None, None
    if now >= closes_at:
        sweep_at = sweep_due_at(source.chat)
        if force or now >= sweep_at:
            return RunKind.SWEEP, None
        return None, sweep_at
    if now < opens_at and not force:
        return None, opens_at
    return RunKind.POLL, None


def _next_after_success(
    source: CaptureSource, started_at: datetime, ended_at: datetime
) -> datetime | None:
    if source.swept_at:
        return None
    opens_at, closes_at = capture_window(source.chat)
    if ended_at < opens_at:
        return opens_at
    if ended_at < closes_at:
        return min(
            max(started_at + timedelta(seconds=settings.CAPTURE_POLL_INTERVAL_SECONDS), ended_at),
            closes_at,
        )
    return sweep_due_at(source.chat)


def poll_source(*, source_id: int, force: bool = False) -> PollResult:
    """Run one poll cycle of a source if it is active and due (``force``: due now).

    Side effects: holds the source's lock for the cycle (returns "skipped", no run,
    when another poll holds it); writes one CaptureRun (committed as "running" at once,
    counts updated page by page); upserts each page's posts in its own transaction, so
    a cycle cut short keeps what it stored; in the sweep after the window, re-reads the
    whole window and marks posts the platform no longer has as deleted. When the cycle
    ends it stores the new cursor (only after a complete cycle) and the next poll time:
    the interval, the rate-limit reset, a backoff, or none ("needs credentials").
    """
    with source_lock(source_id) as acquired:
        if not acquired:
            return PollResult(
                source_id, "skipped", message="Another poll of this source is running."
            )
        return _poll_locked(source_id, force)


def _poll_locked(source_id: int, force: bool) -> PollResult:
    source = CaptureSource.objects.select_related("chat").filter(pk=source_id).first()
    if source is None:
        return PollResult(source_id, "skipped", message="The source no longer exists.")
    if source.state != SourceState.ACTIVE:
        return PollResult(source_id, "skipped", message=f"The source is {source.state}.")
    now = timezone.now()
    kind, not_before = _run_kind(source, now, force)
    if kind is None:
        source.next_poll_at = not_before
        source.save(update_fields=["next_poll_at", "updated_at"])
        return PollResult(source_id, "skipped", message="Not due.", next_poll_at=not_before)

    run = CaptureRun.objects.create(source=source, kind=kind, started_at=now)
    result = PollResult(source_id, RunStatus.RUNNING, run_id=run.pk, kind=kind)
    opens_at, closes_at = capture_window(source.chat)
    window = Window(opens_at=opens_at, closes_at=closes_at, sweep=kind == RunKind.SWEEP)
    client: PlatformClient | None = None
    cursor: dict[str, Any] | None = None
    failure: CaptureError | None = None
    try:
        client = client_for(platform=source.platform, instance_base_url=source.instance_base_url)
        cursor = _run_cycle(client, source, window, run, result)
        if kind == RunKind.SWEEP:
            _verify_deletions(client, source, run, result)
        if source.platform == Platform.MASTODON:
            _resolve_local_replies(source)
    except CaptureError as exc:
        failure = exc
    except Exception as exc:
        failure = CaptureError(f"Internal error: {exc!r}")
        _finish(source, run, result, now, None, failure)
        raise
    finally:
        if client is not None:
            client.close()
    _finish(source, run, result, now, cursor, failure)
    detect_questions_after_capture(chat=source.chat, changed_posts=result.new + result.updated)
    return result


def _run_cycle(
    client: PlatformClient,
    source: CaptureSource,
    window: Window,
    run: CaptureRun,
    result: PollResult,
) -> dict[str, Any]:
    officials = {source.platform: host_handles(chat_id=source.chat_id, platform=source.platform)}
    cursor = dict(source.cursor)
    # The next page is fetched and parsed on a thread while this one is written
    # (core.prefetch): the client never touches the database; the writes stay here.
    pages = client.poll(hashtags=source.hashtags, cursor=source.cursor, window=window)
    with prefetched(
        pages, limit=settings.CAPTURE_MAX_PAGES, join_timeout=settings.HTTP_TIMEOUT_SECONDS
    ) as pages:
        for page in pages:
            counts = upsert_posts(
                chat_id=source.chat_id, posts=page.posts, source_id=source.pk, officials=officials
            )
            _record_page(run, result, counts.new, counts.updated, 0, page.errors)
            cursor = page.cursor
            if result.pages >= settings.CAPTURE_MAX_PAGES:
                _record_page(
                    run, result, 0, 0, 0,
                    [ItemError("cycle", f"stopped after {result.pages} pages (CAPTURE_MAX_PAGES)")],
                    count_page=False,
                )  # fmt: skip
                break
    return cursor


def _verify_deletions(
    client: PlatformClient, source: CaptureSource, run: CaptureRun, result: PollResult
) -> None:
    known = [
        KnownPost(external_key=key, source_item_id=item_id)
        for key, item_id in Post.objects.filter(source=source, deleted_at__isnull=True)
        .order_by("-created_at")
        .values_list("external_key", "source_item_id")[: settings.CAPTURE_VERIFY_MAX_POSTS]
    ]
    for page in client.verify(posts=known):
        deleted = mark_posts_deleted(platform=source.platform, keys=page.deleted_keys)
        _record_page(run, result, 0, 0, deleted, page.errors)


def _record_page(
    run: CaptureRun,
    result: PollResult,
    new: int,
    updated: int,
    deleted: int,
    errors: list[ItemError],
    *,
    count_page: bool = True,
) -> None:
    result.pages += 1 if count_page else 0
    result.new += new
    result.updated += updated
    result.deleted += deleted
    result.errors += [error.as_dict() for error in errors]
    run.pages, run.new_posts, run.updated_posts = result.pages, result.new, result.updated
    run.deleted_posts, run.errors = result.deleted, result.errors
    # The live page sees a long cycle progress: the counts are saved after the first
    # page and then at most once a second (each save is a round trip and a commit;
    # pages come faster than that when catching up); _finish saves the final ones.
    now = time.monotonic()
    if now - result.progress_saved_at >= RUN_PROGRESS_SECONDS:
        run.save(update_fields=RUN_COUNT_FIELDS)
        result.progress_saved_at = now


@transaction.atomic
def _finish(
    source: CaptureSource,
    run: CaptureRun,
    result: PollResult,
    started_at: datetime,
    cursor: dict[str, Any] | None,
    failure: CaptureError | None,
) -> None:
    ended_at = timezone.now()
    fields = ["last_run_at", "next_poll_at", "last_error", "updated_at"]
    source.last_run_at = started_at
    if failure is None:
        status = RunStatus.SUCCEEDED
        if cursor is not None:
            source.cursor = cursor
        if run.kind == RunKind.SWEEP:
            source.swept_at = ended_at
        source.failures = 0
        source.last_error = ""
        source.last_success_at = ended_at
        source.rate_limited_until = None
        source.next_poll_at = _next_after_success(source, started_at, ended_at)
        fields += ["cursor", "swept_at", "failures", "last_success_at", "rate_limited_until"]
    elif isinstance(failure, RateLimited):
        status = RunStatus.RATE_LIMITED
        reset_at = failure.reset_at or ended_at + timedelta(
            seconds=settings.CAPTURE_POLL_INTERVAL_SECONDS
        )
        source.rate_limited_until = max(reset_at, ended_at) + timedelta(seconds=1)
        source.next_poll_at = source.rate_limited_until
        source.last_error = f"{failure.message} Next poll at {source.next_poll_at:%H:%M:%S} UTC."
        fields += ["rate_limited_until"]
    elif isinstance(failure, CredentialsRejected):
        status = RunStatus.FAILED
        source.state = SourceState.NEEDS_CREDENTIALS
        source.next_poll_at = None
        source.last_error = failure.message
        fields += ["state"]
    else:
        status = RunStatus.FAILED
        source.failures += 1
        source.next_poll_at = ended_at + backoff_delay(source.failures)
        source.last_error = failure.message
        fields += ["failures"]
    source.save(update_fields=fields)

    run.status = status
    run.ended_at = ended_at
    run.message = "" if failure is None else failure.message
    run.save(update_fields=["status", "ended_at", "message", *RUN_COUNT_FIELDS])
    result.status = status
    result.message = run.message
    result.next_poll_at = source.next_poll_at
    logger.info(
        "capture source=%s run=%s %s pages=%s new=%s updated=%s deleted=%s errors=%s",
        source.pk, run.pk, status, result.pages, result.new, result.updated, result.deleted,
        len(result.errors),
    )  # fmt: skip


def capture_chat_now(*, chat: Chat) -> list[PollResult]:
    """One poll cycle of every source of ``chat``, now, in this process (the command).
    Creates missing sources first; sources that are not active are reported, not polled."""
    results = []
    for source in ensure_capture_sources(chat=chat):
        results.append(poll_source(source_id=source.pk, force=True))
    return results
