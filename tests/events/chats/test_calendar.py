"""iCalendar output, parsed back with the icalendar library."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar

from events.models import ChatStatus
from events.services.chats import reschedule_chat, transition_chat
from tests.factories import ChatFactory, CityFactory

pytestmark = pytest.mark.django_db
NY = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture
def chat():
    CityFactory()
    return ChatFactory(
        title="Trash & recycling",
        starts_at=datetime(2027, 3, 4, 18, 0, tzinfo=NY),
        ends_at=datetime(2027, 3, 4, 19, 0, tzinfo=NY),
        hashtag="#PhillyTrash",
    )


def _events(client, url):
    response = client.get(url)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return calendar, list(calendar.walk("VEVENT"))


def test_chat_calendar_has_local_times_zone_and_link(client, chat):
    calendar, events = _events(client, f"/chats/{chat.slug}/calendar.ics")

    (event,) = events
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert event.decoded("DTSTART") == datetime(2027, 3, 4, 18, 0, tzinfo=NY)
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)
    assert str(event["SUMMARY"]) == "Trash & recycling"
    assert str(event["URL"]) == f"http://127.0.0.1:8000/chats/{chat.slug}/"
    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CONFIRMED", 0)


def test_chat_calendar_names_the_city_as_organizer(client, chat, settings):
    settings.DEFAULT_FROM_EMAIL = "Philly311 chats <chats@phila.example>"

    _calendar, (event,) = _events(client, f"/chats/{chat.slug}/calendar.ics")

    # iTIP clients (Outlook) act on an update or a cancellation only from the organizer.
    assert str(event["ORGANIZER"]) == "mailto:chats@phila.example"
    assert event["ORGANIZER"].params["CN"] == "Philadelphia"


def test_calendar_uid_is_stable_and_sequence_rises_on_reschedule(client, chat):
    _cal, (before,) = _events(client, f"/chats/{chat.slug}/calendar.ics")

    reschedule_chat(
        chat=chat,
        starts_at=chat.starts_at + timedelta(days=7),
        ends_at=chat.ends_at + timedelta(days=7),
        by=None,
    )
    _cal, (after,) = _events(client, f"/chats/{chat.slug}/calendar.ics")

    assert str(after["UID"]) == str(before["UID"]) == f"{chat.uid}@civicchat"
    assert (int(before["SEQUENCE"]), int(after["SEQUENCE"])) == (0, 1)
    assert after.decoded("DTSTART") == datetime(2027, 3, 11, 18, 0, tzinfo=NY)


def test_calendar_cancelled_chat_is_marked_cancelled(client, chat):
    transition_chat(chat=chat, to=ChatStatus.CANCELLED, by=None, reason="Storm warning.")

    _cal, (event,) = _events(client, "/calendar.ics")

    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CANCELLED", 1)
    assert "Storm warning." in str(event["DESCRIPTION"])


def test_calendar_all_and_topic_list_public_chats_only(client, chat):
    ChatFactory(topic=chat.topic, status=ChatStatus.DRAFT, title="Secret draft")
    other = ChatFactory(title="Other topic chat")

    _cal, every = _events(client, "/calendar.ics")
    _cal, topic_only = _events(client, f"/topics/{chat.topic.slug}/calendar.ics")

    assert sorted(str(e["SUMMARY"]) for e in every) == sorted([chat.title, other.title])
    assert [str(e["SUMMARY"]) for e in topic_only] == [chat.title]


def test_calendar_of_a_draft_is_not_found(client):
    draft = ChatFactory(status=ChatStatus.DRAFT)

    response = client.get(f"/chats/{draft.slug}/calendar.ics")

    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content
