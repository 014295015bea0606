"""The fault-tolerance scenario of issue 8, on services of its own.

    .venv/bin/python -m tests.chaos.scenario        (or bench/fault_scenario.py)

During a capture window against the local fake platforms (X, Mastodon, Bluesky; threads
of this process), with gunicorn, a Celery worker and celery beat running as they do in
production (``CIVICCHAT_ENV=production``, timings scaled down, see ``TIMING_ENV``):

1. kill -9 the worker (its whole process group) while a Mastodon poll has stored a page
   and waits for the next one, then start a new worker, as a supervisor would;
2. stop Redis (broker and cache; queues, locks and the Bluesky session are lost), start
   it again;
3. stop PostgreSQL, start it again.

Each outage lasts at least ``OUTAGE_SECONDS`` and until /healthz/ has reported it
``OUTAGE_SAMPLES`` times. Throughout, /healthz/ is asked every ``HEALTH_INTERVAL`` and
posts keep arriving on every platform. At the end: every post of the fake timelines is
stored exactly once, every source polled successfully after each fault and is scheduled
again, and the story is printed.

Never touches the machine's shared PostgreSQL or Redis: it creates a PostgreSQL cluster
(``pg_createcluster``, trust authentication, data under a temporary directory) and a
``redis-server`` on free ports, and removes both at the end, whatever happened. Needs
root (or the postgres user) for ``pg_createcluster``; ``missing_tools()`` says what is
missing. Clusters left by a run that could not clean up (killed with SIGKILL) are dropped
by the next run. Every wait has a deadline; a missed one raises ``ScenarioError`` with the
logs.
"""

from __future__ import annotations

import contextlib
import getpass
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import psycopg

from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Request, Response
from tests.fakes.x import FakeX

ROOT = Path(__file__).resolve().parents[2]
HASHTAG = "#ChaosTest"
PLATFORMS = ("x", "mastodon", "bluesky")
TOOLS = ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "redis-server")

# The capture clock, scaled from minutes to seconds (production defaults in comments).
# The order of the time limits is kept: HTTP timeout < soft < hard < lock. The soft limit
# stays well above a worker's broker-reconnect pause (kombu retries after 2 s, then 4 s
# more, ...), as 120 s is in production: Celery's prefork pool does not read results while
# the consumer reconnects, so a task that finished meanwhile gets its time limits applied
# late, to a child doing other work, and the worker dies ("Unrecoverable error:
# UnpicklingError"). In production that takes a broker outage of roughly two minutes.
TIMING_ENV = {
    "CAPTURE_POLL_INTERVAL_SECONDS": "2",  # 60
    "CAPTURE_CLAIM_LEASE_SECONDS": "6",  # 300: a lost poll task is dispatched again after it
    "CAPTURE_LOCK_SECONDS": "13",  # 210: a killed poll's lock and "running" run expire after it
    "CAPTURE_BACKOFF_BASE_SECONDS": "1",  # 15
    "CAPTURE_BACKOFF_MAX_SECONDS": "2",  # 600
    "CIVICCHAT_HTTP_TIMEOUT": "2",  # 20
    # A 3 s outage makes a 6 s reconnect pause (12 s once Redis stays down over ~6 s).
    "CELERY_TASK_SOFT_TIME_LIMIT": "10",  # 120
    "CELERY_TASK_TIME_LIMIT": "12",  # 180
}
BEAT_TICK = 1.0  # 15 s in production
POST_INTERVAL = 0.3  # one post per platform this often
MASTODON_BURST = 60  # more than a Mastodon page (40): the poll that gets killed has two
HEALTH_INTERVAL = 0.5
OUTAGE_SECONDS = 3.0
OUTAGE_SAMPLES = 3  # healthz answers that must have reported an outage before it ends
RECOVERY_TIMEOUT = 40.0  # from a fault to a successful poll of every source
HEALTH_ANSWER_LIMIT = 3.0  # slowest acceptable healthz answer during an outage
# Celery/kombu bugs can end a worker when its broker goes away ("Unrecoverable error"):
# the pool applying stale time limits after a reconnect, or kombu's Redis channel failing
# to close while restoring unacked messages. Production's supervisor (docker-compose
# ``restart: unless-stopped``) starts it again; the scenario does the same, at most this
# often, and reports each exit. Any other exit of an app process fails the scenario.
WORKER_RESTARTS = 2


class ScenarioError(RuntimeError):
    """A step did not happen before its deadline (the message names it)."""


T = TypeVar("T")


def missing_tools() -> list[str]:
    """What this machine lacks to run the scenario (empty when it can)."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if os.geteuid() != 0 and getpass.getuser() != "postgres":
        missing.append("root or the postgres user (pg_createcluster writes /etc/postgresql)")
    return missing


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, check: Callable[[], T | None], timeout: float, interval=0.2) -> T:
    """Poll ``check`` until it returns something truthy; ScenarioError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise ScenarioError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def now_utc() -> datetime:
    return datetime.now(UTC)


def get_healthz(port: int, timeout: float) -> tuple[int, bytes]:
    """GET /healthz/ on 127.0.0.1 (http.client: no proxies, no request logging)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/healthz/")
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- private services -------------------------------------------------------------------


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (Debian's pg_createcluster) on its own port."""

    def __init__(self, workdir: Path, port: int) -> None:
        self.version = os.environ.get("CIVICCHAT_CHAOS_PG_VERSION") or _newest_postgres()
        self.name = f"{CLUSTER_PREFIX}{os.getpid()}"
        self.port = port
        self.dir = workdir / "postgres"
        self.created = False

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create(self) -> None:
        self.dir.mkdir(mode=0o700)
        shutil.chown(self.dir, "postgres", "postgres")
        self.created = True
        _run(
            [
                "pg_createcluster", self.version, self.name, "--port", str(self.port),
                "--datadir", str(self.dir / "data"), "--logfile", str(self.dir / "server.log"),
                "--start-conf", "manual",
                # Durability buys nothing in a throwaway cluster; speed does (migrations).
                "-o", "fsync=off", "-o", "synchronous_commit=off", "-o", "full_page_writes=off",
                "--", "--auth=trust", "--no-sync",
            ]
        )  # fmt: skip

    def start(self) -> None:
        _run(["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, "start"])

    def stop(self) -> None:
        # "fast": active transactions are rolled back and clients disconnected.
        _run(["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, "stop"])

    def drop(self) -> None:
        if self.created:
            # Nothing in it is worth a shutdown checkpoint.
            ctl = ["pg_ctlcluster", "--skip-systemctl-redirect", "--mode", "immediate"]
            _run([*ctl, self.version, self.name, "stop"], check=False)
            _run(["pg_dropcluster", "--stop", self.version, self.name], check=False)
            self.created = False

    def log_tail(self) -> str:
        return _tail(self.dir / "server.log")


CLUSTER_PREFIX = "civicchat_chaos_"


def drop_stale_clusters() -> list[str]:
    """Drop the clusters of earlier runs whose process is gone (named after its pid)."""
    dropped = []
    for line in _run(["pg_lsclusters", "--no-header"], check=False).splitlines():
        version, name, *_rest = [*line.split(), ""]
        pid = name.removeprefix(CLUSTER_PREFIX)
        if name.startswith(CLUSTER_PREFIX) and pid.isdigit() and not _pid_alive(int(pid)):
            _run(["pg_dropcluster", "--stop", version, name], check=False)
            dropped.append(name)
    return dropped


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _newest_postgres() -> str:
    versions = [p.parent.parent.name for p in Path("/usr/lib/postgresql").glob("*/bin/postgres")]
    if not versions:
        raise ScenarioError("no PostgreSQL server under /usr/lib/postgresql")
    return max(versions, key=lambda v: [int(part) for part in v.split(".")])


def _run(argv: list[str], *, check: bool = True) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    if check and result.returncode:
        raise ScenarioError(f"{' '.join(argv)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Process:
    """A child in its own process group (kill -9 reaches its pool children too), its
    output in ``<workdir>/<name>.log``."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], workdir: Path) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.log = workdir / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def group_pids(self) -> list[int]:
        out = _run(["ps", "-o", "pid=", "-g", str(self.pid)], check=False)
        return sorted(int(pid) for pid in out.split())

    def kill(self) -> None:
        """SIGKILL to the whole group: no clean-up code runs anywhere in it."""
        self._signal_group(signal.SIGKILL)
        assert self.popen is not None
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        self.terminate()
        self.wait_stopped(timeout)

    def terminate(self) -> None:
        if self.popen is not None:
            self._signal_group(signal.SIGTERM)

    def wait_stopped(self, timeout: float) -> None:
        if self.popen is None:
            return
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.popen.wait(timeout=10)
        # Pool children outlive a parent that was killed: end the rest of the group.
        self._signal_group(signal.SIGKILL)

    def _signal_group(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, sig)

    def tail(self) -> str:
        return _tail(self.log)

    def exit_reason(self) -> str:
        """The exit code and the last CRITICAL or ERROR line of the log."""
        assert self.popen is not None
        lines = self.log.read_text(errors="replace").splitlines()
        last = next((line for line in reversed(lines) if "CRITICAL" in line), None)
        last = last or next((line for line in reversed(lines) if "ERROR" in line), "")
        return f"exit code {self.popen.returncode}: {last.strip()[:300]}"


class PrivateRedis(Process):
    """redis-server on its own port, nothing persisted: a restart loses every key."""

    def __init__(self, workdir: Path, port: int) -> None:
        argv = [
            "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--daemonize", "no", "--dir", str(workdir),
        ]  # fmt: skip
        super().__init__("redis", argv, {"PATH": os.environ.get("PATH", "")}, workdir)
        self.port = port

    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


# --- the fake platforms -----------------------------------------------------------------


class StallingMastodon(FakeMastodon):
    """FakeMastodon that can hold one timeline request open until released, so that a
    worker can be killed in the middle of a poll at a known point."""

    def __init__(self) -> None:
        super().__init__()
        self.stall_from_id: int | None = None
        self.stalled = threading.Event()
        self.release = threading.Event()

    def stall_next_page_after(self, status_id: str) -> None:
        """Hold the first forward request that starts at or after ``status_id``: the one
        a poll sends once it has stored a page containing that status."""
        with self.lock:
            self.stall_from_id = int(status_id)

    def _respond(self, request: Request) -> Response:
        response = super()._respond(request)
        if self._is_stall_target(request):
            self.stalled.set()
            self.release.wait(timeout=30)  # the client is dead by then; never unbounded
        return response

    def _is_stall_target(self, request: Request) -> bool:
        with self.lock:
            min_id = request.param("min_id")
            if self.stall_from_id is None or not min_id or int(min_id) < self.stall_from_id:
                return False
            self.stall_from_id = None
            return True


class Poster(threading.Thread):
    """Adds one post per platform every POST_INTERVAL until stopped."""

    def __init__(self, x: FakeX, mastodon: FakeMastodon, bluesky: FakeBluesky) -> None:
        super().__init__(daemon=True)
        self.x, self.mastodon, self.bluesky = x, mastodon, bluesky
        self.halt = threading.Event()
        self.count = 0

    def run(self) -> None:
        while not self.halt.wait(POST_INTERVAL):
            self.count += 1
            self.x.add_tweet(f"x {self.count} {HASHTAG}")
            self.mastodon.add_status(f"mastodon {self.count} {HASHTAG}", tags=[HASHTAG])
            self.bluesky.add_post(f"bluesky {self.count} {HASHTAG}")


def timeline_keys(x: FakeX, mastodon: FakeMastodon, bluesky: FakeBluesky) -> set[tuple[str, str]]:
    """Every post the fakes hold, keyed as capture stores it."""
    with x.lock, mastodon.lock, bluesky.lock:
        return (
            {("x", t["edit_history_tweet_ids"][0]) for t in x.tweets}
            | {("mastodon", s["uri"]) for s in mastodon.statuses}
            | {("bluesky", p["uri"]) for p in bluesky.posts}
        )


# --- observing ----------------------------------------------------------------------------


@dataclass
class HealthSample:
    sent: float  # seconds since the scenario's start
    answered: float
    code: int | None  # None: no answer (connection refused, timeout)
    states: dict[str, str]  # database/broker/cache -> ok|failing
    error: str = ""

    @property
    def label(self) -> str:
        if self.code is None or self.error:
            return f"{self.code or 'no answer'} ({self.error})"
        failing = [name for name, state in self.states.items() if state != "ok"]
        return f"{self.code} " + (", ".join(failing) + " failing" if failing else "all ok")


class HealthPoller(threading.Thread):
    """GET /healthz/ every HEALTH_INTERVAL (or right after a slower answer)."""

    def __init__(self, port: int, clock: Callable[[], float]) -> None:
        super().__init__(daemon=True)
        self.port, self.clock = port, clock
        self.samples: list[HealthSample] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            sent = self.clock()
            try:
                code, body = get_healthz(self.port, timeout=10)
            except OSError as exc:  # refused, reset, timed out
                self.samples.append(HealthSample(sent, self.clock(), None, {}, type(exc).__name__))
            else:
                sample = HealthSample(sent, self.clock(), code, {})
                try:
                    data = json.loads(body)
                    sample.states = {n: data.get(n, "?") for n in ("database", "broker", "cache")}
                except ValueError:
                    sample.error = "not JSON"
                self.samples.append(sample)
            self.halt.wait(max(0.0, HEALTH_INTERVAL - (self.clock() - sent)))

    def between(self, start: float, end: float) -> list[HealthSample]:
        """Samples sent after ``start`` and answered before ``end``."""
        return [s for s in list(self.samples) if s.sent >= start and s.answered <= end]


class Database:
    """Plain SQL reads of the private database (a new short connection each time, so
    an outage costs one failed read, not a broken observer)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]] | None:
        try:
            with psycopg.connect(self.url, connect_timeout=5, autocommit=True) as conn:
                return conn.execute(sql, params).fetchall()
        except psycopg.Error:
            return None

    def runs(self) -> list[dict[str, Any]]:
        rows = self.rows(
            "SELECT r.id, s.platform, r.status, r.started_at, r.ended_at, r.pages,"
            " r.new_posts, r.updated_posts, r.message"
            " FROM events_capturerun r JOIN events_capturesource s ON s.id = r.source_id"
            " ORDER BY r.id"
        )
        names = ("id", "platform", "status", "started_at", "ended_at", "pages", "new", "updated")
        return [dict(zip((*names, "message"), row, strict=True)) for row in rows or []]

    def sources(self) -> list[dict[str, Any]]:
        rows = self.rows(
            "SELECT platform, state, next_poll_at, cursor, last_error FROM events_capturesource"
            " ORDER BY platform"
        )
        names = ("platform", "state", "next_poll_at", "cursor", "last_error")
        return [dict(zip(names, row, strict=True)) for row in rows or []]


# --- the report -----------------------------------------------------------------------------


@dataclass
class Outage:
    name: str
    expected_failing: tuple[str, ...]
    down_at: float = 0.0
    up_at: float = 0.0
    samples: list[HealthSample] = field(default_factory=list)
    # platform -> seconds from the service's return to the start of a successful poll
    recovered_after: dict[str, float] = field(default_factory=dict)
    healthz_ok_after: float | None = None


@dataclass
class Report:
    started: datetime = field(default_factory=now_utc)  # t+0
    setup_seconds: float = 0.0
    runtime_seconds: float = 0.0
    events: list[tuple[float, str]] = field(default_factory=list)
    health: list[HealthSample] = field(default_factory=list)
    outages: list[Outage] = field(default_factory=list)
    expected: set[tuple[str, str]] = field(default_factory=set)
    stored: set[tuple[str, str]] = field(default_factory=set)
    stored_rows: int = 0
    runs: list[dict[str, Any]] = field(default_factory=list)
    killed_run: dict[str, Any] = field(default_factory=dict)
    worker_recovered_after: float = 0.0
    next_poll_in: dict[str, float] = field(default_factory=dict)
    runs_after_last_check: dict[str, int] = field(default_factory=dict)
    bluesky_logins: int = 0
    processes_alive: dict[str, bool] = field(default_factory=dict)
    # (t, worker, reason): workers that Celery ended on its own, restarted by the scenario
    worker_exits: list[tuple[float, str, str]] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return self.stored_rows - len(self.stored)

    @property
    def missing(self) -> set[tuple[str, str]]:
        return self.expected - self.stored

    @property
    def unexpected(self) -> set[tuple[str, str]]:
        return self.stored - self.expected

    def run_counts(self) -> Counter[str]:
        return Counter(run["status"] for run in self.runs)

    def problems(self) -> list[str]:
        """What the scenario promises and did not happen (empty when all held)."""
        problems = []
        if self.missing or self.unexpected or self.duplicates:
            problems.append(
                f"posts: {len(self.missing)} missing, {len(self.unexpected)} unexpected, "
                f"{self.duplicates} duplicates"
            )
        if self.killed_run.get("status") != "failed":
            problems.append(f"the killed poll's run was not closed: {self.killed_run}")
        for outage in self.outages:
            wrong = [s for s in outage.samples if not outage_reported(outage, s)]
            if len(outage.samples) < OUTAGE_SAMPLES or wrong:
                problems.append(
                    f"{outage.name}: {len(outage.samples)} healthz answers during the outage,"
                    f" {len(wrong)} not naming exactly {', '.join(outage.expected_failing)}"
                )
            slow = [s for s in outage.samples if s.answered - s.sent > HEALTH_ANSWER_LIMIT]
            if slow:
                problems.append(f"{outage.name}: {len(slow)} healthz answers took too long")
            if sorted(outage.recovered_after) != sorted(PLATFORMS):
                problems.append(f"{outage.name}: no successful poll after it on every platform")
        if sorted(p for p, ahead in self.next_poll_in.items() if ahead > 0) != sorted(PLATFORMS):
            problems.append(f"next polls not all in the future: {self.next_poll_in}")
        if not all(self.runs_after_last_check.get(p) for p in PLATFORMS):
            problems.append(f"runs stopped: {self.runs_after_last_check}")
        if not self.health or self.health[-1].label != "200 all ok":
            problems.append("healthz did not end all ok")
        bad = Counter(s.label for s in self.health if s.error or s.code not in (200, 503))
        if bad:
            problems.append(f"healthz answered other than 200/503 JSON: {dict(bad)}")
        if not all(self.processes_alive.values()):
            problems.append(f"processes died: {self.processes_alive}")
        return problems


def outage_reported(outage: Outage, sample: HealthSample) -> bool:
    """A 503 naming exactly the outage's services as failing."""
    failing = tuple(name for name, state in sample.states.items() if state != "ok")
    return sample.code == 503 and failing == outage.expected_failing


# --- the scenario -----------------------------------------------------------------------------


class Scenario:
    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log
        self.workdir = Path(tempfile.mkdtemp(prefix="civicchat-chaos-"))
        # pg_createcluster runs the server as postgres, which must reach its directory.
        self.workdir.chmod(0o711)
        try:
            self.postgres = PrivatePostgres(self.workdir, free_port())
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        self.redis = PrivateRedis(self.workdir, free_port())
        self.web_port = free_port()
        self.db = Database(self.postgres.url("civicchat_chaos"))
        self.x, self.mastodon, self.bluesky = FakeX(), StallingMastodon(), FakeBluesky()
        self.poster = Poster(self.x, self.mastodon, self.bluesky)
        self.workers: list[Process] = []
        self.processes: list[Process] = []
        self.app_processes: list[Process] = []  # must stay up: web, beat, the current worker
        self.health: HealthPoller | None = None
        self.report = Report()
        self.started = now_utc()
        self.setup_steps: dict[str, float] = {}
        self.teardown_steps: dict[str, float] = {}

    # -- helpers

    def t(self, when: datetime | None = None) -> float:
        return ((when or now_utc()) - self.started).total_seconds()

    def event(self, text: str) -> None:
        self.report.events.append((self.t(), text))
        self.log(f"  t+{self.t():5.1f}s  {text}")

    def app_env(self) -> dict[str, str]:
        """The production environment of every app process, aimed at the private services
        and the fakes. Whatever the caller's environment says about them is dropped."""
        prefixes = ("CIVICCHAT_", "DJANGO_", "CELERY_", "CAPTURE_", "X_", "BLUESKY_",
                    "MASTODON_", "GUNICORN_", "WEB_CONCURRENCY")  # fmt: skip
        dropped = {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DEFAULT_FROM_EMAIL"}
        env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
        env = {k: v for k, v in env.items() if k not in dropped}
        return {
            **env,
            "CIVICCHAT_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "civicchat.settings",
            "DJANGO_SECRET_KEY": f"chaos-{os.urandom(16).hex()}",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "CIVICCHAT_STATIC_MANIFEST": "false",
            "CIVICCHAT_SITE_URL": f"http://127.0.0.1:{self.web_port}",
            "DATABASE_URL": self.db.url,
            "REDIS_URL": self.redis.url(),
            "EMAIL_URL": "consolemail://",
            "DEFAULT_FROM_EMAIL": "chaos@localhost",
            "X_API_BASE_URL": self.x.url,
            "X_BEARER_TOKEN": self.x.token,
            "MASTODON_INSTANCES": self.mastodon.url,
            "MASTODON_TOKENS": "",
            "BLUESKY_API_BASE_URL": self.bluesky.url,
            "BLUESKY_HANDLE": self.bluesky.handle,
            "BLUESKY_APP_PASSWORD": self.bluesky.password,
            "GUNICORN_BIND": f"127.0.0.1:{self.web_port}",
            "WEB_CONCURRENCY": "2",
            "NO_PROXY": "127.0.0.1,localhost",
            **TIMING_ENV,
        }

    def wait(self, what: str, check: Callable[[], T | None], timeout: float) -> T:
        """wait_for, restarting a worker that Celery ended (see WORKER_RESTARTS) and
        failing at once, with the reason, if any other app process has exited."""

        def checked() -> T | None:
            for process in list(self.app_processes):
                if not process.alive():
                    self.supervise(process)
            return check()

        return wait_for(what, checked, timeout)

    def supervise(self, process: Process) -> None:
        reason = process.exit_reason()
        restartable = process in self.workers and "Unrecoverable error" in reason
        if not restartable or len(self.report.worker_exits) >= WORKER_RESTARTS:
            raise ScenarioError(f"{process.name} exited: {reason}")
        self.report.worker_exits.append((self.t(), process.name, reason))
        self.app_processes.remove(process)
        self.event(f"{process.name} EXITED ({reason})")
        replacement = self.start_worker()
        self.event(
            f"worker {len(self.workers)} started (pid {replacement.pid}), as docker-compose's"
            " restart: unless-stopped would"
        )

    def succeeded_since(self, since: datetime) -> dict[str, datetime]:
        """platform -> start of its first successful poll that started after ``since``."""
        first: dict[str, datetime] = {}
        for run in self.db.runs():
            if run["status"] == "succeeded" and run["started_at"] > since:
                first.setdefault(run["platform"], run["started_at"])
        return first

    def wait_all_polled_since(self, since: datetime, what: str) -> dict[str, float]:
        def all_polled() -> dict[str, datetime] | None:
            found = self.succeeded_since(since)
            return found if len(found) == len(PLATFORMS) else None

        first = self.wait(
            f"a successful poll of every source after {what}", all_polled, RECOVERY_TIMEOUT
        )
        return {p: (when - since).total_seconds() for p, when in sorted(first.items())}

    def start_worker(self) -> Process:
        number = len(self.workers) + 1
        worker = Process(
            f"worker{number}",
            [
                sys.executable, "-m", "celery", "-A", "civicchat", "worker",
                "--concurrency", "2", "--pool", "prefork", "--loglevel", "INFO",
                "--hostname", f"chaos{number}@%h", "--without-gossip", "--without-mingle",
            ],
            self.app_env(),
            self.workdir,
        ).start()  # fmt: skip
        self.workers.append(worker)
        self.processes.append(worker)
        self.app_processes.append(worker)
        return worker

    # -- setup

    def setup(self) -> None:
        clock = time.monotonic()
        self.postgres.create()
        self.postgres.start()
        with psycopg.connect(self.postgres.url(), autocommit=True, connect_timeout=5) as conn:
            conn.execute("CREATE DATABASE civicchat_chaos")
        self.redis.start()
        self.processes.append(self.redis)
        self.wait("the private Redis", self.redis.ping, 10)
        self.setup_steps["PostgreSQL cluster and Redis"] = time.monotonic() - clock
        for fake in (self.x, self.mastodon, self.bluesky):
            fake.start()
        # gunicorn and the worker boot while the migrations run (healthz says 200 only
        # after them); beat starts after them, so no dispatch meets a missing table.
        web = Process(
            "web",
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "civicchat.wsgi"],
            self.app_env(),
            self.workdir,
        ).start()
        self.processes.append(web)
        self.app_processes.append(web)
        self.start_worker()
        clock = time.monotonic()
        seed = subprocess.run(
            [sys.executable, "-m", "tests.chaos.seed", HASHTAG],
            cwd=ROOT, env=self.app_env(), capture_output=True, text=True, timeout=120,
            check=False,
        )  # fmt: skip
        if seed.returncode:
            raise ScenarioError(f"migrating the private database failed:\n{seed.stderr[-3000:]}")
        self.setup_steps["migrations and the chat"] = time.monotonic() - clock
        clock = time.monotonic()

        def web_ok() -> bool:
            try:
                return get_healthz(self.web_port, timeout=2)[0] == 200
            except OSError:
                return False

        self.wait("gunicorn to answer /healthz/ with 200", web_ok, 30)
        self.setup_steps["gunicorn ready after them"] = time.monotonic() - clock
        beat = Process(
            "beat",
            [sys.executable, "-m", "tests.chaos.beat", "--tick", str(BEAT_TICK),
             "--schedule", str(self.workdir / "beat-schedule")],
            self.app_env(),
            self.workdir,
        ).start()  # fmt: skip
        self.processes.append(beat)
        self.app_processes.append(beat)
        self.started = self.report.started = now_utc()
        self.health = HealthPoller(self.web_port, self.t)
        self.health.start()
        self.poster.start()

    # -- the faults

    def warm_up(self) -> None:
        self.event("beat started, posting starts (one post per platform every 0.3 s)")
        self.wait_all_polled_since(self.started, "the start")
        self.wait(
            "the Mastodon source's forward cursor",
            lambda: any(s["cursor"].get("min_id") for s in self.db.sources()
                        if s["platform"] == "mastodon"),
            RECOVERY_TIMEOUT,
        )  # fmt: skip
        self.event("every source has polled successfully (capture is running)")

    def kill_worker_mid_poll(self) -> None:
        burst = [
            self.mastodon.add_status(f"burst {n} {HASHTAG}", tags=[HASHTAG])
            for n in range(MASTODON_BURST)
        ]
        # Page 1 of the next poll ends inside the burst; page 2 starts there and is held.
        self.mastodon.stall_next_page_after(burst[0]["id"])
        self.event(f"Mastodon burst of {MASTODON_BURST} statuses: the next poll needs 2 pages")
        self.wait("the Mastodon poll to ask for page 2", self.mastodon.stalled.is_set, 20)
        running = self.wait(
            "the stalled poll's run",
            lambda: [r for r in self.db.runs()
                     if r["platform"] == "mastodon" and r["status"] == "running"],
            RECOVERY_TIMEOUT,
        )  # fmt: skip
        run = running[-1]
        worker = self.workers[-1]
        pids = worker.group_pids()
        killed_at = now_utc()
        self.app_processes.remove(worker)
        worker.kill()
        self.mastodon.release.set()
        self.event(
            f"worker killed (kill -9 of pids {' '.join(map(str, pids))}) mid-poll: Mastodon "
            f"run #{run['id']} had stored {run['pages']} page(s) ({run['new']} new) and was "
            "waiting for the next"
        )
        time.sleep(1.0)  # the supervisor's restart delay: a bounded pause, no race hidden
        replacement = self.start_worker()
        self.event(
            f"worker {len(self.workers)} started (pid {replacement.pid}), as a supervisor would"
        )
        after = self.wait(
            "a successful Mastodon poll after the kill",
            lambda: self.succeeded_since(killed_at).get("mastodon"),
            RECOVERY_TIMEOUT,
        )
        self.report.worker_recovered_after = (after - killed_at).total_seconds()
        redo = self.wait(
            "the Mastodon run after the kill",
            lambda: next((r for r in self.db.runs() if r["started_at"] == after), None),
            10,
        )
        self.event(
            f"Mastodon polled again from the old cursor: run #{redo['id']} succeeded, "
            f"{redo['pages']} pages, {redo['new']} new (the killed run's page 1 read again)"
        )
        closed = self.wait(
            "the killed poll's run to be closed",
            lambda: next((r for r in self.db.runs()
                          if r["id"] == run["id"] and r["status"] != "running"), None),
            RECOVERY_TIMEOUT,
        )  # fmt: skip
        self.report.killed_run = closed
        self.event(f"run #{run['id']} closed by the dispatcher: {closed['status']}, "
                   f"{closed['message']!r}")  # fmt: skip

    def outage(
        self, outage: Outage, how: str, stop: Callable[[], None], start: Callable[[], None]
    ) -> None:
        """Stop a service, keep it down until healthz has reported it (bounded), start it,
        then wait until healthz is all ok and every source has polled successfully."""
        assert self.health is not None
        health = self.health
        stop()
        outage.down_at = self.t()
        self.event(f"{outage.name} down ({how})")
        earliest_end = time.monotonic() + OUTAGE_SECONDS
        self.wait(
            f"/healthz/ to report the {outage.name} outage {OUTAGE_SAMPLES} times",
            lambda: (
                time.monotonic() >= earliest_end
                and len(health.between(outage.down_at, self.t())) >= OUTAGE_SAMPLES
            ),
            15,
        )
        restart = now_utc()
        outage.up_at = self.t(restart)
        start()
        outage.samples = health.between(outage.down_at, outage.up_at)
        labels = Counter(sample.label for sample in outage.samples)
        self.event(
            f"{outage.name} started again after {outage.up_at - outage.down_at:.1f} s down "
            f"(start took {self.t() - outage.up_at:.1f} s); healthz while down: "
            + ", ".join(f"{n}x {label}" for label, n in labels.items())
        )
        ok = self.wait(
            "/healthz/ all ok again",
            lambda: next(
                (s for s in health.samples if s.sent >= outage.up_at and s.label == "200 all ok"),
                None,
            ),
            RECOVERY_TIMEOUT,
        )
        outage.healthz_ok_after = ok.sent - outage.up_at
        outage.recovered_after = self.wait_all_polled_since(restart, f"{outage.name} came back")
        self.report.outages.append(outage)
        self.event(
            f"after the {outage.name} restart: healthz all ok at +{outage.healthz_ok_after:.1f}s,"
            " first successful polls at "
            + ", ".join(f"{p} +{s:.1f}s" for p, s in outage.recovered_after.items())
        )

    def restart_redis(self) -> None:
        def start() -> None:
            self.redis.start()
            self.wait("Redis to answer again", self.redis.ping, 10)

        how = "SIGTERM, nothing persisted: queued tasks, poll locks, the Bluesky session gone"
        self.outage(Outage("Redis", ("broker", "cache")), how, self.redis.stop, start)

    def stop_postgres(self) -> None:
        how = "pg_ctlcluster stop, fast mode: transactions rolled back, clients cut off"
        outage = Outage("PostgreSQL", ("database",))
        self.outage(outage, how, self.postgres.stop, self.postgres.start)

    def settle(self) -> None:
        self.poster.halt.set()
        self.poster.join(timeout=5)
        expected = timeline_keys(self.x, self.mastodon, self.bluesky)
        self.event(f"posting stops: {len(expected)} posts in the fake timelines")

        def stored() -> set[tuple[str, str]]:
            rows = self.db.rows("SELECT platform, external_key FROM events_post") or []
            return {(platform, key) for platform, key in rows}

        self.wait("every post to be stored", lambda: stored() >= expected, RECOVERY_TIMEOUT)
        check = now_utc()

        def all_scheduled() -> dict[str, float] | None:
            ahead = {
                s["platform"]: (s["next_poll_at"] - now_utc()).total_seconds()
                for s in self.db.sources()
                if s["state"] == "active" and s["next_poll_at"] is not None
            }
            return (
                ahead if sorted(p for p, a in ahead.items() if a > 0) == sorted(PLATFORMS) else None
            )

        self.report.next_poll_in = self.wait(
            "every next poll in the future", all_scheduled, RECOVERY_TIMEOUT
        )
        self.wait_all_polled_since(check, "the final check")
        self.report.runs_after_last_check = Counter(
            r["platform"] for r in self.db.runs()
            if r["status"] == "succeeded" and r["started_at"] > check
        )  # fmt: skip
        self.event("all posts stored; every source scheduled and polling on")
        self.report.expected = expected
        rows = self.db.rows("SELECT platform, external_key FROM events_post") or []
        self.report.stored_rows = len(rows)
        self.report.stored = {(platform, key) for platform, key in rows}
        self.report.runs = self.db.runs()
        self.report.bluesky_logins = self.bluesky.logins

    def run(self) -> Report:
        begun = time.monotonic()
        try:
            self.setup()
            self.report.setup_seconds = time.monotonic() - begun
            steps = ", ".join(f"{step} {sec:.1f} s" for step, sec in self.setup_steps.items())
            self.log(f"setup: {self.describe_setup()}")
            self.log(f"  {self.report.setup_seconds:.1f} s: {steps}")
            self.log("timeline")
            self.warm_up()
            self.kill_worker_mid_poll()
            self.restart_redis()
            self.stop_postgres()
            self.settle()
            assert self.health is not None
            time.sleep(HEALTH_INTERVAL * 2)  # one more healthz answer after the last poll
            current = [self.redis, *self.app_processes]  # web, beat, the current worker
            self.report.processes_alive = {
                "worker" if p in self.workers else p.name: p.alive() for p in current
            }
            self.report.health = list(self.health.samples)
        except BaseException:
            self.log(self.diagnostics())
            raise
        finally:
            self.teardown()
            self.report.runtime_seconds = time.monotonic() - begun
        return self.report

    def describe_setup(self) -> str:
        return (
            f"PostgreSQL {self.postgres.version} cluster {self.postgres.name} on "
            f":{self.postgres.port}, Redis on :{self.redis.port}, gunicorn on "
            f":{self.web_port}, fakes X/Mastodon/Bluesky, celery beat (dispatch every "
            f"{BEAT_TICK:.0f} s), Celery worker"
        )

    def diagnostics(self) -> str:
        parts = [f"--- scenario failed; logs in {self.workdir} (removed at teardown)"]
        for process in self.processes:
            parts.append(f"--- {process.log.name}\n{process.tail()}")
        parts.append(f"--- postgres\n{self.postgres.log_tail()}")
        return "\n".join(parts)

    def teardown(self) -> None:
        if self.health is not None:
            self.health.halt.set()
            self.health.join(timeout=15)
        self.poster.halt.set()
        self.mastodon.release.set()
        clock = time.monotonic()
        for process in self.processes:  # all at once: each may take a second or two
            process.terminate()
        for process in self.processes:
            process.wait_stopped(timeout=15)
        self.teardown_steps["processes"] = time.monotonic() - clock
        for fake in (self.x, self.mastodon, self.bluesky):
            if fake.thread.is_alive():
                fake.stop()
        clock = time.monotonic()
        self.postgres.drop()
        self.teardown_steps["pg_dropcluster"] = time.monotonic() - clock
        self.log(
            "teardown: "
            + ", ".join(f"{name} {sec:.1f} s" for name, sec in self.teardown_steps.items())
        )
        if not os.environ.get("CIVICCHAT_CHAOS_KEEP"):
            shutil.rmtree(self.workdir, ignore_errors=True)


def run_scenario(log: Callable[[str], None] = print) -> Report:
    """Run the whole scenario on private services and return what happened."""
    missing = missing_tools()
    if missing:
        raise ScenarioError("cannot run: missing " + ", ".join(missing))
    for name in drop_stale_clusters():
        log(f"dropped {name}, left behind by an earlier run")
    report = Scenario(log).run()
    for line in summary(report):
        log(line)
    return report


# --- printing ---------------------------------------------------------------------------------


def health_segments(
    samples: list[HealthSample],
) -> Iterator[tuple[HealthSample, HealthSample, int, float]]:
    """Runs of consecutive samples with the same label: (first, last, count, slowest)."""
    start = 0
    for index in range(1, len(samples) + 1):
        if index == len(samples) or samples[index].label != samples[start].label:
            run = samples[start:index]
            yield run[0], run[-1], len(run), max(s.answered - s.sent for s in run)
            start = index


def summary(report: Report) -> list[str]:
    lines = [f"healthz (gunicorn, every {HEALTH_INTERVAL} s, {len(report.health)} answers)"]
    for first, last, count, slowest in health_segments(report.health):
        span = f"t+{first.sent:5.1f}s .. t+{last.answered:5.1f}s"
        lines.append(f"  {span}  {first.label:<34} {count:3d}x, slowest {slowest * 1000:4.0f} ms")
    per_platform = Counter(platform for platform, _key in report.expected)
    counts = report.run_counts()
    failed = counts.get("failed", 0)
    lines += [
        "result",
        "  posts in the fake timelines  "
        + ", ".join(f"{p} {per_platform[p]}" for p in PLATFORMS)
        + f" = {len(report.expected)}",
        f"  posts stored                 {report.stored_rows} rows, {len(report.stored)} distinct:"
        f" missing {len(report.missing)}, unexpected {len(report.unexpected)},"
        f" duplicates {report.duplicates}",
        f"  runs                         succeeded {counts.get('succeeded', 0)}, failed {failed}"
        f" (below), rate limited"
        f" {counts.get('rate_limited', 0)}, still running {counts.get('running', 0)}",
        f"  worker kill                  Mastodon polled successfully again after"
        f" {report.worker_recovered_after:.1f} s (the killed poll's lock expires after"
        f" {TIMING_ENV['CAPTURE_LOCK_SECONDS']} s; 210 s in production)",
    ]
    for run in report.runs:
        if run["status"] == "failed":
            at = (run["started_at"] - report.started).total_seconds()
            lines.append(
                f"    failed: run #{run['id']} {run['platform']}, started t+{at:.1f}s:"
                f" {run['message'][:80]}"
            )
    for outage in report.outages:
        lines.append(
            f"  {outage.name:<28} down {outage.up_at - outage.down_at:.1f} s; first successful"
            f" poll after it: "
            + ", ".join(f"{p} +{s:.1f}s" for p, s in outage.recovered_after.items())
        )
    lines += [
        "  schedule                     next poll in "
        + ", ".join(f"{p} {s:+.1f}s" for p, s in sorted(report.next_poll_in.items()))
        + "; runs after the final check: "
        + ", ".join(f"{p} {n}" for p, n in sorted(report.runs_after_last_check.items())),
        f"  Bluesky logins               {report.bluesky_logins} (the session lives in Redis)",
        f"  workers ended by Celery      {len(report.worker_exits)}"
        + "".join(f"; t+{at:.1f}s {name}: {why[-120:]}" for at, name, why in report.worker_exits),
        "  processes alive at the end   "
        + ", ".join(
            f"{name} {'yes' if alive else 'NO'}" for name, alive in report.processes_alive.items()
        ),
    ]
    problems = report.problems()
    verdict = "OK" if not problems else "FAILED: " + "; ".join(problems)
    lines.append(
        f"verdict: {verdict} (setup {report.setup_seconds:.1f} s, total "
        f"{report.runtime_seconds:.1f} s)"
    )
    return lines


def main() -> int:
    # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so the teardown still runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print("CivicChat fault-tolerance scenario (issue 8)", flush=True)
    try:
        report = run_scenario(log=lambda line: print(line, flush=True))
    except ScenarioError as exc:
        print(f"scenario error: {exc}", flush=True)
        return 2
    return 1 if report.problems() else 0


if __name__ == "__main__":
    sys.exit(main())
