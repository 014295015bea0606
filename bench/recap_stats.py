"""Benchmark: recap statistics of a 100,000-post chat, computed in PostgreSQL.

    .venv/bin/python bench/recap_stats.py            # DATABASE_URL defaults to local PostgreSQL
    .venv/bin/python bench/recap_stats.py --explain  # and the plan of each query

Times ``recaps.services.stats.compute_stats`` and ``compute_timeline`` (what drafting
and "refresh numbers" run) on a chat of 100,000 posts, next to another chat of 50,000 in
the same table. The posts are written with one INSERT ... SELECT from generate_series
(rows shaped like captured ones: text, sanitised HTML, a raw payload, 3 platforms, 8,000
authors, 2% hidden, 1% deleted, host posts), then ANALYZE, as autovacuum would. Each
function runs 5 times; the best and the first run are printed. Target (issue 8): under a
second. It also checks the numbers against plain SQL.

Runs in its own throwaway database (test_<name>_stats_<pid>), created with the
migrations and dropped at the end. Not a test: it prints; exit status 1 when slower than
the target.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicchat.settings")
os.environ.setdefault("CIVICCHAT_ENV", "development")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/civicchat")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    teardown_databases,
)

START = datetime(2026, 3, 5, 23, 0, tzinfo=UTC)
POSTS = 100_000
OTHER_POSTS = 50_000
TARGET_SECONDS = 1.0
RUNS = 5

# One row per n: the chat's hour plus 15 minutes either side; authors by a skewed
# distribution (a few very active residents), every 50th post by a host.
INSERT_SQL = """
INSERT INTO events_post (
    platform, external_key, source_item_id, chat_id, author_handle, author_name,
    author_url, author_avatar_url, text, html, created_at, url, reply_to_key,
    conversation_key, metrics, language, raw, content_hash, is_official, hidden,
    hidden_reason, highlighted, deleted_at, first_seen_at, updated_at
)
SELECT
    (ARRAY['x', 'mastodon', 'bluesky'])[1 + author %% 3],
    %(prefix)s || n,
    n::text,
    %(chat_id)s,
    CASE WHEN n %% 50 = 0 THEN 'host' || (n %% 3) ELSE 'resident' || author END,
    'Resident ' || author,
    'https://social.example/@r' || author,
    '',
    'A' || (1 + n %% 6) || ' ' || repeat('more bike lanes on Spruce St ', 4) || '#CivicBench',
    '<p>A' || (1 + n %% 6) || ' ' || repeat('more bike lanes on Spruce St ', 4)
        || '<a href="https://social.example/tags/civicbench" rel="nofollow">#CivicBench</a></p>',
    %(start)s::timestamptz + (n %% 5400) * interval '1 second' - interval '15 minutes',
    'https://social.example/@r/' || n,
    CASE WHEN n %% 4 = 0 THEN %(prefix)s || (n - 1) ELSE '' END,
    %(prefix)s || (n - n %% 20),
    '{"like_count": 3, "reply_count": 1, "retweet_count": 0}'::jsonb,
    'en',
    jsonb_build_object('id', n, 'payload', repeat('x', 600)),
    md5(n::text),
    n %% 50 = 0,
    n %% 50 = 7,
    CASE WHEN n %% 50 = 7 THEN 'spam' ELSE '' END,
    n %% 500 = 3,
    CASE WHEN n %% 100 = 11 THEN %(start)s::timestamptz END,
    now(),
    now()
FROM (
    -- A skewed author distribution: a few very active residents, a long tail.
    SELECT n, floor(8000 * power(random(), 2))::int AS author
    FROM generate_series(1, %(count)s) AS n
) AS generated
"""


def timed(fn: Callable[[], Any]) -> tuple[float, float, int, Any]:
    """(best seconds, first-run seconds, queries per run, result) over RUNS runs."""
    times = []
    result = None
    queries = 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - began)
        queries = len(captured.captured_queries)
    return min(times), times[0], queries, result


def explain(fn: Callable[[], Any]) -> None:
    with CaptureQueriesContext(connection) as captured:
        fn()
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print("\n" + query["sql"][:300])
            for (line,) in cursor.fetchall():
                print("   ", line)


def check(chat_id: int, stats: dict[str, Any], timeline: list[dict[str, Any]]) -> None:
    """The functions' numbers equal plain SQL's."""
    visible = "chat_id = %s AND NOT hidden AND deleted_at IS NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(DISTINCT (platform, author_handle)), "  # noqa: S608
            f"count(*) FILTER (WHERE is_official) FROM events_post WHERE {visible}",
            [chat_id],
        )
        posts, participants, official = cursor.fetchone()
    got = (stats["posts"], stats["participants"], stats["official_posts"])
    assert got == (posts, participants, official), (got, (posts, participants, official))
    assert sum(m["posts"] for m in timeline) == posts, "timeline does not add up"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("needs PostgreSQL (DATABASE_URL)")
        return 2

    test = connection.settings_dict.setdefault("TEST", {})
    test["NAME"] = f"test_{connection.settings_dict['NAME']}_stats_{os.getpid()}"
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=())
    try:
        from events.models import Chat, Topic
        from recaps.services.stats import compute_stats, compute_timeline

        topic = Topic.objects.create(
            name="Bench", slug="bench", default_hashtag="#CivicBench", owning_team="Bench"
        )
        chats = [
            Chat.objects.create(
                topic=topic,
                title=f"Bench chat {i}",
                slug=f"bench-chat-{i}",
                hashtag="#CivicBench",
                starts_at=START,
                ends_at=START.replace(hour=0, day=6),
                status="ended",
            )
            for i in (1, 2)
        ]
        chat = chats[0]
        began = time.perf_counter()
        with connection.cursor() as cursor:
            for target, count, prefix in ((chats[1], OTHER_POSTS, "o"), (chat, POSTS, "p")):
                cursor.execute(
                    INSERT_SQL,
                    {"chat_id": target.pk, "count": count, "prefix": prefix, "start": START},
                )
            cursor.execute("ANALYZE events_post")
        print(
            f"{POSTS:,} posts (+{OTHER_POSTS:,} in another chat) written in "
            f"{time.perf_counter() - began:.1f}s"
        )

        passed = True
        for state in ("just written (ANALYZE only)", "after VACUUM"):
            if state == "after VACUUM":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE events_post")
            stats_best, stats_first, stats_q, stats = timed(lambda: compute_stats(chat))
            line_best, line_first, line_q, timeline = timed(lambda: compute_timeline(chat))
            check(chat.pk, stats, timeline)
            total = stats_best + line_best
            passed &= total < TARGET_SECONDS
            print(f"\n{state}:")
            print(
                f"  compute_stats     {stats_best * 1000:6.0f} ms  "
                f"(first run {stats_first * 1000:.0f} ms, {stats_q} queries)"
            )
            print(
                f"  compute_timeline  {line_best * 1000:6.0f} ms  "
                f"(first run {line_first * 1000:.0f} ms, {line_q} query)"
            )
            print(
                f"  together          {total * 1000:6.0f} ms  target < "
                f"{TARGET_SECONDS * 1000:.0f} ms: {'PASS' if total < TARGET_SECONDS else 'FAIL'}"
            )
            if args.explain:
                explain(lambda: compute_stats(chat))
                explain(lambda: compute_timeline(chat))
        print(
            f"\n({stats['posts']:,} public posts, {stats['participants']:,} participants, "
            f"{len(timeline)} minutes)"
        )
        return 0 if passed else 1
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
