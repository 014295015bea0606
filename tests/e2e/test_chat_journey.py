"""Comms staff schedule a chat; a resident follows it and gets the reminder with its .ics."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from accounts.roles import Role
from events.models import Chat, ChatStatus
from events.services import notifications
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.e2e.helpers import sign_in, sign_out
from tests.factories import CityFactory, TopicFactory, UserFactory


@pytest.fixture
def sync_sender(monkeypatch):
    """The worker's part: send each queued notification at once, in this process."""
    monkeypatch.setattr(
        "events.tasks.task_send_notification.delay",
        lambda *, notification_id: notifications.send_notification(notification_id=notification_id),
    )


def test_chat_journey_staff_schedules_resident_follows_and_is_reminded(
    page: Page, mailoutbox, settings, sync_sender
):
    # The embedded-demo switch: this journey is about chats, not about MFA enrolment
    # (tests/accounts/test_roles.py proves staff are sent to set it up).
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = False
    CityFactory()
    TopicFactory(name="Streets and sanitation", default_hashtag="#PhillyStreets")
    staff = UserFactory(roles=[Role.COMMS_STAFF], email="comms@example.org")
    resident = UserFactory(roles=[Role.RESIDENT], email="rosa@example.org")
    start = timezone.localtime(timezone.now() + timedelta(minutes=45)).replace(
        second=0, microsecond=0
    )

    # Comms staff create the chat from their own pages and schedule it.
    sign_in(page, staff.email)
    page.get_by_role("link", name="Manage chats").click()
    page.get_by_role("link", name=re.compile("new chat", re.IGNORECASE)).first.click()
    page.get_by_label("Topic", exact=True).select_option(label="Streets and sanitation")
    page.get_by_label("Title", exact=True).fill("Snow removal & your street")
    page.get_by_label("Starts", exact=True).fill(start.strftime("%Y-%m-%dT%H:%M"))
    # USWDS draws its own checkbox; like a person, click the label.
    page.locator("label", has_text="X (Twitter)").click()
    expect(page.get_by_label("X (Twitter)", exact=True)).to_be_checked()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Save and schedule").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Snow removal & your street")
    chat = Chat.objects.get()
    assert (chat.status, chat.hashtag, chat.ends_at - chat.starts_at) == (
        ChatStatus.SCHEDULED,
        "#PhillyStreets",
        timedelta(hours=1),
    )
    sign_out(page)

    # A resident finds it on the public chat list and follows it.
    sign_in(page, resident.email)
    page.goto("/chats/")
    page.get_by_role("link", name="Snow removal & your street").click()
    page.get_by_role("button", name="Follow this chat").click()
    expect(page.get_by_role("button", name="Stop following this chat")).to_be_visible()
    assert_no_serious_axe_violations(page)

    # Beat's dispatcher runs (twice: the second run must not send again).
    notifications.dispatch_reminders()
    notifications.dispatch_reminders()

    assert [m.to for m in mailoutbox] == [[resident.email]]
    mail = mailoutbox[0]
    assert mail.subject == "[CivicChat] Reminder: Snow removal & your street"
    name, content, _mime = mail.attachments[0]
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    assert name == f"{chat.slug}.ics"
    assert event.decoded("DTSTART") == start
    assert str(event["UID"]) == f"{chat.uid}@civicchat"
