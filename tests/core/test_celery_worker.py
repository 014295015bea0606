"""A real Celery worker, in its own process, consumes a task over the real Redis broker
and the task writes to the real (PostgreSQL) test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core.models import WorkerHeartbeat
from core.tasks import task_record_heartbeat
from tests.conftest import require_services

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_process():
    require_services("postgres", "redis")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "civicchat.settings",
        "CIVICCHAT_ENV": "development",
        "DATABASE_URL": _database_url(),  # the test database, not the dev one
        "REDIS_URL": settings.REDIS_URL,
    }
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "civicchat", "worker",
            "--queues", queue, "--concurrency", "1", "--pool", "prefork",
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


@pytest.mark.services
@pytest.mark.slow
# transaction=True: the worker must see committed rows. serialized_rollback=True puts
# back the rows that migrations created (the role groups) after the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_consumes_task_from_redis_and_writes_database(worker_process):
    queue, process = worker_process

    task_record_heartbeat.apply_async(queue=queue)

    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        hostnames = list(WorkerHeartbeat.objects.values_list("hostname", flat=True))
        if hostnames:
            break
        time.sleep(0.25)
    assert process.poll() is None, "the worker exited"
    assert hostnames == [f"{queue}@testhost"]
