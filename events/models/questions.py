"""The question tracker: residents' questions asked during a chat, and what became of them.

Rows are created by ``events.services.questions.detect_questions`` (after every capture
cycle and every import) or by staff ("mark as question"); every status change goes
through ``events.services.questions.update_tracked_question``. Recaps read it through
``events.live_selectors.tracker_summary``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from events.models.capture import Post
from events.models.chats import Chat, Question


class QuestionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("question status", "Open")
    ANSWERED = "answered", pgettext_lazy("question status", "Answered")
    FOLLOW_UP = "follow_up", pgettext_lazy("question status", "Follow-up")
    ROUTED_311 = "routed_311", pgettext_lazy("question status", "Routed to 311")
    DISMISSED = "dismissed", pgettext_lazy("question status", "Not a question")


class DetectedBy(models.TextChoices):
    AUTO = "auto", _("Detected automatically")
    STAFF = "staff", _("Marked by staff")


class DetectionRule(models.TextChoices):
    """Why a post was taken for a question (docs/architecture.md, "Question tracker")."""

    QUESTION_MARK = "question_mark", _("Question mark")
    Q_PREFIX = "q_prefix", _("Starts with “Q:”")
    STAFF = "staff", _("Marked by staff")


class TrackedQuestion(models.Model):
    """A resident's question (one per post) and its answer, owner or 311 request.

    ``announced_question`` is the hosts' Qn the question belongs to (a reply to the Qn
    post or an "A1:"-style label), ``answer_post`` a host's post that answers it (found
    by detection or chosen by staff). ``owner`` is internal; ``owner_team`` is the team
    named in public (the recap). A dismissed row ("not a question") stays, so detection
    never brings the post back.
    """

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="tracked_questions")
    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="tracked_question")
    status = models.CharField(
        _("status"), max_length=20, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    detected_by = models.CharField(
        _("found by"), max_length=10, choices=DetectedBy.choices, default=DetectedBy.AUTO
    )
    rule = models.CharField(_("rule"), max_length=20, choices=DetectionRule.choices)
    # The post's created_at, copied so the tracker sorts and filters without a join.
    asked_at = models.DateTimeField(_("asked at"))
    announced_question = models.ForeignKey(
        Question,
        verbose_name=_("announced question"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tracked_questions",
    )
    answer_post = models.ForeignKey(
        Post,
        verbose_name=_("answer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("follow-up owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_team = models.CharField(_("team"), max_length=200, blank=True)
    service_request_number = models.CharField(_("311 request number"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # None: changed by CivicChat itself (detection, answer linking).
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("tracked question")
        verbose_name_plural = _("tracked questions")
        ordering = ["asked_at", "pk"]
        indexes = [models.Index(fields=["chat", "status", "asked_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=QuestionStatus.ROUTED_311) | ~Q(service_request_number=""),
                name="trackedquestion_311_has_number",
            ),
            models.CheckConstraint(
                condition=~Q(status=QuestionStatus.FOLLOW_UP)
                | Q(owner__isnull=False)
                | ~Q(owner_team=""),
                name="trackedquestion_follow_up_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status}: post {self.post_id}"

    @property
    def is_unanswered(self) -> bool:
        return self.status == QuestionStatus.OPEN
