"""Applications, their audit trail and internal notes.

An application is personal data. Views reach it only through ``liaisons.accessors``;
its status changes only through ``liaisons.services.applications.transition_application``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    WAITLISTED = "waitlisted", _("Waitlisted")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active liaison")
    REJECTED = "rejected", _("Not selected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = ApplicationStatus
# A person has at most one application in one of these statuses.
OPEN_STATUSES = frozenset({S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.WAITLISTED, S.APPROVED, S.ACTIVE})
# The applicant may still change what they wrote.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.SUBMITTED})
# Anonymised by the purge after LIAISONS_PURGE_AFTER_DAYS.
CLOSED_STATUSES = frozenset({S.REJECTED, S.WITHDRAWN})


class SpokenLanguage(models.TextChoices):
    """Languages an applicant speaks: the most spoken in Philadelphia homes, plus ASL."""

    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    CHINESE = "zh", _("Chinese")
    VIETNAMESE = "vi", _("Vietnamese")
    RUSSIAN = "ru", _("Russian")
    ARABIC = "ar", _("Arabic")
    HAITIAN_CREOLE = "ht", _("Haitian Creole")
    FRENCH = "fr", _("French")
    PORTUGUESE = "pt", _("Portuguese")
    KOREAN = "ko", _("Korean")
    KHMER = "km", _("Khmer")
    BENGALI = "bn", _("Bengali")
    ASL = "ase", _("American Sign Language")
    OTHER = "other", _("Another language")


class Availability(models.TextChoices):
    WEEKDAY_DAYTIME = "weekday_daytime", _("Weekdays, daytime")
    WEEKDAY_EVENING = "weekday_evening", _("Weekday evenings")
    WEEKEND = "weekend", _("Weekends")


zip_code_validator = RegexValidator(
    r"^\d{5}(-\d{4})?$", _("Enter a ZIP code like 19107 or 19107-1234.")
)


class Application(models.Model):
    """A resident's application to become a neighborhood liaison.

    Deleting an account or the purge anonymise the row (``anonymised_at``): the
    personal fields are blanked and ``user`` is nulled, while status, neighborhood and
    dates stay as anonymous counts.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="liaison_applications",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=S.DRAFT
    )
    # What the applicant writes. Drafts may be incomplete; submitting checks them.
    display_name = models.CharField(_("name to show"), max_length=80, blank=True)
    neighborhood = models.ForeignKey(
        "core.Neighborhood",
        verbose_name=_("neighborhood"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaison_applications",
    )
    zip_code = models.CharField(
        _("ZIP code"), max_length=10, blank=True, validators=[zip_code_validator]
    )
    # Codes from SpokenLanguage / Availability. Filtered with a quoted ``icontains``
    # (selectors.review_queue), which works on SQLite and PostgreSQL alike.
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    availability = models.JSONField(_("availability"), default=list, blank=True)
    organisations = models.TextField(_("community organizations"), blank=True)
    motivation = models.TextField(_("why you want to be a liaison"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    consent_privacy = models.BooleanField(_("agreed to the privacy notice"), default=False)
    consent_contact = models.BooleanField(_("agreed to be contacted"), default=False)
    consent_directory = models.BooleanField(_("listed in the public directory"), default=False)
    # Review.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    activated_at = models.DateTimeField(_("became a liaison"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("liaison application")
        verbose_name_plural = _("liaison applications")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["status", "status_changed_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATUSES)),
                name="liaison_one_open_application",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.display_name or _('(anonymous)')}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES and self.anonymised_at is None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def language_labels(self) -> list[str]:
        labels = dict(SpokenLanguage.choices)
        return [str(labels.get(code, code)) for code in self.languages]

    def availability_labels(self) -> list[str]:
        labels = dict(Availability.choices)
        return [str(labels.get(code, code)) for code in self.availability]


class AuditAction(models.TextChoices):
    VIEWED = "viewed", _("Viewed")
    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    STATUS_CHANGED = "status_changed", _("Status changed")
    REVIEWER_ASSIGNED = "reviewer_assigned", _("Reviewer assigned")
    NOTE_ADDED = "note_added", _("Note added")
    EMAILED = "emailed", _("E-mailed")
    TRAINING = "training", _("Training")
    DIRECTORY = "directory", _("Directory listing")
    EXPORTED = "exported", _("Data exported")
    ANONYMISED = "anonymised", _("Anonymised")


class AuditEntry(models.Model):
    """Who looked at or changed an application, and when. ``detail`` never holds what
    the applicant wrote, so the trail outlives the anonymisation of the application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="audit")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    from_status = models.CharField(max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ApplicationStatus.choices, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action} by {self.actor_id} at {self.at:%Y-%m-%d %H:%M}"


class ApplicationNote(models.Model):
    """An internal note by a coordinator; never shown to the applicant."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.body[:40]}"
