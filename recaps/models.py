"""Recaps: the published story of a chat, built from its captured posts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from events.models import Chat, Post, Question


class RecapStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")


class Recap(models.Model):
    """One per chat. ``stats`` and ``timeline`` are computed from the posts (in the
    database) when the draft is made or refreshed; ``follow_ups`` is the question
    tracker's open items at that moment. ``version`` rises on every saved change and
    keys the page cache."""

    chat = models.OneToOneField(Chat, on_delete=models.CASCADE, related_name="recap")
    status = models.CharField(
        _("status"), max_length=20, choices=RecapStatus.choices, default=RecapStatus.DRAFT
    )
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    stats = models.JSONField(default=dict, blank=True)
    timeline = models.JSONField(default=list, blank=True)
    follow_ups = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner_reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("recap")
        verbose_name_plural = _("recaps")
        ordering = ["-chat__starts_at"]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == RecapStatus.PUBLISHED


class RecapSection(models.Model):
    """A part of the story: one per announced question (Q1...), or free-standing."""

    recap = models.ForeignKey(Recap, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    heading = models.CharField(_("heading"), max_length=300)
    commentary = models.TextField(_("commentary"), blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.heading


class HighlightRole(models.TextChoices):
    QUESTION = "question", _("The hosts' question")
    HOST_ANSWER = "host_answer", _("Hosts' answer")
    RESIDENT = "resident", _("Resident reply")
    OTHER = "other", _("Highlight")


class Highlight(models.Model):
    section = models.ForeignKey(RecapSection, on_delete=models.CASCADE, related_name="highlights")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    role = models.CharField(
        max_length=20, choices=HighlightRole.choices, default=HighlightRole.OTHER
    )
    note = models.TextField(_("editor's note"), blank=True)

    class Meta:
        verbose_name = _("highlight")
        verbose_name_plural = _("highlights")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["section", "post"], name="highlight_post_once"),
        ]

    def __str__(self) -> str:
        return f"{self.section_id}#{self.position}: {self.post_id}"


# What a version changed, in words shown to editors in their own language: the key is
# stored (with the values it names) and the text translated when it is shown.
VERSION_CHANGES = {
    "drafted": pgettext_lazy("recap history", "Automatic draft"),
    "edited_text": pgettext_lazy("recap history", "Edited the title and introduction"),
    "edited_section": pgettext_lazy("recap history", "Edited section “%(heading)s”"),
    "added_section": pgettext_lazy("recap history", "Added section “%(heading)s”"),
    "removed_section": pgettext_lazy("recap history", "Removed section “%(heading)s”"),
    "reordered_sections": pgettext_lazy("recap history", "Reordered sections"),
    "added_highlight": pgettext_lazy("recap history", "Added a highlight"),
    "removed_highlight": pgettext_lazy("recap history", "Removed a highlight"),
    "reordered_highlights": pgettext_lazy("recap history", "Reordered highlights"),
    "edited_highlight_note": pgettext_lazy("recap history", "Edited a highlight's note"),
    "refreshed_numbers": pgettext_lazy("recap history", "Refreshed the numbers"),
    "restored": pgettext_lazy("recap history", "Restored version %(number)s"),
    "submitted": pgettext_lazy("recap history", "Submitted for review"),
    "published": pgettext_lazy("recap history", "Published"),
    "back_to_draft": pgettext_lazy("recap history", "Back to draft"),
}


def describe_change(change: str, args: dict[str, Any]) -> str:
    """The words for a VERSION_CHANGES key and its values, in the active language."""
    template = str(VERSION_CHANGES[change])
    return template % args if args else template


class RecapVersion(models.Model):
    """A snapshot of the editable content after every saved change (who and when)."""

    recap = models.ForeignKey(Recap, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    status = models.CharField(max_length=20, choices=RecapStatus.choices)
    # The change in English (the admin, exports), and what it is: a VERSION_CHANGES key
    # with its values, for the history page in the reader's language. Versions from
    # before the key existed have only the English.
    summary = models.CharField(max_length=200, blank=True)
    change = models.CharField(max_length=40, blank=True)
    change_args = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recap version")
        verbose_name_plural = _("recap versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["recap", "number"], name="recap_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.recap_id} v{self.number}"

    @property
    def change_text(self) -> str:
        """The change, in the active language."""
        if self.change not in VERSION_CHANGES:
            return self.summary
        return describe_change(self.change, self.change_args)
