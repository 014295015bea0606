"""Fixtures for imports: the live page's fixtures, a past chat and archive builders."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.events.live.conftest import _city, _english, chat, comms, no_staff_mfa, staff_client
from tests.factories import ChatFactory, ChatHostFactory, QuestionFactory

__all__ = ["_city", "_english", "chat", "comms", "no_staff_mfa", "staff_client"]

ZONE = ZoneInfo("America/New_York")


@pytest.fixture
def past_chat(db):
    """The #Philly311NLP chat of 2 May 2024, 6-7 pm, hosted by @philly311 on X and
    Mastodon, with two announced questions."""
    chat = ChatFactory(
        title="311 Neighborhood Liaisons",
        slug="philly311nlp-2024",
        hashtag="#Philly311NLP",
        starts_at=datetime(2024, 5, 2, 18, 0, tzinfo=ZONE),
        ends_at=datetime(2024, 5, 2, 19, 0, tzinfo=ZONE),
        status="ended",
        platforms=["x", "mastodon", "bluesky"],
    )
    ChatHostFactory(chat=chat, platform="x", handle="@philly311")
    ChatHostFactory(chat=chat, platform="mastodon", handle="@philly311@mastodon.example")
    QuestionFactory(chat=chat, position=1, text="How do you reach Philly311 today?")
    QuestionFactory(chat=chat, position=2, text="Which problems would you report?")
    return chat


def upload(content: str | bytes, name: str = "archive.csv", content_type: str = "text/csv"):
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type=content_type)
