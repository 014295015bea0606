"""Topics, chats, capture sources and posts: public and staff views, and staff inputs."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.v1.serializers.common import InputSerializer
from events.models import (
    CaptureSource,
    Chat,
    ChatHost,
    ChatStatus,
    Platform,
    Post,
    Question,
    Topic,
)

# --- output: public -------------------------------------------------------------------------


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name", "description", "default_hashtag", "owning_team"]
        read_only_fields = fields


class TopicRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name"]
        read_only_fields = fields


class HostSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChatHost
        fields = ["platform", "handle", "display_name"]
        read_only_fields = fields


class QuestionSerializer(serializers.ModelSerializer):
    """An announced question as the public sees it (published ones only)."""

    class Meta:
        model = Question
        fields = ["position", "label", "text", "planned_minute"]
        read_only_fields = fields


class ChatSerializer(serializers.ModelSerializer):
    """A public chat: never a draft, and only its published questions."""

    topic = TopicRefSerializer(read_only=True)
    hashtags = serializers.ListField(child=serializers.CharField(), read_only=True)
    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=Platform.choices), read_only=True
    )
    hosts = HostSerializer(many=True, read_only=True)
    questions = QuestionSerializer(many=True, read_only=True, source="published_questions")

    class Meta:
        model = Chat
        fields = [
            "slug",
            "title",
            "description",
            "topic",
            "status",
            "status_reason",
            "hashtag",
            "hashtags",
            "starts_at",
            "ends_at",
            "platforms",
            "hosts",
            "questions",
        ]
        read_only_fields = fields


class PostSerializer(serializers.ModelSerializer):
    """A captured post anyone may see (``html`` is sanitised when it is stored)."""

    class Meta:
        model = Post
        fields = [
            "id",
            "platform",
            "url",
            "author_handle",
            "author_name",
            "author_url",
            "text",
            "html",
            "language",
            "created_at",
            "is_official",
            "highlighted",
        ]
        read_only_fields = fields


# --- output: staff ---------------------------------------------------------------------------


class StaffQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["position", "label", "text", "planned_minute", "published"]
        read_only_fields = fields


class StaffChatSerializer(serializers.ModelSerializer):
    """Any chat, drafts included, with every announced question."""

    topic = TopicRefSerializer(read_only=True)
    extra_hashtags = serializers.ListField(child=serializers.CharField(), read_only=True)
    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=Platform.choices), read_only=True
    )
    hosts = HostSerializer(many=True, read_only=True)
    questions = StaffQuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Chat
        fields = [
            "id",
            "slug",
            "title",
            "description",
            "topic",
            "status",
            "status_reason",
            "hashtag",
            "extra_hashtags",
            "starts_at",
            "ends_at",
            "platforms",
            "hosts",
            "questions",
            "sequence",
            "is_public",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CaptureSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaptureSource
        fields = [
            "id",
            "platform",
            "query",
            "instance_base_url",
            "state",
            "next_poll_at",
            "last_run_at",
            "last_success_at",
            "last_error",
            "failures",
            "rate_limited_until",
            "swept_at",
        ]
        read_only_fields = fields


class StaffPostSerializer(serializers.ModelSerializer):
    """A post as comms staff see it: hidden ones too, with who hid it and why."""

    hidden_by = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "platform",
            "url",
            "author_handle",
            "author_name",
            "author_url",
            "text",
            "html",
            "language",
            "created_at",
            "first_seen_at",
            "is_official",
            "highlighted",
            "hidden",
            "hidden_reason",
            "hidden_at",
            "hidden_by",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_hidden_by(self, post: Post) -> str | None:
        return str(post.hidden_by) if post.hidden_by else None


class QuestionsPublishedSerializer(serializers.Serializer):
    changed = serializers.IntegerField(read_only=True, help_text=_("Questions that changed."))


# --- input: staff -------------------------------------------------------------------------------


class HostInput(InputSerializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    handle = serializers.CharField(max_length=200)
    display_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class QuestionInput(InputSerializer):
    text = serializers.CharField(max_length=1000)
    planned_minute = serializers.IntegerField(
        min_value=0, max_value=32767, required=False, allow_null=True
    )
    published = serializers.BooleanField(required=False)


class ChatInput(InputSerializer):
    """A chat as comms staff write it. On PATCH every field is optional; ``hosts`` and
    ``questions``, when given, replace the lists. The rules (hashtags, times, overlap)
    are the services' (400 with code ``invalid_chat``)."""

    topic = serializers.SlugRelatedField(slug_field="slug", queryset=Topic.objects.none())
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    hashtag = serializers.CharField(
        max_length=101,
        required=False,
        allow_blank=True,
        help_text=_("Empty or left out on create: the topic's hashtag."),
    )
    extra_hashtags = serializers.ListField(
        child=serializers.CharField(max_length=101), required=False, max_length=20
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(
        required=False, help_text=_("Left out on create: one hour after the start.")
    )
    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=Platform.choices), required=False, max_length=3
    )
    hosts = HostInput(many=True, required=False, max_length=20)
    questions = QuestionInput(many=True, required=False, max_length=50)

    def __init__(self, *args: Any, chat: Chat | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Active topics, plus the chat's own should it have been retired since.
        topics = Topic.objects.filter(active=True)
        if chat is not None:
            topics = Topic.objects.filter(Q(active=True) | Q(pk=chat.topic_id))
        self.fields["topic"].queryset = topics


class ChatCreateInput(ChatInput):
    schedule = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Schedule the chat at once (it becomes public); otherwise a draft."),
    )


# Moves staff may ask for; live and recap_published are reached by the clock and the
# recap workflow.
TRANSITION_TARGETS = [
    (s.value, s.label)
    for s in (ChatStatus.SCHEDULED, ChatStatus.DRAFT, ChatStatus.POSTPONED, ChatStatus.CANCELLED)
] + [(ChatStatus.ENDED.value, ChatStatus.ENDED.label)]


class ChatTransitionInput(InputSerializer):
    to = serializers.ChoiceField(choices=TRANSITION_TARGETS)
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text=_("Required to cancel or postpone: followers are told."),
    )


class ChatRescheduleInput(InputSerializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class QuestionsPublishInput(InputSerializer):
    published = serializers.BooleanField(help_text=_("True announces every question."))


class HideInput(InputSerializer):
    reason = serializers.CharField(max_length=500, help_text=_("Why, for the record."))


class HighlightInput(InputSerializer):
    highlighted = serializers.BooleanField()
