"""The per-source poll lock against real Redis (skipped locally without REDIS_URL, a
failure in CI)."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache

from events.services.capture import _lock_key, source_lock
from tests.conftest import require_services

pytestmark = pytest.mark.services


@pytest.fixture(autouse=True)
def redis():
    require_services("redis")


def test_source_lock_is_held_by_exactly_one_of_many_threads():
    barrier = threading.Barrier(8)
    release = threading.Event()
    acquired: list[bool] = []

    def contend() -> None:
        barrier.wait(timeout=10)
        with source_lock(7) as got:
            acquired.append(got)
            release.wait(timeout=10)  # hold it until every thread has tried

    threads = [threading.Thread(target=contend) for _ in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(acquired) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(acquired) == [False] * 7 + [True]


def test_source_lock_is_free_again_after_release():
    with source_lock(8) as first:
        pass

    with source_lock(8) as second:
        assert (first, second) == (True, True)


def test_source_lock_expires_so_a_dead_holder_cannot_keep_it(settings):
    settings.CAPTURE_LOCK_SECONDS = 1
    holder = source_lock(9)
    assert holder.__enter__() is True  # never released: its worker "died"

    time.sleep(1.2)

    with source_lock(9) as after_expiry:
        assert after_expiry is True


def test_source_lock_release_never_frees_someone_elses_lock():
    first = source_lock(10)
    assert first.__enter__() is True
    cache.delete(_lock_key(10))  # the first holder's lock expired ...
    second = source_lock(10)
    assert second.__enter__() is True  # ... and another poll took it

    first.__exit__(None, None, None)

    assert cache.get(_lock_key(10)) is not None
    second.__exit__(None, None, None)
    assert cache.get(_lock_key(10)) is None
