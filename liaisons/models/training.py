"""Training sessions and the seats (and waitlist places) applicants hold in them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaisons.models.applications import Application


class TrainingSession(models.Model):
    """A training session: in person (``location``), online (``online_url``) or both.
    UID never changes and SEQUENCE rises when the time or place changes or the session
    is cancelled, so calendar clients replace (or remove) their copy. A cancelled
    session (``cancelled_at``) keeps its rows for the record; it takes no one."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    cancel_reason = models.CharField(
        _("reason for cancelling"), max_length=500, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="training_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(location="", online_url=""), name="training_has_place_or_link"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="training_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not attend")


# Registrations that hold (or wait for) a seat: at most one per application.
ACTIVE_REGISTRATION = frozenset({RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED})


class TrainingRegistration(models.Model):
    """An approved applicant's seat, or place on the waitlist, in one session.
    The waitlist is served in ``queued_at`` order."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="registrations"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(max_length=20, choices=RegistrationStatus.choices)
    queued_at = models.DateTimeField()
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("training registration")
        verbose_name_plural = _("training registrations")
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "application"], name="training_registration_once"
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status__in=sorted(s.value for s in ACTIVE_REGISTRATION)),
                name="training_one_active_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} @ {self.session_id}: {self.status}"
