"""The audit trail of staff decisions about posts: hide, highlight, question tracking.

Written only by ``events.services.moderation`` and ``events.services.questions``; one
row per action, never updated. The post keeps the current state (``Post.hidden*``,
``Post.highlighted``, ``TrackedQuestion``); this table says who changed it, when and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models.capture import Post
from events.models.chats import Chat


class ModerationKind(models.TextChoices):
    HIDE = "hide", _("Post hidden")
    UNHIDE = "unhide", _("Post shown again")
    HIGHLIGHT = "highlight", _("Post highlighted")
    UNHIGHLIGHT = "unhighlight", _("Highlight removed")
    MARK_QUESTION = "mark_question", _("Marked as a question")
    NOT_QUESTION = "not_question", _("Marked as not a question")
    QUESTION_STATUS = "question_status", _("Question updated")


class ModerationAction(models.Model):
    """One staff action on one post. ``by`` is None for CivicChat's own actions."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="moderation_actions")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="moderation_actions")
    action = models.CharField(_("action"), max_length=20, choices=ModerationKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"))
    reason = models.TextField(_("reason"), blank=True)
    # What changed, for the record: {"status": "routed_311", "service_request_number": ...}.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["chat", "-at"]),
            models.Index(fields=["post", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} post={self.post_id} by={self.by_id} @ {self.at:%Y-%m-%d %H:%M:%S}"
