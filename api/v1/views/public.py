"""Public reads: the same answer for everyone, signed in or not. Drafts, hidden or
deleted posts, unpublished recaps and questions, and liaisons who did not opt in to the
directory never appear here."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny

from api.selectors import get_public_chat_id, public_chats_with_programme
from api.v1.filters import ChatFilter, DirectoryFilter, PostFilter, RecapFilter
from api.v1.pagination import cursor_by
from api.v1.serializers.common import NeighborhoodSerializer
from api.v1.serializers.events import ChatSerializer, PostSerializer, TopicSerializer
from api.v1.serializers.liaisons import DirectoryEntrySerializer, TrainingSessionSerializer
from api.v1.serializers.recaps import RecapDetailSerializer, RecapSerializer
from core.selectors import active_neighborhoods
from events.capture_selectors import public_posts
from events.selectors import active_topics, get_active_topic, get_public_chat
from liaisons.selectors import directory_entries, upcoming_sessions
from recaps.selectors import get_published_recap, published_recaps, recap_sections


class PublicRead:
    permission_classes = [AllowAny]


@extend_schema(tags=["topics"], summary="Active topics")
class TopicList(PublicRead, generics.ListAPIView):
    serializer_class = TopicSerializer
    pagination_class = cursor_by("name")

    def get_queryset(self) -> Any:
        return active_topics()


@extend_schema(tags=["topics"], summary="One active topic")
class TopicDetail(PublicRead, generics.RetrieveAPIView):
    serializer_class = TopicSerializer

    def get_object(self) -> Any:
        return get_active_topic(slug=self.kwargs["slug"])


@extend_schema(tags=["neighborhoods"], summary="Active neighborhoods")
class NeighborhoodList(PublicRead, generics.ListAPIView):
    serializer_class = NeighborhoodSerializer
    pagination_class = cursor_by("name")

    def get_queryset(self) -> Any:
        return active_neighborhoods()


@extend_schema(tags=["chats"], summary="Public chats, newest start first")
class ChatList(PublicRead, generics.ListAPIView):
    serializer_class = ChatSerializer
    filterset_class = ChatFilter
    pagination_class = cursor_by("-starts_at", "-pk")

    def get_queryset(self) -> Any:
        return public_chats_with_programme()


@extend_schema(tags=["chats"], summary="One public chat with its published questions")
class ChatDetail(PublicRead, generics.RetrieveAPIView):
    serializer_class = ChatSerializer

    def get_object(self) -> Any:
        return get_public_chat(slug=self.kwargs["slug"])


@extend_schema(tags=["chats"], summary="A public chat's posts, oldest first")
class ChatPostList(PublicRead, generics.ListAPIView):
    """Hidden posts and posts deleted at the source are never listed."""

    serializer_class = PostSerializer
    filterset_class = PostFilter
    pagination_class = cursor_by("created_at", "pk")

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return public_posts(chat_id=0)
        return public_posts(chat_id=get_public_chat_id(slug=self.kwargs["slug"]))


@extend_schema(tags=["recaps"], summary="Published recaps, latest first")
class RecapList(PublicRead, generics.ListAPIView):
    serializer_class = RecapSerializer
    filterset_class = RecapFilter
    pagination_class = cursor_by("-published_at", "-pk")

    def get_queryset(self) -> Any:
        return published_recaps()


@extend_schema(tags=["recaps"], summary="A published recap, by its chat's slug")
class RecapDetail(PublicRead, generics.RetrieveAPIView):
    """Highlights of posts hidden or deleted since publishing are left out."""

    serializer_class = RecapDetailSerializer

    def get_object(self) -> Any:
        recap = get_published_recap(chat_slug=self.kwargs["slug"])
        recap.public_sections = recap_sections(recap)  # type: ignore[attr-defined]
        return recap


@extend_schema(tags=["liaisons"], summary="Upcoming liaison training sessions")
class TrainingSessionList(PublicRead, generics.ListAPIView):
    serializer_class = TrainingSessionSerializer
    pagination_class = cursor_by("starts_at", "pk")

    def get_queryset(self) -> Any:
        return upcoming_sessions()


@extend_schema(tags=["liaisons"], summary="The liaison directory (opted-in, active liaisons)")
class DirectoryList(PublicRead, generics.ListAPIView):
    """Only the name each liaison chose to show and their neighborhood."""

    serializer_class = DirectoryEntrySerializer
    filterset_class = DirectoryFilter
    pagination_class = cursor_by("display_name", "pk")

    def get_queryset(self) -> Any:
        return directory_entries()
