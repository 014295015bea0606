"""Checks behind /healthz/: can this process reach the database, broker and cache?"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection

from civicchat.celery import app as celery_app

BROKER_CONNECT_TIMEOUT_SECONDS = 2


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    milliseconds: float
    # The exception's class only: the endpoint is public, so no hostnames or DSNs.
    error: str = ""


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 returned something else")


def check_broker() -> None:
    with celery_app.connection_for_write(
        connect_timeout=BROKER_CONNECT_TIMEOUT_SECONDS,
        # connect_timeout bounds the TCP handshake only; a broker that accepts and never
        # answers (frozen, or behind a network fault) needs a bound on reads too.
        transport_options={"socket_timeout": BROKER_CONNECT_TIMEOUT_SECONDS},
    ) as conn:
        # max_retries=0: one attempt, so an outage answers within the timeout.
        conn.ensure_connection(max_retries=0, timeout=BROKER_CONNECT_TIMEOUT_SECONDS)


def check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    try:
        if cache.get(key) != "ok":
            raise RuntimeError("cache did not return what was written")
    finally:
        cache.delete(key)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "broker": check_broker,
    "cache": check_cache,
}


def run_checks() -> dict[str, CheckResult]:
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # noqa: BLE001  (any failure is a failing check)
            results[name] = CheckResult(False, _elapsed(started), type(exc).__name__)
        else:
            results[name] = CheckResult(True, _elapsed(started))
    return results


def _elapsed(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
