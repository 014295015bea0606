"""Status moves, reschedule, duplicate and question publishing from the staff pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from events.forms import same_week_next_month
from events.models import Chat, ChatStatus, ChatStatusChange
from tests.events.staff.conftest import alerts, all_field_errors, local
from tests.factories import ChatFactory, ChatHostFactory, NotificationFactory, QuestionFactory

pytestmark = pytest.mark.django_db
S = ChatStatus


def _url(name: str, chat: Chat) -> str:
    return reverse(f"staff:{name}", kwargs={"pk": chat.pk})


def _audit(chat: Chat) -> list[tuple[str, str, int | None, str]]:
    return list(
        ChatStatusChange.objects.filter(chat=chat)
        .order_by("pk")
        .values_list("from_status", "to_status", "by", "reason")
    )


@pytest.mark.parametrize(
    ("start", "move", "reason", "end"),
    [
        (S.DRAFT, "chat_schedule", "", S.SCHEDULED),
        (S.SCHEDULED, "chat_unschedule", "", S.DRAFT),
        (S.SCHEDULED, "chat_postpone", "The host is ill.", S.POSTPONED),
        (S.SCHEDULED, "chat_cancel", "The program ended.", S.CANCELLED),
        (S.DRAFT, "chat_cancel", "Not needed after all.", S.CANCELLED),
        (S.POSTPONED, "chat_cancel", "No new date.", S.CANCELLED),
    ],
)
def test_status_move_does_what_it_says_and_records_who_and_why(
    staff_client, comms, start, move, reason, end
):
    chat = ChatFactory(status=start)

    response = staff_client.post(_url(move, chat), {"reason": reason}, follow=True)

    chat.refresh_from_db()
    assert (chat.status, chat.status_reason) == (end, reason)
    assert _audit(chat) == [(start, end, comms.pk, reason)]
    assert response.redirect_chain == [(_url("chat_detail", chat), 302)]


@pytest.mark.parametrize("move", ["chat_cancel", "chat_postpone"])
def test_cancel_or_postpone_without_reason_shows_it_on_reason_and_changes_nothing(
    staff_client, move
):
    chat = ChatFactory(status=S.SCHEDULED)

    response = staff_client.post(_url(move, chat), {"reason": "   "})

    chat.refresh_from_db()
    assert all_field_errors(response.content.decode()) == {
        "id_reason": ["Say why, so followers know."]
    }
    assert (chat.status, chat.sequence, _audit(chat)) == (S.SCHEDULED, 0, [])


@pytest.mark.parametrize(
    ("start", "move", "message"),
    [
        (S.CANCELLED, "chat_schedule", "A chat cannot go from “Cancelled” to “Scheduled”."),
        (S.ENDED, "chat_cancel", "A chat cannot go from “Ended” to “Cancelled”."),
        (S.DRAFT, "chat_postpone", "A chat cannot go from “Draft” to “Postponed”."),
        (S.LIVE, "chat_unschedule", "A chat cannot go from “Live” to “Draft”."),
    ],
)
def test_disallowed_move_shows_a_clear_error_and_changes_nothing(
    staff_client, start, move, message
):
    chat = ChatFactory(status=start)

    posted = staff_client.post(_url(move, chat), {"reason": "Because."}, follow=True)
    opened = staff_client.get(_url(move, chat), follow=True)

    chat.refresh_from_db()
    assert alerts(posted.content.decode()) == [message]
    assert alerts(opened.content.decode()) == [message]
    assert opened.redirect_chain == [(_url("chat_detail", chat), 302)]
    assert (chat.status, chat.status_reason, _audit(chat)) == (start, "", [])


def test_schedule_overlapping_draft_names_the_other_chat_and_changes_nothing(staff_client):
    ChatFactory(
        title="Rising together",
        hashtag="#PhillyRising",
        starts_at=local("2030-06-04 18:30"),
        ends_at=local("2030-06-04 19:30"),
    )
    draft = ChatFactory(
        status=S.DRAFT,
        hashtag="#PhillyRising",
        starts_at=local("2030-06-04 18:00"),
        ends_at=local("2030-06-04 19:00"),
    )

    response = staff_client.post(_url("chat_schedule", draft))

    draft.refresh_from_db()
    assert alerts(response.content.decode()) == [
        "“Rising together” is already scheduled on #PhillyRising at an overlapping time. "
        "Pick another time or hashtag.",
    ]
    assert (draft.status, _audit(draft)) == (S.DRAFT, [])


def test_reschedule_scheduled_chat_moves_it_and_raises_the_sequence(staff_client):
    chat = ChatFactory(starts_at=local("2030-06-04 18:00"), ends_at=local("2030-06-04 19:00"))

    staff_client.post(
        _url("chat_reschedule", chat), {"starts_at": "2030-06-05T12:00", "ends_at": ""}
    )

    chat.refresh_from_db()
    assert (chat.status, chat.starts_at, chat.ends_at, chat.sequence) == (
        S.SCHEDULED,
        local("2030-06-05 12:00"),
        local("2030-06-05 13:00"),  # same length when the end is left empty
        1,
    )


def test_reschedule_postponed_chat_schedules_it_again_and_records_who_and_why(staff_client, comms):
    chat = ChatFactory(
        status=S.POSTPONED,
        starts_at=local("2030-06-04 18:00"),
        ends_at=local("2030-06-04 19:00"),
    )

    staff_client.post(
        _url("chat_reschedule", chat),
        {
            "starts_at": "2030-06-18T18:00",
            "ends_at": "2030-06-18T19:30",
            "reason": "New date found.",
        },
    )

    chat.refresh_from_db()
    assert (chat.status, chat.starts_at, chat.ends_at) == (
        S.SCHEDULED,
        local("2030-06-18 18:00"),
        local("2030-06-18 19:30"),
    )
    assert _audit(chat) == [(S.POSTPONED, S.SCHEDULED, comms.pk, "New date found.")]


def test_reschedule_into_an_overlap_names_the_other_chat_on_the_start(staff_client):
    ChatFactory(
        title="Rising together",
        hashtag="#PhillyRising",
        starts_at=local("2030-06-05 12:30"),
        ends_at=local("2030-06-05 13:30"),
    )
    chat = ChatFactory(
        hashtag="#PhillyRising",
        starts_at=local("2030-06-04 18:00"),
        ends_at=local("2030-06-04 19:00"),
    )

    response = staff_client.post(
        _url("chat_reschedule", chat), {"starts_at": "2030-06-05T12:00", "ends_at": ""}
    )

    chat.refresh_from_db()
    assert all_field_errors(response.content.decode()) == {
        "id_starts_at": [
            "“Rising together” is already scheduled on #PhillyRising at an overlapping time. "
            "Pick another time or hashtag."
        ]
    }
    assert (chat.starts_at, chat.sequence) == (local("2030-06-04 18:00"), 0)


def test_reschedule_of_a_draft_is_refused_with_a_message(staff_client):
    chat = ChatFactory(status=S.DRAFT, starts_at=local("2030-06-04 18:00"))

    response = staff_client.post(
        _url("chat_reschedule", chat), {"starts_at": "2030-06-05T12:00"}, follow=True
    )

    chat.refresh_from_db()
    assert alerts(response.content.decode()) == [
        "Only scheduled or postponed chats can be rescheduled."
    ]
    assert chat.starts_at == local("2030-06-04 18:00")


def test_duplicate_chat_makes_a_draft_copy_for_a_series(staff_client, comms):
    chat = ChatFactory(
        title="Philly311 monthly",
        status=S.ENDED,
        extra_hashtags=["#Philly311NLP"],
        starts_at=local("2030-06-11 12:00"),
        ends_at=local("2030-06-11 13:30"),
    )
    ChatHostFactory(chat=chat, platform="x", handle="@Philly311", position=0)
    QuestionFactory(chat=chat, position=1, text="How do you reach 311?", published=True)

    response = staff_client.post(_url("chat_duplicate", chat), {"starts_at": "2030-07-09T12:00"})

    copy = Chat.objects.exclude(pk=chat.pk).get()
    assert response.url == _url("chat_edit", copy)
    assert (copy.status, copy.title, copy.duplicated_from, copy.created_by) == (
        S.DRAFT,
        "Philly311 monthly",
        chat,
        comms,
    )
    assert (copy.starts_at, copy.ends_at) == (local("2030-07-09 12:00"), local("2030-07-09 13:30"))
    assert copy.extra_hashtags == ["#Philly311NLP"]
    assert list(copy.hosts.values_list("platform", "handle")) == [("x", "@Philly311")]
    assert list(copy.questions.values_list("text", "published")) == [
        ("How do you reach 311?", False)
    ]


def test_duplicate_form_suggests_the_same_week_of_next_month(staff_client):
    chat = ChatFactory(starts_at=local("2030-06-11 12:00"))  # the 2nd Tuesday of June

    page = staff_client.get(_url("chat_duplicate", chat)).content.decode()

    assert 'name="starts_at" value="2030-07-09T12:00"' in page  # the 2nd Tuesday of July


@pytest.mark.parametrize(
    ("start", "suggested"),
    [
        ("2030-06-11 12:00", "2030-07-09 12:00"),  # 2nd Tuesday -> 2nd Tuesday
        ("2030-04-30 18:00", "2030-05-28 18:00"),  # 5th Tuesday: May has none, 4 weeks on
        ("2030-12-02 09:30", "2031-01-06 09:30"),  # across the year
        ("2030-10-08 18:00", "2030-11-12 18:00"),  # across the end of summer time
    ],
)
def test_same_week_next_month_keeps_weekday_week_and_local_time(start, suggested, settings):
    from django.utils import timezone

    with timezone.override("America/New_York"):
        assert same_week_next_month(local(start)) == local(suggested)


@pytest.mark.parametrize(("value", "expected"), [("1", [True, True]), ("0", [False, False])])
def test_questions_publish_and_withdraw_all_at_once(staff_client, value, expected):
    chat = ChatFactory()
    QuestionFactory(chat=chat, position=1, published=False)
    QuestionFactory(chat=chat, position=2, published=True)

    staff_client.post(_url("chat_questions", chat), {"published": value})

    assert list(chat.questions.values_list("published", flat=True)) == expected


def test_detail_page_lists_history_with_the_acting_user(staff_client, comms):
    chat = ChatFactory(status=S.DRAFT)
    staff_client.post(_url("chat_schedule", chat))
    staff_client.post(_url("chat_postpone", chat), {"reason": "Storm warning."})

    page = staff_client.get(_url("chat_detail", chat)).content.decode()

    history = page[page.index("cc-staff-history") :]
    assert [row.count("Dana Comms") for row in history.split("<tr>")[2:]] == [1, 1]
    assert "Scheduled → Postponed" in history
    assert "Storm warning." in history


def test_chat_timestamps_do_not_drift_when_saved_unchanged(staff_client):
    chat = ChatFactory(
        status=S.SCHEDULED,
        starts_at=local("2030-11-05 18:00"),
        ends_at=local("2030-11-05 19:00"),
    )
    page = staff_client.get(_url("chat_reschedule", chat)).content.decode()

    staff_client.post(
        _url("chat_reschedule", chat),
        {"starts_at": "2030-11-05T18:00", "ends_at": "2030-11-05T19:00"},
    )

    chat.refresh_from_db()
    assert 'name="starts_at" value="2030-11-05T18:00"' in page
    assert (chat.starts_at, chat.sequence) == (local("2030-11-05 18:00"), 0)
    assert chat.duration == timedelta(hours=1)


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("sent", False),  # followers hold a reminder: they must be told
        ("sending", False),
        ("pending", True),  # not out yet: it is skipped when its turn comes
        ("skipped", True),
    ],
)
def test_back_to_draft_only_before_followers_were_reminded(staff_client, status, allowed):
    chat = ChatFactory(status=S.SCHEDULED, starts_at=local("2030-06-04 18:00"), sequence=2)
    NotificationFactory(chat=chat, kind="reminder", sequence=2, status=status)
    # A reminder of an earlier time (before a reschedule, told since) does not count.
    NotificationFactory(chat=chat, kind="reminder", sequence=1, status="sent")

    response = staff_client.post(_url("chat_unschedule", chat), follow=True)

    chat.refresh_from_db()
    if allowed:
        assert chat.status == S.DRAFT
    else:
        assert chat.status == S.SCHEDULED
        assert alerts(response.content.decode()) == [
            "Followers have already been reminded of this chat, so it cannot quietly become "
            "a draft again: postpone or cancel it, and they will be told."
        ]
        assert _audit(chat) == []
