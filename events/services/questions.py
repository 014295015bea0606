"""The question tracker: find residents' questions in a chat's posts, link hosts' answers,
and every staff decision about a question.

Detection rules (docs/architecture.md, "Question tracker"); hosts' posts
(``Post.is_official``), hidden, deleted and retweeted ("RT @...") posts are never questions:

1. **Question mark.** Once links, quoted text ("...", “...”, «...») and @mentions are
   removed, a sentence with at least one word ends in "?" (also the full-width one), or
   opens with the Spanish "¿" (the closing mark is often left out).
2. **"Q:" prefix.** The post starts (after leading @mentions and #hashtags) with "Q:",
   "Question:" or "Pregunta:", even with no question mark. "Q1:" is the hosts' label, not this.

Each question is tied to an announced question (Qn) when it replies to a host's post
labelled "Q1" / "P1" (directly or further down that thread), else when it is labelled
"A1" / "R1" (answer 1, respuesta 1), else when it names "Q1" anywhere.

An open question counts as answered by the earliest host post, on the same platform and
not earlier than the question, that (a) replies to it or to a stored reply below it,
(b) is in its conversation when the question started that conversation, or (c) is in its
conversation and mentions the question's author (replies to posts we did not capture).

``detect_questions`` is idempotent: a post is tracked once (a unique row per post),
rows staff changed are never touched, and a dismissed row keeps the post out for good.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from events.exceptions import DomainError
from events.models import (
    Chat,
    DetectedBy,
    DetectionRule,
    ModerationKind,
    Post,
    Question,
    QuestionStatus,
    TrackedQuestion,
)
from events.services.moderation import record_action

logger = logging.getLogger(__name__)

S = QuestionStatus

# Moves between different statuses; staying in a status (to edit the owner, the request
# number or the note) is always allowed.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.ANSWERED, S.FOLLOW_UP, S.ROUTED_311, S.DISMISSED}),
    S.ANSWERED: frozenset({S.OPEN, S.FOLLOW_UP, S.ROUTED_311, S.DISMISSED}),
    S.FOLLOW_UP: frozenset({S.OPEN, S.ANSWERED, S.ROUTED_311, S.DISMISSED}),
    S.ROUTED_311: frozenset({S.OPEN, S.ANSWERED, S.FOLLOW_UP, S.DISMISSED}),
    S.DISMISSED: frozenset({S.OPEN}),
}

SERVICE_REQUEST_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,39}$")


class TrackerError(DomainError):
    """A refused tracker change; ``field`` names the form field it is about, if any."""

    code = "invalid_tracker_change"
    default_message = gettext_lazy("This question cannot be changed that way.")

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- the rules ------------------------------------------------------------------------

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_QUOTED = re.compile(r"\"[^\"\n]{1,300}\"|“[^”\n]{1,300}”|«[^»\n]{1,300}»")
_MENTION = re.compile(r"(?<![\w@])@[\w.-]+(?:@[\w.-]+)?")
_QUESTION_SENTENCE = re.compile(r"[^.!?？…\n]*[?？]")  # noqa: RUF001
_WORD = re.compile(r"[^\W\d_]{2,}")
_SPANISH_OPENING = re.compile(r"¿\s*[^\W\d_]{2,}")
# Leading @mentions, #hashtags and punctuation before a label ("@philly311 #Tag A1: ...").
_LEAD = r"^(?:\s*(?:[@#][\w.@-]+|[:,.\-–—]))*\s*"  # noqa: RUF001
_Q_PREFIX = re.compile(_LEAD + r"(?:Q|Question|Pregunta)\s*[:\-–—]\s*\S", re.IGNORECASE)  # noqa: RUF001
_ANSWER_LABEL = re.compile(_LEAD + r"[AR](\d{1,2})(?!\w)", re.IGNORECASE)
_HOST_LABEL = re.compile(_LEAD + r"[QP](\d{1,2})(?!\w)", re.IGNORECASE)
_NAMED_QUESTION = re.compile(r"(?<!\w)Q(\d{1,2})(?!\w)")
_RETWEET = re.compile(r"^\s*RT @", re.IGNORECASE)


def question_rule(text: str) -> str | None:
    """The DetectionRule that makes ``text`` (a resident's post) a question, or None."""
    if not text or _RETWEET.match(text):
        return None
    if _Q_PREFIX.match(text):
        return DetectionRule.Q_PREFIX
    body = _MENTION.sub(" ", _QUOTED.sub(" ", _URL.sub(" ", text)))
    if any(_WORD.search(sentence) for sentence in _QUESTION_SENTENCE.findall(body)):
        return DetectionRule.QUESTION_MARK
    if _SPANISH_OPENING.search(body):
        return DetectionRule.QUESTION_MARK
    return None


def host_question_number(text: str) -> int | None:
    """n when a host's post announces question n ("Q1: ...", "P2. ..."), else None."""
    match = _HOST_LABEL.match(text or "")
    return int(match.group(1)) if match else None


def labelled_question_number(text: str) -> int | None:
    """n when a resident's post is labelled for question n ("A1: ...", "R2 ...", "... Q3 ...")."""
    match = _ANSWER_LABEL.match(text or "") or _NAMED_QUESTION.search(text or "")
    return int(match.group(1)) if match else None


# --- the chat's posts as a graph --------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    pk: int
    platform: str
    key: str
    reply_to: str
    conversation: str
    official: bool
    created_at: datetime
    author: str
    text: str
    hidden: bool
    tracked: bool


class _Thread:
    """The chat's stored posts by (platform, key), with their replies: one query."""

    MAX_DEPTH = 100

    def __init__(self, chat_id: int) -> None:
        # Texts of a whole chat (thousands of short posts) fit in memory; one query
        # instead of one per question.
        rows = Post.objects.filter(chat_id=chat_id, deleted_at__isnull=True).values_list(
            "pk", "platform", "external_key", "reply_to_key", "conversation_key",
            "is_official", "created_at", "author_handle", "text", "hidden",
            "tracked_question__id",
        )  # fmt: skip
        self.by_key: dict[tuple[str, str], _Node] = {}
        self.by_pk: dict[int, _Node] = {}
        self.children: dict[tuple[str, str], list[_Node]] = defaultdict(list)
        self.officials: list[_Node] = []
        for row in rows:
            node = _Node(*row[:10], tracked=row[10] is not None)
            self.by_key[(node.platform, node.key)] = node
            self.by_pk[node.pk] = node
            if node.reply_to:
                self.children[(node.platform, node.reply_to)].append(node)
            if node.official:
                self.officials.append(node)

    def ancestors(self, node: _Node) -> list[_Node]:
        """The stored posts above ``node``, nearest first (cycles and gaps stop the walk)."""
        found: list[_Node] = []
        seen = {node.pk}
        current = node
        while current.reply_to and len(found) < self.MAX_DEPTH:
            parent = self.by_key.get((current.platform, current.reply_to))
            if parent is None or parent.pk in seen:
                break
            found.append(parent)
            seen.add(parent.pk)
            current = parent
        return found

    def descendants(self, node: _Node) -> list[_Node]:
        found: list[_Node] = []
        seen = {node.pk}
        stack = list(self.children.get((node.platform, node.key), []))
        while stack and len(found) < 10_000:
            child = stack.pop()
            if child.pk in seen:
                continue
            seen.add(child.pk)
            found.append(child)
            stack.extend(self.children.get((child.platform, child.key), []))
        return found

    def answer_for(self, node: _Node) -> _Node | None:
        """The earliest host post that answers ``node`` (rules a-c above), or None."""
        candidates = [
            n for n in self.descendants(node) if n.official and n.created_at >= node.created_at
        ]
        if node.conversation:
            mention = _mention_pattern(node)
            for other in self.officials:
                if (
                    other.platform == node.platform
                    and other.conversation == node.conversation
                    and other.created_at >= node.created_at
                    and other.pk != node.pk
                    and (node.conversation == node.key or mention.search(other.text))
                ):
                    candidates.append(other)
        return min(candidates, key=lambda n: (n.created_at, n.pk), default=None)

    def announced_number(self, node: _Node) -> int | None:
        """The Qn a question belongs to: the host's Qn post it replies under, else its label."""
        for ancestor in self.ancestors(node):
            if ancestor.official:
                number = host_question_number(ancestor.text)
                if number is not None:
                    return number
        return labelled_question_number(node.text)


def _mention_pattern(node: _Node) -> re.Pattern[str]:
    # Mastodon handles are user@instance; a reply usually names only the user part.
    user = node.author.split("@")[0]
    return re.compile(rf"(?<![\w@])@{re.escape(user)}(?![\w])", re.IGNORECASE)


# --- detection ----------------------------------------------------------------------------


@dataclass
class DetectionResult:
    created: int = 0
    answered: int = 0
    tied: int = 0  # existing questions newly tied to an announced question


def detect_questions(*, chat: Chat, now: datetime | None = None) -> DetectionResult:
    """Track the chat's new residents' questions and link answers to the open ones.

    Reads the chat's posts in one query (with whether each is tracked), the announced
    questions and the open rows in one each; creates one TrackedQuestion per new
    question (``ignore_conflicts``: two polls detecting at once still make one row);
    then moves each open question that has a host's answer to "answered" (an audit row
    each, ``by`` None). Questions staff have handled, and dismissed ones, are left
    alone. Safe to run any number of times.
    """
    now = now or timezone.now()
    result = DetectionResult()
    thread = _Thread(chat.pk)
    if not thread.by_pk:
        return result
    questions_by_number = dict(Question.objects.filter(chat=chat).values_list("position", "pk"))
    new_rows = []
    for node in thread.by_pk.values():
        if node.official or node.hidden or node.tracked:
            continue
        rule = question_rule(node.text)
        if rule is None:
            continue
        number = thread.announced_number(node)
        new_rows.append(
            TrackedQuestion(
                chat=chat,
                post_id=node.pk,
                rule=rule,
                detected_by=DetectedBy.AUTO,
                asked_at=node.created_at,
                announced_question_id=questions_by_number.get(number) if number else None,
            )
        )
    if new_rows:
        TrackedQuestion.objects.bulk_create(new_rows, ignore_conflicts=True)
        result.created = len(new_rows)

    open_rows = TrackedQuestion.objects.filter(chat=chat, status=S.OPEN).values_list(
        "pk", "post_id", "announced_question_id"
    )
    for pk, post_id, announced_id in list(open_rows):
        question_node = thread.by_pk.get(post_id)
        if question_node is None:  # deleted at the source
            continue
        answer = thread.answer_for(question_node)
        if answer is not None:
            result.answered += _link_answer(pk, post_id, answer.pk, answer.created_at, now)
        elif announced_id is None:
            # The host's Qn post may have been captured after the question.
            number = thread.announced_number(question_node)
            if number in questions_by_number:
                result.tied += TrackedQuestion.objects.filter(
                    pk=pk, announced_question__isnull=True
                ).update(announced_question_id=questions_by_number[number], updated_at=now)
    return result


@transaction.atomic
def _link_answer(
    question_pk: int, post_id: int, answer_pk: int, answered_at: datetime, now: datetime
) -> int:
    # Conditional on "open": a staff decision made since we read the row wins.
    changed = TrackedQuestion.objects.filter(pk=question_pk, status=S.OPEN).update(
        status=S.ANSWERED,
        answer_post_id=answer_pk,
        answered_at=answered_at,
        updated_by=None,
        updated_at=now,
    )
    if changed:
        post = Post.objects.only("pk", "chat_id").get(pk=post_id)
        record_action(
            post=post,
            action=ModerationKind.QUESTION_STATUS,
            by=None,
            at=now,
            detail={"status": S.ANSWERED, "answer_post": answer_pk, "automatic": True},
        )
    return changed


def detect_questions_after_capture(*, chat: Chat, changed_posts: int) -> None:
    """The capture and import hook: detect when posts changed; never fail the caller
    (a capture cycle or an import is complete whatever detection does)."""
    if not changed_posts:
        return
    try:
        detect_questions(chat=chat)
    except Exception:
        logger.exception("question detection failed for chat %s", chat.pk)


# --- staff decisions ------------------------------------------------------------------------


def _announced_for(post: Post) -> int | None:
    thread = _Thread(post.chat_id)
    node = thread.by_pk.get(post.pk)
    number = thread.announced_number(node) if node else None
    if number is None:
        return None
    return (
        Question.objects.filter(chat_id=post.chat_id, position=number)
        .values_list("pk", flat=True)
        .first()
    )


@transaction.atomic
def mark_question(*, post_id: int, by: User) -> TrackedQuestion:
    """Staff say this post is a question: tracked (open) from now on; a dismissed one is
    reopened. Hosts' posts cannot be residents' questions."""
    post = Post.objects.select_for_update().get(pk=post_id)
    if post.is_official:
        raise TrackerError(_("Posts by the chat's hosts are not residents' questions."))
    now = timezone.now()
    question = TrackedQuestion.objects.filter(post=post).first()
    if question is None:
        question = TrackedQuestion.objects.create(
            chat_id=post.chat_id,
            post=post,
            status=S.OPEN,
            detected_by=DetectedBy.STAFF,
            rule=DetectionRule.STAFF,
            asked_at=post.created_at,
            announced_question_id=_announced_for(post),
            updated_by=by,
        )
    elif question.status == S.DISMISSED:
        question.status = S.OPEN
        question.updated_by = by
        question.save(update_fields=["status", "updated_by", "updated_at"])
    else:
        return question
    record_action(post=post, action=ModerationKind.MARK_QUESTION, by=by, at=now)
    return question


@transaction.atomic
def mark_not_question(*, post_id: int, by: User) -> TrackedQuestion:
    """Staff say this post is not a question: its row is dismissed (and made, if
    detection had not found it), so detection never tracks it again."""
    post = Post.objects.select_for_update().get(pk=post_id)
    now = timezone.now()
    question = TrackedQuestion.objects.filter(post=post).first()
    if question is None:
        question = TrackedQuestion.objects.create(
            chat_id=post.chat_id,
            post=post,
            status=S.DISMISSED,
            detected_by=DetectedBy.STAFF,
            rule=DetectionRule.STAFF,
            asked_at=post.created_at,
            updated_by=by,
        )
    elif question.status != S.DISMISSED:
        question.status = S.DISMISSED
        question.updated_by = by
        question.save(update_fields=["status", "updated_by", "updated_at"])
    else:
        return question
    record_action(post=post, action=ModerationKind.NOT_QUESTION, by=by, at=now)
    return question


_KEEP = object()


@transaction.atomic
def update_tracked_question(
    *,
    question_id: int,
    to: str,
    by: User,
    owner: User | object | None = _KEEP,
    owner_team: str | None = None,
    service_request_number: str | None = None,
    note: str | None = None,
    answer_post_id: int | object | None = _KEEP,
) -> TrackedQuestion:
    """Move a tracked question to ``to`` (or edit it in place), enforcing
    ALLOWED_TRANSITIONS and what each status needs: "follow_up" an owner or a team,
    "routed_311" a service-request number. Arguments left out keep their value.
    Reopening forgets the answer. Writes one audit row with the new values.
    """
    question = (
        TrackedQuestion.objects.select_for_update(of=("self",))
        .select_related("post")
        .get(pk=question_id)
    )
    if to not in S.values:
        raise TrackerError(_("Unknown status."), field="status")
    if to != question.status and to not in ALLOWED_TRANSITIONS[question.status]:
        raise TrackerError(
            _("A question cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(question.status).label, "to": S(to).label},
            field="status",
        )
    if owner is not _KEEP:
        question.owner = owner if isinstance(owner, User) else None
    if owner_team is not None:
        question.owner_team = owner_team.strip()
    if service_request_number is not None:
        question.service_request_number = service_request_number.strip()
    if note is not None:
        question.note = note.strip()
    if answer_post_id is not _KEEP:
        new_answer = answer_post_id if isinstance(answer_post_id, int) else None
        if (
            new_answer is not None
            and not Post.objects.filter(pk=new_answer, chat_id=question.chat_id).exists()
        ):
            raise TrackerError(_("The answer must be a post of this chat."), field="answer_post")
        question.answer_post_id = new_answer

    if to == S.FOLLOW_UP and question.owner is None and not question.owner_team:
        raise TrackerError(_("Choose who follows up: a person or a team."), field="owner_team")
    if to == S.ROUTED_311:
        if not question.service_request_number:
            raise TrackerError(
                _("Enter the 311 service request number."), field="service_request_number"
            )
        if not SERVICE_REQUEST_RE.match(question.service_request_number):
            raise TrackerError(
                _("A service request number has 3 to 40 letters, digits and dashes."),
                field="service_request_number",
            )
    now = timezone.now()
    if to == S.ANSWERED and question.answered_at is None:
        question.answered_at = now
    if to == S.OPEN:
        question.answer_post_id = None
        question.answered_at = None
    question.status = to
    question.updated_by = by
    question.save(
        update_fields=[
            "status", "owner", "owner_team", "service_request_number", "note",
            "answer_post", "answered_at", "updated_by", "updated_at",
        ]
    )  # fmt: skip
    record_action(
        post=question.post,
        action=ModerationKind.QUESTION_STATUS,
        by=by,
        at=now,
        reason=question.note,
        detail={
            "status": to,
            "owner": question.owner_id,
            "owner_team": question.owner_team,
            "service_request_number": question.service_request_number,
            "answer_post": question.answer_post_id,
        },
    )
    return question
