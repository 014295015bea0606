"""The capture services against the fake platforms, on whatever database the suite uses
(SQLite locally, PostgreSQL in CI). PostgreSQL-only races are in test_postgres_idempotency.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.capture_selectors import capture_window, public_posts
from events.integrations.base import ParsedPost
from events.models import CaptureRun, CaptureSource, Post
from events.services.capture import (
    dispatch_due_captures,
    ensure_capture_sources,
    poll_source,
    resume_capture_source,
    source_lock,
    upsert_posts,
)
from tests.factories import CaptureRunFactory, CaptureSourceFactory, ChatFactory, ChatHostFactory

pytestmark = pytest.mark.django_db


def _source(chat, platform):
    return next(s for s in ensure_capture_sources(chat=chat) if s.platform == platform)


def _seed(platforms, platform, count=3):
    """``count`` posts under the chat's hashtag on one fake platform."""
    fake = platforms[platform]
    for n in range(count):
        if platform == "x":
            fake.add_tweet(f"post {n} #CivicTest")
        elif platform == "mastodon":
            fake.add_status(f"post {n} #CivicTest", tags=["CivicTest"])
        else:
            fake.add_post(f"post {n} #CivicTest")


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_poll_source_stores_posts_and_records_the_run(platforms, live_chat, platform):
    _seed(platforms, platform)
    source = _source(live_chat, platform)

    result = poll_source(source_id=source.pk)

    run = CaptureRun.objects.get(pk=result.run_id)
    source.refresh_from_db()
    assert (run.status, run.kind, run.new_posts, run.updated_posts, run.errors) == (
        "succeeded",
        "poll",
        3,
        0,
        [],
    )
    assert Post.objects.filter(chat=live_chat, platform=platform, source=source).count() == 3
    assert source.next_poll_at == run.started_at + timedelta(seconds=60)
    assert (source.last_error, source.failures, source.last_run_at) == ("", 0, run.started_at)
    assert source.cursor != {}


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_poll_source_twice_over_the_same_responses_keeps_one_row_per_post(
    platforms, live_chat, platform
):
    _seed(platforms, platform)
    source = _source(live_chat, platform)
    poll_source(source_id=source.pk)
    CaptureSource.objects.filter(pk=source.pk).update(cursor={})  # re-read the same pages

    second = poll_source(source_id=source.pk, force=True)

    assert (second.status, second.new, second.updated) == ("succeeded", 0, 0)
    assert Post.objects.filter(chat=live_chat).count() == 3


def test_poll_source_edit_updates_the_row(platforms, live_chat):
    fake = platforms["mastodon"]
    status = fake.add_status("first draft #CivicTest", tags=["CivicTest"])
    source = _source(live_chat, "mastodon")
    poll_source(source_id=source.pk)
    post = Post.objects.get()
    post_id, first_seen = post.pk, post.first_seen_at
    Post.objects.filter(pk=post_id).update(hidden=True, hidden_reason="spam")
    fake.edit(status["id"], "final text #CivicTest")
    CaptureSource.objects.filter(pk=source.pk).update(cursor={})

    result = poll_source(source_id=source.pk, force=True)

    post = Post.objects.get()
    assert (result.new, result.updated) == (0, 1)
    assert (post.pk, post.text, post.first_seen_at) == (
        post_id,
        "final text #CivicTest",
        first_seen,
    )
    assert (post.hidden, post.hidden_reason) == (True, "spam")  # moderation survives


def test_poll_source_malformed_item_is_recorded_and_the_page_kept(platforms, live_chat):
    fake = platforms["x"]
    fake.add_tweet("good #CivicTest")
    bad = fake.add_tweet("", raw={"text": "#CivicTest", "author_id": "1"})
    source = _source(live_chat, "x")

    result = poll_source(source_id=source.pk)

    run = CaptureRun.objects.get(pk=result.run_id)
    assert (run.status, run.new_posts) == ("succeeded", 1)
    assert run.errors == [{"item": bad, "reason": "malformed tweet: 'created_at'"}]


RESET_2100 = datetime(2100, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("platform", "path", "header", "value"),
    [
        ("x", "/2/", "x-rate-limit-reset", "4102444800"),  # epoch seconds
        ("mastodon", "/api/", "X-RateLimit-Reset", "2100-01-01T00:00:00.000Z"),  # ISO-8601
        ("bluesky", "/xrpc/app.bsky", "RateLimit-Reset", "4102444800"),  # epoch seconds
    ],
)
def test_poll_source_rate_limit_reschedules_to_the_reset(
    platforms, live_chat, platform, path, header, value
):
    platforms[platform].fail_next(429, headers={header: value}, path_prefix=path)
    source = _source(live_chat, platform)

    result = poll_source(source_id=source.pk)

    source.refresh_from_db()
    run = CaptureRun.objects.get(pk=result.run_id)
    resume_at = RESET_2100 + timedelta(seconds=1)
    assert (run.status, source.next_poll_at, source.rate_limited_until) == (
        "rate_limited",
        resume_at,
        resume_at,
    )
    assert source.failures == 0


def test_poll_source_rate_limit_mid_cycle_keeps_the_pages_before_it(platforms, live_chat):
    # Pages are fetched on a thread while the previous one is written (core.prefetch):
    # the error still arrives after the pages fetched before it, and they are stored.
    for n in range(250):
        platforms["x"].add_tweet(f"post {n} #CivicTest")
    platforms["x"].fail_next(
        429, headers={"x-rate-limit-reset": "4102444800"}, path_prefix="/2/tweets", after=1
    )
    source = _source(live_chat, "x")

    result = poll_source(source_id=source.pk)

    source.refresh_from_db()
    assert (result.status, result.pages, result.new) == ("rate_limited", 1, 100)
    assert Post.objects.filter(source=source).count() == 100
    assert source.cursor == {}  # the cycle did not complete: the same pages next time


def test_poll_source_page_cap_fetches_no_page_beyond_it(platforms, live_chat, settings):
    settings.CAPTURE_MAX_PAGES = 2
    for n in range(450):
        platforms["x"].add_tweet(f"post {n} #CivicTest")
    source = _source(live_chat, "x")

    result = poll_source(source_id=source.pk)

    searches = [p for p in platforms["x"].paths() if p.startswith("/2/tweets/search")]
    assert (result.pages, result.new, len(searches)) == (2, 200, 2)
    assert "stopped after 2 pages" in result.errors[-1]["reason"]


def test_run_progress_is_saved_after_the_first_page_then_at_most_once_a_second(
    platforms, live_chat, monkeypatch
):
    monkeypatch.setattr("events.services.capture.RUN_PROGRESS_SECONDS", 3600)
    for n in range(250):
        platforms["x"].add_tweet(f"post {n} #CivicTest")
    source = _source(live_chat, "x")

    with CaptureQueriesContext(connection) as queries:
        result = poll_source(source_id=source.pk)

    run_updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "events_capturerun"')]
    # The first page's counts (the live page shows the cycle started) and the final ones.
    assert len(run_updates) == 2
    run = CaptureRun.objects.get(pk=result.run_id)
    assert (run.pages, run.new_posts, run.status) == (3, 250, "succeeded")


def test_poll_source_server_error_backs_off_exponentially_with_jitter(platforms, live_chat):
    source = _source(live_chat, "x")
    platforms["x"].fail_next(503, times=2)

    first = poll_source(source_id=source.pk, force=True)
    first_delay = (first.next_poll_at - timezone.now()).total_seconds()
    second = poll_source(source_id=source.pk, force=True)
    second_delay = (second.next_poll_at - timezone.now()).total_seconds()

    source.refresh_from_db()
    assert (first.status, second.status, source.failures) == ("failed", "failed", 2)
    assert 7 <= first_delay <= 15  # base 15 s, jitter in [50 %, 100 %]
    assert 14 <= second_delay <= 30
    assert source.last_error == "X had a server error (HTTP 503)."


def test_poll_source_success_after_failures_resets_the_backoff(platforms, live_chat):
    source = _source(live_chat, "x")
    platforms["x"].fail_next(500)
    poll_source(source_id=source.pk, force=True)

    poll_source(source_id=source.pk, force=True)

    source.refresh_from_db()
    assert (source.failures, source.last_error) == (0, "")


def test_poll_source_401_marks_needs_credentials_until_resumed(platforms, live_chat, settings):
    source = _source(live_chat, "x")
    settings.X_BEARER_TOKEN = "revoked"

    result = poll_source(source_id=source.pk)

    source.refresh_from_db()
    assert (result.status, source.state, source.next_poll_at) == (
        "failed",
        "needs_credentials",
        None,
    )
    assert source.last_error.startswith("X refused our credentials (HTTP 401).")
    assert poll_source(source_id=source.pk).message == "The source is needs_credentials."

    settings.X_BEARER_TOKEN = platforms["x"].token
    resume_capture_source(source_id=source.pk)

    assert poll_source(source_id=source.pk).status == "succeeded"


def test_poll_source_is_skipped_while_another_poll_holds_the_lock(platforms, live_chat):
    source = _source(live_chat, "x")

    with source_lock(source.pk) as acquired:
        result = poll_source(source_id=source.pk)

    assert (acquired, result.status, result.run_id) == (True, "skipped", None)
    assert CaptureRun.objects.count() == 0


def test_poll_source_before_the_window_only_reschedules(platforms, db):
    chat = ChatFactory(platforms=["x"])  # next week
    source = _source(chat, "x")
    CaptureSource.objects.filter(pk=source.pk).update(next_poll_at=timezone.now())

    result = poll_source(source_id=source.pk)

    source.refresh_from_db()
    assert (result.status, source.next_poll_at) == ("skipped", capture_window(chat)[0])
    assert platforms["x"].requests == []


def test_sweep_after_the_window_rereads_it_and_marks_deleted_posts(platforms, db):
    fake = platforms["x"]
    now = timezone.now()
    chat = ChatFactory(
        hashtag="#CivicTest",
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=2),
        platforms=["x"],
        status="ended",
    )
    kept = fake.add_tweet("kept #CivicTest", created_at=now - timedelta(hours=2, minutes=30))
    gone = fake.add_tweet("gone #CivicTest", created_at=now - timedelta(hours=2, minutes=20))
    source = _source(chat, "x")
    poll_source(source_id=source.pk, force=True)  # a sweep: the window closed an hour ago
    CaptureSource.objects.filter(pk=source.pk).update(swept_at=None)
    fake.deleted.add(gone)

    result = poll_source(source_id=source.pk)

    source.refresh_from_db()
    assert (result.kind, result.status, result.deleted) == ("sweep", "succeeded", 1)
    assert (source.swept_at is not None, source.next_poll_at) == (True, None)
    assert list(public_posts(chat_id=chat.pk).values_list("external_key", flat=True)) == [kept]
    assert Post.objects.get(external_key=gone).deleted_at is not None
    assert "end_time" in fake.requests[-2].query


def test_host_posts_are_marked_official(platforms, live_chat):
    ChatHostFactory(chat=live_chat, platform="x", handle="@PhillyCity")
    platforms["x"].add_tweet("Q1: what should we fix first? #CivicTest", username="PhillyCity")
    platforms["x"].add_tweet("potholes #CivicTest", username="resident")

    poll_source(source_id=_source(live_chat, "x").pk)

    assert dict(Post.objects.values_list("author_handle", "is_official")) == {
        "phillycity": True,
        "resident": False,
    }


def test_mastodon_reply_key_resolves_to_the_parent_uri(platforms, live_chat):
    fake = platforms["mastodon"]
    parent = fake.add_status("Q1 #CivicTest", acct="city", tags=["CivicTest"])
    fake.add_status("A1 #CivicTest", tags=["CivicTest"], reply_to=parent["id"])

    poll_source(source_id=_source(live_chat, "mastodon").pk)

    assert list(Post.objects.exclude(reply_to_key="").values_list("reply_to_key", flat=True)) == [
        parent["uri"]
    ]


def test_ensure_capture_sources_marks_platforms_without_credentials(platforms, live_chat, settings):
    settings.BLUESKY_APP_PASSWORD = ""

    sources = ensure_capture_sources(chat=live_chat)

    assert [(s.platform, s.state, s.query) for s in sources] == [
        ("bluesky", "needs_credentials", "#CivicTest"),
        ("mastodon", "active", "#CivicTest"),
        ("x", "active", "#CivicTest"),
    ]
    assert sources[0].last_error.startswith("Bluesky needs an account")
    assert ensure_capture_sources(chat=live_chat) == sources  # idempotent


def test_dispatcher_creates_sources_claims_due_ones_and_polls_on_commit(
    platforms, live_chat, eager_celery, django_capture_on_commit_callbacks
):
    _seed(platforms, "x", count=2)
    _seed(platforms, "mastodon", count=1)
    _seed(platforms, "bluesky", count=1)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        claimed = dispatch_due_captures()

    assert (len(claimed), len(callbacks)) == (3, 1)
    assert dict(CaptureRun.objects.values_list("source__platform", "status")) == {
        "x": "succeeded",
        "mastodon": "succeeded",
        "bluesky": "succeeded",
    }
    assert Post.objects.filter(chat=live_chat).count() == 4


def test_dispatcher_claims_only_active_due_sources_and_leases_them(db):
    now = timezone.now()
    due = CaptureSourceFactory(next_poll_at=now - timedelta(seconds=1))
    CaptureSourceFactory(next_poll_at=now + timedelta(seconds=30))
    CaptureSourceFactory(next_poll_at=now - timedelta(seconds=1), state="paused")
    CaptureSourceFactory(next_poll_at=now - timedelta(seconds=1), chat__status="draft")

    claimed = dispatch_due_captures(now=now)
    again = dispatch_due_captures(now=now)

    due.refresh_from_db()
    assert (claimed, again) == ([due.pk], [])
    assert due.next_poll_at == now + timedelta(seconds=300)


def test_dispatcher_closes_runs_abandoned_by_a_dead_worker(db):
    now = timezone.now()
    stale = CaptureRunFactory(status="running", started_at=now - timedelta(hours=1), ended_at=None)
    fresh = CaptureRunFactory(
        status="running", started_at=now - timedelta(seconds=5), ended_at=None
    )

    dispatch_due_captures(now=now)

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, stale.ended_at, fresh.status) == ("failed", now, "running")


def _parsed(n):
    return ParsedPost(
        platform="x",
        external_key=str(n),
        source_item_id=str(n),
        author_handle="resident",
        author_name="",
        author_url="",
        author_avatar_url="",
        text=f"post {n}",
        html=f"<p>post {n}</p>",
        created_at=timezone.now(),
        url="",
    )


@pytest.mark.parametrize("count", [1, 3])
def test_upsert_posts_query_count_does_not_grow_with_the_batch(
    live_chat, django_assert_num_queries, count
):
    posts = [_parsed(n) for n in range(count)]
    # PostgreSQL: one INSERT ... SELECT FROM jsonb_array_elements(batch) ON CONFLICT DO
    # UPDATE ... RETURNING. SQLite: SELECT existing keys; SAVEPOINT; INSERT ... ON
    # CONFLICT DO UPDATE; RELEASE.
    expected = 1 if connection.vendor == "postgresql" else 4
    with django_assert_num_queries(expected):
        counts = upsert_posts(chat_id=live_chat.pk, posts=posts, officials={})

    assert (counts.new, counts.updated, counts.unchanged) == (count, 0, 0)


def test_upsert_posts_stores_every_field_and_any_json_payload(live_chat):
    # Non-ASCII text, nested metrics and an integer beyond 64 bits in the raw payload
    # (orjson refuses it; the json module takes over for that post).
    post = replace(
        _parsed(1),
        author_name="Zoë 🚲",
        text='Q1: "quotes" \\ back\nslash, café ☕',
        metrics={"like_count": 3, "z": {"b": 1, "a": [1.5, None]}},
        raw={"id": 2**70, "text": "café"},
        language="es",
    )

    first = upsert_posts(chat_id=live_chat.pk, posts=[post], officials={"x": {"resident"}})
    again = upsert_posts(chat_id=live_chat.pk, posts=[post], officials={"x": {"resident"}})

    stored = Post.objects.get()
    assert (first.new, again.unchanged) == (1, 1)  # the digest is stable
    assert (stored.author_name, stored.text, stored.language) == (
        post.author_name,
        post.text,
        "es",
    )
    assert stored.metrics == post.metrics
    assert stored.raw == {"id": 2**70, "text": "café"}
    assert stored.created_at == post.created_at
    assert stored.is_official is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL upsert path")
def test_upsert_posts_stores_a_post_with_a_lone_surrogate_and_the_rest_of_its_page(live_chat):
    # json.loads('"\\ud83d"') gives a lone surrogate: no UTF-8 can carry it.
    broken = replace(_parsed(1), text="emoji cut in half: \ud83d", raw={"text": "\ud83d"})

    counts = upsert_posts(chat_id=live_chat.pk, posts=[broken, _parsed(2)], officials={})
    again = upsert_posts(chat_id=live_chat.pk, posts=[broken], officials={})

    assert (counts.new, again.unchanged) == (2, 1)
    stored = Post.objects.get(external_key="1")
    assert (stored.text, stored.raw) == ("emoji cut in half: ?", {"text": "?"})


def test_upsert_posts_duplicate_keys_in_one_batch_give_one_row(live_chat):
    counts = upsert_posts(chat_id=live_chat.pk, posts=[_parsed(1), _parsed(1)], officials={})

    assert (counts.new, Post.objects.count()) == (1, 1)


def test_upsert_posts_counts_only_real_changes_and_keeps_moderation(live_chat):
    posts = [_parsed(n) for n in range(4)]
    first = upsert_posts(chat_id=live_chat.pk, posts=posts, officials={}, batch_size=3)
    Post.objects.filter(external_key="1").update(hidden=True, hidden_reason="spam")
    Post.objects.filter(external_key="2").update(highlighted=True, deleted_at=timezone.now())
    posts[1].text = posts[2].text = "edited"

    again = upsert_posts(chat_id=live_chat.pk, posts=posts, officials={}, batch_size=3)
    third = upsert_posts(chat_id=live_chat.pk, posts=posts, officials={"x": {"resident"}})

    assert (first.new, first.updated, first.unchanged) == (4, 0, 0)
    assert (again.new, again.updated, again.unchanged) == (0, 2, 2)
    assert (third.new, third.updated, third.unchanged) == (0, 4, 0)  # now official
    rows = {p.external_key: p for p in Post.objects.all()}
    assert (rows["1"].text, rows["1"].hidden, rows["1"].hidden_reason) == ("edited", True, "spam")
    # A changed post comes back: undeleted, still highlighted.
    assert (rows["2"].highlighted, rows["2"].deleted_at) == (True, None)
    assert Post.objects.count() == 4
    assert all(p.is_official for p in rows.values())


def test_capture_command_polls_every_source_and_prints_what_it_did(platforms, live_chat):
    _seed(platforms, "x", count=2)
    platforms["mastodon"].add_status("good", tags=["CivicTest"])
    platforms["mastodon"].add_status("", tags=["CivicTest"], raw={"uri": "https://bad.example/1"})
    platforms["bluesky"].fail_next(503, path_prefix="/xrpc/app.bsky")
    out = StringIO()

    call_command("capture", live_chat.slug, stdout=out)

    lines = [line.split("; next poll")[0] for line in out.getvalue().splitlines()]
    assert lines == [
        f"Capturing {live_chat.title} ({live_chat.slug}), hashtags #CivicTest",
        "Bluesky: #CivicTest: failed (poll); pages 0, new 0, updated 0, deleted 0, errors 0",
        "    Bluesky had a server error (HTTP 503).",
        f"Mastodon @ {platforms['mastodon'].url}: #CivicTest: succeeded (poll); pages 2, new 1, "
        "updated 0, deleted 0, errors 1",
        "    skipped https://bad.example/1: malformed status: 'account'",
        "X (Twitter): #CivicTest: succeeded (poll); pages 1, new 2, updated 0, deleted 0, errors 0",
    ]


def test_capture_command_unknown_chat_is_an_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as caught:
        call_command("capture", "no-such-chat")

    assert str(caught.value) == "No chat with slug or id 'no-such-chat'."
