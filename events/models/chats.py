"""Chats: one-hour public conversations under a hashtag, with announced questions."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models.topics import Topic, validate_hashtag


class Platform(models.TextChoices):
    X = "x", _("X (Twitter)")
    MASTODON = "mastodon", _("Mastodon")
    BLUESKY = "bluesky", _("Bluesky")


class ChatStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    LIVE = "live", _("Live")
    ENDED = "ended", _("Ended")
    RECAP_PUBLISHED = "recap_published", _("Recap published")
    CANCELLED = "cancelled", _("Cancelled")
    POSTPONED = "postponed", _("Postponed")


class Chat(models.Model):
    """A scheduled public conversation. Status changes only through
    ``events.services.chats.transition_chat``; times are stored in UTC."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="chats"
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"), blank=True)
    hashtag = models.CharField(_("hashtag"), max_length=101, validators=[validate_hashtag])
    extra_hashtags = models.JSONField(
        _("more hashtags"),
        default=list,
        blank=True,
        help_text=_("Other hashtags captured with the main one."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    platforms = models.JSONField(
        _("platforms"),
        default=list,
        help_text=_("Where the chat takes place and is captured from."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ChatStatus.choices, default=ChatStatus.DRAFT
    )
    status_reason = models.TextField(_("reason for the status"), blank=True)
    # iCalendar identity: UID never changes; SEQUENCE rises on every reschedule/cancel.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    duplicated_from = models.ForeignKey(
        "self",
        verbose_name=_("duplicated from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["topic", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="chat_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def hashtags(self) -> list[str]:
        return [self.hashtag, *[tag for tag in self.extra_hashtags if tag != self.hashtag]]

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def is_upcoming(self) -> bool:
        return self.status == ChatStatus.SCHEDULED

    @property
    def is_public(self) -> bool:
        return self.status != ChatStatus.DRAFT


class ChatHost(models.Model):
    """An official account that hosts the chat on one platform."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="hosts")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    handle = models.CharField(
        _("account"),
        max_length=200,
        help_text=_("@handle on X or Bluesky; @user@instance on Mastodon."),
    )
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("host")
        verbose_name_plural = _("hosts")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["chat", "platform", "handle"], name="chathost_unique_per_platform"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handle} ({self.get_platform_display()})"


class Question(models.Model):
    """A question announced for the chat: Q1, Q2, ... in ``position`` order."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("question"))
    planned_minute = models.PositiveSmallIntegerField(
        _("planned minute"),
        null=True,
        blank=True,
        help_text=_("Minutes after the start when the hosts plan to ask it."),
    )
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("announced question")
        verbose_name_plural = _("announced questions")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["chat", "position"], name="question_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.text[:60]}"

    @property
    def label(self) -> str:
        return f"Q{self.position}"


class ChatStatusChange(models.Model):
    """The audit trail: every status change, who made it (None: the clock), and why."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=ChatStatus.choices)
    to_status = models.CharField(max_length=20, choices=ChatStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.chat_id}: {self.from_status} -> {self.to_status}"


class Follow(models.Model):
    """A resident follows a whole topic or a single chat (exactly one of the two)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    chat = models.ForeignKey(
        Chat, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=(Q(topic__isnull=False, chat__isnull=True))
                | (Q(topic__isnull=True, chat__isnull=False)),
                name="follow_topic_xor_chat",
            ),
            models.UniqueConstraint(
                fields=["user", "topic"], condition=Q(topic__isnull=False), name="follow_topic_once"
            ),
            models.UniqueConstraint(
                fields=["user", "chat"], condition=Q(chat__isnull=False), name="follow_chat_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.topic or self.chat}"


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    CANCELLED = "cancelled", _("Cancelled")
    RECAP_PUBLISHED = "recap_published", _("Recap published")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Notification(models.Model):
    """One e-mail to one person about one chat: the row that makes it exactly-once.

    The unique key (chat, user, kind, lead, sequence) means a dispatcher that runs twice
    creates nothing new; a sender claims a PENDING row (row lock, skip locked) before it
    sends, and a row left SENDING by a dead worker is retried only after its lease.
    """

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    # For reminders, minutes before the start (1440, 60); 0 for other kinds.
    lead_minutes = models.PositiveIntegerField(default=0)
    # The chat's sequence when this notification was due: a rescheduled chat gets new
    # reminders at its new time, and a second reschedule a second notice.
    sequence = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When its send task was last put on the broker (see requeue_lost).
    queued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["chat", "user", "kind", "lead_minutes", "sequence"],
                name="notification_once",
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.lead_minutes}m chat={self.chat_id} user={self.user_id}"
