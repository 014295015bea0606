"""Staff decisions about posts: hide (with a reason), show again, highlight.

Every function locks the post, changes only its moderation fields (``update_fields``,
so a capture poll writing the same row never loses them: the upsert does not touch
them either), bumps ``updated_at`` (recap pages key their cache on it) and writes one
``ModerationAction`` row: who, when, why. A call that changes nothing writes nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.cache import bump_public_pages
from events.exceptions import DomainError
from events.models import ModerationAction, ModerationKind, Post

HIDE_REASON_MAX_LENGTH = 500


class ModerationError(DomainError):
    code = "invalid_moderation"
    default_message = gettext_lazy("This post cannot be changed that way.")


def record_action(
    *,
    post: Post,
    action: str,
    by: User | None,
    at: datetime,
    reason: str = "",
    detail: dict[str, object] | None = None,
) -> ModerationAction:
    """The audit row of one staff action (called inside the caller's transaction)."""
    return ModerationAction.objects.create(
        chat_id=post.chat_id,
        post=post,
        action=action,
        by=by,
        at=at,
        reason=reason,
        detail=detail or {},
    )


def _locked(post_id: int) -> Post:
    return Post.objects.select_for_update().get(pk=post_id)


@transaction.atomic
def hide_post(*, post_id: int, by: User, reason: str) -> Post:
    """Hide a post from every public page (``public_posts`` leaves it out) and the
    tracker's lists, recording who and why. The reason is required."""
    reason = reason.strip()
    if not reason:
        raise ModerationError(_("Say why the post is hidden."))
    if len(reason) > HIDE_REASON_MAX_LENGTH:
        raise ModerationError(_("The reason is too long."))
    post = _locked(post_id)
    if post.hidden and post.hidden_reason == reason:
        return post
    now = timezone.now()
    post.hidden = True
    post.hidden_by = by
    post.hidden_reason = reason
    post.hidden_at = now
    post.save(update_fields=["hidden", "hidden_by", "hidden_reason", "hidden_at", "updated_at"])
    record_action(post=post, action=ModerationKind.HIDE, by=by, at=now, reason=reason)
    bump_public_pages()  # a highlighted post leaves the cached recap page at once
    return post


@transaction.atomic
def unhide_post(*, post_id: int, by: User) -> Post:
    """Show a hidden post again. The previous reason stays in the audit trail."""
    post = _locked(post_id)
    if not post.hidden:
        return post
    now = timezone.now()
    previous = post.hidden_reason
    post.hidden = False
    post.hidden_by = None
    post.hidden_reason = ""
    post.hidden_at = None
    post.save(update_fields=["hidden", "hidden_by", "hidden_reason", "hidden_at", "updated_at"])
    record_action(
        post=post,
        action=ModerationKind.UNHIDE,
        by=by,
        at=now,
        detail={"previous_reason": previous},
    )
    bump_public_pages()
    return post


@transaction.atomic
def set_post_highlighted(*, post_id: int, by: User, highlighted: bool) -> Post:
    """Highlight a post (for the hosts and the recap) or remove the highlight."""
    post = _locked(post_id)
    if post.highlighted == highlighted:
        return post
    post.highlighted = highlighted
    post.save(update_fields=["highlighted", "updated_at"])
    record_action(
        post=post,
        action=ModerationKind.HIGHLIGHT if highlighted else ModerationKind.UNHIGHLIGHT,
        by=by,
        at=timezone.now(),
    )
    return post
