"""Submitting, publishing, sending back and unpublishing from the editor page; refused
moves change nothing and say why."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from events.models import ChatStatus
from recaps.models import RecapStatus
from tests.recaps.staff.conftest import alerts, content, versions

pytestmark = pytest.mark.django_db
R = RecapStatus


def _url(name, recap):
    return reverse(f"recaps_staff:{name}", args=[recap.pk])


def _set_status(recap, status, chat_status=ChatStatus.ENDED):
    recap.status = status
    recap.save(update_fields=["status"])
    recap.chat.status = chat_status
    recap.chat.save(update_fields=["status"])


def _workflow_buttons(page: str) -> list[str]:
    section = re.search(r'<section id="workflow".*?</section>', page, re.S)
    assert section is not None
    return re.findall(r"<button[^>]*>([^<]+)</button>", section[0])


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (R.DRAFT, ["Submit for review"]),
        (R.IN_REVIEW, ["Publish", "Back to draft"]),
        (R.PUBLISHED, ["Unpublish"]),
    ],
)
def test_editor_page_offers_the_moves_the_table_allows(editor_client, recap, status, expected):
    _set_status(recap, status)

    page = editor_client.get(_url("recap_edit", recap)).content.decode()

    assert _workflow_buttons(page) == expected


def test_submit_then_publish_makes_the_recap_public_and_records_who(editor_client, editor, recap):
    before = versions(recap)

    submitted = editor_client.post(_url("recap_submit", recap))
    submitted_page = editor_client.get(submitted["Location"]).content.decode()
    published = editor_client.post(_url("recap_publish", recap))
    published_page = editor_client.get(published["Location"]).content.decode()

    recap.refresh_from_db()
    recap.chat.refresh_from_db()
    assert (recap.status, recap.published_by, recap.chat.status) == (
        R.PUBLISHED,
        editor,
        ChatStatus.RECAP_PUBLISHED,
    )
    assert alerts(submitted_page) == ["The recap is submitted for review."]
    assert alerts(published_page)[0] == "The recap is published."
    assert versions(recap) == [
        (before[0][0] + 2, "Published", editor.pk),
        (before[0][0] + 1, "Submitted for review", editor.pk),
        *before,
    ]


def test_unpublish_makes_it_a_draft_again_and_takes_it_off_the_public_site(
    editor_client, editor, recap
):
    _set_status(recap, R.PUBLISHED, ChatStatus.RECAP_PUBLISHED)
    public = reverse("recaps:recap_detail", args=[recap.chat.slug])
    visitor = Client()
    visible_before = visitor.get(public).status_code

    response = editor_client.post(_url("recap_unpublish", recap))

    recap.refresh_from_db()
    recap.chat.refresh_from_db()
    assert (recap.status, recap.chat.status) == (R.DRAFT, ChatStatus.ENDED)
    assert (visible_before, visitor.get(public).status_code) == (200, 404)
    assert alerts(editor_client.get(response["Location"]).content.decode()) == [
        "The recap is unpublished: it is a draft again and no longer public."
    ]
    assert versions(recap)[0][1:] == ("Back to draft", editor.pk)


def test_back_to_draft_returns_a_recap_in_review(editor_client, editor, recap):
    _set_status(recap, R.IN_REVIEW)

    editor_client.post(_url("recap_return", recap))

    recap.refresh_from_db()
    assert recap.status == R.DRAFT
    assert versions(recap)[0][1:] == ("Back to draft", editor.pk)


@pytest.mark.parametrize(
    ("status", "move", "label"),
    [
        (R.DRAFT, "recap_publish", "Publish"),
        (R.DRAFT, "recap_unpublish", "Unpublish"),
        (R.PUBLISHED, "recap_submit", "Submit for review"),
        # A page left open in review must not unpublish through "Back to draft".
        (R.PUBLISHED, "recap_return", "Back to draft"),
        (R.IN_REVIEW, "recap_submit", "Submit for review"),
    ],
)
def test_refused_move_changes_nothing_and_says_why(editor_client, recap, status, move, label):
    _set_status(recap, status)
    message = (
        f"This recap is “{R(status).label}” now, so “{label}” does not apply. Nothing was changed."
    )
    before = (content(recap), recap.status, versions(recap))

    response = editor_client.post(_url(move, recap))

    assert alerts(editor_client.get(response["Location"]).content.decode()) == [message]
    assert (content(recap), recap.status, versions(recap)) == before


def test_move_refuses_get(editor_client, recap):
    response = editor_client.get(_url("recap_submit", recap))

    recap.refresh_from_db()
    assert (response.status_code, recap.status) == (405, R.DRAFT)


def test_publish_emails_the_chat_followers_after_commit(
    editor_client, recap, make_user, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from events.services import notifications
    from events.services.notifications import follow_chat

    follower = make_user(email="rosa@example.org")
    follow_chat(user=follower, chat=recap.chat)
    monkeypatch.setattr(
        "events.tasks.task_send_notification.delay",
        lambda *, notification_id: notifications.send_notification(notification_id=notification_id),
    )
    _set_status(recap, R.IN_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(_url("recap_publish", recap))

    assert [m.to for m in mailoutbox] == [["rosa@example.org"]]
