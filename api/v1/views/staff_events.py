"""Comms staff: chats (drafts included), their capture sources, and moderation.

Every view needs the Comms staff role and, for staff, two-factor authentication; it
writes only through events.services (chats, capture, moderation) and reaches posts and
sources through the guarded ``get_*_for_staff`` selectors (404 for another chat's).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from api.selectors import get_chat_for_staff, staff_chats
from api.v1.filters import StaffChatFilter, StaffPostFilter
from api.v1.pagination import cursor_by
from api.v1.permissions import IsCommsStaff, StaffHasMFA
from api.v1.serializers.events import (
    CaptureSourceSerializer,
    ChatCreateInput,
    ChatInput,
    ChatRescheduleInput,
    ChatTransitionInput,
    HideInput,
    HighlightInput,
    QuestionsPublishedSerializer,
    QuestionsPublishInput,
    StaffChatSerializer,
    StaffPostSerializer,
)
from events import live_selectors
from events.capture_selectors import capture_sources
from events.models import Chat, ChatStatus
from events.services.capture import ensure_capture_sources, resume_capture_source
from events.services.chats import (
    ChatData,
    HostData,
    QuestionData,
    chat_data_from,
    create_chat,
    reschedule_chat,
    set_questions_published,
    transition_chat,
    update_chat,
)
from events.services.moderation import hide_post, set_post_highlighted, unhide_post

DEFAULT_CHAT_LENGTH = timedelta(hours=1)


class CommsStaffOnly:
    permission_classes = [IsAuthenticated, IsCommsStaff, StaffHasMFA]


def _user(request: Request) -> User:
    return cast(User, request.user)  # IsAuthenticated


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _chat_data(values: dict[str, Any], *, chat: Chat | None = None) -> ChatData:
    """ChatData from validated input: on create the defaults (topic's hashtag, one hour),
    on update the chat's current data with the given fields replaced."""
    if chat is None:
        starts_at = values["starts_at"]
        data = ChatData(
            topic=values["topic"],
            title=values["title"],
            starts_at=starts_at,
            ends_at=values.get("ends_at") or starts_at + DEFAULT_CHAT_LENGTH,
            hashtag="",
        )
    else:
        data = chat_data_from(chat)
        if "starts_at" in values and "ends_at" not in values:
            # A new start keeps the chat's length.
            data.ends_at = values["starts_at"] + chat.duration
    for name in ("topic", "title", "description", "starts_at", "ends_at"):
        if name in values:
            setattr(data, name, values[name])
    if "hashtag" in values or chat is None:
        data.hashtag = values.get("hashtag") or data.topic.default_hashtag
    if "extra_hashtags" in values:
        data.extra_hashtags = _unique(values["extra_hashtags"])
    if "platforms" in values:
        data.platforms = _unique(values["platforms"])
    if "hosts" in values:
        data.hosts = [HostData(**host) for host in values["hosts"]]
    if "questions" in values:
        data.questions = [QuestionData(**question) for question in values["questions"]]
    return data


def _staff_chat(chat_id: int) -> Response:
    return Response(StaffChatSerializer(get_chat_for_staff(pk=chat_id, programme=True)).data)


# --- chats ------------------------------------------------------------------------------


@extend_schema(tags=["staff: chats"])
class StaffChatList(CommsStaffOnly, generics.ListAPIView):
    serializer_class = StaffChatSerializer
    filterset_class = StaffChatFilter
    pagination_class = cursor_by("-starts_at", "-pk")

    def get_queryset(self) -> Any:
        return staff_chats()

    @extend_schema(summary="Every chat, drafts included, newest start first")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a chat (a draft, or scheduled at once)",
        request=ChatCreateInput,
        responses={201: StaffChatSerializer},
    )
    def post(self, request: Request) -> Response:
        form = ChatCreateInput(data=request.data)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        schedule = values.pop("schedule", False)
        # One transaction: a chat that cannot be scheduled is not created either.
        with transaction.atomic():
            chat = create_chat(data=_chat_data(values), by=_user(request))
            if schedule:
                chat = transition_chat(chat=chat, to=ChatStatus.SCHEDULED, by=_user(request))
        response = _staff_chat(chat.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


@extend_schema(tags=["staff: chats"])
class StaffChatDetail(CommsStaffOnly, APIView):
    @extend_schema(summary="One chat", responses=StaffChatSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _staff_chat(pk)

    @extend_schema(
        summary="Edit a chat (a new time on a scheduled chat reschedules it)",
        request=ChatInput(partial=True),
        responses=StaffChatSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        chat = get_chat_for_staff(pk=pk)
        form = ChatInput(data=request.data, partial=True, chat=chat)
        form.is_valid(raise_exception=True)
        update_chat(
            chat=chat, data=_chat_data(dict(form.validated_data), chat=chat), by=_user(request)
        )
        return _staff_chat(pk)


@extend_schema(tags=["staff: chats"])
class StaffChatTransition(CommsStaffOnly, APIView):
    @extend_schema(
        summary="Move a chat to another status",
        description=(
            "Allowed moves follow the chat workflow; any other answers 400 with code "
            "invalid_transition. Cancelling and postponing need a reason."
        ),
        request=ChatTransitionInput,
        responses=StaffChatSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        chat = get_chat_for_staff(pk=pk)
        form = ChatTransitionInput(data=request.data)
        form.is_valid(raise_exception=True)
        transition_chat(
            chat=chat,
            to=form.validated_data["to"],
            by=_user(request),
            reason=form.validated_data.get("reason", ""),
        )
        return _staff_chat(pk)


@extend_schema(tags=["staff: chats"])
class StaffChatReschedule(CommsStaffOnly, APIView):
    @extend_schema(
        summary="New times for a scheduled or postponed chat (followers are told)",
        request=ChatRescheduleInput,
        responses=StaffChatSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        chat = get_chat_for_staff(pk=pk)
        form = ChatRescheduleInput(data=request.data)
        form.is_valid(raise_exception=True)
        reschedule_chat(
            chat=chat,
            starts_at=form.validated_data["starts_at"],
            ends_at=form.validated_data["ends_at"],
            by=_user(request),
            reason=form.validated_data.get("reason", ""),
        )
        return _staff_chat(pk)


@extend_schema(tags=["staff: chats"])
class StaffChatQuestionsPublish(CommsStaffOnly, APIView):
    @extend_schema(
        summary="Announce (or withdraw) every question of a chat",
        request=QuestionsPublishInput,
        responses=QuestionsPublishedSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        chat = get_chat_for_staff(pk=pk)
        form = QuestionsPublishInput(data=request.data)
        form.is_valid(raise_exception=True)
        changed = set_questions_published(
            chat=chat, published=form.validated_data["published"], by=_user(request)
        )
        return Response(QuestionsPublishedSerializer({"changed": changed}).data)


# --- capture sources --------------------------------------------------------------------


@extend_schema(tags=["staff: capture"])
class StaffSourceList(CommsStaffOnly, APIView):
    # Not paginated: a chat has one source per platform (per Mastodon instance).

    @extend_schema(summary="A chat's capture sources", responses=CaptureSourceSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        chat = get_chat_for_staff(pk=pk)
        return Response(CaptureSourceSerializer(capture_sources(chat_id=chat.pk), many=True).data)

    @extend_schema(
        summary="Create the chat's missing capture sources (one per platform it is held on)",
        request=None,
        responses=CaptureSourceSerializer(many=True),
    )
    def post(self, request: Request, pk: int) -> Response:
        chat = get_chat_for_staff(pk=pk)
        sources = ensure_capture_sources(chat=chat)
        return Response(CaptureSourceSerializer(sources, many=True).data)


@extend_schema(tags=["staff: capture"])
class StaffSourceResume(CommsStaffOnly, APIView):
    @extend_schema(
        summary="Resume a paused or needs-credentials source (due at once)",
        request=None,
        responses=CaptureSourceSerializer,
    )
    def post(self, request: Request, pk: int, source_pk: int) -> Response:
        chat = get_chat_for_staff(pk=pk)
        source = live_selectors.get_source_for_staff(chat_id=chat.pk, source_id=source_pk)
        return Response(CaptureSourceSerializer(resume_capture_source(source_id=source.pk)).data)


# --- moderation -------------------------------------------------------------------------


@extend_schema(tags=["staff: moderation"], summary="A chat's posts as staff see them")
class StaffPostList(CommsStaffOnly, generics.ListAPIView):
    """Hidden posts too (marked, with the reason); posts deleted at the source are not."""

    serializer_class = StaffPostSerializer
    filterset_class = StaffPostFilter
    pagination_class = cursor_by("created_at", "pk")

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return live_selectors.staff_posts(chat_id=0)
        chat = get_chat_for_staff(pk=self.kwargs["pk"])
        return live_selectors.staff_posts(chat_id=chat.pk)


def _staff_post(chat_id: int, post_id: int) -> Response:
    post = live_selectors.get_post_for_staff(chat_id=chat_id, post_id=post_id)
    return Response(StaffPostSerializer(post).data)


@extend_schema(tags=["staff: moderation"])
class StaffPostHide(CommsStaffOnly, APIView):
    @extend_schema(
        summary="Hide a post from every public page (a reason is required)",
        request=HideInput,
        responses=StaffPostSerializer,
    )
    def post(self, request: Request, pk: int, post_pk: int) -> Response:
        post = live_selectors.get_post_for_staff(chat_id=pk, post_id=post_pk)
        form = HideInput(data=request.data)
        form.is_valid(raise_exception=True)
        hide_post(post_id=post.pk, by=_user(request), reason=form.validated_data["reason"])
        return _staff_post(pk, post.pk)


@extend_schema(tags=["staff: moderation"])
class StaffPostUnhide(CommsStaffOnly, APIView):
    @extend_schema(summary="Show a hidden post again", request=None, responses=StaffPostSerializer)
    def post(self, request: Request, pk: int, post_pk: int) -> Response:
        post = live_selectors.get_post_for_staff(chat_id=pk, post_id=post_pk)
        unhide_post(post_id=post.pk, by=_user(request))
        return _staff_post(pk, post.pk)


@extend_schema(tags=["staff: moderation"])
class StaffPostHighlight(CommsStaffOnly, APIView):
    @extend_schema(
        summary="Highlight a post, or remove the highlight",
        request=HighlightInput,
        responses=StaffPostSerializer,
    )
    def post(self, request: Request, pk: int, post_pk: int) -> Response:
        post = live_selectors.get_post_for_staff(chat_id=pk, post_id=post_pk)
        form = HighlightInput(data=request.data)
        form.is_valid(raise_exception=True)
        set_post_highlighted(
            post_id=post.pk, by=_user(request), highlighted=form.validated_data["highlighted"]
        )
        return _staff_post(pk, post.pk)
