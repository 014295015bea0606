from __future__ import annotations

import logging

from celery import Task, shared_task

from core.services import record_heartbeat

logger = logging.getLogger(__name__)


@shared_task(name="core.record_heartbeat", bind=True)
def task_record_heartbeat(self: Task) -> None:
    """Beat sends this every minute; whichever worker takes it records that it is alive."""
    hostname = self.request.hostname or "unknown"
    record_heartbeat(hostname=hostname)
    logger.debug("heartbeat from %s", hostname)
