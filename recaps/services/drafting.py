"""The auto-draft: as soon as a chat ends, a draft recap exists.

For each announced question Qn the draft has a section with the hosts' Qn post, the
hosts' answers in its thread, and the residents' replies people engaged with most.
Hidden posts and posts deleted at the source are never used.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from accounts.models import User
from events.capture_selectors import public_posts
from events.models import Chat, Post
from recaps.models import Highlight, HighlightRole, Recap, RecapSection
from recaps.services.stats import compute_stats, compute_timeline
from recaps.services.tracker import tracker_summary

HOST_ANSWERS_PER_SECTION = 3
RESIDENT_REPLIES_PER_SECTION = 5
# Metric names each platform uses for engagement (likes, reposts, replies, quotes).
ENGAGEMENT_KEYS = (
    "like_count",
    "retweet_count",
    "reply_count",
    "quote_count",
    "favourites_count",
    "reblogs_count",
    "replies_count",
    "likeCount",
    "repostCount",
    "replyCount",
    "quoteCount",
)


def engagement(post: Post) -> int:
    metrics = post.metrics if isinstance(post.metrics, dict) else {}
    total = 0
    for key in ENGAGEMENT_KEYS:
        value = metrics.get(key)
        if isinstance(value, int) and value > 0:
            total += value
    return total


def _label_re(prefix: str, number: int) -> str:
    # "Q1", "Q1:", "Q1." at a word boundary, not "Q10" when looking for "Q1".
    return rf"(^|[^0-9A-Za-z]){prefix}{number}([^0-9]|$)"


def _host_question_post(posts: QuerySet[Post], number: int) -> Post | None:
    return (
        posts.filter(is_official=True, text__iregex=_label_re("Q", number))
        .order_by("created_at", "pk")
        .first()
    )


def _host_answers(posts: QuerySet[Post], question_post: Post | None) -> list[Post]:
    if question_post is None:
        return []
    thread = Q(reply_to_key=question_post.external_key)
    if question_post.conversation_key:
        thread |= Q(conversation_key=question_post.conversation_key)
    return list(
        posts.filter(thread, is_official=True)
        .exclude(pk=question_post.pk)
        .order_by("created_at", "pk")[:HOST_ANSWERS_PER_SECTION]
    )


def _resident_replies(posts: QuerySet[Post], number: int, question_post: Post | None) -> list[Post]:
    answers = Q(text__iregex=_label_re("A", number))
    if question_post is not None:
        answers |= Q(reply_to_key=question_post.external_key)
    candidates = list(posts.filter(answers, is_official=False))
    candidates.sort(key=lambda post: (-engagement(post), post.created_at, post.pk))
    return candidates[:RESIDENT_REPLIES_PER_SECTION]


def _add_highlights(section: RecapSection, items: Iterable[tuple[Post, str]]) -> None:
    Highlight.objects.bulk_create(
        Highlight(section=section, post=post, position=i, role=role)
        for i, (post, role) in enumerate(items, start=1)
    )


@transaction.atomic
def create_draft_recap(*, chat: Chat, by: User | None = None) -> Recap:
    """The chat's recap, drafting it first if it has none. Idempotent: a second call,
    or a concurrent one, returns the same recap and changes nothing."""
    existing = Recap.objects.filter(chat=chat).first()
    if existing is not None:
        return existing
    tracker = tracker_summary(chat)
    try:
        with transaction.atomic():
            recap = Recap.objects.create(
                chat=chat,
                title=chat.title,
                stats={**compute_stats(chat), "questions": tracker["counts"]},
                timeline=compute_timeline(chat),
                follow_ups=tracker["follow_ups"],
            )
    except IntegrityError:  # another worker drafted it first
        return Recap.objects.get(chat=chat)

    posts = public_posts(chat_id=chat.pk)
    used: set[int] = set()
    position = 0
    for question in chat.questions.order_by("position"):
        position += 1
        section = RecapSection.objects.create(
            recap=recap, position=position, question=question, heading=question.text
        )
        asked = _host_question_post(posts, question.position)
        items: list[tuple[Post, str]] = []
        if asked is not None:
            items.append((asked, HighlightRole.QUESTION))
        items += [(p, HighlightRole.HOST_ANSWER) for p in _host_answers(posts, asked)]
        items += [
            (p, HighlightRole.RESIDENT) for p in _resident_replies(posts, question.position, asked)
        ]
        items = [(p, role) for p, role in items if p.pk not in used]
        used.update(p.pk for p, _role in items)
        _add_highlights(section, items)

    starred = [p for p in posts.filter(highlighted=True) if p.pk not in used]
    if starred:
        position += 1
        section = RecapSection.objects.create(
            recap=recap, position=position, heading="More from the conversation"
        )
        _add_highlights(section, [(p, HighlightRole.OTHER) for p in starred])

    from recaps.services.editing import record_version

    record_version(recap=recap, by=by, change="drafted")
    return recap
