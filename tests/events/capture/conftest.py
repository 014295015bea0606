"""Fixtures for capture: the fake platforms on 127.0.0.1 and settings pointing at them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from civicchat.celery import app as celery_app
from tests.factories import ChatFactory
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.x import FakeX

HASHTAG = "#CivicTest"


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    with FakeX() as server:
        yield server


@pytest.fixture
def fake_mastodon() -> Iterator[FakeMastodon]:
    with FakeMastodon() as server:
        yield server


@pytest.fixture
def fake_bluesky() -> Iterator[FakeBluesky]:
    with FakeBluesky() as server:
        yield server


@pytest.fixture
def platforms(settings, fake_x, fake_mastodon, fake_bluesky):
    """Settings aimed at the three fakes, with credentials they accept."""
    settings.X_API_BASE_URL = fake_x.url
    settings.X_BEARER_TOKEN = fake_x.token
    settings.MASTODON_INSTANCES = [fake_mastodon.url]
    settings.MASTODON_TOKENS = {}
    settings.BLUESKY_API_BASE_URL = fake_bluesky.url
    settings.BLUESKY_HANDLE = fake_bluesky.handle
    settings.BLUESKY_APP_PASSWORD = fake_bluesky.password
    settings.HTTP_TIMEOUT_SECONDS = 2.0
    return {"x": fake_x, "mastodon": fake_mastodon, "bluesky": fake_bluesky}


@pytest.fixture
def live_chat(db):
    """A chat that started ten minutes ago on all three platforms: its window is open."""
    now = timezone.now()
    return ChatFactory(
        hashtag=HASHTAG,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        platforms=["x", "mastodon", "bluesky"],
        status="live",
    )


@pytest.fixture
def eager_celery():
    """Queued tasks run at once in this process (tests of dispatch, not of the broker)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False
