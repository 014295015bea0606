"""The coordinators' review: the queue, one application, reviewer, notes, decisions and
bulk e-mail. The queue and bulk e-mail are coordinator pages (403 for other roles);
an application's pages answer 404 to anyone but a coordinator (guarded accessor), and
every look at one is written to its audit trail."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from liaisons import accessors, selectors
from liaisons.exceptions import LiaisonError, TemplateInvalid
from liaisons.forms import AssignForm, DecisionForm, EmailTextForm, NoteForm, ReviewFilterForm
from liaisons.mail_templates import VARIABLES
from liaisons.models import Application
from liaisons.services import applications as application_services
from liaisons.services.applications import ALLOWED_TRANSITIONS, DECISIONS
from liaisons.services.audit import record_view
from liaisons.services.emails import bulk_email
from liaisons.views._common import (
    acting_user,
    bulk_email_allowed,
    coordinator_object_page,
    coordinator_page,
)

PAGE_SIZE = 25
RATE_LIMITED = 429


def available_decisions(application: Application) -> list[str]:
    """The DECISIONS buttons the transition table allows from the current status."""
    allowed = ALLOWED_TRANSITIONS.get(application.status, frozenset())
    return [name for name, status in DECISIONS.items() if status in allowed]


@coordinator_page
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    filters = ReviewFilterForm(request.GET)
    applications = selectors.review_queue(**filters.selector_kwargs(user))
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "liaisons/review/queue.html",
        {
            "filters": filters,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "ellipsis": Paginator.ELLIPSIS,
            "query": request.GET.urlencode(),
        },
    )


@coordinator_object_page
@require_safe
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    application = accessors.get_application_for_reviewer(user=user, pk=pk)
    record_view(application=application, viewer=user)
    return render(
        request,
        "liaisons/review/detail.html",
        {
            "application": application,
            "decisions": available_decisions(application),
            "assign_form": AssignForm(
                initial={"reviewer": application.reviewer_id}, reviewers=selectors.coordinators()
            ),
            "note_form": NoteForm(),
            "decision_form": DecisionForm(),
            "notes": selectors.application_notes(application),
            "audit": selectors.application_audit(application),
            "emails": selectors.application_emails(application),
            "registrations": selectors.application_registrations(application),
        },
    )


@coordinator_object_page
@require_POST
def review_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    application = accessors.get_application_for_reviewer(user=user, pk=pk)
    form = AssignForm(request.POST, reviewers=selectors.coordinators())
    if not form.is_valid():
        messages.error(request, _("Choose a coordinator from the list."))
        return redirect("liaisons:review_detail", pk=pk)
    try:
        application_services.assign_reviewer(
            application=application, reviewer=form.cleaned_data["reviewer"], by=user
        )
    except LiaisonError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The reviewer is saved."))
    return redirect("liaisons:review_detail", pk=pk)


@coordinator_object_page
@require_POST
def review_note(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    application = accessors.get_application_for_reviewer(user=user, pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        application_services.add_note(
            application=application, body=form.cleaned_data["body"], by=user
        )
        messages.success(request, _("The note is added."))
    else:
        messages.error(request, _("Write a note first."))
    return redirect("liaisons:review_detail", pk=pk)


@coordinator_object_page
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    application = accessors.get_application_for_reviewer(user=user, pk=pk)
    form = DecisionForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    decision = request.POST.get("decision", "")
    try:
        application = application_services.decide_application(
            application=application, decision=decision, by=user, message=message
        )
    except LiaisonError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The application is now “%(status)s”.")
            % {"status": application.get_status_display()},
        )
    return redirect("liaisons:review_detail", pk=pk)


@coordinator_page
@require_http_methods(["GET", "POST"])
def review_bulk_email(request: HttpRequest) -> HttpResponse:
    """E-mail every application the queue's filters select (the query string)."""
    user = acting_user(request)
    filters = ReviewFilterForm(request.GET)
    recipients = selectors.review_queue(**filters.selector_kwargs(user)).filter(user__isnull=False)
    count = recipients.count()
    limit = settings.LIAISONS_BULK_EMAIL_MAX_RECIPIENTS
    form = EmailTextForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {
        "form": form,
        "filters": filters,
        "count": count,
        "limit": limit,
        "query": request.GET.urlencode(),
        "variables": VARIABLES,
    }
    if request.method != "POST":
        return render(request, "liaisons/review/bulk_email.html", context)
    if not bulk_email_allowed(request):
        context["rate_limited"] = True
        return render(request, "liaisons/review/bulk_email.html", context, status=RATE_LIMITED)
    if count > limit:
        form.add_error(
            None,
            _("At most %(limit)d applicants at a time: narrow the filters.") % {"limit": limit},
        )
    if form.is_valid():
        try:
            sent = bulk_email(
                applications=recipients.select_related("user"),
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                by=user,
            )
        except TemplateInvalid as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("%(count)d e-mails are on their way.") % {"count": sent},
            )
            return redirect(reverse("liaisons:review_queue") + "?" + request.GET.urlencode())
    return render(request, "liaisons/review/bulk_email.html", context)
