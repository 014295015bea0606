"""Celery tasks of the events app: thin wrappers that call one service each.

Chat tasks first, capture tasks below.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from events.services import capture as capture_services
from events.services import chats as chat_services
from events.services import imports as import_services
from events.services import notifications as notification_services

logger = logging.getLogger(__name__)


@shared_task(name="events.advance_chats")
def task_advance_chats() -> None:
    """Beat, every minute: scheduled chats go live at their start, live ones end."""
    moved = chat_services.advance_chats_by_clock()
    if any(moved.values()):
        logger.info("chats moved by the clock: %s", moved)


@shared_task(name="events.dispatch_reminders")
def task_dispatch_reminders() -> None:
    """Beat, every minute: create due reminders (once) and queue their sending."""
    queued = notification_services.dispatch_reminders()
    if queued:
        logger.info("queued %d notifications", queued)


@shared_task(name="events.send_notification")
def task_send_notification(*, notification_id: int) -> None:
    status = notification_services.send_notification(notification_id=notification_id)
    logger.info("notification %s: %s", notification_id, status)


# --- capture (issue 4) ------------------------------------------------------------------


@shared_task(name="events.dispatch_captures")
def task_dispatch_captures() -> None:
    """Beat, every 15 s: claim the capture sources that are due and queue one poll each."""
    queued = capture_services.dispatch_due_captures()
    if queued:
        logger.info("queued capture polls for sources %s", queued)


@shared_task(name="events.poll_capture_source")
def task_poll_capture_source(*, source_id: int) -> None:
    """One poll cycle of one source; the result is its CaptureRun row."""
    result = capture_services.poll_source(source_id=source_id)
    logger.info("capture source %s: %s %s", source_id, result.status, result.message)


# --- imports (issue 4, part B) -----------------------------------------------------------


@shared_task(
    name="events.import_posts",
    # A large archive outlives the default limits (still far below the visibility timeout).
    soft_time_limit=settings.IMPORT_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.IMPORT_TASK_TIME_LIMIT,
)
def task_import_posts(*, job_id: int) -> None:
    """Import one uploaded archive; the report is its ImportJob row."""
    job = import_services.run_import_job(job_id=job_id)
    logger.info("import %s: %s, %s rows", job_id, job.status, job.processed_rows)


@shared_task(name="events.requeue_imports")
def task_requeue_imports() -> None:
    """Beat, every 5 minutes: queue again imports whose task was lost or whose worker died."""
    queued = import_services.requeue_stale_imports()
    if queued:
        logger.info("queued imports %s again", queued)
