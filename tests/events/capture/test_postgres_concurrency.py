"""Idempotency and claiming under real concurrency, on PostgreSQL (skipped locally
without DATABASE_URL, a failure in CI): each thread has its own connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from events.integrations.base import ParsedPost
from events.models import CaptureRun, CaptureSource, Post
from events.services.capture import (
    dispatch_due_captures,
    ensure_capture_sources,
    poll_source,
    upsert_posts,
)
from tests.conftest import require_services
from tests.factories import CaptureSourceFactory
from tests.fakes.mastodon import FakeMastodon

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released together; return their results."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except BaseException as exc:  # noqa: BLE001 -- reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


@pytest.fixture
def postgres():
    require_services("postgres")


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_same_responses_polled_twice_give_one_row_per_post(
    postgres, platforms, live_chat, platform
):
    fake = platforms[platform]
    for n in range(120):
        if platform == "x":
            fake.add_tweet(f"post {n} #CivicTest")
        elif platform == "mastodon":
            fake.add_status(f"post {n} #CivicTest", tags=["CivicTest"])
        else:
            fake.add_post(f"post {n} #CivicTest")
    source = next(s for s in ensure_capture_sources(chat=live_chat) if s.platform == platform)
    first = poll_source(source_id=source.pk)
    CaptureSource.objects.filter(pk=source.pk).update(cursor={})

    second = poll_source(source_id=source.pk, force=True)

    assert (first.new, second.new, second.updated) == (120, 0, 0)
    assert Post.objects.filter(chat=live_chat).count() == 120
    assert Post.objects.values("platform", "external_key").distinct().count() == 120


def test_two_pollers_at_once_on_two_instances_store_each_status_once(
    postgres, platforms, live_chat, settings
):
    # One status federated to two instances: same uri, different local ids.
    with FakeMastodon(domain="other.example") as other:
        first = platforms["mastodon"]
        for n in range(60):
            status = first.add_status(f"post {n} #CivicTest", tags=["CivicTest"])
            other.add_status(f"post {n} #CivicTest", tags=["CivicTest"], uri=status["uri"])
        first.response_delay = other.response_delay = 0.05  # make the cycles overlap
        settings.MASTODON_INSTANCES = [first.url, other.url]
        sources = [s for s in ensure_capture_sources(chat=live_chat) if s.platform == "mastodon"]

        results = _in_threads(2, lambda i: poll_source(source_id=sources[i].pk))

    assert [r.status for r in results] == ["succeeded", "succeeded"]
    assert Post.objects.filter(chat=live_chat).count() == 60
    assert sum(r.new + r.updated for r in results) >= 60


def test_the_same_batch_upserted_by_four_threads_at_once_gives_one_row_each(postgres, live_chat):
    now = timezone.now()
    posts = [
        ParsedPost(
            platform="bluesky",
            external_key=f"at://did:plc:r/app.bsky.feed.post/{n}",
            source_item_id=f"c{n}",
            author_handle="r.bsky.social",
            author_name="",
            author_url="",
            author_avatar_url="",
            text=f"post {n}",
            html=f"<p>post {n}</p>",
            created_at=now,
            url="",
        )
        for n in range(500)
    ]

    _in_threads(
        4, lambda i: upsert_posts(chat_id=live_chat.pk, posts=posts, officials={}, batch_size=100)
    )

    assert Post.objects.count() == 500


def test_two_dispatchers_at_once_claim_each_due_source_once(
    postgres, eager_celery, settings, live_chat
):
    # Eager: each claimed source is polled at once, in the dispatching thread. Without a
    # token the poll ends before any request, as "needs credentials": one run per poll.
    settings.X_BEARER_TOKEN = ""
    now = timezone.now()
    due = {
        CaptureSourceFactory(
            chat=live_chat, query=f"#Tag{n}", next_poll_at=now - timedelta(seconds=1)
        ).pk
        for n in range(40)
    }

    claimed = _in_threads(2, lambda i: dispatch_due_captures(now=now))

    assert sorted(claimed[0] + claimed[1]) == sorted(due)
    assert sorted(CaptureRun.objects.values_list("source_id", flat=True)) == sorted(due)
