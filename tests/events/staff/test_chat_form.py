"""Creating and editing a chat: what is saved, and each rule's message on its field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events.models import Chat, ChatStatus, ChatStatusChange
from tests.events.staff.conftest import all_field_errors, formset, local
from tests.factories import ChatFactory, ChatHostFactory, QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("staff:chat_create")


def chat_form(topic, **overrides) -> dict:
    """A valid create/edit POST with no hosts and no questions."""
    data = {
        "topic": str(topic.pk),
        "title": "PhillyRising neighbourhood chat",
        "description": "How PhillyRising works with block captains.",
        "hashtag": "#PhillyRising",
        "extra_hashtags": "",
        "starts_at": "2030-06-04T18:00",
        "ends_at": "2030-06-04T19:00",
        "platforms": ["x", "mastodon"],
        "save": "",
        **formset("hosts", []),
        **formset("questions", []),
    }
    data.update(overrides)
    return data


def test_create_chat_with_valid_data_saves_a_draft_with_hosts_and_questions_in_order(
    staff_client, comms, topic
):
    data = chat_form(
        topic,
        extra_hashtags="#Philly311, #PhillyRising2030 #Philly311",
        **formset(
            "hosts",
            [
                {"platform": "mastodon", "handle": "@phillyrising@mastodon.social", "ORDER": "2"},
                {"platform": "x", "handle": "@PhillyRising", "display_name": "Team", "ORDER": "1"},
                {"platform": "x", "handle": "@dropped", "ORDER": "3", "DELETE": "on"},
                {"platform": "", "handle": "", "display_name": "", "ORDER": ""},  # blank row
            ],
        ),
        **formset(
            "questions",
            [
                {"text": "Q: what is a block captain?", "planned_minute": "10", "ORDER": "2"},
                {"text": "Welcome! Who are you?", "planned_minute": "0", "ORDER": "1"},
                {"text": "", "planned_minute": "", "ORDER": ""},  # blank row
            ],
        ),
    )

    response = staff_client.post(CREATE, data)

    chat = Chat.objects.get()
    assert response.url == reverse("staff:chat_detail", kwargs={"pk": chat.pk})
    assert (chat.status, chat.title, chat.topic, chat.created_by) == (
        ChatStatus.DRAFT,
        "PhillyRising neighbourhood chat",
        topic,
        comms,
    )
    # Entered as local wall-clock times in the city's zone (EDT in June: UTC-4).
    assert (chat.starts_at, chat.ends_at) == (local("2030-06-04 18:00"), local("2030-06-04 19:00"))
    assert chat.starts_at.isoformat() == "2030-06-04T22:00:00+00:00"
    assert chat.extra_hashtags == ["#Philly311", "#PhillyRising2030"]
    assert chat.platforms == ["x", "mastodon"]
    assert list(chat.hosts.values_list("position", "platform", "handle", "display_name")) == [
        (0, "x", "@PhillyRising", "Team"),
        (1, "mastodon", "@phillyrising@mastodon.social", ""),
    ]
    assert list(chat.questions.values_list("position", "text", "planned_minute")) == [
        (1, "Welcome! Who are you?", 0),
        (2, "Q: what is a block captain?", 10),
    ]
    assert ChatStatusChange.objects.count() == 0


def test_create_chat_without_end_or_hashtag_lasts_an_hour_under_the_topic_hashtag(
    staff_client, topic
):
    staff_client.post(CREATE, chat_form(topic, ends_at="", hashtag=""))

    chat = Chat.objects.get()
    assert (chat.hashtag, chat.ends_at) == ("#PhillyRising", local("2030-06-04 19:00"))


def test_create_chat_and_schedule_writes_the_audit_row_with_the_acting_user(
    staff_client, comms, topic
):
    data = chat_form(topic, schedule="")
    del data["save"]

    staff_client.post(CREATE, data)

    chat = Chat.objects.get()
    assert chat.status == ChatStatus.SCHEDULED
    assert list(ChatStatusChange.objects.values_list("from_status", "to_status", "by")) == [
        (ChatStatus.DRAFT, ChatStatus.SCHEDULED, comms.pk)
    ]


@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        (
            {"ends_at": "2030-06-04T17:00"},
            "id_ends_at",
            "The chat must end after it starts.",
        ),
        (
            {"ends_at": "2030-06-04T18:00"},
            "id_ends_at",
            "The chat must end after it starts.",
        ),
        (
            {"ends_at": "2030-06-04T22:01"},
            "id_ends_at",
            "A chat can last at most 4 hours.",
        ),
        (
            {"hashtag": "#311chat"},
            "id_hashtag",
            "#311chat is not a hashtag: use # followed by a letter, then letters, digits or "
            "underscores.",
        ),
        (
            {"hashtag": "Philly311"},
            "id_hashtag",
            "Philly311 is not a hashtag: use # followed by a letter, then letters, digits or "
            "underscores.",
        ),
        (
            {"extra_hashtags": "#Philly311 #philly-311"},
            "id_extra_hashtags",
            "#philly-311 is not a hashtag: use # followed by a letter, then letters, digits or "
            "underscores.",
        ),
        (
            {"starts_at": "June 4th"},
            "id_starts_at",
            "Enter a valid date/time.",
        ),
        (
            # 2:30 a.m. does not exist in Philadelphia on the night clocks go forward.
            {"starts_at": "2030-03-10T02:30", "ends_at": "2030-03-10T04:00"},
            "id_starts_at",
            "2030-03-10 02:30:00 couldn\u2019t be interpreted in time zone America/New_York; it "
            "may be ambiguous or it may not exist.",
        ),
        (
            {"title": "x" * 201},
            "id_title",
            "Ensure this value has at most 200 characters (it has 201).",
        ),
    ],
)
def test_create_chat_invalid_shows_the_message_next_to_its_field_and_saves_nothing(
    staff_client, topic, overrides, field_id, message
):
    response = staff_client.post(CREATE, chat_form(topic, **overrides))

    assert all_field_errors(response.content.decode()) == {field_id: [message]}
    assert Chat.objects.count() == 0


def test_create_chat_question_planned_after_the_end_is_reported_on_the_questions(
    staff_client, topic
):
    data = chat_form(
        topic, **formset("questions", [{"text": "Last words?", "planned_minute": "61"}])
    )

    response = staff_client.post(CREATE, data)

    assert all_field_errors(response.content.decode()) == {
        "questions": ["Q1 is planned outside the chat's time."]
    }
    assert Chat.objects.count() == 0


def test_create_chat_same_host_twice_is_reported_on_the_hosts(staff_client, topic):
    data = chat_form(
        topic,
        **formset(
            "hosts",
            [
                {"platform": "x", "handle": "@PhillyRising"},
                {"platform": "x", "handle": "@PhillyRising"},
            ],
        ),
    )

    response = staff_client.post(CREATE, data)

    assert all_field_errors(response.content.decode()) == {
        "hosts": ["@PhillyRising is listed twice for X (Twitter)."]
    }
    assert Chat.objects.count() == 0


def test_create_and_schedule_overlapping_chat_names_the_other_chat_and_saves_nothing(
    staff_client, topic
):
    other = ChatFactory(
        title="Rising together",
        hashtag="#PhillyRising",
        starts_at=local("2030-06-04 18:30"),
        ends_at=local("2030-06-04 19:30"),
    )
    data = chat_form(topic, hashtag="#phillyrising", schedule="")
    del data["save"]

    response = staff_client.post(CREATE, data)

    assert all_field_errors(response.content.decode()) == {
        "id_hashtag": [
            "“Rising together” is already scheduled on #PhillyRising at an overlapping time. "
            "Pick another time or hashtag."
        ]
    }
    assert list(Chat.objects.all()) == [other]


def test_edit_scheduled_chat_into_an_overlap_names_the_other_chat_and_changes_nothing(
    staff_client, topic
):
    ChatFactory(
        title="Rising together",
        hashtag="#PhillyRising",
        starts_at=local("2030-06-04 18:30"),
        ends_at=local("2030-06-04 19:30"),
    )
    chat = ChatFactory(
        topic=topic,
        hashtag="#Philly311",
        starts_at=local("2030-06-11 18:00"),
        ends_at=local("2030-06-11 19:00"),
    )
    url = reverse("staff:chat_edit", kwargs={"pk": chat.pk})

    response = staff_client.post(url, chat_form(topic, extra_hashtags="#PhillyRising"))

    chat.refresh_from_db()
    assert all_field_errors(response.content.decode()) == {
        "id_hashtag": [
            "“Rising together” is already scheduled on #PhillyRising at an overlapping time. "
            "Pick another time or hashtag."
        ]
    }
    assert (chat.starts_at, chat.extra_hashtags, chat.sequence) == (
        local("2030-06-11 18:00"),
        [],
        0,
    )


def test_edit_chat_form_shows_saved_values_in_local_time(staff_client):
    chat = ChatFactory(
        status=ChatStatus.DRAFT,
        extra_hashtags=["#Philly311"],
        starts_at=local("2030-12-03 18:00"),  # EST: UTC-5
        ends_at=local("2030-12-03 19:00"),
    )
    ChatHostFactory(chat=chat, platform="bluesky", handle="@phila.gov", position=0)
    QuestionFactory(chat=chat, position=1, text="First?")

    page = staff_client.get(reverse("staff:chat_edit", kwargs={"pk": chat.pk})).content.decode()

    assert 'name="starts_at" value="2030-12-03T18:00"' in page
    assert 'name="ends_at" value="2030-12-03T19:00"' in page
    assert 'name="extra_hashtags" value="#Philly311"' in page
    assert 'name="hosts-0-handle" value="@phila.gov"' in page
    assert 'name="hosts-INITIAL_FORMS" value="1"' in page
    assert 'name="questions-TOTAL_FORMS" value="4"' in page  # one saved, three blank


def test_edit_chat_reorders_and_removes_questions(staff_client, comms):
    chat = ChatFactory(status=ChatStatus.DRAFT)
    for position, text in enumerate(["One?", "Two?", "Three?"], start=1):
        QuestionFactory(chat=chat, position=position, text=text, published=False)
    data = chat_form(
        chat.topic,
        hashtag=chat.hashtag,
        **formset(
            "questions",
            [
                {"text": "One?", "ORDER": "3"},
                {"text": "Two?", "ORDER": "2", "DELETE": "on"},
                {"text": "Three?", "ORDER": "1", "published": "on"},
                {"text": "Four?", "ORDER": ""},
            ],
            initial=3,
        ),
    )

    staff_client.post(reverse("staff:chat_edit", kwargs={"pk": chat.pk}), data)

    assert list(chat.questions.values_list("position", "text", "published")) == [
        (1, "Three?", True),
        (2, "One?", False),
        (3, "Four?", False),
    ]


def test_edit_chat_offers_retired_topic_it_already_has(staff_client):
    retired = TopicFactory(name="Snow emergencies", active=False)
    chat = ChatFactory(topic=retired, status=ChatStatus.DRAFT)

    page = staff_client.get(reverse("staff:chat_edit", kwargs={"pk": chat.pk})).content.decode()
    blank = staff_client.get(CREATE).content.decode()

    assert (f'value="{retired.pk}" selected>Snow emergencies' in page) is True
    assert ("Snow emergencies" in blank) is False


def test_create_chat_with_several_problems_shows_them_all_at_once(staff_client, topic):
    data = chat_form(
        topic,
        ends_at="2030-06-04T23:00",
        hashtag="#Philly 311",
        extra_hashtags="#ok #not-ok",
        **formset(
            "hosts",
            [
                {"platform": "x", "handle": "@PhillyRising"},
                {"platform": "x", "handle": "@PhillyRising"},
            ],
        ),
    )

    response = staff_client.post(CREATE, data)

    tag_rule = "is not a hashtag: use # followed by a letter, then letters, digits or underscores."
    assert all_field_errors(response.content.decode()) == {
        "id_ends_at": ["A chat can last at most 4 hours."],
        "id_hashtag": [f"#Philly 311 {tag_rule}"],
        "id_extra_hashtags": [f"#not-ok {tag_rule}"],
        "hosts": ["@PhillyRising is listed twice for X (Twitter)."],
    }
    assert Chat.objects.count() == 0
