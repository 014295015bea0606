"""/healthz/ tells operators which service is down, and answers 503 when one is."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.db import OperationalError, connection, connections
from django.urls import reverse

from civicchat.celery import app as celery_app
from core.health import BROKER_CONNECT_TIMEOUT_SECONDS, check_broker
from core.models import WorkerHeartbeat
from tests.conftest import require_services

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broken_broker():
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = UNREACHABLE_REDIS
    yield
    celery_app.conf.broker_url = original


@pytest.mark.django_db
def test_healthz_all_services_reachable_is_ok(client):
    response = client.get(reverse("core:healthz"))

    body = response.json()
    assert (response.status_code, body["status"]) == (200, "ok")
    assert {name: body[name] for name in ("database", "broker", "cache")} == {
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
    }
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_broker_down_is_503_naming_the_broker(client, broken_broker):
    response = client.get(reverse("core:healthz"))

    body = response.json()
    assert response.status_code == 503
    assert {name: body[name] for name in ("status", "database", "broker", "cache")} == {
        "status": "failing",
        "database": "ok",
        "broker": "failing",
        "cache": "ok",
    }
    # The class of the error only: no host names or URLs on a public endpoint.
    assert body["details"]["broker"]["error"] == "OperationalError"
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_cache_down_is_503_naming_the_cache(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }

    response = client.get(reverse("core:healthz"))

    body = response.json()
    assert response.status_code == 503
    assert (body["cache"], body["database"]) == ("failing", "ok")


@pytest.mark.django_db
def test_healthz_reports_last_worker_heartbeat(client):
    WorkerHeartbeat.objects.create(hostname="worker@a", seen_at="2026-01-01T12:00:00Z")

    body = client.get(reverse("core:healthz")).json()

    assert body["worker"]["last_heartbeat"] == "2026-01-01T12:00:00+00:00"


# --- outages: /healthz/ answers, and quickly, whatever the services do ----------------------


@pytest.fixture
def database_down():
    """Every query fails, as while PostgreSQL is stopped."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection refused (test)")

    with connection.execute_wrapper(refuse):
        yield


@pytest.mark.django_db
def test_healthz_database_down_is_503_naming_the_database(client, database_down):
    # The city is not cached (the cache is empty), so the timezone middleware asks the
    # database first: it must fall back, not turn the answer into a 500.
    response = client.get(reverse("core:healthz"))

    body = response.json()
    assert response.status_code == 503
    assert {name: body[name] for name in ("status", "database", "broker", "cache")} == {
        "status": "failing",
        "database": "failing",
        "broker": "ok",
        "cache": "ok",
    }
    assert "worker" not in body


@pytest.mark.django_db
def test_healthz_database_lost_after_its_check_is_503_naming_the_database(client):
    # PostgreSQL shutting down: SELECT 1 still answered, the heartbeat read right after
    # it did not. The answer must still be JSON, and name the database.
    def lose_heartbeat(execute, sql, params, many, context):
        if WorkerHeartbeat._meta.db_table in sql:
            raise OperationalError("terminating connection due to administrator command")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(lose_heartbeat):
        response = client.get(reverse("core:healthz"))

    body = response.json()
    assert response.status_code == 503
    assert {name: body[name] for name in ("status", "database", "broker", "cache")} == {
        "status": "failing",
        "database": "failing",
        "broker": "ok",
        "cache": "ok",
    }
    assert (body["details"]["database"]["error"], "worker" in body) == ("OperationalError", False)


@pytest.fixture
def silent_port():
    """A port that accepts connections (the kernel's backlog) and never answers: a frozen
    server, or one behind a network fault. Closing it resets the waiting connections."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def _outcome_within(seconds: float, probe: Callable[[], object]) -> tuple[str, float]:
    """(the class of the exception ``probe`` raised, or "returned"; how long it took).
    A probe still waiting after ``seconds`` fails the test instead of hanging it."""
    outcome: dict[str, object] = {}

    def run() -> None:
        started = time.monotonic()
        try:
            probe()
            outcome["result"] = "returned"
        except Exception as exc:  # noqa: BLE001  (the class is the result)
            outcome["result"] = type(exc).__name__
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s"
    return str(outcome["result"]), float(outcome["seconds"])  # type: ignore[arg-type]


def test_broker_check_against_a_silent_broker_fails_within_its_timeout(silent_port):
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = f"redis://127.0.0.1:{silent_port}/0"
    try:
        error, seconds = _outcome_within(15, check_broker)
    finally:
        celery_app.conf.broker_url = original

    assert error == "OperationalError"
    assert seconds < BROKER_CONNECT_TIMEOUT_SECONDS + 1


@pytest.mark.services
def test_redis_cache_against_a_silent_server_fails_within_a_second(silent_port):
    require_services("redis")
    # The project's cache options on a server that never answers (redis-py alone: 5 s).
    options = settings.CACHES["default"]["OPTIONS"]
    silent = RedisCache(f"redis://127.0.0.1:{silent_port}/0", {"OPTIONS": options})

    error, seconds = _outcome_within(15, lambda: silent.get("key"))

    assert error == "TimeoutError"
    assert seconds < 1.5


@pytest.mark.services
@pytest.mark.django_db  # pytest-django refuses connections, even to another server, without it
def test_database_connect_to_a_silent_server_fails_within_seconds(silent_port):
    require_services("postgres")
    default = connections["default"]

    def connect() -> None:
        # The project's connection settings, aimed at a server that never answers
        # (libpq alone waits forever).
        silent = type(default)(
            {**default.settings_dict, "HOST": "127.0.0.1", "PORT": str(silent_port)},
            alias="silent",
        )
        silent.ensure_connection()

    error, seconds = _outcome_within(15, connect)

    assert error == "OperationalError"
    assert seconds < 3
