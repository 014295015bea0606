"""Models of the events app, one module per area; import them from here."""

from events.models.capture import (
    CaptureRun,
    CaptureSource,
    Post,
    RunKind,
    RunStatus,
    SourceState,
)
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
from events.models.imports import ImportFormat, ImportJob, ImportStatus
from events.models.moderation import ModerationAction, ModerationKind
from events.models.questions import DetectedBy, DetectionRule, QuestionStatus, TrackedQuestion
from events.models.topics import HASHTAG_RE, Topic, validate_hashtag

__all__ = [
    "HASHTAG_RE",
    "CaptureRun",
    "CaptureSource",
    "Chat",
    "ChatHost",
    "ChatStatus",
    "ChatStatusChange",
    "DetectedBy",
    "DetectionRule",
    "Follow",
    "ImportFormat",
    "ImportJob",
    "ImportStatus",
    "ModerationAction",
    "ModerationKind",
    "Notification",
    "NotificationKind",
    "NotificationStatus",
    "Platform",
    "Post",
    "Question",
    "QuestionStatus",
    "RunKind",
    "RunStatus",
    "SourceState",
    "Topic",
    "TrackedQuestion",
    "validate_hashtag",
]
