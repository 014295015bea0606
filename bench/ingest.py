"""Benchmark: ingest posts through the real parse-and-upsert path into PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicchat .venv/bin/python bench/ingest.py

Pages of platform payloads (X search pages, Mastodon timelines, Bluesky searches, in
turn) are generated on the fly and go through the capture service's page loop
(``_run_cycle``), as a worker's poll cycle does: parsed and sanitised by the platform
modules on the prefetch thread while the previous page is stored with ``upsert_posts``,
the run's progress saved along the way. Then the production shape: a chat's three
sources (one platform each) polled at the same time by three forked worker processes.

The baseline is a plain COPY of the very rows that path stored into a table with the
same indexes, timed in the same run: a temporary table (no WAL, so the stricter
baseline; a regular table is timed too, for reference). Each timed step starts after a
CHECKPOINT, and autovacuum is off for the table in this throwaway database, so that no
step pays for the writes of the one before. The same pages are then stored again:
nothing may be written and every post must count as unchanged. Memory: the process's
peak RSS after 10,000 posts and after all of them (flat means streaming works), and,
with --tracemalloc, Python's peak allocation for 10,000 vs all posts in a second,
slower pass.

Wall times depend on what else runs on the machine; each line also gives the CPU time
of this process and of its PostgreSQL backend (when the server is local), which vary
far less.

Runs in a throwaway database of its own (test_<name>_bench_<pid>, so a concurrent
pytest keeps its test database), created with the migrations and dropped at the end;
nothing is left behind. Not a test: it prints, it does not assert.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicchat.settings")
os.environ.setdefault("CIVICCHAT_ENV", "development")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from events.integrations.base import Page, ParsedPost  # noqa: E402

START = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
PAGE = 100
POST_COLUMNS = [
    "platform", "external_key", "source_item_id", "chat_id", "source_id", "author_handle",
    "author_name", "author_url", "author_avatar_url", "text", "html", "created_at", "url",
    "reply_to_key", "conversation_key", "metrics", "language", "raw", "content_hash",
    "is_official", "hidden", "hidden_by_id", "hidden_reason", "hidden_at", "highlighted",
    "deleted_at", "first_seen_at", "updated_at",
]  # fmt: skip


def _x_page(start: int, size: int, run: str) -> dict[str, Any]:
    tweets, users = [], []
    for n in range(start, start + size):
        users.append({"id": str(n % 5000), "username": f"resident{n % 5000}", "name": "R"})
        tweets.append(
            {
                "id": f"{run}{n}",
                "text": f"A{n % 9} more bike lanes on Spruce St @City_311 #CivicBench "
                f"https://city.example/plan/{n}",
                "author_id": str(n % 5000),
                "created_at": (START + timedelta(seconds=n % 3600)).isoformat(),
                "conversation_id": f"{run}{n - n % 7}",
                "public_metrics": {"like_count": n % 11, "retweet_count": 0, "reply_count": 1},
                "lang": "en",
                "edit_history_tweet_ids": [f"{run}{n}"],
            }
        )
    return {"data": tweets, "includes": {"users": users}, "meta": {"result_count": size}}


def _mastodon_page(start: int, size: int, run: str) -> list[dict[str, Any]]:
    return [
        {
            "id": str(n),
            "uri": f"https://social.example/users/r{n % 5000}/statuses/{run}{n}",
            "url": f"https://social.example/@r{n % 5000}/{n}",
            "created_at": (START + timedelta(seconds=n % 3600)).isoformat(),
            "content": f'<p>Q{n % 9}: <a href="https://social.example/tags/CivicBench" '
            f'class="mention hashtag" rel="tag">#<span>CivicBench</span></a> '
            f"more trees &amp; shade, please <script>x()</script></p>",
            "in_reply_to_id": None,
            "reblog": None,
            "language": "en",
            "account": {"acct": f"r{n % 5000}", "display_name": "R", "url": "https://s.example/@r"},
        }
        for n in range(start, start + size)
    ]


def _bluesky_page(start: int, size: int, run: str) -> list[dict[str, Any]]:
    text = "Café ☕ talk #CivicBench https://city.example/plan"
    data = text.encode()
    tag = data.index(b"#CivicBench")
    return [
        {
            "uri": f"at://did:plc:r{n % 5000}/app.bsky.feed.post/{run}{n}",
            "cid": f"bafy{n}",
            "author": {"did": f"did:plc:r{n % 5000}", "handle": f"r{n % 5000}.bsky.social"},
            "record": {
                "text": text,
                "createdAt": (START + timedelta(seconds=n % 3600)).isoformat(),
                "facets": [
                    {
                        "index": {"byteStart": tag, "byteEnd": tag + len(b"#CivicBench")},
                        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "CivicBench"}],
                    }
                ],
            },
            "indexedAt": (START + timedelta(seconds=n % 3600)).isoformat(),
            "likeCount": n % 5,
        }
        for n in range(start, start + size)
    ]


def parsed_pages(total: int, run: str, platform: int | None = None) -> Iterator[list[ParsedPost]]:
    """Pages parsed by the platform modules' own parsers, generated lazily: X, Mastodon
    and Bluesky in turn, or only one of them (0, 1, 2) as one source would give."""
    from events.integrations.bluesky import parse_post_view
    from events.integrations.mastodon import parse_status
    from events.integrations.x import parse_search_page

    for index, start in enumerate(range(0, total, PAGE)):
        size = min(PAGE, total - start)
        kind = index % 3 if platform is None else platform
        if kind == 0:
            posts, _errors = parse_search_page(_x_page(start, size, run))
        elif kind == 1:
            posts = [
                parse_status(s, instance_host="social.example")
                for s in _mastodon_page(start, size, run)
            ]
        else:
            posts = [parse_post_view(v) for v in _bluesky_page(start, size, run)]
        yield posts


def quiet_server() -> None:
    """Before each timed step: write out the dirty pages of the steps before, so that
    neither the ingest nor the COPY pays for the other's checkpoint."""
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class Clock:
    """Wall time, this process's CPU time and, when PostgreSQL runs on this machine, the
    CPU time of our server backend. On a busy machine the wall times swing (the
    CPUs are shared); the CPU times say where the work is and vary far less."""

    def __init__(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        self.wall = self.cpu = 0.0
        self.server: float | None = None

    def _server_cpu(self) -> float | None:
        try:  # fields 14 and 15: utime, stime (in clock ticks)
            fields = self.stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None  # a remote server, or another user's process
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> Clock:
        self._start = (time.perf_counter(), time.process_time(), self._server_cpu())
        return self

    def __exit__(self, *exc: object) -> None:
        wall, cpu, server = self._start
        self.wall = time.perf_counter() - wall
        self.cpu = time.process_time() - cpu
        now = self._server_cpu()
        self.server = None if server is None or now is None else now - server

    def cpu_text(self) -> str:
        server = "" if self.server is None else f", server CPU {self.server:.1f} s"
        return f"(Python CPU {self.cpu:.1f} s{server})"


class BenchClient:
    """A platform client whose pages are generated and parsed on the fly: what a real
    client's ``poll`` does after each HTTP response (decode, parse, sanitise)."""

    def __init__(
        self, total: int, run: str, checkpoints: tuple[int, ...], marks: dict, platform: int | None
    ) -> None:
        self.total, self.run, self.checkpoints, self.marks = total, run, checkpoints, marks
        self.platform = platform

    def poll(self, *, hashtags: list[str], cursor: dict[str, Any], window: Any) -> Iterator[Page]:
        done = 0
        for posts in parsed_pages(self.total, self.run, self.platform):
            done += len(posts)
            yield Page(posts=posts, cursor={"done": done})
            if done in self.checkpoints:
                self.marks[done] = _rss_mib()

    def verify(self, *, posts: list[Any]) -> Iterator[Page]:
        return iter(())

    def close(self) -> None:
        pass


def ingest(
    chat_id: int,
    total: int,
    run: str,
    checkpoints: tuple[int, ...] = (),
    platform: int | None = None,
) -> dict:
    """One poll cycle of ``total`` posts through the capture service's page loop
    (``_run_cycle``: the next page fetched and parsed on a thread while this one is
    upserted, the run's progress saved), as a worker runs it."""
    from events.capture_selectors import capture_window
    from events.integrations.base import Window
    from events.models import CaptureRun, CaptureSource
    from events.services.capture import PollResult, UpsertCounts, _run_cycle

    source, _ = CaptureSource.objects.get_or_create(
        chat_id=chat_id, platform="x", query=f"#CivicBench {platform}"
    )
    capture_run = CaptureRun.objects.create(source=source, kind="poll", started_at=START)
    result = PollResult(source.pk, "running", run_id=capture_run.pk, kind="poll")
    opens_at, closes_at = capture_window(source.chat)
    marks: dict[int, float] = {}
    client = BenchClient(total, run, checkpoints, marks, platform)
    settings.CAPTURE_MAX_PAGES = total // PAGE + 1
    quiet_server()
    with Clock() as clock:
        cursor = _run_cycle(client, source, Window(opens_at, closes_at), capture_run, result)
    assert cursor == {"done": total}, cursor
    counts = UpsertCounts(result.new, result.updated, total - result.new - result.updated)
    return {"seconds": clock.wall, "clock": clock, "posts": total, "rss": marks, "counts": counts}


def _ingest_one_platform(chat_id: int, total: int, platform: int) -> dict:
    """A worker process's share (forked): one source, one platform's pages."""
    try:
        result = ingest(chat_id, total, f"w{platform}-", platform=platform)
        return {
            "cpu": result["clock"].cpu,
            "server": result["clock"].server,
            "new": result["counts"].new,
            "rss": _rss_mib(),
        }
    finally:
        connection.close()


def ingest_in_processes(chat_id: int, total: int) -> dict:
    """The production shape: a chat's three sources (X, Mastodon, Bluesky) polled at the
    same time by three worker processes, as Celery's prefork pool runs them."""
    import multiprocessing

    connection.close()  # each forked process opens its own
    shares = [total // 3 + (1 if k < total % 3 else 0) for k in range(3)]
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(3) as pool:
        parts = pool.starmap(
            _ingest_one_platform, [(chat_id, share, k) for k, share in enumerate(shares)]
        )
    seconds = time.perf_counter() - started
    servers = [part["server"] for part in parts]
    return {
        "seconds": seconds,
        "cpu": sum(part["cpu"] for part in parts),
        "server": None if None in servers else sum(servers),
        "new": sum(part["new"] for part in parts),
        "rss": max(part["rss"] for part in parts),
    }


def copy_baseline(chat_id: int) -> dict:
    """COPY the rows the ingest stored into a same-shaped, same-indexed table: a temporary
    one (the baseline: no WAL, no commit to flush) and, for reference, a regular one."""
    columns = ", ".join(POST_COLUMNS)
    result: dict[str, Any] = {}
    with tempfile.TemporaryFile() as dump, connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        query = f"COPY (SELECT {columns} FROM events_post WHERE chat_id = %s) TO STDOUT"  # noqa: S608
        with raw.copy(query, (chat_id,)) as copy:
            for chunk in copy:
                dump.write(chunk)
        result["mib"] = dump.tell() / 2**20
        for kind, create in (("temp", "CREATE TEMP TABLE"), ("logged", "CREATE TABLE")):
            dump.seek(0)
            cursor.execute(f"{create} bench_copy (LIKE events_post INCLUDING ALL)")
            quiet_server()
            # autocommit: the clock includes the COPY's commit
            with Clock() as clock, raw.copy(f"COPY bench_copy ({columns}) FROM STDIN") as copy:
                while chunk := dump.read(1 << 20):
                    copy.write(chunk)
            cursor.execute("SELECT count(*) FROM bench_copy")
            result[kind] = {"seconds": clock.wall, "clock": clock, "rows": cursor.fetchone()[0]}
            cursor.execute("DROP TABLE bench_copy")
    return result


def measure(chat_id: int, other_chat_id: int, n: int, first: int) -> dict[str, float]:
    """One measurement into an empty events_post: prints it, returns the ratios."""
    result = ingest(chat_id, n, "a", checkpoints=(first, n))
    rate = n / result["seconds"]
    counts = result["counts"]
    print(
        f"  parse + sanitise + upsert: {result['seconds']:.1f} s = {rate:,.0f} posts/s "
        f"{result['clock'].cpu_text()}; new {counts.new:,}, updated {counts.updated:,}"
    )
    with Clock() as parse:
        for _posts in parsed_pages(n, "a"):
            pass
    parse_s = parse.wall
    write_s = result["seconds"] - parse_s
    print(
        f"    parse + sanitise alone: {parse_s:.1f} s = {n / parse_s:,.0f} posts/s "
        f"{parse.cpu_text()}"
    )
    print(f"    so the upsert step:     {write_s:.1f} s = {n / write_s:,.0f} posts/s")
    again = ingest(chat_id, n, "a")
    counts = again["counts"]
    print(
        f"  same pages again: {again['seconds']:.1f} s = {n / again['seconds']:,.0f} posts/s "
        f"{again['clock'].cpu_text()}; new {counts.new:,}, updated {counts.updated:,}, "
        f"unchanged {counts.unchanged:,}"
    )
    shaped = ingest_in_processes(other_chat_id, n)
    server = "" if shaped["server"] is None else f", server CPU {shaped['server']:.1f} s"
    print(
        f"  three sources at once (X, Mastodon, Bluesky; one worker process each): "
        f"{shaped['seconds']:.1f} s = {n / shaped['seconds']:,.0f} posts/s (Python CPU "
        f"{shaped['cpu']:.1f} s{server}); new {shaped['new']:,}; peak RSS per process "
        f"{shaped['rss']:.0f} MiB"
    )
    copy = copy_baseline(chat_id)
    base, logged = copy["temp"], copy["logged"]
    copy_rate = base["rows"] / base["seconds"]
    print(
        f"  plain COPY of the same {base['rows']:,} rows ({copy['mib']:.0f} MiB) into a "
        f"temporary table: {base['seconds']:.1f} s = {copy_rate:,.0f} rows/s "
        f"{base['clock'].cpu_text()}"
    )
    print(
        f"    (for reference, into a regular table: {logged['seconds']:.1f} s = "
        f"{logged['rows'] / logged['seconds']:,.0f} rows/s {logged['clock'].cpu_text()})"
    )
    ratios = {
        "ingest": rate / copy_rate,
        "upsert": n / write_s / copy_rate,
        "sources": n / shaped["seconds"] / copy_rate,
    }
    print(
        f"  ratio ingest / COPY: one source {ratios['ingest']:.2f}, three sources at once "
        f"{ratios['sources']:.2f} (target >= 0.33)"
    )
    print(f"  ratio upsert step / COPY (one source): {ratios['upsert']:.2f}")
    ingest_clock, copy_clock = result["clock"], base["clock"]
    if ingest_clock.server is not None and copy_clock.server is not None:
        # Not the target: what the wall ratio would be with the CPUs to ourselves and
        # no waiting (for the commits' WAL flushes, round trips) at all.
        cpu_ratio = (copy_clock.cpu + copy_clock.server) / (ingest_clock.cpu + ingest_clock.server)
        print(f"  (same ratio in CPU time, Python + server: {cpu_ratio:.2f})")
    rss = result["rss"]
    print(f"  peak RSS: {rss[first]:.0f} MiB after {first:,} posts, {rss[n]:.0f} MiB after {n:,}")
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="measure this many times, each from an empty table, and give the median ratio",
    )
    parser.add_argument("--tracemalloc", action="store_true", help="also measure Python peaks")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/ingest.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    settings.DEBUG = False  # no query log growing with the run
    # Its own throwaway database: never clobber the test database of a concurrent pytest.
    test = connection.settings_dict.setdefault("TEST", {})
    test["NAME"] = f"test_{connection.settings_dict['NAME']}_bench_{os.getpid()}"
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=())
    try:
        from events.models import Chat, Post, Topic

        # Autovacuum would visit events_post after each 100,000 inserts, in the middle
        # of whichever step comes next; in this throwaway database it stays off, for
        # the COPY table too (LIKE ... INCLUDING ALL copies storage parameters).
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE events_post SET (autovacuum_enabled = false)")
        # Fixture rows for the run (the throwaway database goes away at the end).
        topic = Topic.objects.create(
            name="Bench", slug="bench", default_hashtag="#CivicBench", owning_team="Bench"
        )

        def new_chat() -> int:
            count = Chat.objects.count()
            return Chat.objects.create(
                topic=topic,
                title=f"Bench {count}",
                slug=f"bench-{count}",
                hashtag="#CivicBench",
                starts_at=START,
                ends_at=START + timedelta(hours=1),
                platforms=["x", "mastodon", "bluesky"],
                status="ended",
            ).pk

        n, first = args.posts, min(10_000, args.posts)
        print(f"ingest {n:,} posts (X, Mastodon, Bluesky pages of {PAGE}) into PostgreSQL")
        ratios = []
        for run in range(args.repeat):
            if run:
                print(f"run {run + 1} of {args.repeat} (peak RSS is the process's, so far)")
                with connection.cursor() as cursor:  # the same, empty table each time
                    cursor.execute(f"TRUNCATE {Post._meta.db_table} CASCADE")
            ratios.append(measure(new_chat(), new_chat(), n, first))
        if args.repeat > 1:
            for key, label in (
                ("ingest", "ingest / COPY, one source"),
                ("sources", "ingest / COPY, three sources at once"),
                ("upsert", "upsert step / COPY, one source"),
            ):
                values = sorted(r[key] for r in ratios)
                print(
                    f"ratio {label} over {args.repeat} runs: median "
                    f"{statistics.median(values):.2f} (from {values[0]:.2f} to {values[-1]:.2f})"
                )
        if args.tracemalloc:
            tracemalloc.start()
            ingest(new_chat(), first, "b")
            small = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.reset_peak()
            ingest(new_chat(), n, "c")
            large = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(
                f"  tracemalloc peak: {small:.1f} MiB for {first:,} posts, "
                f"{large:.1f} MiB for {n:,}"
            )
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
