"""/healthz/ tells operators which service is down, and answers 503 when one is."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civicchat.celery import app as celery_app
from core.models import WorkerHeartbeat

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
