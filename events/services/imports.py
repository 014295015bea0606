"""Imports of post archives into a chat: store the upload, import it now or in the
background, and keep the report.

Rows go through ``events.integrations.archive`` (validation, sanitising) and then the
capture path's own ``upsert_posts``, so one post is one row whatever brought it and
the same file imported twice changes nothing. Two checks come first, per batch:
a post already captured live is left as captured (the capture is richer than any
archive), and a post stored in another chat is refused with its line.
"""

from __future__ import annotations

import logging
import mimetypes
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from events.capture_selectors import host_handles
from events.exceptions import DomainError
from events.integrations.archive import (
    ArchiveRefused,
    BadRecord,
    Record,
    RowInvalid,
    inspect_archive,
    parse_record,
    read_records,
)
from events.integrations.base import ParsedPost
from events.integrations.mastodon import LOCAL_REPLY_PREFIX
from events.models import Chat, ImportJob, ImportStatus, Platform, Post
from events.services.capture import upsert_posts
from events.services.questions import detect_questions_after_capture

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


class ImportRefused(DomainError):
    """The whole file is refused; nothing was stored."""

    code = "import_refused"


@dataclass(frozen=True)
class Upload:
    """An uploaded (or local) file and what its sender says it is."""

    file: File[Any]
    name: str
    content_type: str = ""

    @property
    def size(self) -> int:
        return int(self.file.size or 0)


def _binary(file: File[Any]) -> IO[bytes]:
    # Django's File proxies a real file object; TextIOWrapper wants the real one.
    return getattr(file, "file", file)


def guess_content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or ""


def start_import(
    *,
    chat: Chat,
    upload: Upload,
    by: User | None,
    fmt: str = "",
    background: bool | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportJob:
    """Check the upload (ImportRefused with the reason when the file is refused), store
    it (default storage, under imports/) and its ImportJob, then import it: in this
    process when it is small, or by the task ``events.import_posts`` (queued on commit)
    when it is larger than IMPORT_BACKGROUND_BYTES or has more than
    IMPORT_BACKGROUND_ROWS rows. ``background`` forces one or the other;
    ``on_progress`` follows a foreground import (see run_import_job)."""
    try:
        upload.file.open("rb")
        info = inspect_archive(
            _binary(upload.file),
            name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_rows=settings.IMPORT_MAX_ROWS,
            fmt=fmt,
        )
    except ArchiveRefused as refused:
        raise ImportRefused(refused.message) from refused
    if background is None:
        background = (
            upload.size > settings.IMPORT_BACKGROUND_BYTES
            or info.rows > settings.IMPORT_BACKGROUND_ROWS
        )
    upload.file.seek(0)
    with transaction.atomic():
        job = ImportJob(
            chat=chat,
            uploaded_by=by,
            original_name=upload.name[-255:],
            size_bytes=upload.size,
            format=info.format,
            total_rows=info.rows,
            in_background=background,
            status=ImportStatus.QUEUED,
        )
        # A name of our own: the sender's file name is only shown (escaped), never used.
        job.file.save(f"{uuid.uuid4().hex}.{info.format}", upload.file, save=False)
        job.save()
        if background:
            job_id = job.pk
            transaction.on_commit(lambda: _queue(job_id), robust=True)
    if not background:
        job = run_import_job(job_id=job.pk, on_progress=on_progress)
    return job


def requeue_stale_imports(*, now: datetime | None = None) -> list[int]:
    """Beat's import tick: queue again the imports whose task was lost (still queued
    after IMPORT_REQUEUE_AFTER_SECONDS) or whose worker died (running, no progress for
    IMPORT_TASK_TIME_LIMIT). They go back to "queued" with a fresh ``updated_at``, the
    lease that keeps the next tick off them; the task's claim decides who runs a job,
    so a duplicate delivery does nothing."""
    now = now or timezone.now()
    queued_before = now - timedelta(seconds=settings.IMPORT_REQUEUE_AFTER_SECONDS)
    running_before = now - timedelta(seconds=settings.IMPORT_TASK_TIME_LIMIT)
    with transaction.atomic():
        stale = ImportJob.objects.filter(
            Q(status=ImportStatus.QUEUED, updated_at__lt=queued_before)
            | Q(status=ImportStatus.RUNNING, updated_at__lt=running_before)
        )
        ids = list(stale.values_list("pk", flat=True)[:100])
        if ids:
            # Back to "queued", so the task's claim takes a job whose worker died.
            ImportJob.objects.filter(pk__in=ids).update(status=ImportStatus.QUEUED, updated_at=now)
            transaction.on_commit(lambda: _queue_all(ids), robust=True)
    return ids


def _queue_all(job_ids: list[int]) -> None:
    for job_id in job_ids:
        _queue(job_id)


def _queue(job_id: int) -> None:
    from events.tasks import task_import_posts  # tasks import this module

    task_import_posts.delay(job_id=job_id)


@dataclass
class _Progress:
    processed: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


def run_import_job(
    *, job_id: int, on_progress: Callable[[int, int], None] | None = None
) -> ImportJob:
    """Import the job's file. Claims the job first (a queued job, or a running one
    whose worker went silent for longer than IMPORT_TASK_TIME_LIMIT), so two workers
    never import one file at once; a finished job is returned as it is.

    Per batch of BATCH_SIZE rows: validation, one upsert, then the counts and refused
    rows saved on the job (the page shows the progress). At the end: Mastodon replies
    named by instance id are resolved, questions detected, the job marked finished
    (or failed, with the reason, when the file cannot be read). A job run again after a
    lost worker starts over; rows already stored then count as unchanged.
    ``on_progress(processed, total)`` follows the rows (the command's progress bar).
    """
    job = _claim(job_id)
    if job is None:
        return ImportJob.objects.get(pk=job_id)
    language = getattr(job.uploaded_by, "preferred_language", "") or settings.LANGUAGE_CODE
    # Reasons are stored as text, in the language of whoever uploaded the file.
    with translation.override(language):
        try:
            _run(job, on_progress)
        except ArchiveRefused as refused:
            _fail(job, refused.message)
        except Exception as exc:
            logger.exception("import %s failed", job.pk)
            _fail(job, _("The import stopped with an internal error: %(error)s") % {"error": exc})
    return job


def _claim(job_id: int) -> ImportJob | None:
    now = timezone.now()
    stale = now - timedelta(seconds=settings.IMPORT_TASK_TIME_LIMIT)
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(of=("self",))
            .select_related("chat", "uploaded_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.is_done:
            return None
        if job.status == ImportStatus.RUNNING and job.updated_at > stale:
            return None
        job.status = ImportStatus.RUNNING
        job.started_at = now
        job.finished_at = None
        job.processed_rows = job.imported_rows = job.updated_rows = 0
        job.unchanged_rows = job.skipped_rows = 0
        job.errors = []
        job.message = ""
        job.save(
            update_fields=[
                "status", "started_at", "finished_at", "processed_rows", "imported_rows",
                "updated_rows", "unchanged_rows", "skipped_rows", "errors", "message",
                "updated_at",
            ]
        )  # fmt: skip
    return job


def _run(job: ImportJob, on_progress: Callable[[int, int], None] | None) -> None:
    chat = job.chat
    officials = {p: host_handles(chat_id=chat.pk, platform=p) for p in Platform.values}
    progress = _Progress()
    seen: dict[tuple[str, str], int] = {}
    batch: list[tuple[int, ParsedPost]] = []
    try:
        job.file.open("rb")
    except OSError as exc:
        raise ArchiveRefused(
            _("The uploaded file is not available to this process: %(error)s") % {"error": exc}
        ) from exc
    try:
        for item in read_records(_binary(job.file), job.format):
            progress.processed += 1
            post = _validate(item, seen, job)
            if post is not None:
                batch.append((item.line, post))
            if progress.processed % BATCH_SIZE == 0:
                _store(job, chat, batch, officials, progress)
                batch = []
                _save_progress(job, progress)
                if on_progress:
                    on_progress(progress.processed, job.total_rows)
        _store(job, chat, batch, officials, progress)
    finally:
        job.file.close()
    job.total_rows = progress.processed
    _save_progress(job, progress, finished=True)
    if on_progress:
        on_progress(progress.processed, job.total_rows)
    resolve_local_replies(chat_id=chat.pk)
    detect_questions_after_capture(chat=chat, changed_posts=progress.imported + progress.updated)


def _validate(
    item: Record | BadRecord, seen: dict[tuple[str, str], int], job: ImportJob
) -> ParsedPost | None:
    if isinstance(item, BadRecord):
        _refuse(job, item.line, item.reason)
        return None
    try:
        post = parse_record(item)
    except RowInvalid as invalid:
        _refuse(job, item.line, invalid.reason)
        return None
    key = (post.platform, post.external_key)
    if key in seen:
        _refuse(job, item.line, _("The same post as line %(line)d.") % {"line": seen[key]})
        return None
    seen[key] = item.line
    return post


def _refuse(job: ImportJob, line: int, reason: str) -> None:
    job.skipped_rows += 1
    if len(job.errors) < settings.IMPORT_MAX_REPORTED_ERRORS:
        job.errors.append({"line": line, "reason": reason})


def _store(
    job: ImportJob,
    chat: Chat,
    batch: list[tuple[int, ParsedPost]],
    officials: dict[str, set[str]],
    progress: _Progress,
) -> None:
    if not batch:
        return
    stored = _stored_elsewhere(chat, (post for _line, post in batch))
    to_upsert = []
    for line, post in batch:
        where = stored.get((post.platform, post.external_key))
        if where is None:
            to_upsert.append(post)
        elif where[0] != chat.pk:
            reason = _("This post is already stored in another chat (%(title)s).")
            _refuse(job, line, reason % {"title": where[1]})
        else:
            progress.unchanged += 1  # captured live: the capture is kept as it is
    counts = upsert_posts(chat_id=chat.pk, posts=to_upsert, source_id=None, officials=officials)
    progress.imported += counts.new
    progress.updated += counts.updated
    progress.unchanged += counts.unchanged


def _stored_elsewhere(
    chat: Chat, posts: Iterable[ParsedPost]
) -> dict[tuple[str, str], tuple[int, str]]:
    """Keys of ``posts`` stored in another chat or captured live: key -> (chat id, title).
    One query per platform in the batch."""
    by_platform: dict[str, list[str]] = {}
    for post in posts:
        by_platform.setdefault(post.platform, []).append(post.external_key)
    found: dict[tuple[str, str], tuple[int, str]] = {}
    for platform, keys in by_platform.items():
        rows = (
            Post.objects.filter(platform=platform, external_key__in=keys)
            .exclude(chat=chat, source__isnull=True)
            .values_list("external_key", "chat_id", "chat__title")
        )
        found.update({(platform, key): (chat_id, title) for key, chat_id, title in rows})
    return found


def _save_progress(job: ImportJob, progress: _Progress, *, finished: bool = False) -> None:
    # Rows refused at storage (another chat) come after their batch's validation errors.
    job.errors.sort(key=lambda error: error["line"])
    job.processed_rows = progress.processed
    job.imported_rows = progress.imported
    job.updated_rows = progress.updated
    job.unchanged_rows = progress.unchanged
    fields = [
        "processed_rows", "imported_rows", "updated_rows", "unchanged_rows", "skipped_rows",
        "errors", "updated_at",
    ]  # fmt: skip
    if finished:
        job.status = ImportStatus.SUCCEEDED
        job.finished_at = timezone.now()
        fields += ["status", "finished_at", "total_rows"]
    job.save(update_fields=fields)


def _fail(job: ImportJob, message: str) -> None:
    job.status = ImportStatus.FAILED
    job.message = message
    job.finished_at = timezone.now()
    job.save(
        update_fields=["status", "message", "finished_at", "skipped_rows", "errors", "updated_at"]
    )


def resolve_local_replies(*, chat_id: int) -> int:
    """Imported Mastodon replies that name their parent by the archive's instance id
    (``local:<id>``) get the parent's uri when the parent was imported too. Returns
    how many were resolved; the others keep ``local:<id>`` (the parent is unknown)."""
    pending = list(
        Post.objects.filter(
            chat_id=chat_id,
            platform=Platform.MASTODON,
            source__isnull=True,
            reply_to_key__startswith=LOCAL_REPLY_PREFIX,
        ).values_list("pk", "reply_to_key")
    )
    if not pending:
        return 0
    local_ids = {key.removeprefix(LOCAL_REPLY_PREFIX) for _pk, key in pending}
    parents = dict(
        Post.objects.filter(
            chat_id=chat_id,
            platform=Platform.MASTODON,
            source__isnull=True,
            source_item_id__in=local_ids,
        ).values_list("source_item_id", "external_key")
    )
    resolved = 0
    for pk, key in pending:
        parent = parents.get(key.removeprefix(LOCAL_REPLY_PREFIX))
        if parent:
            resolved += Post.objects.filter(pk=pk).update(reply_to_key=parent)
    return resolved
