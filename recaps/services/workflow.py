"""The recap workflow: draft -> in review -> published, and back.

``transition_recap`` is the only place a recap's status changes. Publishing also moves
the chat to "recap published", records a version (who published, when), e-mails the
followers of the chat and its topic after commit, and so the recaps feed shows it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role
from events.models import Chat, ChatStatus
from events.services.chats import transition_chat
from recaps.exceptions import InvalidRecapTransition
from recaps.models import Recap, RecapStatus
from recaps.services.drafting import create_draft_recap
from recaps.services.editing import record_version
from webhooks.services import emit, recap_payload

R = RecapStatus

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    R.DRAFT: frozenset({R.IN_REVIEW}),
    R.IN_REVIEW: frozenset({R.DRAFT, R.PUBLISHED}),
    R.PUBLISHED: frozenset({R.DRAFT}),  # unpublish
}
# Moves only editors may make (everyone who may edit a recap is an editor today; the
# table keeps the rule explicit should reviewers without publishing rights come).
EDITOR_ONLY = frozenset({(R.IN_REVIEW, R.PUBLISHED), (R.PUBLISHED, R.DRAFT)})

_CHANGES: dict[str, str] = {  # keys of recaps.models.VERSION_CHANGES
    R.IN_REVIEW: "submitted",
    R.PUBLISHED: "published",
    R.DRAFT: "back_to_draft",
}


@transaction.atomic
def transition_recap(*, recap: Recap, to: str, by: User) -> Recap:
    """Move ``recap`` to status ``to``.

    Refuses (InvalidRecapTransition, nothing written) a move outside the table or one
    the user's role does not allow. Publishing sets published_at/by, moves the chat to
    "recap published" and queues the followers' e-mails on commit; unpublishing moves
    the chat back to "ended". Every move records a version.
    """
    recap = Recap.objects.select_for_update().select_related("chat").get(pk=recap.pk)
    source = recap.status
    if to not in ALLOWED_TRANSITIONS.get(source, frozenset()):
        raise InvalidRecapTransition(
            _("A recap cannot go from “%(from)s” to “%(to)s”.")
            % {"from": R(source).label, "to": R(to).label if to in R.values else to}
        )
    if (source, to) in EDITOR_ONLY and not has_role(by, Role.EDITOR):
        raise InvalidRecapTransition(_("Only editors can publish or unpublish a recap."))
    recap.status = to
    fields = ["status", "updated_at"]
    chat = recap.chat
    if to == R.PUBLISHED:
        recap.published_at = timezone.now()
        recap.published_by = by
        fields += ["published_at", "published_by"]
        if chat.status == ChatStatus.ENDED:
            transition_chat(chat=chat, to=ChatStatus.RECAP_PUBLISHED, by=by)
    elif source == R.PUBLISHED and chat.status == ChatStatus.RECAP_PUBLISHED:
        transition_chat(chat=chat, to=ChatStatus.ENDED, by=by, reason="Recap unpublished")
    recap.save(update_fields=fields)
    record_version(recap=recap, by=by, change=_CHANGES[to])
    if to == R.PUBLISHED:
        from events.services.notifications import queue_recap_notices

        queue_recap_notices(chat=chat)
        emit(event="recap.published", payload=recap_payload(recap))
    return recap


def draft_ended_chats(*, now: datetime | None = None) -> int:
    """Beat: every ended chat without a recap gets its draft. Idempotent."""
    count = 0
    for chat in Chat.objects.filter(status=ChatStatus.ENDED, recap__isnull=True):
        create_draft_recap(chat=chat)
        count += 1
    return count


def remind_unpublished(*, now: datetime | None = None) -> int:
    """Beat: tell each chat's owner once when its recap is still unpublished
    CIVICCHAT_RECAP_REMINDER_DAYS after the chat ended. Returns how many were told."""
    from recaps.services.mail import send_recap_reminder

    now = now or timezone.now()
    due = now - timedelta(days=settings.CIVICCHAT_RECAP_REMINDER_DAYS)
    reminded = 0
    recaps = (
        Recap.objects.select_related("chat", "chat__created_by")
        .filter(
            chat__ends_at__lte=due,
            owner_reminded_at__isnull=True,
        )
        .exclude(status=R.PUBLISHED)
    )
    for recap in recaps:
        # Claim first (a conditional UPDATE): two beats or workers remind once.
        claimed = Recap.objects.filter(pk=recap.pk, owner_reminded_at__isnull=True).update(
            owner_reminded_at=now
        )
        if claimed and send_recap_reminder(recap=recap):
            reminded += 1
    return reminded
