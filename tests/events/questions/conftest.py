"""Fixtures for the question tracker: the live page's (staff, chat) and a thread builder."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.events.live.conftest import _city, _english, chat, comms, no_staff_mfa, staff_client
from tests.factories import PostFactory, QuestionFactory

__all__ = ["_city", "_english", "chat", "comms", "no_staff_mfa", "staff_client"]


@pytest.fixture
def announced(chat):
    """Q1 and Q2 of the chat."""
    return [
        QuestionFactory(chat=chat, position=1, text="How do you reach Philly311 today?"),
        QuestionFactory(chat=chat, position=2, text="Which problems would you report?"),
    ]


@pytest.fixture
def make_post(chat):
    """A post of the chat ``minute`` minutes after the start (X unless told)."""

    def make(text: str, *, minute: int, author: str = "rosa", official: bool = False, **kw):
        return PostFactory(
            chat=chat,
            text=text,
            author_handle=author,
            is_official=official,
            created_at=chat.starts_at + timedelta(minutes=minute),
            **kw,
        )

    return make
