"""Putting work on the broker so that losing a message loses no work.

Every task stands for a database row. The row is written in the caller's transaction;
the task goes on the broker once that commits (``delay_on_commit``), and a beat
dispatcher finds rows whose message never arrived (``take_lost``) and queues them again.
Senders claim their row first, so a message that was only slow cannot send twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet


def delay_on_commit(task: Any, arg: str, ids: Iterable[int]) -> None:
    """``task.delay(<arg>=pk)`` for each id (once each, in order) after the current
    transaction commits. robust: a broker that is down then is logged, not raised to
    the caller, whose change is already committed; the dispatchers queue it later."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return

    def queue() -> None:
        for pk in ids:
            task.delay(**{arg: pk})

    transaction.on_commit(queue, robust=True)


def take_lost(pending: QuerySet[Any], *, now: datetime) -> list[int]:
    """The rows of ``pending`` never attempted CIVICCHAT_REQUEUE_AFTER_SECONDS after
    they were queued: their broker message was lost. Their ``queued_at`` moves to
    ``now``, so each is taken again at most once per interval; returns their ids."""
    cutoff = now - timedelta(seconds=settings.CIVICCHAT_REQUEUE_AFTER_SECONDS)
    ids = list(pending.filter(attempts=0, queued_at__lt=cutoff).values_list("pk", flat=True))
    pending.model.objects.filter(pk__in=ids).update(queued_at=now)
    return ids
