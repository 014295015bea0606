"""iCalendar (RFC 5545) files for chats, built with the icalendar library.

Each chat is one VEVENT whose UID never changes; SEQUENCE is the chat's sequence, which
rises on every reschedule, postponement and cancellation, so calendar clients replace
the old copy. Times carry the city's TZID and the file holds the matching VTIMEZONE.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from core.ical import organizer
from core.selectors import city_timezone_name
from events.models import Chat, ChatStatus

PRODID = "-//CivicChat//Chats//EN"
UID_DOMAIN = "civicchat"

_STATUS = {
    ChatStatus.CANCELLED: "CANCELLED",
    ChatStatus.POSTPONED: "TENTATIVE",
    ChatStatus.DRAFT: "TENTATIVE",
}


def chat_url(chat: Chat) -> str:
    return settings.CIVICCHAT_SITE_URL + reverse("events:chat_detail", args=[chat.slug])


def chat_uid(chat: Chat) -> str:
    return f"{chat.uid}@{UID_DOMAIN}"


def _event(chat: Chat, zone: zoneinfo.ZoneInfo, organised_by: vCalAddress) -> Event:
    event = Event()
    event.add("uid", chat_uid(chat))
    event.add("sequence", chat.sequence)
    event.add("dtstamp", timezone.now())
    event.add("last-modified", chat.updated_at)
    event.add("dtstart", chat.starts_at.astimezone(zone))
    event.add("dtend", chat.ends_at.astimezone(zone))
    summary = chat.title
    if chat.status == ChatStatus.CANCELLED:
        summary = f"[Cancelled] {chat.title}"
    event.add("summary", summary)
    lines = [chat.description] if chat.description else []
    lines.append(f"{' '.join(chat.hashtags)}")
    if chat.status_reason and chat.status in {ChatStatus.CANCELLED, ChatStatus.POSTPONED}:
        lines.append(chat.status_reason)
    lines.append(chat_url(chat))
    event.add("description", "\n\n".join(lines))
    event.add("url", chat_url(chat))
    event.add("location", vText(", ".join(chat.hashtags)))
    event.add("categories", [chat.topic.name])
    event.add("status", _STATUS.get(ChatStatus(chat.status), "CONFIRMED"))
    event.add("organizer", organised_by)
    return event


def build_calendar(chats: Iterable[Chat], *, name: str, method: str | None = None) -> bytes:
    """An iCalendar file with one VEVENT per chat (with its topic loaded) and the
    VTIMEZONE of the city. ``method`` ("PUBLISH", "CANCEL") is for e-mail attachments."""
    zone = zoneinfo.ZoneInfo(city_timezone_name())
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone.key)
    if method:
        calendar.add("method", method)
    starts = []
    organised_by = organizer()
    for chat in chats:
        calendar.add_component(_event(chat, zone, organised_by))
        starts.append(chat.starts_at)
    # The zone's rules only for the years the events span (the default is 1970-2038,
    # some 200 lines that every client would download and parse).
    today = timezone.now().date()
    first = min([s.date() for s in starts], default=today)
    last = max([s.date() for s in starts], default=today)
    calendar.add_missing_timezones(
        first_date=first.replace(month=1, day=1),
        last_date=last.replace(year=last.year + 1, month=1, day=1),
    )
    return calendar.to_ical()
