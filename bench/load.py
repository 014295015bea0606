"""Load benchmark: public pages under gunicorn with production settings, against a ceiling.

    .venv/bin/python bench/load.py                 # about two minutes
    WEB_CONCURRENCY=3 GUNICORN_THREADS=4 .venv/bin/python bench/load.py --duration 5

Steps, each bounded in time:

1. A throwaway PostgreSQL database (``civicchat_bench``, dropped at the end, even on
   failure or Ctrl-C) is migrated and seeded with the demo (seed_demo, development
   settings) plus a chat of 1,000 posts whose recap is drafted, edited and published
   through the recap services. collectstatic (hashed manifest, into a tmp STATIC_ROOT)
   runs meanwhile.
2. gunicorn serves ``civicchat.wsgi`` with ``gunicorn.conf.py`` and production settings
   (CIVICCHAT_ENV=production, every required variable set; plain HTTP on loopback, so
   DJANGO_SECURE_SSL_REDIRECT=false), on PostgreSQL and Redis (database 12, or
   BENCH_REDIS_URL: the bench's own, emptied before and after).
3. The same gunicorn settings serve ``bench/hello_app.py`` (one view, no middleware): the
   ceiling. Both servers run throughout; the idle one costs nothing.
4. Each URL is warmed up, then loaded with ``wrk -t2 -c32 -d10s --latency``, right after
   a 5-second run of the ceiling: other work on the machine moves both within seconds,
   so each page is compared with the ceiling measured next to it.
5. A table: req/s, p50, p99, errors, the ceiling and the ratio to it per URL (the
   ceiling: the higher of the hello run just before the page's and the median of all
   hello runs), then PASS/FAIL for the targets (issue 8): at least half the ceiling,
   p99 at most 100 ms, no errors.

Traffic only ever goes to 127.0.0.1. Not a test: it prints; the exit status is 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
DB_NAME = "civicchat_bench"
RECAP_POSTS = 1000
# Targets (issue 8), on a 2-core machine at 32 connections.
MIN_RATIO = 0.5
MAX_P99_MS = 100.0
# Hard limits so that a hung step cannot hold the machine.
STEP_TIMEOUT = 90
START_TIMEOUT = 30

# Set by the environment variables that would change settings behind the bench's back.
_SCRUBBED = ("DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE", "CELERY_TASK_ALWAYS_EAGER")


class _Stop(Exception):
    """SIGTERM: unwind through the ``finally`` blocks like Ctrl-C does."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Stop


def say(message: str) -> None:
    print(message, flush=True)


# PostgreSQL and Redis ------------------------------------------------------------------


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # fixed statements, no input


def create_database() -> None:
    _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    with contextlib.suppress(Exception):  # Django may not be set up yet
        from django.db import connections

        connections.close_all()
    _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


# Seeding ------------------------------------------------------------------------------


def setup_django() -> None:
    """Development settings on the bench database (seed_demo refuses production)."""
    for name in _SCRUBBED:
        os.environ.pop(name, None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "civicchat.settings",
            "CIVICCHAT_ENV": "development",
            "DATABASE_URL": f"{PG_URL}/{DB_NAME}",
            "REDIS_URL": REDIS_URL,
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()


def seed() -> dict[str, str]:
    """Migrate, load the demo, publish a recap of a 1,000-post chat; return page paths."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", stdout=devnull)
    recap_slug = _publish_big_recap()
    from events.models import Chat, ChatStatus

    upcoming = Chat.objects.filter(status=ChatStatus.SCHEDULED).order_by("starts_at").first()
    assert upcoming is not None, "seed_demo made no scheduled chat"
    return {
        "home": "/",
        "chat list": "/chats/",
        "chat page": f"/chats/{upcoming.slug}/",
        "recap (1,000 posts)": f"/chats/{recap_slug}/recap/",
        "iCal feed": "/calendar.ics",
        "API chat list": "/api/v1/chats/",
    }


def _publish_big_recap() -> str:
    """A past chat like the demo's, with 1,000 captured posts and its published recap,
    all through the services (capture upsert, question detection, recap workflow)."""
    from accounts.models import User
    from events.models import Chat, ChatStatus
    from events.services.capture import upsert_posts
    from events.services.chats import duplicate_chat, set_questions_published, transition_chat
    from events.services.questions import detect_questions
    from recaps.models import RecapStatus
    from recaps.services.drafting import create_draft_recap
    from recaps.services.editing import update_recap_text
    from recaps.services.workflow import transition_recap

    editor = User.objects.get(email="editor@demo.civicchat.test")
    model = Chat.objects.get(slug="philly311nlp-tweet-chat")
    chat = duplicate_chat(chat=model, starts_at=model.starts_at - timedelta(days=7), by=None)
    set_questions_published(chat=chat, published=True, by=None)
    for step in (ChatStatus.SCHEDULED, ChatStatus.LIVE, ChatStatus.ENDED):
        chat = transition_chat(chat=chat, to=step, by=None)
    upsert_posts(chat_id=chat.pk, posts=_posts(chat, RECAP_POSTS))
    detect_questions(chat=chat)
    recap = create_draft_recap(chat=chat, by=editor)
    update_recap_text(
        recap=recap,
        title=f"Recap: {chat.title}",
        intro="A busy evening: what residents asked and what the City answered.",
        by=editor,
    )
    recap = transition_recap(recap=recap, to=RecapStatus.IN_REVIEW, by=editor)
    recap = transition_recap(recap=recap, to=RecapStatus.PUBLISHED, by=editor)
    assert recap.stats["posts"] == RECAP_POSTS, recap.stats
    return chat.slug


def _posts(chat: Any, total: int) -> list[Any]:
    """``total`` posts: the hosts' Q1..Qn, residents' answers, questions and chatter."""
    from events.integrations.base import ParsedPost
    from events.integrations.sanitize import X_LINKS, text_to_html
    from recaps.demo import ANSWERS, CHATTER, RESIDENT_QUESTIONS

    rng = random.Random(8)
    start = chat.starts_at
    posts: list[ParsedPost] = []

    def add(handle: str, text: str, minute: float, reply_to: str = "") -> str:
        key = str(1_700_000_000_000_000_000 + len(posts))
        posts.append(
            ParsedPost(
                platform="x",
                external_key=key,
                source_item_id=key,
                author_handle=handle,
                author_name=handle.title(),
                author_url=f"https://x.com/{handle}",
                author_avatar_url="",
                text=text,
                html=text_to_html(text, style=X_LINKS),
                created_at=start + timedelta(minutes=minute),
                url=f"https://x.com/{handle}/status/{key}",
                reply_to_key=reply_to,
                conversation_key=reply_to or key,
                metrics={"like_count": rng.randrange(20), "retweet_count": 0, "reply_count": 0},
                language="en",
            )
        )
        return key

    questions = list(chat.questions.order_by("position"))
    asked = [
        add("philly311", f"Q{q.position} {q.text} {chat.hashtag}", q.planned_minute or 9 * i)
        for i, q in enumerate(questions, start=1)
    ]
    residents = [f"resident{n}" for n in range(300)]
    while len(posts) < total:
        handle = rng.choice(residents)
        roll = rng.random()
        if roll < 0.1:
            add(handle, f"{rng.choice(RESIDENT_QUESTIONS)} {chat.hashtag}", rng.uniform(1, 59))
        elif roll < 0.25:
            add(handle, f"{rng.choice(CHATTER)} {chat.hashtag}", rng.uniform(1, 59))
        else:
            qi = rng.randrange(len(asked))
            minute = (questions[qi].planned_minute or 9) + rng.uniform(0.5, 8)
            text = f"{rng.choice(ANSWERS[qi % len(ANSWERS)])} {chat.hashtag}"
            add(handle, text, minute, reply_to=asked[qi])
    return posts


# Processes ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def production_env(*, port: int, static_root: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env.update(
        {
            "CIVICCHAT_ENV": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DATABASE_URL": f"{PG_URL}/{DB_NAME}",
            "REDIS_URL": REDIS_URL,
            "EMAIL_URL": "consolemail://",
            "DEFAULT_FROM_EMAIL": "CivicChat bench <bench@localhost>",
            "CIVICCHAT_SITE_URL": f"http://{HOST}:{port}",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "CIVICCHAT_STATIC_MANIFEST": "true",
            "DJANGO_STATIC_ROOT": static_root,
            "DJANGO_LOG_LEVEL": "INFO",
            "GUNICORN_BIND": f"{HOST}:{port}",
        }
    )
    return env


@contextlib.contextmanager
def gunicorn(app: str, *, env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """Serve ``app`` with gunicorn.conf.py until the block ends (then stop it, always)."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), app, "--config", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({proc.returncode}); see {log}")
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start in {START_TIMEOUT}s") from None
                time.sleep(0.2)
        yield f"http://{HOST}:{port}"
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=25)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    assert url.startswith(f"http://{HOST}:"), url  # loopback only
    request = urllib.request.Request(url)  # noqa: S310  (http://127.0.0.1 only)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


# wrk ----------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    url: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    note: str = ""
    ceiling: Result | None = None  # the hello run just before this one
    load: float = 0.0  # the machine's 1-minute load average after the run
    error_kinds: str = ""


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    assert match, text
    return float(match[1]) * _UNITS[match[2]]


def run_wrk(name: str, url: str, *, duration: int, connections: int, threads: int) -> Result:
    assert url.startswith(f"http://{HOST}:"), url  # loopback only
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "2s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=duration + 30,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    if set(latency) != {"50", "99"}:
        raise RuntimeError(f"unexpected wrk output for {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    requests = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    errors, kinds = 0, []
    if socket_errors := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        errors += sum(int(n) for n in socket_errors.groups())
        kinds.append(socket_errors[0])
    if non_2xx := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(non_2xx[1])
        kinds.append(non_2xx[0])
    result = Result(name, url, rps, _ms(latency["50"]), _ms(latency["99"]), errors, requests)
    result.error_kinds = "; ".join(kinds)
    return result


def warm_up(base: str, paths: dict[str, str]) -> dict[str, str]:
    """Each page a few times (first-request work, caches); notes on what comes back."""
    notes = {}
    for name, path in paths.items():
        for _ in range(5):
            status, headers, body = fetch(base + path)
        cookies = "Set-Cookie" in headers
        notes[name] = f"{status}, {len(body) // 1024} KiB" + (", sets a cookie" if cookies else "")
    return notes


# Main ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per URL")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        say("wrk is not installed (Debian: apt-get install -y wrk).")
        return 2
    signal.signal(signal.SIGTERM, _on_sigterm)

    began = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="civicchat-bench-"))
    static_root = str(tmp / "static")
    port = free_port()
    env = production_env(port=port, static_root=static_root)
    log = tmp / "gunicorn.log"
    collect: subprocess.Popen[bytes] | None = None
    results: list[Result] = []
    try:
        create_database()
        flush_redis()
        # collectstatic (hashing and compressing ~600 files) runs while the data is seeded.
        with (tmp / "collectstatic.log").open("wb") as collect_log:
            collect = subprocess.Popen(
                [str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput"],
                cwd=ROOT,
                env=env,
                stdout=collect_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        say(f"Database {DB_NAME}: migrating and seeding ...")
        setup_django()
        paths = seed()
        say(f"  seeded in {time.monotonic() - began:.0f}s; waiting for collectstatic ...")
        if collect.wait(timeout=STEP_TIMEOUT) != 0:
            raise RuntimeError(f"collectstatic failed; see {tmp / 'collectstatic.log'}")

        hello_port = free_port()
        hello_env = {**env, "GUNICORN_BIND": f"{HOST}:{hello_port}"}
        hello_log = tmp / "hello.log"
        load = {"duration": args.duration, "connections": args.connections, "threads": args.threads}
        with (
            gunicorn("civicchat.wsgi:application", env=env, port=port, log=log) as base,
            gunicorn(
                "bench.hello_app:application", env=hello_env, port=hello_port, log=hello_log
            ) as hello,
        ):
            notes = warm_up(base, paths)
            warm_up(hello, {"hello": "/"})
            say(f"CivicChat under gunicorn at {base}: {_gunicorn_shape(log, env)}")
            # Other work on the machine moves both servers' numbers, within seconds: each
            # page is compared with a run of the ceiling just before it.
            hello_load = {**load, "duration": max(3, args.duration // 2)}
            for name, path in paths.items():
                ceiling = run_wrk("hello (ceiling)", hello + "/", **hello_load)
                result = run_wrk(name, base + path, **load)
                result.note, result.ceiling = notes[name], ceiling
                result.load = os.getloadavg()[0]
                results.append(result)
                say(
                    f"  {name:<22} {result.rps:6.0f} req/s, p99 {result.p99_ms:6.1f} ms "
                    f"(hello just before: {ceiling.rps:.0f} req/s)"
                )
    finally:
        if collect is not None:
            stop(collect)
        with contextlib.suppress(Exception):
            drop_database()
        with contextlib.suppress(Exception):
            flush_redis()
        shutil.rmtree(tmp, ignore_errors=True)

    return report(results, args=args, seconds=time.monotonic() - began)


def _gunicorn_shape(log: Path, env: dict[str, str]) -> str:
    """What gunicorn.conf.py decides under ``env``, and the worker class gunicorn used."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    worker = re.search(r"Using worker: (\S+)", log.read_text(errors="replace"))
    return (
        f"{worker[1] if worker else '?'} worker class, {conf.get('workers')} workers x "
        f"{conf.get('threads')} threads, max_requests {conf.get('max_requests')}, "
        f"preload_app {conf.get('preload_app', False)}"
    )


def report(results: list[Result], *, args: Any, seconds: float) -> int:
    """The table and the verdicts. Each page is held against the higher of the hello run
    just before it and the median of all hello runs: a hello run that happened to be
    slowed (the machine is shared) must not flatter the page measured after it."""
    say("")
    say(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency against "
        f"127.0.0.1, {os.cpu_count()} CPUs; the run took {seconds:.0f}s"
    )
    ceilings = sorted((r.ceiling for r in results if r.ceiling), key=lambda c: c.rps)
    middle = ceilings[len(ceilings) // 2]

    def ceiling_of(r: Result) -> float:
        return max(r.ceiling.rps if r.ceiling else 0.0, middle.rps)

    header = (
        f"{'URL':<22} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'before':>7} {'ceiling':>7} {'ratio':>5} {'load':>5}"
    )
    say(header)
    say("-" * len(header))
    failed = False
    for r in results:
        c = r.ceiling
        assert c is not None
        say(
            f"{r.name:<22} {r.rps:7.0f} {r.p50_ms:7.1f} {r.p99_ms:7.1f} {r.errors:6d} "
            f"{c.rps:7.0f} {ceiling_of(r):7.0f} {r.rps / ceiling_of(r):5.2f} {r.load:5.1f}"
        )
    say(
        f"{'hello (ceiling), median':<22} {middle.rps:7.0f} {middle.p50_ms:7.1f} "
        f"{middle.p99_ms:7.1f} {sum(c.errors for c in ceilings):6d} {'':>7} "
        f"{middle.rps:7.0f} {1:5.2f}"
    )
    say("(before: the hello app's req/s in the run just before the page's; ceiling: the")
    say(" higher of that and the median of all hello runs, what the ratio is taken against;")
    say(" load: the machine's 1-minute load average after the page's run)")
    say("")
    for r in results:
        ratio = r.rps / ceiling_of(r)
        checks = {
            f"ratio {ratio:.2f} >= {MIN_RATIO}": ratio >= MIN_RATIO,
            f"p99 {r.p99_ms:.1f} ms <= {MAX_P99_MS:.0f} ms": r.p99_ms <= MAX_P99_MS,
            f"{r.errors} errors": r.errors == 0,
        }
        ok = all(checks.values())
        failed |= not ok
        details = r.note + (f"; {r.error_kinds}" if r.error_kinds else "")
        say(f"{'PASS' if ok else 'FAIL'}  {r.name:<22} " + "; ".join(checks) + f" ({details})")
    say(f"\n{'FAIL' if failed else 'PASS'}: {len(results)} pages against the ceiling")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
