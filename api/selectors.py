"""Reads for the API: tokens, and the few query shapes the API needs that the apps'
own selectors do not have yet (each built on those selectors)."""

from __future__ import annotations

from hmac import compare_digest

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from api.models import ApiToken
from api.tokens import hash_token, split_token
from events.models import Chat, Question
from events.selectors import public_chats

# --- tokens -----------------------------------------------------------------------------


def active_tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work, newest first (the profile page lists them)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by(
        "-created_at", "-pk"
    )


def get_token_for_owner(*, user: User, pk: int) -> ApiToken:
    """One of the user's own active tokens; 404 for anyone else's."""
    token = active_tokens_of(user).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token")
    return token


def find_active_token(token: str) -> ApiToken | None:
    """The active token whose hash matches ``token`` (with its user), or None. One query:
    the prefix finds the row, a constant-time comparison checks the secret."""
    prefix = split_token(token)
    if prefix is None:
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if row is None or not compare_digest(row.secret_hash, hash_token(token)):
        return None
    return row


# --- chats --------------------------------------------------------------------------------


def public_chats_with_programme() -> QuerySet[Chat]:
    """Public chats with what the API shows of each: topic (joined), hosts and published
    questions (one prefetch each), so a page of any size costs three queries."""
    return public_chats().prefetch_related(
        "hosts",
        Prefetch(
            "questions",
            queryset=Question.objects.filter(published=True).order_by("position"),
            to_attr="published_questions",
        ),
    )


def staff_chats() -> QuerySet[Chat]:
    """Every chat, drafts included, with topic, hosts and all questions (comms staff)."""
    return Chat.objects.select_related("topic").prefetch_related(
        "hosts", Prefetch("questions", queryset=Question.objects.order_by("position"))
    )


def get_public_chat_id(*, slug: str) -> int:
    """The id of the public chat ``slug`` (drafts are not public), or 404. One query."""
    chat_id = public_chats().filter(slug=slug).values_list("pk", flat=True).first()
    if chat_id is None:
        raise Http404("No such chat")
    return chat_id


def get_chat_for_staff(*, pk: int, programme: bool = False) -> Chat:
    """Any chat, drafts included, with its topic; with ``programme`` also its hosts and
    questions (what StaffChatSerializer shows). 404 if there is none."""
    chats = staff_chats() if programme else Chat.objects.select_related("topic")
    chat = chats.filter(pk=pk).first()
    if chat is None:
        raise Http404("No such chat")
    return chat
