"""The applicant's pages: apply, see the status and next step, edit until review
starts, withdraw, choose a training session, and the directory listing.

Every page that shows an application reaches it through
``accessors.get_application_for_applicant`` (404 for anyone but its applicant) and
logs the view in the audit trail.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from liaisons import accessors, selectors
from liaisons.calendar import build_session_calendar
from liaisons.exceptions import (
    ApplicationIncomplete,
    ApplicationLocked,
    LiaisonError,
    OpenApplicationExists,
)
from liaisons.forms import ApplicationForm, DirectoryForm, add_service_errors
from liaisons.models import (
    CLOSED_STATUSES,
    Application,
    ApplicationStatus,
    AuditAction,
    RegistrationStatus,
    TrainingSession,
)
from liaisons.services import applications as application_services
from liaisons.services import training as training_services
from liaisons.services.audit import record_view
from liaisons.views._common import acting_user, apply_allowed

S = ApplicationStatus
RATE_LIMITED = 429


def _form_context(
    form: ApplicationForm, application: Application | None = None
) -> dict[str, object]:
    return {
        "form": form,
        "application": application,
        "purge_days": settings.LIAISONS_PURGE_AFTER_DAYS,
    }


def _rate_limited(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    """Show the form again with everything typed in it, and say why nothing was saved."""
    context["rate_limited"] = True
    return render(request, template, context, status=RATE_LIMITED)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """The application form for someone without an open application."""
    user = acting_user(request)
    current = selectors.open_application_of(user)
    if current is not None:
        messages.info(request, _("You already have an application. Here it is."))
        return redirect("liaisons:application_detail", pk=current.pk)
    if request.method != "POST":
        initial = {"display_name": user.display_name, "neighborhood": user.neighborhood_id}
        form = ApplicationForm(initial=initial)
        return render(request, "liaisons/apply.html", _form_context(form))
    form = ApplicationForm(request.POST)
    context = _form_context(form)
    if not apply_allowed(request):
        return _rate_limited(request, "liaisons/apply.html", context)
    if form.is_valid():
        submit = "submit" in request.POST
        try:
            application = application_services.create_application(
                user=user, data=form.application_data(), submit=submit
            )
        except ApplicationIncomplete as error:
            add_service_errors(form, error.errors)
        except OpenApplicationExists as error:
            messages.info(request, error.message)
            return redirect("liaisons:program")
        else:
            messages.success(
                request,
                _("Your application has been sent. Thank you!")
                if submit
                else _("Your draft is saved. Submit it when you are ready."),
            )
            return redirect("liaisons:application_detail", pk=application.pk)
    return render(request, "liaisons/apply.html", context)


@login_required
@require_safe
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    application = accessors.get_application_for_applicant(user=user, pk=pk)
    record_view(application=application, viewer=user)
    registration = selectors.active_registration(application)
    past_registrations = [
        r for r in selectors.application_registrations(application) if r != registration
    ]
    # The latest registration ended because its session was cancelled: say so on top.
    session_cancelled = None
    if registration is None and past_registrations:
        latest = past_registrations[0]
        if latest.status == RegistrationStatus.CANCELLED and latest.session.is_cancelled:
            session_cancelled = latest.session
    sessions = []
    if application.status == S.APPROVED and registration is None:
        sessions = list(selectors.upcoming_sessions())
    purge_on = None
    if application.status in CLOSED_STATUSES and application.status_changed_at:
        purge_on = application.status_changed_at + timedelta(
            days=settings.LIAISONS_PURGE_AFTER_DAYS
        )
    return render(
        request,
        "liaisons/application_detail.html",
        {
            "application": application,
            "registration": registration,
            "past_registrations": past_registrations,
            "session_cancelled": session_cancelled,
            "sessions": sessions,
            "history": application.audit.filter(action=AuditAction.STATUS_CHANGED).order_by(
                "at", "pk"
            ),
            "directory_form": DirectoryForm(initial={"listed": application.consent_directory}),
            "purge_on": purge_on,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    application = accessors.get_application_for_applicant(user=user, pk=pk)
    if not application.is_editable:
        messages.info(request, str(ApplicationLocked.default_message))
        return redirect("liaisons:application_detail", pk=application.pk)
    if request.method != "POST":
        record_view(application=application, viewer=user)
        form = ApplicationForm(initial=ApplicationForm.initial_for(application))
        return render(request, "liaisons/apply.html", _form_context(form, application))
    form = ApplicationForm(request.POST)
    context = _form_context(form, application)
    if not apply_allowed(request):
        return _rate_limited(request, "liaisons/apply.html", context)
    if form.is_valid():
        submit = "submit" in request.POST
        try:
            application = application_services.update_application(
                application=application, data=form.application_data(), by=user, submit=submit
            )
        except ApplicationIncomplete as error:
            add_service_errors(form, error.errors)
        except LiaisonError as error:
            messages.error(request, error.message)
            return redirect("liaisons:application_detail", pk=application.pk)
        else:
            if submit:
                messages.success(request, _("Your application has been sent. Thank you!"))
            else:
                messages.success(request, _("Your changes are saved."))
            return redirect("liaisons:application_detail", pk=application.pk)
    return render(request, "liaisons/apply.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    application = accessors.get_application_for_applicant(user=user, pk=pk)
    if request.method == "POST":
        try:
            application_services.withdraw_application(application=application, by=user)
        except LiaisonError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your application is withdrawn."))
        return redirect("liaisons:application_detail", pk=application.pk)
    record_view(application=application, viewer=user)
    return render(request, "liaisons/application_withdraw.html", {"application": application})


@login_required
@require_POST
def application_directory(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    application = accessors.get_application_for_applicant(user=user, pk=pk)
    form = DirectoryForm(request.POST)
    form.is_valid()  # a single checkbox: absent means "not listed"
    listed = bool(form.cleaned_data.get("listed"))
    application_services.set_directory_listing(application=application, listed=listed, by=user)
    messages.success(
        request,
        _("The directory lists you once you are an active liaison.")
        if listed
        else _("The directory does not list you."),
    )
    return redirect("liaisons:application_detail", pk=application.pk)


@login_required
@require_POST
def training_register(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    user = acting_user(request)
    application = accessors.get_application_for_applicant(user=user, pk=pk)
    session = get_object_or_404(TrainingSession, pk=session_pk)
    try:
        registration = training_services.register_for_session(
            application=application, session=session, by=user
        )
    except LiaisonError as error:
        messages.error(request, error.message)
    else:
        if registration.status == "registered":
            messages.success(request, _("You are registered. A confirmation is on its way."))
        else:
            messages.info(
                request, _("The session is full: you are on its waitlist. We will e-mail you.")
            )
    return redirect("liaisons:application_detail", pk=application.pk)


@login_required
@require_POST
def training_cancel(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    user = acting_user(request)
    registration = accessors.get_active_registration_for_applicant(
        user=user, application_pk=pk, registration_pk=registration_pk
    )
    try:
        training_services.cancel_registration(registration=registration, by=user)
    except LiaisonError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("liaisons:application_detail", pk=pk)


@login_required
@require_safe
def training_calendar(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    """The .ics of the applicant's own session (it holds the online link)."""
    user = acting_user(request)
    registration = accessors.get_active_registration_for_applicant(
        user=user, application_pk=pk, registration_pk=registration_pk
    )
    body = build_session_calendar([registration.session], name=registration.session.title)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="liaison-training.ics"'
    return response
