"""Reads for topics and chats: one query shape for pages, feeds and (later) the API."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from events.models import Chat, ChatStatus, Follow, Question, Topic

S = ChatStatus
# Everything but drafts is public; cancelled and postponed chats stay visible (and in
# calendars) so that people who planned to come learn what happened.
PUBLIC_STATUSES = (S.SCHEDULED, S.LIVE, S.ENDED, S.RECAP_PUBLISHED, S.CANCELLED, S.POSTPONED)
UPCOMING_STATUSES = (S.SCHEDULED, S.LIVE, S.POSTPONED)
PAST_STATUSES = (S.ENDED, S.RECAP_PUBLISHED, S.CANCELLED)


def active_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(active=True).order_by("name")


def get_active_topic(*, slug: str) -> Topic:
    topic = Topic.objects.filter(slug=slug, active=True).first()
    if topic is None:
        raise Http404("No such topic")
    return topic


def public_chats() -> QuerySet[Chat]:
    return Chat.objects.filter(status__in=PUBLIC_STATUSES).select_related("topic")


def upcoming_chats(*, now: datetime | None = None, topic: Topic | None = None) -> QuerySet[Chat]:
    """Live and future chats, soonest first (postponed ones wait for a new date)."""
    now = now or timezone.now()
    qs = public_chats().filter(status__in=UPCOMING_STATUSES, ends_at__gt=now)
    if topic is not None:
        qs = qs.filter(topic=topic)
    return qs.order_by("starts_at")


def past_chats(*, now: datetime | None = None, topic: Topic | None = None) -> QuerySet[Chat]:
    """Chats that are over or cancelled, most recent first."""
    now = now or timezone.now()
    qs = public_chats().filter(status__in=PAST_STATUSES)
    if topic is not None:
        qs = qs.filter(topic=topic)
    return qs.order_by("-starts_at")


def get_public_chat(*, slug: str) -> Chat:
    """A public chat with what its page shows: hosts and published questions."""
    chat = (
        public_chats()
        .prefetch_related(
            "hosts",
            Prefetch(
                "questions",
                queryset=Question.objects.filter(published=True).order_by("position"),
                to_attr="published_questions",
            ),
        )
        .filter(slug=slug)
        .first()
    )
    if chat is None:
        raise Http404("No such chat")
    return chat


def follows_of(user: User) -> tuple[set[int], set[int]]:
    """(topic ids, chat ids) the user follows, in one query."""
    topic_ids: set[int] = set()
    chat_ids: set[int] = set()
    if not user.is_authenticated:
        return topic_ids, chat_ids
    for topic_id, chat_id in Follow.objects.filter(user=user).values_list("topic_id", "chat_id"):
        if topic_id:
            topic_ids.add(topic_id)
        if chat_id:
            chat_ids.add(chat_id)
    return topic_ids, chat_ids


def calendar_chats(*, topic: Topic | None = None) -> QuerySet[Chat]:
    """Chats for .ics feeds: every public chat, including cancelled ones (so calendars
    drop them), oldest first."""
    qs = public_chats()
    if topic is not None:
        qs = qs.filter(topic=topic)
    return qs.order_by("starts_at")


def followers_of(chat: Chat) -> QuerySet[User]:
    """Active users following the chat itself or its topic, each once."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(follows__chat=chat) | Q(follows__topic_id=chat.topic_id))
        .distinct()
        .order_by("pk")
    )
