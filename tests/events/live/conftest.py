"""Fixtures for the live page, imports and the question tracker (issue 4, part B)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from accounts.roles import Role
from tests.factories import ChatFactory, ChatHostFactory, CityFactory, UserFactory


@pytest.fixture(autouse=True)
def _city(db):
    CityFactory(timezone="America/New_York")


@pytest.fixture(autouse=True)
def _english():
    """Services called outside a request speak the thread's language; a request made in
    Spanish earlier in this thread (LocaleMiddleware activates, never deactivates) must
    not decide the language of these tests' messages."""
    with translation.override("en"):
        yield


@pytest.fixture
def no_staff_mfa(settings):
    """These tests are about the pages, not MFA enrolment (tests/accounts covers that)."""
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = False


@pytest.fixture
def comms(db):
    return UserFactory(roles=[Role.COMMS_STAFF], display_name="Dana Comms")


@pytest.fixture
def staff_client(client, comms, no_staff_mfa):
    client.force_login(comms)
    return client


@pytest.fixture
def chat(db):
    """A live chat that started 20 minutes ago, hosted by @philly311 on X."""
    now = timezone.now()
    chat = ChatFactory(
        title="Trash and recycling",
        hashtag="#PhillyTrash",
        starts_at=now - timedelta(minutes=20),
        ends_at=now + timedelta(minutes=40),
        status="live",
        platforms=["x", "mastodon", "bluesky"],
    )
    ChatHostFactory(chat=chat, platform="x", handle="@philly311", display_name="Philly311")
    ChatHostFactory(
        chat=chat, platform="mastodon", handle="@philly311@mastodon.example", display_name="311"
    )
    return chat


def post_ids(page: str) -> list[int]:
    """The ids of the posts on a page (or partial), in order."""
    return [int(pk) for pk in re.findall(r'<li id="post-(\d+)"', page)]


def alerts(page: str) -> list[str]:
    return [
        html.unescape(text.strip())
        for text in re.findall(r'<p class="usa-alert__text">(.*?)</p>', page, re.S)
    ]


def counters(page: str) -> dict[str, int]:
    return {name: int(n) for name, n in re.findall(r'data-counter="(\w+)">(\d+)<', page)}
