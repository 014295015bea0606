"""A whole capture window run by a real Celery worker over the real Redis broker, against
the three fake platforms, writing to the PostgreSQL test database.

The test plays beat: it sends the dispatcher task every half second. The worker runs with
a window of a few seconds (settings from its environment), so the whole chat -- polls,
a rate limit, a server error, the sweep -- fits in about twenty seconds.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from events.models import CaptureRun, CaptureSource, Post
from events.tasks import task_dispatch_captures
from tests.conftest import require_services
from tests.factories import ChatFactory

ROOT = Path(__file__).resolve().parents[3]
WAIT_SECONDS = 60


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def capture_worker(fake_x, fake_mastodon, fake_bluesky):
    require_services("postgres", "redis")
    queue = f"test-capture-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "civicchat.settings",
        "CIVICCHAT_ENV": "development",
        "DATABASE_URL": _database_url(),  # the test database, not the dev one
        "REDIS_URL": settings.REDIS_URL,
        "CIVICCHAT_CAPTURE_QUEUE": queue,
        "X_API_BASE_URL": fake_x.url,
        "X_BEARER_TOKEN": fake_x.token,
        "MASTODON_INSTANCES": fake_mastodon.url,
        "MASTODON_TOKENS": "",
        "BLUESKY_API_BASE_URL": fake_bluesky.url,
        "BLUESKY_HANDLE": fake_bluesky.handle,
        "BLUESKY_APP_PASSWORD": fake_bluesky.password,
        "CAPTURE_WINDOW_BEFORE_SECONDS": "0",
        "CAPTURE_WINDOW_AFTER_SECONDS": "2",
        "CAPTURE_POLL_INTERVAL_SECONDS": "1",
        "CAPTURE_SWEEP_DELAY_SECONDS": "1",
        "CAPTURE_CLAIM_LEASE_SECONDS": "20",
        "CAPTURE_BACKOFF_BASE_SECONDS": "1",
        "CAPTURE_BACKOFF_MAX_SECONDS": "2",
    }
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "civicchat", "worker",
            "--queues", queue, "--concurrency", "2", "--pool", "prefork",
            "--hostname", f"{queue}@testhost", "--without-gossip", "--without-mingle",
            "--loglevel", "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    yield queue, process
    process.terminate()
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    print(output)  # shown by pytest when the test fails


def _post_everywhere(fake_x, fake_mastodon, fake_bluesky, label: str) -> None:
    fake_x.add_tweet(f"{label} on X #CivicTest")
    fake_mastodon.add_status(f"{label} on Mastodon #CivicTest", tags=["CivicTest"])
    fake_bluesky.add_post(f"{label} on Bluesky #CivicTest")


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_captures_a_whole_window_once_through_failures(
    capture_worker, fake_x, fake_mastodon, fake_bluesky
):
    queue, process = capture_worker
    now = timezone.now()
    chat = ChatFactory(
        hashtag="#CivicTest",
        starts_at=now + timedelta(seconds=4),
        ends_at=now + timedelta(seconds=10),
        platforms=["x", "mastodon", "bluesky"],
        status="scheduled",
    )
    # Before the window: not captured (created before it opens).
    fake_mastodon.add_status("too early #CivicTest", tags=["CivicTest"], created_at=now)
    script = {
        5.0: lambda: _post_everywhere(fake_x, fake_mastodon, fake_bluesky, "first"),
        6.5: lambda: fake_x.fail_next(
            429, headers={"x-rate-limit-reset": str(int(time.time()) + 1)}, path_prefix="/2/"
        ),
        7.0: lambda: _post_everywhere(fake_x, fake_mastodon, fake_bluesky, "second"),
        7.5: lambda: fake_mastodon.fail_next(503),
        9.0: lambda: _post_everywhere(fake_x, fake_mastodon, fake_bluesky, "third"),
    }
    started = time.monotonic()
    deadline = started + WAIT_SECONDS
    done = False
    while time.monotonic() < deadline and process.poll() is None and not done:
        elapsed = time.monotonic() - started
        for at in [at for at in script if at <= elapsed]:
            script.pop(at)()
        task_dispatch_captures.apply_async(queue=queue)  # what beat does every 15 s
        time.sleep(0.5)
        sources = list(CaptureSource.objects.filter(chat=chat))
        done = len(sources) == 3 and all(s.swept_at for s in sources)

    assert process.poll() is None, "the worker exited"
    assert done, list(CaptureSource.objects.values("platform", "swept_at", "last_error"))
    texts = sorted(Post.objects.filter(chat=chat).values_list("platform", "text"))
    assert texts == sorted(
        (platform, f"{label} on {name} #CivicTest")
        for platform, name in [("x", "X"), ("mastodon", "Mastodon"), ("bluesky", "Bluesky")]
        for label in ("first", "second", "third")
    )
    runs = CaptureRun.objects.filter(source__chat=chat)
    statuses = {
        platform: sorted(
            set(runs.filter(source__platform=platform).values_list("status", flat=True))
        )
        for platform in ("x", "mastodon", "bluesky")
    }
    assert statuses == {
        "x": ["rate_limited", "succeeded"],
        "mastodon": ["failed", "succeeded"],
        "bluesky": ["succeeded"],
    }
    for source in CaptureSource.objects.filter(chat=chat):
        runs = list(source.runs.order_by("started_at"))
        overlaps = [(a.pk, b.pk) for a, b in itertools.pairwise(runs) if b.started_at < a.ended_at]
        assert (source.state, source.next_poll_at, overlaps) == ("active", None, [])
        assert [r.kind for r in runs][-1] == "sweep"
    assert fake_bluesky.logins == 1  # one session for the whole window, not one per poll
