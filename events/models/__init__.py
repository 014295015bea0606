"""Models of the events app, one module per area; import them from here."""

from events.models.chats import (
    Chat,
    ChatHost,
    ChatStatus,
    ChatStatusChange,
    Follow,
    Notification,
    NotificationKind,
    NotificationStatus,
    Platform,
    Question,
)
from events.models.topics import HASHTAG_RE, Topic, validate_hashtag

__all__ = [
    "HASHTAG_RE",
    "Chat",
    "ChatHost",
    "ChatStatus",
    "ChatStatusChange",
    "Follow",
    "Notification",
    "NotificationKind",
    "NotificationStatus",
    "Platform",
    "Question",
    "Topic",
    "validate_hashtag",
]
