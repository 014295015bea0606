"""Published recaps: the story of a chat, with the highlighted posts still public."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.v1.serializers.events import PostSerializer, TopicRefSerializer
from events.models import Chat, Question
from recaps.models import Highlight, Recap, RecapSection


class RecapChatSerializer(serializers.ModelSerializer):
    topic = TopicRefSerializer(read_only=True)

    class Meta:
        model = Chat
        fields = ["slug", "title", "topic", "hashtag", "starts_at", "ends_at"]
        read_only_fields = fields


class RecapSerializer(serializers.ModelSerializer):
    chat = RecapChatSerializer(read_only=True)
    stats = serializers.DictField(
        child=serializers.JSONField(),
        read_only=True,
        help_text=_(
            "Counts computed from the posts: posts, participants, official_posts, "
            "per_platform, busiest_minute, top_participants, questions."
        ),
    )

    class Meta:
        model = Recap
        fields = ["chat", "title", "intro", "published_at", "version", "stats"]
        read_only_fields = fields


class SectionQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["position", "label", "text"]
        read_only_fields = fields


class HighlightSerializer(serializers.ModelSerializer):
    post = PostSerializer(read_only=True)

    class Meta:
        model = Highlight
        fields = ["position", "role", "note", "post"]
        read_only_fields = fields


class SectionSerializer(serializers.ModelSerializer):
    question = SectionQuestionSerializer(read_only=True, allow_null=True)
    highlights = HighlightSerializer(many=True, read_only=True)

    class Meta:
        model = RecapSection
        fields = ["position", "heading", "commentary", "question", "highlights"]
        read_only_fields = fields


class RecapDetailSerializer(RecapSerializer):
    timeline = serializers.ListField(
        child=serializers.DictField(child=serializers.JSONField()),
        read_only=True,
        help_text=_("Posts per minute over the chat."),
    )
    follow_ups = serializers.ListField(
        child=serializers.DictField(child=serializers.JSONField()),
        read_only=True,
        help_text=_(
            "Questions the city follows up on: text, url, question, status, owner, service_request."
        ),
    )
    sections = SectionSerializer(many=True, read_only=True, source="public_sections")

    class Meta(RecapSerializer.Meta):
        fields = [*RecapSerializer.Meta.fields, "timeline", "follow_ups", "sections"]
        read_only_fields = fields
