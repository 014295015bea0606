"""Saving in the admin goes through the services: the chat's rules and records, the
recap's versions. Status fields cannot be edited."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from events.models import Chat, ChatStatus, Question
from recaps.models import Highlight, RecapSection, RecapVersion
from tests.admin.conftest import form_data
from tests.factories import ChatFactory, PostFactory, TopicFactory, WebhookEndpointFactory
from webhooks.models import WebhookDelivery


def _change(client, name, obj):
    url = reverse(f"admin:{name}_change", args=[obj.pk])
    return url, form_data(client.get(url).content.decode())


def _split(moment: datetime) -> tuple[str, str]:
    """The admin's date and time inputs for ``moment``, in the city's time zone."""
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def _errors(page: str) -> list[str]:
    return [
        html.unescape(text)
        for text in re.findall(r'<ul class="errorlist[^"]*"[^>]*><li>(.*?)</li>', page, re.S)
    ]


def test_editor_changes_a_chats_time_as_a_reschedule(client, editor, chat):
    new_start = timezone.localtime(chat.starts_at).replace(hour=19, minute=0)
    client.force_login(editor)
    url, data = _change(client, "events_chat", chat)
    data["starts_at_0"], data["starts_at_1"] = _split(new_start)
    data["ends_at_0"], data["ends_at_1"] = _split(new_start + timedelta(hours=1))
    data["title"] = "Trash talk (moved)"

    response = client.post(url, data)

    chat.refresh_from_db()
    assert response.url == reverse("admin:events_chat_changelist")
    # update_chat raised SEQUENCE, so calendars replace the event.
    assert (chat.title, chat.starts_at, chat.sequence) == ("Trash talk (moved)", new_start, 1)


def test_saving_a_chat_emits_chat_changed_to_subscribers(client, editor, chat):
    WebhookEndpointFactory()
    client.force_login(editor)
    url, data = _change(client, "events_chat", chat)
    data["description"] = "New description"

    client.post(url, data)

    assert list(WebhookDelivery.objects.values_list("event", "payload__description")) == [
        ("chat.changed", "New description")
    ]


def test_chat_status_cannot_be_changed_in_the_form(client, editor, chat):
    client.force_login(editor)
    url, data = _change(client, "events_chat", chat)
    data["status"] = ChatStatus.CANCELLED

    client.post(url, data)

    chat.refresh_from_db()
    assert (chat.status, "status" in data) == (ChatStatus.SCHEDULED, True)


def test_questions_are_edited_inline_and_numbered_in_order(client, editor, chat):
    client.force_login(editor)
    url, data = _change(client, "events_chat", chat)
    data["questions-0-text"] = "How do you report illegal dumping?"
    data["questions-1-DELETE"] = "on"
    data["questions-TOTAL_FORMS"] = "3"
    data.update(
        {"questions-2-text": "Who picks up bulk trash?", "questions-2-planned_minute": "30"}
    )

    response = client.post(url, data)

    assert response.status_code == 302
    assert list(chat.questions.values_list("position", "text", "planned_minute")) == [
        (1, "How do you report illegal dumping?", None),
        (2, "Who picks up bulk trash?", 30),
    ]


def test_question_planned_after_the_end_is_refused_and_nothing_changes(client, editor, chat):
    client.force_login(editor)
    url, data = _change(client, "events_chat", chat)
    data["questions-0-planned_minute"] = "90"  # the chat lasts an hour
    data["title"] = "Renamed"

    response = client.post(url, data)

    chat.refresh_from_db()
    assert response.status_code == 200
    assert _errors(response.content.decode()) == ["Q1 is planned outside the chat's time."]
    assert (chat.title, list(Question.objects.values_list("planned_minute", flat=True))) == (
        "Trash talk",
        [None, None],
    )


def test_chat_on_a_taken_hashtag_and_time_is_refused_on_its_field(client, editor, chat):
    other = ChatFactory(status=ChatStatus.SCHEDULED, title="Other", hashtag="#Other")
    client.force_login(editor)
    url, data = _change(client, "events_chat", other)
    data["hashtag"] = chat.hashtag
    data["starts_at_0"], data["starts_at_1"] = _split(chat.starts_at)
    data["ends_at_0"], data["ends_at_1"] = _split(chat.ends_at)

    response = client.post(url, data)

    other.refresh_from_db()
    assert _errors(response.content.decode()) == [
        "“Trash talk” is already scheduled on #PhillyTrash at an overlapping time. "
        "Pick another time or hashtag."
    ]
    assert other.hashtag == "#Other"


def test_comms_staff_add_a_chat_as_a_draft(client, comms):
    topic = TopicFactory(name="Streets")
    client.force_login(comms)
    url = reverse("admin:events_chat_add")
    data = form_data(client.get(url).content.decode())
    data.update(
        {
            "topic": str(topic.pk),
            "title": "Potholes",
            "hashtag": "#PhillyPotholes",
            "platforms": ["x", "bluesky"],
            "starts_at_0": "2030-06-04",
            "starts_at_1": "18:00:00",
            "ends_at_0": "2030-06-04",
            "ends_at_1": "19:00:00",
            "hosts-TOTAL_FORMS": "1",
            "hosts-0-platform": "x",
            "hosts-0-handle": "@philly311",
        }
    )

    response = client.post(url, data)

    chat = Chat.objects.get(title="Potholes")
    assert response.url == reverse("admin:events_chat_changelist")
    assert (chat.status, chat.slug, chat.platforms, chat.created_by) == (
        ChatStatus.DRAFT,
        "potholes-2030-06-04",
        ["x", "bluesky"],
        comms,
    )
    assert list(chat.hosts.values_list("platform", "handle")) == [("x", "@philly311")]


def test_recap_text_edit_records_a_version(client, editor, recap):
    client.force_login(editor)
    url, data = _change(client, "recaps_recap", recap)
    data["intro"] = "Residents told us how they report dumping."

    client.post(url, data)

    recap.refresh_from_db()
    assert recap.intro == "Residents told us how they report dumping."
    assert list(RecapVersion.objects.values_list("summary", "created_by")) == [
        ("Edited the title and introduction", editor.pk)
    ]


def test_recap_sections_are_added_and_edited_inline_with_versions(client, editor, recap):
    client.force_login(editor)
    url, data = _change(client, "recaps_recap", recap)
    data["sections-0-commentary"] = "Most people use the app."
    data["sections-TOTAL_FORMS"] = "2"
    data["sections-1-heading"] = "What would help"

    client.post(url, data)

    assert list(recap.sections.values_list("position", "heading", "commentary")) == [
        (1, "Reporting dumping", "Most people use the app."),
        (2, "What would help", ""),
    ]
    assert list(RecapVersion.objects.order_by("number").values_list("summary", flat=True)) == [
        "Edited section “Reporting dumping”",
        "Added section “What would help”",
    ]


def test_highlight_of_another_chats_post_is_refused(client, editor, recap):
    section = RecapSection.objects.get(recap=recap)
    stranger = PostFactory(text="From another chat")
    client.force_login(editor)
    url, data = _change(client, "recaps_recapsection", section)
    data["highlights-TOTAL_FORMS"] = "2"
    data["highlights-1-post"] = str(stranger.pk)

    response = client.post(url, data)

    assert _errors(response.content.decode()) == [
        "Only this chat's visible posts can be highlighted."
    ]
    assert Highlight.objects.filter(section=section).count() == 1


def test_highlight_is_added_and_its_note_edited_with_versions(client, editor, recap):
    section = RecapSection.objects.get(recap=recap)
    post = PostFactory(chat=recap.chat, text="Use the app!")
    client.force_login(editor)
    url, data = _change(client, "recaps_recapsection", section)
    data["highlights-0-note"] = "The most liked answer."
    data["highlights-TOTAL_FORMS"] = "2"
    data["highlights-1-post"] = str(post.pk)

    client.post(url, data)

    assert list(section.highlights.values_list("position", "note")) == [
        (1, "The most liked answer."),
        (2, ""),
    ]
    assert sorted(RecapVersion.objects.values_list("summary", flat=True)) == [
        "Added a highlight",
        "Edited a highlight's note",
    ]
