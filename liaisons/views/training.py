"""Coordinators' training pages: sessions, the roster and attendance, invitations,
cancelling a session."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from liaisons import accessors, selectors
from liaisons.exceptions import LiaisonError, SessionInvalid
from liaisons.forms import SessionCancelForm, TrainingSessionForm, add_service_errors
from liaisons.models import RegistrationStatus, TrainingSession
from liaisons.services import training as training_services
from liaisons.views._common import acting_user, coordinator_page

R = RegistrationStatus


def zone_hint() -> str:
    return _("Local time in the city's time zone (%(zone)s).") % {
        "zone": timezone.get_current_timezone_name()
    }


@coordinator_page
@require_safe
def session_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "liaisons/training/session_list.html",
        {"sessions": selectors.all_sessions(), "now": timezone.now()},
    )


@coordinator_page
@require_http_methods(["GET", "POST"])
def session_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a session (no ``pk``) or edit one."""
    user = acting_user(request)
    session = get_object_or_404(TrainingSession, pk=pk) if pk is not None else None
    if session is not None and session.is_cancelled:
        messages.info(request, _("This session is cancelled and can no longer be changed."))
        return redirect("liaisons:session_detail", pk=session.pk)
    initial = TrainingSessionForm.initial_for(session) if session else {}
    form = TrainingSessionForm(request.POST if request.method == "POST" else None, initial=initial)
    form.fields["starts_at"].help_text = zone_hint()
    if request.method == "POST" and form.is_valid():
        try:
            if session is None:
                session = training_services.create_session(data=form.session_data(), by=user)
            else:
                session = training_services.update_session(
                    session=session, data=form.session_data(), by=user
                )
        except SessionInvalid as error:
            add_service_errors(form, error.errors)
        except LiaisonError as error:
            messages.error(request, error.message)
            return redirect("liaisons:session_detail", pk=pk)
        else:
            messages.success(request, _("The training session is saved."))
            return redirect("liaisons:session_detail", pk=session.pk)
    return render(
        request, "liaisons/training/session_form.html", {"form": form, "session": session}
    )


@coordinator_page
@require_safe
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(selectors.all_sessions(), pk=pk)
    roster = list(selectors.session_roster(session))
    return render(
        request,
        "liaisons/training/session_detail.html",
        {
            "session": session,
            "seated": [r for r in roster if r.status in {R.REGISTERED, R.ATTENDED, R.NO_SHOW}],
            "waitlist": [r for r in roster if r.status == R.WAITLISTED],
            "started": session.starts_at <= timezone.now(),
            "ended": session.ends_at <= timezone.now(),
        },
    )


@coordinator_page
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, with an optional reason, then cancel the session for everyone."""
    user = acting_user(request)
    session = get_object_or_404(selectors.all_sessions(), pk=pk)
    form = SessionCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            training_services.cancel_session(
                session=session, by=user, reason=form.cleaned_data["reason"]
            )
        except LiaisonError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The session is cancelled. Everyone registered or waiting is told by e-mail."),
            )
        return redirect("liaisons:session_detail", pk=session.pk)
    if session.is_cancelled or session.ends_at <= timezone.now():
        messages.info(
            request,
            _("This session is cancelled.")
            if session.is_cancelled
            else _("This session has already ended."),
        )
        return redirect("liaisons:session_detail", pk=session.pk)
    return render(
        request, "liaisons/training/session_cancel.html", {"session": session, "form": form}
    )


@coordinator_page
@require_POST
def session_attendance(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    user = acting_user(request)
    registration = accessors.get_registration_for_coordinator(
        user=user, session_pk=pk, registration_pk=registration_pk
    )
    attended = request.POST.get("outcome") == "attended"
    try:
        training_services.record_attendance(registration=registration, attended=attended, by=user)
    except LiaisonError as error:
        messages.error(request, error.message)
    else:
        name = registration.application.display_name
        messages.success(
            request,
            _("%(name)s attended and is now an active liaison.") % {"name": name}
            if attended
            else _("%(name)s is marked as absent.") % {"name": name},
        )
    return redirect("liaisons:session_detail", pk=pk)


@coordinator_page
@require_POST
def session_remove(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    """A coordinator cancels someone's seat or waitlist place."""
    user = acting_user(request)
    registration = accessors.get_registration_for_coordinator(
        user=user, session_pk=pk, registration_pk=registration_pk
    )
    try:
        training_services.cancel_registration(registration=registration, by=user)
    except LiaisonError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The registration is cancelled."))
    return redirect("liaisons:session_detail", pk=pk)


@coordinator_page
@require_POST
def session_invite(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    session = get_object_or_404(TrainingSession, pk=pk)
    try:
        invited = training_services.invite_approved_applicants(session=session, by=user)
    except LiaisonError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(count)d approved applicants were invited.") % {"count": invited}
            if invited
            else _("Every approved applicant without a seat was already invited."),
        )
    return redirect("liaisons:session_detail", pk=pk)
