"""Importing archives: the report (lines and reasons), idempotency, both formats, the
background path with its progress, refusals, the page and the command."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from civicchat.celery import app as celery_app
from events.models import ImportJob, ImportStatus, ModerationAction, Post, TrackedQuestion
from events.services.imports import (
    ImportRefused,
    Upload,
    requeue_stale_imports,
    run_import_job,
    start_import,
)
from tests.events.imports.conftest import upload
from tests.factories import CaptureSourceFactory, ChatFactory, ImportJobFactory, PostFactory

pytestmark = pytest.mark.django_db

MIXED_CSV = """platform,id,url,author_handle,author_name,created_at,text,reply_to
x,1790000000000000001,,rosa_phl,Rosa,2024-05-02T18:05:00-04:00,How do I report a pothole? #Philly311NLP,
x,1790000000000000002,,philly311,Philly311,2024-05-02T18:07:00-04:00,@rosa_phl Use the 311 app or call 311. #Philly311NLP,1790000000000000001
mastodon,,https://mastodon.example/@sam/111,sam,Sam,2024-05-02T22:10:00Z,A2: more trash cans,
bluesky,,https://bsky.app/profile/lee.bsky.social/post/3kabc,lee.bsky.social,Lee,2024-05-02T22:11:00Z,¿Cuándo pasa el camión de reciclaje?,
myspace,1,,tom,Tom,2024-05-02T22:12:00Z,hello,
x,1790000000000000003,,ana,Ana,2024-05-02 18:20:00,No zone here,
x,1790000000000000004,,ben,Ben,2024-05-02T22:21:00Z,,
x,not-a-number,,cam,Cam,2024-05-02T22:22:00Z,Hi,
x,1790000000000000006,,eve,Eve,2024-05-02T22:24:00Z,"Line one
line two?",
x,1790000000000000001,,rosa_phl,Rosa,2024-05-02T18:05:00-04:00,How do I report a pothole? #Philly311NLP,
x,1790000000000000005,javascript:alert(1),dee,Dee,2024-05-02T22:23:00Z,Hello,
"""  # noqa: E501 -- the rows as a tool writes them

MIXED_REPORT = [
    {"line": 6, "reason": "Unknown platform “myspace”: use x, mastodon or bluesky."},
    {
        "line": 7,
        "reason": "created_at has no time zone (add “Z” or an offset such as “-05:00”): "
        "2024-05-02 18:20:00",
    },
    {"line": 8, "reason": "The post has no text."},
    {"line": 9, "reason": "id is not an X post id or link: not-a-number"},
    {"line": 12, "reason": "The same post as line 2."},
    {"line": 13, "reason": "url is not an http(s) link: javascript:alert(1)"},
]

STORED_KEYS = [
    ("x", "1790000000000000001", "rosa_phl"),
    ("x", "1790000000000000002", "philly311"),
    ("mastodon", "https://mastodon.example/users/sam/statuses/111", "sam@mastodon.example"),
    ("bluesky", "at://lee.bsky.social/app.bsky.feed.post/3kabc", "lee.bsky.social"),
    ("x", "1790000000000000006", "eve"),
]


def _import(chat, content, name="archive.csv", content_type="text/csv", **kwargs):
    file = upload(content, name, content_type)
    return start_import(
        chat=chat, upload=Upload(file, file.name or "", content_type), by=None, **kwargs
    )


def _counts(job: ImportJob) -> tuple:
    return (
        job.status,
        job.total_rows,
        job.imported_rows,
        job.updated_rows,
        job.unchanged_rows,
        job.skipped_rows,
    )


def _stored(chat) -> list[tuple[str, str, str]]:
    return list(
        Post.objects.filter(chat=chat)
        .order_by("pk")
        .values_list("platform", "external_key", "author_handle")
    )


def test_import_of_good_and_bad_rows_stores_the_good_and_reports_the_bad(past_chat):
    job = _import(past_chat, MIXED_CSV)

    assert _counts(job) == ("succeeded", 11, 5, 0, 0, 6)
    assert job.errors == MIXED_REPORT
    assert _stored(past_chat) == STORED_KEYS
    host_reply = Post.objects.get(external_key="1790000000000000002")
    assert (host_reply.is_official, host_reply.reply_to_key, host_reply.source_id) == (
        True,
        "1790000000000000001",
        None,
    )
    assert Post.objects.get(author_handle="eve").text == "Line one\nline two?"


def test_import_of_the_same_file_twice_changes_nothing(past_chat):
    _import(past_chat, MIXED_CSV)
    before = list(Post.objects.order_by("pk").values())
    questions_before = list(TrackedQuestion.objects.order_by("pk").values())

    again = _import(past_chat, MIXED_CSV)

    assert _counts(again) == ("succeeded", 11, 0, 0, 5, 6)
    assert again.errors == MIXED_REPORT
    assert list(Post.objects.order_by("pk").values()) == before
    assert list(TrackedQuestion.objects.order_by("pk").values()) == questions_before
    assert ImportJob.objects.count() == 2


def test_import_detects_questions_and_links_the_hosts_answer(past_chat):
    _import(past_chat, MIXED_CSV)

    rows = TrackedQuestion.objects.order_by("post__pk").values_list(
        "post__author_handle", "status", "answer_post__author_handle"
    )
    assert list(rows) == [
        ("rosa_phl", "answered", "philly311"),
        ("lee.bsky.social", "open", None),
        ("eve", "open", None),
    ]
    assert list(ModerationAction.objects.values_list("action", "by")) == [("question_status", None)]


def test_import_of_json_lines_from_other_tools(past_chat):
    lines = [
        # twarc2 (X API v2, flattened): author and metrics nested, reply in referenced_tweets.
        {
            "id": "1790000000000000010",
            "edit_history_tweet_ids": ["1790000000000000009", "1790000000000000010"],
            "conversation_id": "1790000000000000009",
            "created_at": "2024-05-02T22:15:00.000Z",
            "text": "A1: I call 311 but never hear back. Can I track my request?",
            "lang": "en",
            "author": {"username": "Rosa_PHL", "name": "Rosa"},
            "public_metrics": {"like_count": 4, "retweet_count": 1, "reply_count": 0},
            "referenced_tweets": [{"type": "replied_to", "id": "1790000000000000008"}],
        },
        # A Mastodon API status: the uri is the key, content is HTML.
        {
            "id": "112233",
            "uri": "https://mastodon.example/users/sam/statuses/112233",
            "url": "https://mastodon.example/@sam/112233",
            "created_at": "2024-05-02T22:16:00.000Z",
            "content": (
                "<p>Streetlights out on Frankford <script>x()</script>"
                '<a href="javascript:y()">here</a></p>'
            ),
            "account": {"acct": "sam", "display_name": "Sam", "avatar": "https://m.example/a.png"},
            "replies_count": 2,
            "language": "en",
        },
        # A Bluesky postView.
        {
            "uri": "at://did:plc:abc123/app.bsky.feed.post/3kxyz",
            "cid": "bafyrei123",
            "author": {"handle": "lee.bsky.social", "displayName": "Lee"},
            "record": {
                "text": "¿Dónde pido un contenedor?",
                "createdAt": "2024-05-02T22:17:00.000Z",
                "langs": ["es"],
            },
            "indexedAt": "2024-05-02T22:17:01.000Z",
            "likeCount": 3,
        },
        "not an object",
    ]
    content = "\n".join(json.dumps(line) for line in lines) + "\n{broken json\n\n"

    job = _import(past_chat, content, name="export.jsonl", content_type="application/x-ndjson")

    assert _counts(job) == ("succeeded", 5, 3, 0, 0, 2)
    assert job.errors == [
        {"line": 4, "reason": "The line is not a JSON object."},
        {
            "line": 5,
            "reason": "The line is not valid JSON (Expecting property name enclosed in double "
            "quotes: line 1 column 2 (char 1)).",
        },
    ]
    x, mastodon, bluesky = Post.objects.filter(chat=past_chat).order_by("pk")
    assert (
        x.external_key,
        x.source_item_id,
        x.author_handle,
        x.reply_to_key,
        x.conversation_key,
        x.metrics,
        x.language,
    ) == (
        "1790000000000000009",
        "1790000000000000010",
        "rosa_phl",
        "1790000000000000008",
        "1790000000000000009",
        {"likes": 4, "reposts": 1, "replies": 0},
        "en",
    )
    assert (mastodon.external_key, mastodon.author_handle, mastodon.html) == (
        "https://mastodon.example/users/sam/statuses/112233",
        "sam@mastodon.example",
        '<p>Streetlights out on Frankford <a rel="nofollow noopener noreferrer">here</a></p>',
    )
    assert (bluesky.external_key, bluesky.author_name, bluesky.language, bluesky.url) == (
        "at://did:plc:abc123/app.bsky.feed.post/3kxyz",
        "Lee",
        "es",
        "https://bsky.app/profile/lee.bsky.social/post/3kxyz",
    )


def test_import_resolves_mastodon_replies_named_by_instance_id(past_chat):
    content = (
        "platform,id,uri,author_handle,created_at,text,in_reply_to_id\n"
        "mastodon,100,https://mastodon.example/users/sam/statuses/100,sam,"
        "2024-05-02T22:10:00Z,Where do I report graffiti?,\n"
        "mastodon,101,https://mastodon.example/users/philly311/statuses/101,philly311,"
        "2024-05-02T22:12:00Z,@sam Report it in the 311 app.,100\n"
    )

    _import(past_chat, content)

    reply = Post.objects.get(source_item_id="101")
    assert (reply.reply_to_key, reply.is_official) == (
        "https://mastodon.example/users/sam/statuses/100",
        True,
    )
    assert TrackedQuestion.objects.get().status == "answered"


def test_import_leaves_a_post_captured_live_as_it_was(past_chat):
    captured = PostFactory(
        chat=past_chat,
        platform="x",
        external_key="1790000000000000001",
        text="Captured text",
        source=CaptureSourceFactory(chat=past_chat),
    )

    job = _import(past_chat, MIXED_CSV)

    captured.refresh_from_db()
    assert (job.imported_rows, job.unchanged_rows, captured.text) == (4, 1, "Captured text")


def test_import_refuses_a_post_stored_in_another_chat(past_chat):
    other = ChatFactory(title="Another chat")
    PostFactory(chat=other, platform="x", external_key="1790000000000000001")

    job = _import(past_chat, MIXED_CSV)

    assert job.errors[0] == {
        "line": 2,
        "reason": "This post is already stored in another chat (Another chat).",
    }
    assert job.skipped_rows == 7


@pytest.mark.parametrize(
    ("content", "name", "content_type", "message"),
    [
        ("", "a.csv", "text/csv", "The file is empty."),
        (
            "platform,id\nx,1\n",
            "a.xlsx",
            "text/csv",
            "Upload a CSV (.csv) or JSON Lines (.jsonl) file.",
        ),
        (
            "platform,id\nx,1\n",
            "a.csv",
            "image/png",
            "Upload a CSV (.csv) or JSON Lines (.jsonl) file.",
        ),
        (
            b"PK\x03\x04 spreadsheet",
            "a.csv",
            "application/vnd.ms-excel",
            "This is a spreadsheet, not a CSV file: save it as “CSV UTF-8” and upload that.",
        ),
        (
            b"id,text\n1,\x00\x01",
            "a.csv",
            "text/csv",
            "The file is not text (it holds binary data).",
        ),
        (
            "id,text,created_at\n1,Caf\xe9,2024-05-02T22:10:00Z\n".encode("latin-1"),
            "a.csv",
            "text/csv",
            "The file is not UTF-8 text (line 2): save it as UTF-8.",
        ),
        (
            '[{"id": 1}]',
            "a.json",
            "application/json",
            "This is a JSON array; upload JSON Lines instead: one JSON object per line.",
        ),
        (
            "id,body_text,when\n1,hi,now\n",
            "a.csv",
            "text/csv",
            "The header has no column for: created_at, text. Columns found: id, body_text, when.",
        ),
        ("\n\n", "a.jsonl", "application/jsonl", "The file is empty."),
    ],
)
def test_import_refuses_files_that_are_not_archives(
    past_chat, content, name, content_type, message
):
    if content == "\n\n":
        message = "The first line is not a JSON object; is this a CSV file?"

    with pytest.raises(ImportRefused) as refused:
        _import(past_chat, content, name=name, content_type=content_type)

    assert (refused.value.message, ImportJob.objects.count()) == (message, 0)


def test_import_refuses_a_file_over_the_size_limit(past_chat, settings):
    settings.IMPORT_MAX_BYTES = 100

    with pytest.raises(ImportRefused) as refused:
        _import(past_chat, MIXED_CSV)

    assert refused.value.message == "The file is larger than 1 MB."


def test_import_refuses_a_file_with_too_many_rows(past_chat, settings):
    settings.IMPORT_MAX_ROWS = 10

    with pytest.raises(ImportRefused) as refused:
        _import(past_chat, MIXED_CSV)

    assert refused.value.message == "The file has 11 rows; at most 10 can be imported at once."


@pytest.fixture
def eager_celery():
    """Queued tasks run at once in this process (the worker's code, not the broker)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_large_import_runs_in_the_background_task_and_keeps_the_report(
    past_chat, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 5

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = _import(past_chat, MIXED_CSV)
        queued_status = job.status

    job.refresh_from_db()
    assert (queued_status, len(callbacks), job.in_background) == ("queued", 1, True)
    assert _counts(job) == ("succeeded", 11, 5, 0, 0, 6)
    assert job.errors == MIXED_REPORT
    assert (job.started_at is not None, job.finished_at is not None) == (True, True)


def test_run_import_job_leaves_a_job_another_worker_is_running(past_chat):
    job = _import(past_chat, MIXED_CSV, background=True)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)

    run_import_job(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.processed_rows, Post.objects.count()) == ("running", 0, 0)


def test_run_import_job_fails_clearly_when_the_file_is_gone(past_chat):
    job = _import(past_chat, MIXED_CSV, background=True)
    job.file.storage.delete(job.file.name)

    run_import_job(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message.startswith("The uploaded file is not available to this process:")


def test_progress_partial_polls_while_running_and_stops_when_done(staff_client, chat):
    job = ImportJobFactory(chat=chat, status="running", total_rows=10, processed_rows=3)
    url = reverse("staff:import_progress", kwargs={"pk": chat.pk, "job_pk": job.pk})

    running = staff_client.get(url).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status="succeeded", processed_rows=10)
    done = staff_client.get(url).content.decode()

    assert re.findall(r'hx-trigger="([^"]+)"', running) == ["every 2s"]
    assert "Importing: 3 of 10 rows…" in running
    assert '<progress class="cc-progress" max="100" value="30"' in running
    assert re.findall(r'hx-trigger="([^"]+)"', done) == []
    assert "The import is finished; every row was accepted." in done


def test_import_page_uploads_and_shows_the_report(staff_client, past_chat, comms):
    url = reverse("staff:chat_import", kwargs={"pk": past_chat.pk})

    response = staff_client.post(url, {"file": upload(MIXED_CSV), "format": ""})
    job = ImportJob.objects.get()
    page = staff_client.get(response.url).content.decode()

    assert response.url == reverse(
        "staff:import_job", kwargs={"pk": past_chat.pk, "job_pk": job.pk}
    )
    assert (job.uploaded_by, job.original_name) == (comms, "archive.csv")
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td></tr>", page)
    assert [int(line) for line, _reason in rows] == [6, 7, 8, 9, 12, 13]
    assert "The import is finished; 6 rows were refused (listed below)." in page


def test_import_page_shows_why_a_file_is_refused(staff_client, past_chat):
    url = reverse("staff:chat_import", kwargs={"pk": past_chat.pk})
    spreadsheet = upload(b"PK\x03\x04...", "posts.csv", "application/vnd.ms-excel")

    page = staff_client.post(url, {"file": spreadsheet}).content.decode()

    assert re.findall(r'class="cc-error">([^<]*)<', page) == [
        "This is a spreadsheet, not a CSV file: save it as “CSV UTF-8” and upload that."
    ]
    assert ImportJob.objects.count() == 0


def test_import_page_shows_the_original_file_name_escaped(staff_client, past_chat):
    ImportJobFactory(chat=past_chat, original_name="<script>alert(1)</script>.csv")

    page = staff_client.get(reverse("staff:chat_import", kwargs={"pk": past_chat.pk}))

    assert "&lt;script&gt;alert(1)&lt;/script&gt;.csv" in page.content.decode()
    assert "<script>alert(1)" not in page.content.decode()


def test_import_posts_command_imports_with_a_report(past_chat, tmp_path):
    archive = tmp_path / "chat-2024.csv"
    archive.write_text(MIXED_CSV, encoding="utf-8")
    out = StringIO()

    call_command("import_posts", past_chat.slug, str(archive), stdout=out, verbosity=0)

    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "chat-2024.csv -> 311 Neighborhood Liaisons (philly311nlp-2024): Finished; rows 11, "
        "new 5, updated 0, already stored 0, refused 6."
    )
    assert lines[1:3] == [
        "    line 6: Unknown platform “myspace”: use x, mastodon or bluesky.",
        "    line 7: created_at has no time zone (add “Z” or an offset such as “-05:00”): "
        "2024-05-02 18:20:00",
    ]
    assert _stored(past_chat) == STORED_KEYS


def test_import_posts_command_refuses_an_unknown_chat_or_file(past_chat, tmp_path):
    with pytest.raises(CommandError) as no_chat:
        call_command("import_posts", "no-such-chat", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError) as no_file:
        call_command("import_posts", str(past_chat.pk), str(tmp_path / "x.csv"))

    assert str(no_chat.value) == "No chat with slug or id 'no-such-chat'."
    assert str(no_file.value) == f"No file at {tmp_path / 'x.csv'}."


def test_requeue_stale_imports_queues_lost_and_abandoned_jobs_once(
    past_chat, settings, eager_celery, django_capture_on_commit_callbacks
):
    lost = _import(past_chat, MIXED_CSV, background=True)
    abandoned = ImportJobFactory(chat=past_chat, status="running")
    waiting = ImportJobFactory(chat=past_chat, status="queued")
    done = ImportJobFactory(chat=past_chat, status="succeeded")
    long_ago = timezone.now() - timedelta(hours=1)
    ImportJob.objects.filter(pk__in=[lost.pk, abandoned.pk, done.pk]).update(updated_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        requeued = requeue_stale_imports()
    again = requeue_stale_imports()

    lost.refresh_from_db()
    assert (sorted(requeued), again) == (sorted([lost.pk, abandoned.pk]), [])
    assert _counts(lost) == ("succeeded", 11, 5, 0, 0, 6)  # the eager task ran it
    assert ImportJob.objects.get(pk=waiting.pk).status == "queued"  # not stale yet


def test_import_page_explains_the_limits_in_spanish(staff_client, chat, comms, settings):
    settings.IMPORT_MAX_BYTES = 5 * 2**20
    comms.preferred_language = "es"
    comms.save(update_fields=["preferred_language"])

    page = staff_client.get(reverse("staff:chat_import", kwargs={"pk": chat.pk})).content.decode()

    assert re.findall(r'id="id_file_helptext">([^<]*)<', page) == [
        "Un archivo CSV con una fila de encabezado, o un archivo JSON Lines (una publicación "
        "por línea), en UTF-8, de hasta 5 MB. Los archivos grandes se importan en segundo plano."
    ]
