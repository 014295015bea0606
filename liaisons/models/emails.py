"""E-mail to applicants: the templates staff edit and the exactly-once outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaisons.models.applications import Application
from liaisons.models.training import TrainingSession


class EmailKind(models.TextChoices):
    # Staff edit these (EmailTemplate); defaults live in liaisons.services.emails.
    APPROVE = "approve", _("Approved")
    WAITLIST = "waitlist", _("Waitlisted")
    REJECT = "reject", _("Not selected")
    INVITATION = "invitation", _("Training invitation")
    WELCOME = "welcome", _("Welcome, new liaison")
    # Written by coordinators for one bulk send.
    BULK = "bulk", _("Message to applicants")
    # Fixed texts (templates/liaisons/email/) about one session; most carry its .ics
    # (LiaisonEmail.with_calendar).
    REGISTERED = "registered", _("Training registration")
    TRAINING_WAITLISTED = "training_waitlisted", _("Training waitlist")
    PROMOTED = "promoted", _("Training seat opened")
    REMINDER = "reminder", _("Training reminder")
    SESSION_CHANGED = "session_changed", _("Training session changed")
    SESSION_CANCELLED = "session_cancelled", _("Training session cancelled")


EDITABLE_KINDS = (
    EmailKind.APPROVE,
    EmailKind.WAITLIST,
    EmailKind.REJECT,
    EmailKind.INVITATION,
    EmailKind.WELCOME,
)


class EmailTemplate(models.Model):
    """A staff-edited subject and body for one kind of e-mail in one language.
    Without a row the built-in default is used."""

    kind = models.CharField(_("e-mail"), max_length=20, choices=EmailKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="email_template_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.language})"


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class LiaisonEmail(models.Model):
    """One e-mail to one applicant: rendered when it is queued, sent exactly once.

    ``key`` is unique, so a dispatcher or a double click that queues the same e-mail
    twice creates one row; a sender claims a PENDING row with a conditional UPDATE.
    The address is read from the account when sending, never stored here.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="emails")
    session = models.ForeignKey(
        TrainingSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=EmailKind.choices)
    key = models.CharField(max_length=120, unique=True)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=250)
    body = models.TextField()
    # Attach the session's .ics when sending (METHOD:CANCEL for a cancellation).
    with_calendar = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When its send task was last put on the broker (see requeue_lost).
    queued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("liaison e-mail")
        verbose_name_plural = _("liaison e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to application {self.application_id}: {self.status}"
