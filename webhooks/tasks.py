"""Celery tasks of webhooks: thin wrappers that call one service each."""

from __future__ import annotations

import logging

from celery import shared_task

from webhooks import services

logger = logging.getLogger(__name__)


@shared_task(name="webhooks.send_delivery")
def task_send_delivery(*, delivery_id: int) -> None:
    """One attempt at one delivery; the result is on its WebhookDelivery row."""
    status = services.send_delivery(delivery_id=delivery_id)
    logger.info("webhook delivery %s: %s", delivery_id, status)


@shared_task(name="webhooks.dispatch_deliveries")
def task_dispatch_deliveries() -> None:
    """Beat, every 15 s: queue the deliveries whose next attempt is due."""
    queued = services.dispatch_due_deliveries()
    if queued:
        logger.info("queued webhook deliveries %s", queued)
