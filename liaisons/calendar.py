"""iCalendar (RFC 5545) files for training sessions, built like ``events.calendar``.

Each session is one VEVENT with a UID that never changes; SEQUENCE rises when the time
or place changes or the session is cancelled, so calendar clients replace their copy (a
cancelled session is STATUS:CANCELLED, e-mailed with METHOD:CANCEL so it is removed).
Times carry the city's TZID and the file holds the matching VTIMEZONE. The files go
only to applicants with a place (e-mail attachments and their own page), so they may
hold the online link.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from core.ical import organizer
from core.selectors import city_timezone_name
from liaisons.models import TrainingSession

PRODID = "-//CivicChat//Liaison training//EN"
UID_DOMAIN = "training.civicchat"


def session_uid(session: TrainingSession) -> str:
    return f"{session.uid}@{UID_DOMAIN}"


def _event(session: TrainingSession, zone: zoneinfo.ZoneInfo, organised_by: vCalAddress) -> Event:
    event = Event()
    event.add("uid", session_uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("last-modified", session.updated_at)
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", session.title)
    program_url = settings.CIVICCHAT_SITE_URL + reverse("liaisons:program")
    lines = [session.description] if session.description else []
    if session.cancel_reason and session.is_cancelled:
        lines.append(session.cancel_reason)
    if session.online_url:
        lines.append(session.online_url)
    lines.append(program_url)
    event.add("description", "\n\n".join(lines))
    event.add("location", session.location or session.online_url)
    event.add("url", session.online_url or program_url)
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    event.add("organizer", organised_by)
    return event


def build_session_calendar(
    sessions: Iterable[TrainingSession], *, name: str, method: str | None = None
) -> bytes:
    """An iCalendar file with one VEVENT per session and the city's VTIMEZONE.
    ``method`` ("PUBLISH", or "CANCEL" for a cancelled session) is for e-mail
    attachments."""
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
    for session in sessions:
        calendar.add_component(_event(session, zone, organised_by))
        starts.append(session.starts_at)
    # The zone's rules only for the years the sessions span (see events.calendar).
    today = timezone.now().date()
    first = min([s.date() for s in starts], default=today)
    last = max([s.date() for s in starts], default=today)
    calendar.add_missing_timezones(
        first_date=first.replace(month=1, day=1),
        last_date=last.replace(year=last.year + 1, month=1, day=1),
    )
    return calendar.to_ical()
