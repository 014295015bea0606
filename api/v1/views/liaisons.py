"""The liaison program: an applicant's own application, and the coordinators' review.

Every application is reached through ``liaisons.accessors`` (404, never 403, for anyone
who may not see it), every look at one is written to its audit trail, and every change
goes through ``liaisons.services.applications``.
"""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from api.v1.filters import ReviewQueueFilter
from api.v1.pagination import cursor_by
from api.v1.permissions import IsLiaisonCoordinator, StaffHasMFA
from api.v1.serializers.liaisons import (
    APPLICANT_FIELDS,
    ApplicationInput,
    ApplicationSerializer,
    AssignInput,
    DecisionInput,
    NoteInput,
    NoteSerializer,
    ReviewApplicationSerializer,
    ReviewQueueItemSerializer,
)
from liaisons import accessors, selectors
from liaisons.models import Application
from liaisons.services import applications as application_services
from liaisons.services.applications import ApplicationData
from liaisons.services.audit import record_view
from liaisons.views._common import apply_allowed


def _user(request: Request) -> User:
    return cast(User, request.user)  # behind IsAuthenticated


def _check_apply_rate(request: Request) -> None:
    """The application form's limit (per account and IP address), shared with the
    pages, so the API is no way around it."""
    if not apply_allowed(request):
        raise Throttled(detail=_("Too many saves of your application. Try again later."))


def _application_data(
    values: dict[str, Any], *, application: Application | None
) -> ApplicationData:
    data = ApplicationData.of(application) if application is not None else ApplicationData()
    for name in APPLICANT_FIELDS:
        if name in values:
            setattr(data, name, values[name])
    return data


# --- the applicant ----------------------------------------------------------------------


@extend_schema(tags=["applications"])
class MyApplicationList(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ApplicationSerializer
    pagination_class = cursor_by("-pk")

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Application.objects.none()
        return selectors.applications_of(_user(self.request))

    @extend_schema(summary="Your own liaison applications, newest first")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Apply to be a liaison (a draft, or submitted at once)",
        description="One open application per person: 400 open_application_exists.",
        request=ApplicationInput,
        responses={201: ApplicationSerializer},
    )
    def post(self, request: Request) -> Response:
        _check_apply_rate(request)
        form = ApplicationInput(data=request.data)
        form.is_valid(raise_exception=True)
        application = application_services.create_application(
            user=_user(request),
            data=_application_data(form.validated_data, application=None),
            submit=form.validated_data.get("submit", False),
        )
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["applications"])
class MyApplicationDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="One of your applications", responses=ApplicationSerializer)
    def get(self, request: Request, pk: int) -> Response:
        application = accessors.get_application_for_applicant(user=_user(request), pk=pk)
        record_view(application=application, viewer=_user(request))
        return Response(ApplicationSerializer(application).data)

    @extend_schema(
        summary="Change your application while it is a draft or not yet in review",
        description=(
            "Only the fields given change. 400 application_locked once review has started, "
            "application_incomplete when a submitted application would lose a required field."
        ),
        request=ApplicationInput(partial=True),
        responses=ApplicationSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        application = accessors.get_application_for_applicant(user=_user(request), pk=pk)
        _check_apply_rate(request)
        form = ApplicationInput(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        application = application_services.update_application(
            application=application,
            data=_application_data(form.validated_data, application=application),
            by=_user(request),
            submit=form.validated_data.get("submit", False),
        )
        return Response(ApplicationSerializer(application).data)


@extend_schema(tags=["applications"])
class MyApplicationWithdraw(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Withdraw your application", request=None, responses=ApplicationSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        application = accessors.get_application_for_applicant(user=_user(request), pk=pk)
        application = application_services.withdraw_application(
            application=application, by=_user(request)
        )
        return Response(ApplicationSerializer(application).data)


# --- coordinators -----------------------------------------------------------------------


class CoordinatorObject:
    # The role is checked by the guarded accessor (404 for anyone else, so an id tells a
    # stranger nothing); staff still need two-factor authentication.
    permission_classes = [IsAuthenticated, StaffHasMFA]


def _review(application: Application) -> Response:
    notes = list(selectors.application_notes(application))
    return Response(ReviewApplicationSerializer(application, context={"notes": notes}).data)


@extend_schema(tags=["staff: applications"], summary="The review queue (never drafts)")
class ReviewQueue(generics.ListAPIView):
    permission_classes = [IsAuthenticated, IsLiaisonCoordinator, StaffHasMFA]
    serializer_class = ReviewQueueItemSerializer
    filterset_class = ReviewQueueFilter
    pagination_class = cursor_by("submitted_at", "pk")

    def get_queryset(self) -> Any:
        return selectors.review_queue()


@extend_schema(tags=["staff: applications"])
class ReviewDetail(CoordinatorObject, APIView):
    @extend_schema(
        summary="One application, with the internal notes (the view is audited)",
        responses=ReviewApplicationSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        application = accessors.get_application_for_reviewer(user=_user(request), pk=pk)
        record_view(application=application, viewer=_user(request))
        return _review(application)


@extend_schema(tags=["staff: applications"])
class ReviewAssign(CoordinatorObject, APIView):
    @extend_schema(
        summary="Make a coordinator responsible (a submitted application goes in review)",
        request=AssignInput,
        responses=ReviewApplicationSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        application = accessors.get_application_for_reviewer(user=_user(request), pk=pk)
        form = AssignInput(data=request.data)
        form.is_valid(raise_exception=True)
        application = application_services.assign_reviewer(
            application=application, reviewer=form.validated_data["reviewer"], by=_user(request)
        )
        return _review(application)


@extend_schema(tags=["staff: applications"])
class ReviewDecision(CoordinatorObject, APIView):
    @extend_schema(
        summary="Start review, approve, waitlist or reject (the applicant is e-mailed)",
        request=DecisionInput,
        responses=ReviewApplicationSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        application = accessors.get_application_for_reviewer(user=_user(request), pk=pk)
        form = DecisionInput(data=request.data)
        form.is_valid(raise_exception=True)
        application = application_services.decide_application(
            application=application,
            decision=form.validated_data["decision"],
            by=_user(request),
            message=form.validated_data.get("message", ""),
        )
        return _review(application)


@extend_schema(tags=["staff: applications"])
class ReviewNotes(CoordinatorObject, APIView):
    @extend_schema(
        summary="Add an internal note (never shown to the applicant)",
        request=NoteInput,
        responses={201: NoteSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        application = accessors.get_application_for_reviewer(user=_user(request), pk=pk)
        form = NoteInput(data=request.data)
        form.is_valid(raise_exception=True)
        note = application_services.add_note(
            application=application, body=form.validated_data["body"], by=_user(request)
        )
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)
