"""Comms staff through the API: chats, capture sources, moderation. Every change goes
through events.services; their refusals come back as 400 with the services' code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import (
    CaptureSource,
    Chat,
    ChatStatusChange,
    ModerationAction,
    Post,
)
from tests.api.conftest import client_as
from tests.factories import CaptureSourceFactory, ChatFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def comms(people):
    return client_as(people["comms"])


def later(days: int, hours: int = 0) -> str:
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    return (start + timedelta(days=days, hours=hours)).isoformat()


def test_chat_create_makes_a_draft_with_the_topics_hashtag_and_one_hour(comms, world, people):
    response = comms.post(
        "/api/v1/staff/chats/",
        {
            "topic": "streets",
            "title": "Snow plowing",
            "starts_at": later(30),
            "hosts": [{"platform": "x", "handle": "@Philly311"}],
            "questions": [{"text": "Which streets are plowed first?"}],
        },
        format="json",
    )

    chat = Chat.objects.get(title="Snow plowing")
    assert response.status_code == 201
    assert (chat.status, chat.hashtag, chat.duration, chat.created_by) == (
        "draft",
        "#PhillyStreets",
        timedelta(hours=1),
        people["comms"],
    )
    assert response.json()["questions"] == [
        {
            "position": 1,
            "label": "Q1",
            "text": "Which streets are plowed first?",
            "planned_minute": None,
            "published": False,
        }
    ]


def test_chat_create_with_schedule_makes_it_public_at_once(comms, world):
    response = comms.post(
        "/api/v1/staff/chats/",
        {"topic": "streets", "title": "Trash day", "starts_at": later(31), "schedule": True},
        format="json",
    )

    chat = Chat.objects.get(title="Trash day")
    assert (response.json()["status"], chat.status) == ("scheduled", "scheduled")
    assert list(chat.status_changes.values_list("from_status", "to_status")) == [
        ("draft", "scheduled")
    ]


def test_chat_create_that_breaks_the_rules_is_refused_with_every_problem(comms, world):
    before = Chat.objects.count()

    response = comms.post(
        "/api/v1/staff/chats/",
        {
            "topic": "streets",
            "title": "Too long",
            "starts_at": later(32),
            "ends_at": later(32, 9),
            "hashtag": "#bad tag",
        },
        format="json",
    )

    body = response.json()
    assert (response.status_code, body["code"]) == (400, "invalid_chat")
    assert sorted(body["errors"]) == ["ends_at", "hashtag"]
    assert Chat.objects.count() == before


def test_chat_create_with_an_unknown_field_is_refused(comms, world):
    response = comms.post(
        "/api/v1/staff/chats/",
        {"topic": "streets", "title": "X", "starts_at": later(33), "status": "live"},
        format="json",
    )

    assert (response.status_code, response.json()["errors"]) == (
        400,
        {"status": ["Unknown field: it cannot be set here."]},
    )
    assert not Chat.objects.filter(title="X").exists()


def test_chat_patch_of_a_scheduled_chats_start_keeps_its_length_and_reschedules(comms, world):
    chat = world.chat
    new_start = chat.starts_at + timedelta(days=1)

    response = comms.patch(
        f"/api/v1/staff/chats/{chat.pk}/", {"starts_at": new_start.isoformat()}, format="json"
    )

    chat.refresh_from_db()
    assert response.status_code == 200
    assert (chat.starts_at, chat.ends_at - chat.starts_at, chat.sequence) == (
        new_start,
        timedelta(hours=1),
        1,
    )
    # Hosts and questions were not in the request: they stay.
    assert [q["text"] for q in response.json()["questions"]] == [
        "Where are the worst potholes?",
        "UNPUBLISHED QUESTION",
    ]


def test_chat_transition_not_in_the_table_is_refused_with_its_code(comms, world):
    response = comms.post(
        f"/api/v1/staff/chats/{world.ended_chat.pk}/transition/", {"to": "draft"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid_transition")
    assert Chat.objects.get(pk=world.ended_chat.pk).status == "recap_published"


def test_chat_cancel_needs_a_reason(comms, world):
    url = f"/api/v1/staff/chats/{world.chat.pk}/transition/"

    without = comms.post(url, {"to": "cancelled"}, format="json")
    with_reason = comms.post(url, {"to": "cancelled", "reason": "Storm"}, format="json")

    assert (without.status_code, without.json()["code"]) == (400, "invalid_chat")
    assert (with_reason.status_code, with_reason.json()["status_reason"]) == (200, "Storm")
    assert list(
        ChatStatusChange.objects.filter(chat=world.chat).values_list("to_status", "reason")
    ) == [("cancelled", "Storm")]


def test_questions_publish_announces_every_question(comms, world):
    response = comms.post(
        f"/api/v1/staff/chats/{world.chat.pk}/questions/publish/",
        {"published": True},
        format="json",
    )

    public = client_as(None).get("/api/v1/chats/potholes/").json()
    assert response.json() == {"changed": 1}
    assert [q["text"] for q in public["questions"]] == [
        "Where are the worst potholes?",
        "UNPUBLISHED QUESTION",
    ]


def test_sources_ensure_creates_one_per_platform_and_resume_makes_it_due(comms, world, settings):
    settings.MASTODON_INSTANCES = ["https://social.example"]
    settings.X_BEARER_TOKEN = ""

    created = comms.post(f"/api/v1/staff/chats/{world.chat.pk}/sources/")
    x_source = CaptureSource.objects.get(chat=world.chat, platform="x")
    resumed = comms.post(f"/api/v1/staff/chats/{world.chat.pk}/sources/{x_source.pk}/resume/")

    assert sorted((s["platform"], s["state"]) for s in created.json()) == [
        ("mastodon", "active"),
        ("x", "needs_credentials"),
    ]
    assert (resumed.status_code, resumed.json()["state"]) == (200, "active")


def test_source_of_another_chat_is_not_found(comms, world):
    other = CaptureSourceFactory(chat=ChatFactory(), state="paused")

    response = comms.post(f"/api/v1/staff/chats/{world.chat.pk}/sources/{other.pk}/resume/")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert CaptureSource.objects.get(pk=other.pk).state == "paused"


def test_staff_posts_include_hidden_ones_with_the_reason(comms, world):
    response = comms.get(f"/api/v1/staff/chats/{world.chat.pk}/posts/", {"hidden": "true"})

    assert [(p["text"], p["hidden_reason"]) for p in response.json()["results"]] == [
        ("HIDDEN POST", "Personal attack")
    ]


def test_hide_takes_a_post_off_public_pages_and_records_who_and_why(comms, world, people):
    response = comms.post(
        f"/api/v1/staff/chats/{world.chat.pk}/posts/{world.visible_post.pk}/hide/",
        {"reason": "Shares a phone number"},
        format="json",
    )

    public = client_as(None).get("/api/v1/chats/potholes/posts/").json()
    action = ModerationAction.objects.get(post=world.visible_post)
    assert (response.json()["hidden"], response.json()["hidden_by"]) == (True, "Cam Comms")
    assert public["results"] == []
    assert (action.action, action.by, action.reason) == (
        "hide",
        people["comms"],
        "Shares a phone number",
    )


def test_hide_without_a_reason_is_refused(comms, world):
    response = comms.post(
        f"/api/v1/staff/chats/{world.chat.pk}/posts/{world.visible_post.pk}/hide/",
        {"reason": "   "},
        format="json",
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["reason"])
    assert Post.objects.get(pk=world.visible_post.pk).hidden is False


def test_highlight_and_unhide_change_the_post(comms, world):
    base = f"/api/v1/staff/chats/{world.chat.pk}/posts"

    highlighted = comms.post(
        f"{base}/{world.visible_post.pk}/highlight/", {"highlighted": True}, format="json"
    )
    unhidden = comms.post(f"{base}/{world.hidden_post.pk}/unhide/")

    assert (highlighted.json()["highlighted"], unhidden.json()["hidden"]) == (True, False)
    assert list(ModerationAction.objects.order_by("pk").values_list("post_id", "action")) == [
        (world.visible_post.pk, "highlight"),
        (world.hidden_post.pk, "unhide"),
    ]


def test_post_of_another_chat_cannot_be_moderated_through_this_chat(comms, world):
    elsewhere = PostFactory(chat=ChatFactory())

    response = comms.post(
        f"/api/v1/staff/chats/{world.chat.pk}/posts/{elsewhere.pk}/hide/",
        {"reason": "Wrong chat"},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert Post.objects.get(pk=elsewhere.pk).hidden is False


# --- query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 3])
def test_staff_chat_list_costs_the_same_queries_for_1_and_3_chats(
    people, django_assert_num_queries, rows
):
    from tests.factories import ChatHostFactory, QuestionFactory

    for _ in range(rows):
        chat = ChatFactory(status="draft")
        ChatHostFactory(chat=chat)
        QuestionFactory(chat=chat)
    client = client_as(people["comms"])
    client.get("/api/v1/topics/")  # writes the token's last use, which is then fresh

    # Token + user (join), roles, two-factor check, chats + topic (join), hosts, questions.
    with django_assert_num_queries(6):
        response = client.get("/api/v1/staff/chats/")

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_staff_post_list_costs_the_same_queries_for_1_and_3_posts(
    people, django_assert_num_queries, rows
):
    chat = ChatFactory()
    for _ in range(rows):
        PostFactory(chat=chat, hidden=True, hidden_by=people["comms"], hidden_reason="Spam")
    client = client_as(people["comms"])
    client.get("/api/v1/topics/")  # writes the token's last use, which is then fresh

    # Token + user, roles, two-factor check, the chat, posts + tracker + who hid them.
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/staff/chats/{chat.pk}/posts/")

    assert len(response.json()["results"]) == rows
