"""Celery tasks of the liaison program: thin wrappers that call one service each."""

from __future__ import annotations

import logging

from celery import shared_task

from liaisons.services import emails, privacy, training

logger = logging.getLogger(__name__)


@shared_task(name="liaisons.dispatch_reminders")
def task_dispatch_reminders() -> None:
    """Beat: queue due training reminders (once each) and e-mails left unsent."""
    queued = training.dispatch_training_reminders()
    if queued:
        logger.info("queued %d liaison e-mails", queued)


@shared_task(name="liaisons.purge_applications")
def task_purge_applications() -> None:
    """Beat: anonymise rejected and withdrawn applications past the retention period."""
    purged = privacy.purge_closed_applications()
    if purged:
        logger.info("anonymised %d closed liaison applications", purged)


@shared_task(name="liaisons.send_email")
def task_send_email(*, email_id: int) -> None:
    status = emails.send_email(email_id=email_id)
    logger.info("liaison e-mail %s: %s", email_id, status)
