"""Demo chats for seed_demo: the past #Philly311NLP chat, an upcoming PhillyRising chat
and a monthly 311 series. Idempotent: a chat whose slug exists is left as it is."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from django.utils import timezone

from events.models import Chat, ChatStatus, Platform, Topic
from events.services.chats import (
    ChatData,
    HostData,
    QuestionData,
    create_chat,
    duplicate_chat,
    transition_chat,
)

ZONE = zoneinfo.ZoneInfo("America/New_York")

NLP_QUESTIONS = [
    "How do you reach Philly311 today, and what happens after you report a problem?",
    "Which neighborhood problems would you most like to report or follow up on?",
    "The 311 Neighborhood Liaison Program trains residents to help neighbors use 311. "
    "What would make you want to become a liaison?",
    "How should liaisons share what they learn with block captains, civic associations "
    "and neighbors?",
    "What training or tools would you need to be an effective liaison?",
    "How can the City better close the loop after you report a problem?",
]
RISING_QUESTIONS = [
    "What is one thing that would make your block safer this winter?",
    "Which city services do you wish came to your neighborhood more often?",
    "Where should PhillyRising hold its next community meeting?",
]
NLP_HOSTS = [
    HostData(Platform.X, "@PhillyMDO", "Managing Director's Office"),
    HostData(Platform.X, "@philly311", "Philly311"),
    HostData(Platform.MASTODON, "@philly311@mastodon.example", "Philly311"),
]


def _at(day: datetime, hour: int) -> datetime:
    return datetime.combine(day.date(), time(hour), tzinfo=ZONE)


def _first_thursday_after(moment: datetime, months_ahead: int) -> datetime:
    year, month = moment.year, moment.month + months_ahead
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    first = datetime(year, month, 1, tzinfo=ZONE)
    return first + timedelta(days=(3 - first.weekday()) % 7)


def _ensure(slug: str, data: ChatData) -> tuple[Chat, bool]:
    existing = Chat.objects.filter(slug=slug).first()
    if existing:
        return existing, False
    chat = create_chat(data=data, by=None)
    chat.slug = slug
    chat.save(update_fields=["slug"])
    return chat, True


def seed_chats(*, now: datetime | None = None) -> dict[str, Chat]:
    now = (now or timezone.now()).astimezone(ZONE)
    nlp = Topic.objects.get(slug="311-neighborhood-liaison-program")
    rising = Topic.objects.get(slug="phillyrising")
    chats: dict[str, Chat] = {}

    past_day = now - timedelta(days=21)
    chat, new = _ensure(
        "philly311nlp-tweet-chat",
        ChatData(
            topic=nlp,
            title="Tweet chat: the 311 Neighborhood Liaison Program",
            description=(
                "The Managing Director and the 311 Director answer your questions about the "
                "311 Neighborhood Liaison Program, which trains residents to be part of the "
                "311 non-emergency team."
            ),
            hashtag="#Philly311NLP",
            starts_at=_at(past_day, 18),
            ends_at=_at(past_day, 19),
            platforms=[Platform.X, Platform.MASTODON],
            hosts=NLP_HOSTS,
            questions=[
                QuestionData(text, planned_minute=i * 9, published=True)
                for i, text in enumerate(NLP_QUESTIONS, start=1)
            ],
        ),
    )
    if new:
        for step in (ChatStatus.SCHEDULED, ChatStatus.LIVE, ChatStatus.ENDED):
            chat = transition_chat(chat=chat, to=step, by=None)
    chats["nlp_past"] = chat

    next_week = now + timedelta(days=7)
    chat, new = _ensure(
        "phillyrising-winter-safety-chat",
        ChatData(
            topic=rising,
            title="PhillyRising: a safer winter on your block",
            description=(
                "PhillyRising coordinators and city agencies take residents' questions about "
                "keeping blocks safe and services reliable through the winter."
            ),
            hashtag="#PhillyRising",
            starts_at=_at(next_week, 18),
            ends_at=_at(next_week, 19),
            platforms=[Platform.X, Platform.MASTODON, Platform.BLUESKY],
            hosts=[
                HostData(Platform.X, "@PhillyMDO", "Managing Director's Office"),
                HostData(Platform.BLUESKY, "@phillyrising.bsky.example", "PhillyRising"),
            ],
            questions=[
                QuestionData(text, planned_minute=i * 15, published=True)
                for i, text in enumerate(RISING_QUESTIONS, start=1)
            ],
        ),
    )
    if new:
        chat = transition_chat(chat=chat, to=ChatStatus.SCHEDULED, by=None)
    chats["rising_next_week"] = chat

    first = _at(_first_thursday_after(now, 1), 12)
    series_data = ChatData(
        topic=nlp,
        title="Monthly 311 chat",
        description=(
            "Every first Thursday at noon, Philly311 answers questions about city services "
            "and how to report problems."
        ),
        hashtag="#Philly311Chat",
        starts_at=first,
        ends_at=first + timedelta(hours=1),
        platforms=[Platform.X, Platform.MASTODON],
        hosts=NLP_HOSTS[1:],
        questions=[
            QuestionData("What would you like Philly311 to explain better?", 10, True),
            QuestionData("Tell us about a report that was resolved well, or not.", 30, True),
        ],
    )
    head, new = _ensure("monthly-311-chat-1", series_data)
    if new:
        head = transition_chat(chat=head, to=ChatStatus.SCHEDULED, by=None)
    chats["series_1"] = head
    for n in (2, 3):
        slug = f"monthly-311-chat-{n}"
        existing = Chat.objects.filter(slug=slug).first()
        if existing is None:
            start = _at(_first_thursday_after(now, n), 12)
            existing = duplicate_chat(chat=head, starts_at=start, by=None)
            existing.slug = slug
            existing.save(update_fields=["slug"])
            if n == 2:
                existing = transition_chat(chat=existing, to=ChatStatus.SCHEDULED, by=None)
        chats[f"series_{n}"] = existing
    return chats
