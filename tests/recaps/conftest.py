from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest

from accounts.roles import Role
from events.models import ChatStatus
from tests.factories import ChatFactory, ChatHostFactory, CityFactory, PostFactory, QuestionFactory

NY = zoneinfo.ZoneInfo("America/New_York")
START = datetime(2026, 11, 5, 18, 0, tzinfo=NY)


@pytest.fixture
def ended_chat(db):
    """An ended chat with two announced questions, a host on X and a known capture:

    18:05 host Q1 (key q1)      18:06 ann "A1 ..." reply to q1 (10 likes)
    18:06 bob "A1 ..." (2 likes) 18:07 host answer in q1's thread
    18:07 cy "A1 ..." (hidden)   18:20 host Q2 (key q2)
    18:21 ann "A2 ..." (5 likes) 18:21 dee "a question?" (deleted at source)
    """
    CityFactory()
    chat = ChatFactory(
        title="Trash talk",
        hashtag="#PhillyTrash",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        status=ChatStatus.ENDED,
    )
    ChatHostFactory(chat=chat, platform="x", handle="@philly311")
    QuestionFactory(chat=chat, position=1, text="How do you report dumping?")
    QuestionFactory(chat=chat, position=2, text="What would help?")

    def post(minute, handle, text, **extra):
        return PostFactory(
            chat=chat,
            author_handle=handle,
            text=text,
            html=f"<p>{text}</p>",
            created_at=START + timedelta(minutes=minute),
            is_official=handle == "philly311",
            **extra,
        )

    q1 = post(5, "philly311", "Q1 How do you report dumping? #PhillyTrash", external_key="q1")
    post(6, "ann", "A1 with the app #PhillyTrash", reply_to_key="q1", metrics={"like_count": 10})
    post(6, "bob", "A1 I call 311 #PhillyTrash", metrics={"like_count": 2})
    post(7, "philly311", "Thanks! The app is fastest.", reply_to_key="q1", conversation_key="")
    post(7, "cy", "A1 spam spam", hidden=True)
    post(20, "philly311", "Q2 What would help? #PhillyTrash", external_key="q2")
    post(21, "ann", "A2 more pickups #PhillyTrash", metrics={"like_count": 5})
    post(21, "dee", "Is anyone there?", deleted_at=START + timedelta(hours=2))
    chat.q1 = q1
    return chat


@pytest.fixture
def editor(make_user, settings):
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = False
    return make_user(Role.EDITOR)
