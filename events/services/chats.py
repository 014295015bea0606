"""Chats: the one write path for creating, editing and moving chats through their life.

Status moves only through ``transition_chat``, which checks ALLOWED_TRANSITIONS,
writes a ChatStatusChange audit row and queues follow-up work on commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from core.cache import bump_public_pages
from events.exceptions import ChatValidationError, InvalidTransition
from events.models import (
    HASHTAG_RE,
    Chat,
    ChatHost,
    ChatStatus,
    ChatStatusChange,
    Notification,
    NotificationKind,
    NotificationStatus,
    Platform,
    Question,
    Topic,
)
from webhooks.services import emit_chat_event

S = ChatStatus

# Every allowed move; anything else raises InvalidTransition. live/ended are normally
# reached by the clock (advance_chats_by_clock); people may also end a chat early.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SCHEDULED, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.LIVE, S.CANCELLED, S.POSTPONED, S.DRAFT}),
    S.POSTPONED: frozenset({S.SCHEDULED, S.CANCELLED}),
    S.LIVE: frozenset({S.ENDED}),
    S.ENDED: frozenset({S.RECAP_PUBLISHED}),
    S.RECAP_PUBLISHED: frozenset({S.ENDED}),  # a recap can be unpublished
    S.CANCELLED: frozenset(),
}
# Moves that need a reason people can read.
REASON_REQUIRED = frozenset({S.CANCELLED, S.POSTPONED})
# Statuses whose time window blocks another chat on the same hashtag.
OCCUPYING = frozenset({S.SCHEDULED, S.LIVE})


@dataclass
class HostData:
    platform: str
    handle: str
    display_name: str = ""


@dataclass
class QuestionData:
    text: str
    planned_minute: int | None = None
    published: bool = False


@dataclass
class ChatData:
    """What staff enter for a chat; validated by ``validate_chat_data``."""

    topic: Topic
    title: str
    starts_at: datetime
    ends_at: datetime
    hashtag: str
    description: str = ""
    extra_hashtags: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    hosts: list[HostData] = field(default_factory=list)
    questions: list[QuestionData] = field(default_factory=list)


def max_chat_length() -> timedelta:
    return timedelta(hours=settings.CIVICCHAT_MAX_CHAT_HOURS)


def validate_chat_data(data: ChatData, *, chat: Chat | None = None) -> None:
    """Raise ChatValidationError with every problem at once (field -> messages)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.title.strip():
        add("title", _("Give the chat a title."))
    if timezone.is_naive(data.starts_at) or timezone.is_naive(data.ends_at):
        add("starts_at", _("Times must include a time zone."))
    elif data.ends_at <= data.starts_at:
        add("ends_at", _("The chat must end after it starts."))
    elif data.ends_at - data.starts_at > max_chat_length():
        add(
            "ends_at",
            _("A chat can last at most %(hours)d hours.")
            % {"hours": settings.CIVICCHAT_MAX_CHAT_HOURS},
        )
    for tag in [data.hashtag, *data.extra_hashtags]:
        if not re.match(HASHTAG_RE, tag or ""):
            add(
                "hashtag" if tag == data.hashtag else "extra_hashtags",
                _(
                    "%(tag)s is not a hashtag: use # followed by a letter, then letters, "
                    "digits or underscores."
                )
                % {"tag": tag or _("(empty)")},
            )
    unknown = [p for p in data.platforms if p not in Platform.values]
    if unknown:
        add("platforms", _("Unknown platform: %(names)s.") % {"names": ", ".join(unknown)})
    seen_hosts: set[tuple[str, str]] = set()
    for host in data.hosts:
        if host.platform not in Platform.values:
            add("hosts", _("Unknown platform for host %(handle)s.") % {"handle": host.handle})
        if not host.handle.strip():
            add("hosts", _("Each host needs an account name."))
        # The same account twice would break chathost_unique_per_platform (an IntegrityError).
        key = (host.platform, host.handle.strip())
        if key in seen_hosts and key[1]:
            add(
                "hosts",
                _("%(handle)s is listed twice for %(platform)s.")
                % {"handle": key[1], "platform": Platform(key[0]).label},
            )
        seen_hosts.add(key)
    for number, question in enumerate(data.questions, start=1):
        if not question.text.strip():
            add("questions", _("Q%(n)d has no text.") % {"n": number})
        if (
            question.planned_minute is not None
            and data.ends_at > data.starts_at
            and (
                question.planned_minute < 0
                or timedelta(minutes=question.planned_minute) > data.ends_at - data.starts_at
            )
        ):
            add(
                "questions",
                _("Q%(n)d is planned outside the chat's time.") % {"n": number},
            )
    if errors:
        raise ChatValidationError(errors)


def overlapping_chats(
    *, hashtags: Iterable[str], starts_at: datetime, ends_at: datetime, exclude_pk: int | None
) -> list[Chat]:
    """Scheduled or live chats whose window overlaps and who share a hashtag
    (case-insensitive: platforms treat #Philly311 and #philly311 as one tag)."""
    wanted = {tag.casefold() for tag in hashtags}
    candidates = Chat.objects.filter(
        status__in=OCCUPYING, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    return [c for c in candidates if wanted & {t.casefold() for t in c.hashtags}]


def _check_no_overlap(chat: Chat) -> None:
    clashes = overlapping_chats(
        hashtags=chat.hashtags, starts_at=chat.starts_at, ends_at=chat.ends_at, exclude_pk=chat.pk
    )
    if clashes:
        other = clashes[0]
        raise ChatValidationError(
            {
                "hashtag": [
                    _(
                        "“%(title)s” is already scheduled on %(tag)s at an overlapping time. "
                        "Pick another time or hashtag."
                    )
                    % {"title": other.title, "tag": other.hashtag}
                ]
            }
        )


def _unique_slug(title: str, starts_at: datetime) -> str:
    base = slugify(f"{title} {timezone.localtime(starts_at):%Y-%m-%d}")[:200] or "chat"
    slug, n = base, 2
    while Chat.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _write_children(chat: Chat, data: ChatData) -> None:
    chat.hosts.all().delete()
    ChatHost.objects.bulk_create(
        ChatHost(
            chat=chat,
            platform=h.platform,
            handle=h.handle.strip(),
            display_name=h.display_name.strip(),
            position=i,
        )
        for i, h in enumerate(data.hosts)
    )
    # Questions are kept by position, not recreated: tracked residents' questions and
    # recap sections point at them (Q1 stays the same row when its wording changes).
    existing = {q.position: q for q in chat.questions.all()}
    for position, q in enumerate(data.questions, start=1):
        row = existing.pop(position, None)
        values = (q.text.strip(), q.planned_minute, q.published)
        if row is None:
            Question.objects.create(
                chat=chat,
                position=position,
                text=values[0],
                planned_minute=values[1],
                published=values[2],
            )
        elif (row.text, row.planned_minute, row.published) != values:
            row.text, row.planned_minute, row.published = values
            row.save(update_fields=["text", "planned_minute", "published"])
    Question.objects.filter(pk__in=[q.pk for q in existing.values()]).delete()


@transaction.atomic
def create_chat(*, data: ChatData, by: User | None) -> Chat:
    """Create a draft chat with its hosts and questions. Drafts are not public."""
    validate_chat_data(data)
    chat = Chat.objects.create(
        topic=data.topic,
        title=data.title.strip(),
        slug=_unique_slug(data.title, data.starts_at),
        description=data.description.strip(),
        hashtag=data.hashtag,
        extra_hashtags=data.extra_hashtags,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        platforms=data.platforms,
        created_by=by,
    )
    _write_children(chat, data)
    return chat


@transaction.atomic
def update_chat(*, chat: Chat, data: ChatData, by: User | None) -> Chat:
    """Edit a chat. A change of time on a scheduled chat is a reschedule: SEQUENCE rises
    and followers are told. Chats that have started keep their times."""
    chat = Chat.objects.select_for_update().get(pk=chat.pk)
    validate_chat_data(data, chat=chat)
    time_changed = (chat.starts_at, chat.ends_at) != (data.starts_at, data.ends_at)
    if time_changed and chat.status not in {S.DRAFT, S.SCHEDULED, S.POSTPONED}:
        raise ChatValidationError(
            {"starts_at": [_("A chat that has started cannot change its times.")]}
        )
    chat.topic = data.topic
    chat.title = data.title.strip()
    chat.description = data.description.strip()
    chat.hashtag = data.hashtag
    chat.extra_hashtags = data.extra_hashtags
    chat.starts_at = data.starts_at
    chat.ends_at = data.ends_at
    chat.platforms = data.platforms
    if chat.status in OCCUPYING:
        _check_no_overlap(chat)
    fields = [
        "topic",
        "title",
        "description",
        "hashtag",
        "extra_hashtags",
        "starts_at",
        "ends_at",
        "platforms",
        "updated_at",
    ]
    if time_changed and chat.status == S.SCHEDULED:
        chat.sequence += 1
        fields.append("sequence")
    chat.save(update_fields=fields)
    _write_children(chat, data)
    emit_chat_event(chat=chat)
    bump_public_pages()
    if time_changed and chat.status == S.SCHEDULED:
        _queue_notices(chat, kind="rescheduled")
    return chat


@transaction.atomic
def transition_chat(
    *, chat: Chat, to: str, by: User | None, reason: str = "", now: datetime | None = None
) -> Chat:
    """Move ``chat`` to status ``to``; the only place a chat's status changes.

    Guarantees: the move is in ALLOWED_TRANSITIONS (else InvalidTransition, nothing
    written); cancelling and postponing carry a reason; scheduling checks the hashtag
    overlap rule. Side effects: one ChatStatusChange row; SEQUENCE rises on cancel and
    postpone (calendar clients must see the change); followers are e-mailed on cancel
    and postpone, after commit.
    """
    chat = Chat.objects.select_for_update().get(pk=chat.pk)
    if to not in ALLOWED_TRANSITIONS.get(chat.status, frozenset()):
        raise InvalidTransition(
            _("A chat cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(chat.status).label, "to": S(to).label if to in S.values else to}
        )
    reason = reason.strip()
    if to in REASON_REQUIRED and not reason:
        raise ChatValidationError({"reason": [_("Say why, so followers know.")]})
    if to == S.DRAFT and _followers_were_told(chat):
        # A draft tells no one; people holding a reminder would come to a chat that
        # is not happening. (Reminders still waiting are skipped when they are sent.)
        raise InvalidTransition(
            _(
                "Followers have already been reminded of this chat, so it cannot quietly "
                "become a draft again: postpone or cancel it, and they will be told."
            )
        )
    from_status = chat.status
    chat.status = to
    fields = ["status", "status_reason", "updated_at"]
    chat.status_reason = reason
    if to == S.SCHEDULED:
        _check_no_overlap(chat)
    # Calendar clients replace an event only when SEQUENCE rises.
    reopened = from_status == S.POSTPONED and to == S.SCHEDULED
    if to in {S.CANCELLED, S.POSTPONED} or reopened:
        chat.sequence += 1
        fields.append("sequence")
    chat.save(update_fields=fields)
    ChatStatusChange.objects.create(
        chat=chat,
        from_status=from_status,
        to_status=to,
        by=by,
        at=now or timezone.now(),
        reason=reason,
    )
    emit_chat_event(chat=chat, from_status=from_status)
    bump_public_pages()
    if (to in {S.CANCELLED, S.POSTPONED} and from_status != S.DRAFT) or reopened:
        _queue_notices(chat, kind="cancelled" if to == S.CANCELLED else "rescheduled")
    return chat


def _followers_were_told(chat: Chat) -> bool:
    """Whether a reminder or notice about the chat's current time went out (or is
    going out right now)."""
    return Notification.objects.filter(
        chat=chat,
        sequence=chat.sequence,
        kind__in=[NotificationKind.REMINDER, NotificationKind.RESCHEDULED],
        status__in=[NotificationStatus.SENT, NotificationStatus.SENDING],
    ).exists()


@transaction.atomic
def reschedule_chat(
    *, chat: Chat, starts_at: datetime, ends_at: datetime, by: User | None, reason: str = ""
) -> Chat:
    """New times for a scheduled or postponed chat; it ends up scheduled."""
    data = chat_data_from(chat)
    data.starts_at, data.ends_at = starts_at, ends_at
    if chat.status == S.POSTPONED:
        update_chat(chat=chat, data=data, by=by)
        return transition_chat(chat=chat, to=S.SCHEDULED, by=by, reason=reason)
    if chat.status != S.SCHEDULED:
        raise InvalidTransition(_("Only scheduled or postponed chats can be rescheduled."))
    return update_chat(chat=chat, data=data, by=by)


@transaction.atomic
def duplicate_chat(*, chat: Chat, starts_at: datetime, by: User | None) -> Chat:
    """A new draft like ``chat`` (topic, texts, hashtags, hosts, questions unpublished)
    at ``starts_at`` with the same length: how a monthly series is built."""
    data = chat_data_from(chat)
    data.starts_at, data.ends_at = starts_at, starts_at + chat.duration
    for question in data.questions:
        question.published = False
    copy = create_chat(data=data, by=by)
    copy.duplicated_from = chat
    copy.save(update_fields=["duplicated_from"])
    return copy


def chat_data_from(chat: Chat) -> ChatData:
    return ChatData(
        topic=chat.topic,
        title=chat.title,
        starts_at=chat.starts_at,
        ends_at=chat.ends_at,
        hashtag=chat.hashtag,
        description=chat.description,
        extra_hashtags=list(chat.extra_hashtags),
        platforms=list(chat.platforms),
        hosts=[HostData(h.platform, h.handle, h.display_name) for h in chat.hosts.all()],
        questions=[
            QuestionData(q.text, q.planned_minute, q.published) for q in chat.questions.all()
        ],
    )


@transaction.atomic
def set_questions_published(*, chat: Chat, published: bool, by: User | None) -> int:
    """Announce (or withdraw) all of a chat's questions at once; returns how many changed."""
    bump_public_pages()
    return chat.questions.exclude(published=published).update(published=published)


def advance_chats_by_clock(*, now: datetime | None = None) -> dict[str, int]:
    """scheduled -> live at the start, live -> ended at the end. Safe to run twice at
    once: each chat is moved in its own transaction under a row lock, and a chat that
    another run already moved is skipped by the transition table."""
    now = now or timezone.now()
    moved = {"live": 0, "ended": 0}
    due: Sequence[tuple[int, str]] = list(
        Chat.objects.filter(
            Q(status=S.SCHEDULED, starts_at__lte=now) | Q(status=S.LIVE, ends_at__lte=now)
        ).values_list("pk", "status")
    )
    for pk, status in due:
        chat = Chat.objects.get(pk=pk)
        steps = [S.LIVE, S.ENDED] if status == S.SCHEDULED and chat.ends_at <= now else None
        steps = steps or ([S.LIVE] if status == S.SCHEDULED else [S.ENDED])
        for step in steps:
            try:
                chat = transition_chat(chat=chat, to=step, by=None, now=now)
            except InvalidTransition:
                break  # another dispatcher got there first
            moved["live" if step == S.LIVE else "ended"] += 1
    return moved


def _queue_notices(chat: Chat, *, kind: str) -> None:
    from events.services.notifications import queue_change_notices

    queue_change_notices(chat=chat, kind=kind)
