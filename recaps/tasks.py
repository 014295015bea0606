"""Thin Celery tasks for recaps."""

from __future__ import annotations

import logging

from celery import shared_task

from recaps.services import workflow

logger = logging.getLogger(__name__)


@shared_task(name="recaps.draft_ended_chats")
def task_draft_ended_chats() -> None:
    """Beat, every minute: a draft recap for every chat that has ended without one."""
    drafted = workflow.draft_ended_chats()
    if drafted:
        logger.info("drafted %d recaps", drafted)


@shared_task(name="recaps.remind_unpublished")
def task_remind_unpublished() -> None:
    """Beat, hourly: remind owners of recaps still unpublished after N days."""
    reminded = workflow.remind_unpublished()
    if reminded:
        logger.info("reminded %d recap owners", reminded)
