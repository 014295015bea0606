"""Fixtures and page readers for the editors' recap pages."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest

from accounts.roles import Role
from recaps.models import Recap
from recaps.services.editing import record_version, snapshot
from recaps.services.stats import compute_stats, compute_timeline
from tests.factories import (
    ChatFactory,
    CityFactory,
    HighlightFactory,
    PostFactory,
    RecapFactory,
    RecapSectionFactory,
    UserFactory,
)

SECRET = "Draft: what we heard about potholes"


def alerts(page: str) -> list[str]:
    """The texts of the announced alerts (messages and error summaries) on a page."""
    found = re.findall(
        r'<div class="usa-alert[^"]*" role="(?:alert|status)">\s*<div class="usa-alert__body">'
        r'\s*<p class="usa-alert__text">(.*?)</p>',
        page,
        re.S,
    )
    return [html.unescape(re.sub(r"\s+", " ", text).strip()) for text in found]


def field_errors(page: str, field_id: str) -> list[str]:
    """The messages next to the field whose id is ``field_id``."""
    match = re.search(rf'id="{re.escape(field_id)}_error">(.*?)</div>', page, re.S)
    if match is None:
        return []
    return [html.unescape(m) for m in re.findall(r'class="cc-error">(.*?)</span>', match[1])]


def content(recap: Recap) -> dict[str, Any]:
    """The recap's editable content as stored now (what a version keeps)."""
    recap.refresh_from_db()
    return snapshot(recap)


def outline(recap: Recap) -> list[tuple[str, list[str]]]:
    """Each section's heading with its highlights' post texts, in order, from the database."""
    return [
        (section["heading"], [_text(h["post_id"]) for h in section["highlights"]])
        for section in content(recap)["sections"]
    ]


def _text(post_id: int) -> str:
    from events.models import Post

    return Post.objects.get(pk=post_id).text


def versions(recap: Recap) -> list[tuple[int, str, Any]]:
    """(number, summary, created_by id) of every version, newest first."""
    return list(recap.versions.order_by("-number").values_list("number", "summary", "created_by"))


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    """These tests are about recaps, not MFA enrolment (test_access proves the rule)."""
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = False


@pytest.fixture(autouse=True)
def _city(db):
    CityFactory(timezone="America/New_York")


@pytest.fixture
def editor(db):
    return UserFactory(roles=[Role.EDITOR], display_name="Erin Editor")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def recap(db):
    """A draft recap of an ended chat: two sections, "Q1" with posts A, B, C and "Q2"
    with post D, and its automatic first version. The chat also has posts E (not
    highlighted), H (hidden) and X (deleted at the source)."""
    chat = ChatFactory(title="Potholes and paving", slug="potholes", status="ended")
    recap = RecapFactory(chat=chat, title=SECRET, intro="")
    q1 = RecapSectionFactory(recap=recap, position=1, heading="Q1 Reporting potholes")
    q2 = RecapSectionFactory(recap=recap, position=2, heading="Q2 Paving schedule")
    start = chat.starts_at
    posts = {
        name: PostFactory(
            chat=chat,
            text=f"Post {name}",
            html=f"<p>Post {name}</p>",
            author_handle=f"author_{name.lower()}",
            author_name=f"Author {name}",
            created_at=start + timedelta(minutes=i),
        )
        for i, name in enumerate("ABCDE", start=1)
    }
    PostFactory(chat=chat, text="Post H", hidden=True, created_at=start + timedelta(minutes=7))
    PostFactory(chat=chat, text="Post X", deleted_at=start, created_at=start + timedelta(minutes=8))
    for position, name in enumerate("ABC", start=1):
        HighlightFactory(section=q1, post=posts[name], position=position)
    HighlightFactory(section=q2, post=posts["D"], position=1)
    # The numbers as the drafting service computes them (a read).
    recap.stats = {**compute_stats(chat), "questions": {"asked": 2, "answered": 1, "open": 1}}
    recap.timeline = compute_timeline(chat)
    recap.save(update_fields=["stats", "timeline"])
    record_version(recap=recap, by=None, change="drafted")
    recap.refresh_from_db()
    return recap
