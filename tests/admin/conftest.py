"""Fixtures of the admin tests: one person per role (two-factor authentication is
switched off here, except in test_mfa.py), data that must not leak, and a reader that
turns an admin page's form into the POST a browser would send."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from typing import Any

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.roles import Role
from events.models import ChatStatus
from recaps.models import RecapStatus
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CaptureSourceFactory,
    ChatFactory,
    ChatHostFactory,
    CityFactory,
    HighlightFactory,
    QuestionFactory,
    RecapFactory,
    RecapSectionFactory,
    UserFactory,
)

SECRET = "SECRET-MOTIVATION-5521"
APPLICANT_EMAIL = "rosa.applicant@example.org"


@pytest.fixture(autouse=True)
def _staff_mfa_off(settings):
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = False


@pytest.fixture(autouse=True)
def _city(db):
    CityFactory(timezone="America/New_York")


@pytest.fixture
def editor(db):
    return UserFactory(roles=[Role.RESIDENT, Role.EDITOR], display_name="Eddie Editor")


@pytest.fixture
def comms(db):
    return UserFactory(roles=[Role.RESIDENT, Role.COMMS_STAFF], display_name="Chris Comms")


@pytest.fixture
def coordinator(db):
    return UserFactory(
        roles=[Role.RESIDENT, Role.LIAISON_COORDINATOR], display_name="Carmen Coordinator"
    )


@pytest.fixture
def superuser(db):
    user = User.objects.create_superuser("ada@example.org", PASSWORD, display_name="Ada")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def people(editor, comms, coordinator, superuser, resident):
    return {
        "editor": editor,
        "comms": comms,
        "coordinator": coordinator,
        "superuser": superuser,
        "resident": resident,
    }


@pytest.fixture
def chat(db):
    """A scheduled chat with a host, two announced questions and a capture source."""
    chat = ChatFactory(title="Trash talk", hashtag="#PhillyTrash", status=ChatStatus.SCHEDULED)
    ChatHostFactory(chat=chat, handle="@philly311", position=0)
    QuestionFactory(chat=chat, position=1, text="How do you report dumping?")
    QuestionFactory(chat=chat, position=2, text="What would help?")
    CaptureSourceFactory(chat=chat)
    return chat


@pytest.fixture
def recap(db):
    """A recap in review of an ended chat, with one section and one highlight."""
    recap = RecapFactory(
        status=RecapStatus.IN_REVIEW,
        title="What we heard about trash",
        chat=ChatFactory(title="Trash talk, ended", status=ChatStatus.ENDED),
    )
    section = RecapSectionFactory(recap=recap, position=1, heading="Reporting dumping")
    HighlightFactory(section=section, position=1)
    return recap


@pytest.fixture
def application(db):
    """A submitted application with personal data that must never leak."""
    return ApplicationFactory(
        user=UserFactory(email=APPLICANT_EMAIL, display_name="Rosa"),
        display_name="Rosa Applicant",
        motivation=f"I want to help. {SECRET}",
        phone="215-555-0142",
    )


class _FormReader(HTMLParser):
    """The successful controls of the admin's change form on a page (``<form
    id="<model>_form">``, not the logout form), as a browser sends them: inputs and
    textareas with their values, checked boxes, selected options."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data: list[tuple[str, str]] = []
        self._in_form = False
        self._done = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id", "").endswith("_form") and not self._done:
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.data.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)


def form_data(page: str) -> dict[str, Any]:
    """The POST data of the page's form: one value per name, or a list for names that
    occur more than once (multiple choice)."""
    reader = _FormReader()
    reader.feed(page)
    data: dict[str, Any] = {}
    for name, value in reader.data:
        if name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data


def action(name: str, *objects: Any, **extra: str) -> dict[str, Any]:
    """The POST of an admin list's action bar for ``objects``."""
    return {
        "action": name,
        "_selected_action": [str(obj.pk) for obj in objects],
        "index": "0",
        "select_across": "0",
        **extra,
    }


def csv_of(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]
