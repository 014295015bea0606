"""Capture: where a chat's posts come from (sources), each poll (runs), and the posts.

Writes go through ``events.services.capture`` only. The live page, the question tracker
and imports (issue 4, part B) build on these rows: ``Post`` already carries the
moderation fields (hidden, highlighted) and ``source`` is empty for imported posts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models.chats import Chat, Platform


class SourceState(models.TextChoices):
    ACTIVE = "active", _("Active")
    NEEDS_CREDENTIALS = "needs_credentials", _("Needs credentials")
    PAUSED = "paused", _("Paused")


class CaptureSource(models.Model):
    """One query on one platform (one Mastodon instance) for one chat.

    ``cursor`` is the platform's own position (X ``since_id``, Mastodon ``min_id``,
    Bluesky's newest ``indexedAt``); it only moves after a complete poll cycle, so a
    cycle cut short is fetched again (the upsert makes that harmless).
    ``next_poll_at`` is the one scheduling field the dispatcher reads: the window,
    the poll interval, rate-limit resets and backoff all end up there.
    """

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="capture_sources")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    query = models.CharField(
        _("query"),
        max_length=500,
        help_text=_("Hashtags separated by spaces; the chat's hashtags by default."),
    )
    instance_base_url = models.URLField(
        _("Mastodon instance"),
        blank=True,
        help_text=_("For Mastodon: the instance whose hashtag timeline is read."),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=SourceState.choices, default=SourceState.ACTIVE
    )
    cursor = models.JSONField(default=dict, blank=True)
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Consecutive failed polls (5xx, timeouts); sets the exponential backoff. 0 after a success.
    failures = models.PositiveSmallIntegerField(default=0)
    rate_limited_until = models.DateTimeField(null=True, blank=True)
    # When the catch-up sweep after the window finished; the source is then done.
    swept_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("capture source")
        verbose_name_plural = _("capture sources")
        ordering = ["chat", "platform", "instance_base_url"]
        constraints = [
            models.UniqueConstraint(
                fields=["chat", "platform", "instance_base_url", "query"],
                name="capturesource_unique",
            ),
            models.CheckConstraint(
                condition=~Q(platform=Platform.MASTODON) | ~Q(instance_base_url=""),
                name="capturesource_mastodon_has_instance",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_poll_at"])]

    def __str__(self) -> str:
        where = f" @ {self.instance_base_url}" if self.instance_base_url else ""
        return f"{self.get_platform_display()}{where}: {self.query}"

    @property
    def hashtags(self) -> list[str]:
        return [tag if tag.startswith("#") else f"#{tag}" for tag in self.query.split()]


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    RATE_LIMITED = "rate_limited", _("Rate limited")


class RunKind(models.TextChoices):
    POLL = "poll", _("Poll")
    SWEEP = "sweep", _("Catch-up sweep")


class CaptureRun(models.Model):
    """One poll of one source: what it fetched and what went wrong.

    ``errors`` is a list of ``{"item": ..., "reason": ...}``: items that were skipped
    (malformed payloads) and notices the platform sent with a successful page.
    """

    source = models.ForeignKey(CaptureSource, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=10, choices=RunKind.choices, default=RunKind.POLL)
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    new_posts = models.PositiveIntegerField(default=0)
    updated_posts = models.PositiveIntegerField(default=0)
    deleted_posts = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        verbose_name = _("capture run")
        verbose_name_plural = _("capture runs")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["source", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.status} @ {self.started_at:%Y-%m-%d %H:%M:%S}"


class Post(models.Model):
    """A public post under a chat's hashtag, from any platform: one row per post.

    ``external_key`` is the platform's stable identity: the status ``uri`` on Mastodon
    (ids differ per instance) and Bluesky, the first id of the edit history on X (an
    edit gets a new tweet id but updates this row). ``html`` is always sanitised
    (``events.integrations.sanitize``); ``raw`` is the payload as received.
    """

    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    external_key = models.CharField(max_length=500)
    # The id the source used for it (tweet id, Mastodon's per-instance id, Bluesky cid);
    # kept with ``source``, both set by the first source that saw the post.
    source_item_id = models.CharField(max_length=200, blank=True)
    # No index of their own for chat and source: the (chat, created_at) and (source,
    # source_item_id) indexes below serve every lookup by either, and each index is
    # written for every captured post (bench/ingest.py).
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="posts", db_index=False)
    # The source that last delivered it; empty for imported posts.
    source = models.ForeignKey(
        CaptureSource,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        db_index=False,
    )
    author_handle = models.CharField(_("author"), max_length=300)
    author_name = models.CharField(_("author name"), max_length=300, blank=True)
    author_url = models.URLField(_("profile"), max_length=1000, blank=True)
    author_avatar_url = models.URLField(_("avatar"), max_length=1000, blank=True)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("sanitised HTML"), blank=True)
    created_at = models.DateTimeField(_("posted at"))
    url = models.URLField(_("link"), max_length=1000, blank=True)
    reply_to_key = models.CharField(max_length=500, blank=True)
    conversation_key = models.CharField(max_length=500, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=20, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    # A digest of the fields above; an unchanged post is not rewritten on every poll.
    content_hash = models.CharField(max_length=64, blank=True)
    is_official = models.BooleanField(_("posted by a host"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # post_hidden_by_idx: only the few hidden posts
    )
    hidden_reason = models.TextField(_("why hidden"), blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    highlighted = models.BooleanField(_("highlighted"), default=False)
    # Deleted at the source: kept for the record, never shown in public.
    deleted_at = models.DateTimeField(_("deleted at the source"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_key"], name="post_unique_key"),
        ]
        indexes = [
            models.Index(fields=["chat", "created_at"]),
            models.Index(fields=["chat", "first_seen_at"]),
            models.Index(fields=["source", "source_item_id"]),
            # Recap statistics (recaps.services.stats) read only this: the public posts
            # of one chat by platform and author, with time and the host flag, so
            # PostgreSQL answers them from the index without reading the rows.
            models.Index(
                fields=["chat", "platform", "author_handle", "created_at"],
                include=["is_official"],
                condition=Q(hidden=False, deleted_at__isnull=True),
                name="post_public_author_idx",
            ),
            # Deleting a user nulls their hidden_by: only hidden posts are in the index.
            models.Index(
                fields=["hidden_by"],
                condition=Q(hidden_by__isnull=False),
                name="post_hidden_by_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.author_handle}: {self.text[:60]}"

    @property
    def is_public(self) -> bool:
        return not self.hidden and self.deleted_at is None
