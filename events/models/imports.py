"""Imports of post archives (CSV or JSON Lines) into a chat, and their reports.

One ``ImportJob`` per uploaded file, kept after the import as its report: counts, and
every refused row as ``{"line": n, "reason": "..."}``. Written only by
``events.services.imports``; the file format is in docs/architecture.md ("Import").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models.chats import Chat


class ImportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    JSONL = "jsonl", _("JSON Lines")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One uploaded archive and what importing it did.

    ``total_rows`` is the number of records in the file (known once the import starts);
    ``processed_rows`` rises batch by batch, so a background import shows its progress.
    ``imported_rows`` are new posts, ``updated_rows`` changed ones, ``unchanged_rows``
    posts already stored exactly so (a file imported twice), ``skipped_rows`` the rows
    refused, each listed in ``errors`` (up to IMPORT_MAX_REPORTED_ERRORS of them).
    """

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="import_jobs")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size_bytes = models.PositiveBigIntegerField(_("size"), default=0)
    format = models.CharField(_("format"), max_length=10, choices=ImportFormat.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    in_background = models.BooleanField(default=False)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    updated_rows = models.PositiveIntegerField(default=0)
    unchanged_rows = models.PositiveIntegerField(default=0)
    skipped_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    # Why a whole import failed (unreadable file, lost worker), shown to staff.
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["chat", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} -> chat {self.chat_id} ({self.status})"

    @property
    def is_done(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.is_done:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.processed_rows * 100 // self.total_rows)
