"""Fixtures and page readers for the comms staff pages."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.roles import Role
from tests.factories import CityFactory, TopicFactory, UserFactory

CITY_ZONE = ZoneInfo("America/New_York")


def local(text: str) -> datetime:
    """An aware datetime from a wall-clock time in the city ("2030-06-04 18:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=CITY_ZONE)


def field_errors(page: str, field_id: str) -> list[str]:
    """The messages shown next to the field whose id is ``field_id`` (see
    templates/includes/_field_messages.html), or next to a formset (``hosts``)."""
    match = re.search(rf'id="{re.escape(field_id)}_error">(.*?)</div>', page, re.S)
    if match is None:
        return []
    return [html.unescape(m) for m in re.findall(r'class="cc-error">(.*?)</span>', match[1])]


def all_field_errors(page: str) -> dict[str, list[str]]:
    """Every field's messages, by field id: a page that shows one problem shows no other."""
    ids = re.findall(r'id="([\w-]+)_error">', page)
    return {field_id: field_errors(page, field_id) for field_id in ids}


def alerts(page: str) -> list[str]:
    """The texts of the alerts (messages and error summaries) on a page."""
    return [
        html.unescape(text.strip())
        for text in re.findall(r'<p class="usa-alert__text">(.*?)</p>', page, re.S)
    ]


def formset(prefix: str, rows: list[dict[str, str]], *, initial: int = 0) -> dict[str, str]:
    """POST data for a formset: the management form and the rows."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


@pytest.fixture(autouse=True)
def _city(db):
    CityFactory(timezone="America/New_York")


@pytest.fixture
def comms(db):
    """A comms staff member with two-factor authentication, as staff pages demand."""
    user = UserFactory(roles=[Role.COMMS_STAFF], display_name="Dana Comms")
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def staff_client(client, comms):
    client.force_login(comms)
    return client


@pytest.fixture
def topic(db):
    return TopicFactory(name="PhillyRising", default_hashtag="#PhillyRising")
