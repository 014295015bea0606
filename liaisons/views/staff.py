"""Coordinators' tools: coverage by neighborhood and the e-mail templates."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from liaisons import selectors
from liaisons.exceptions import TemplateInvalid
from liaisons.forms import EmailTextForm
from liaisons.mail_templates import VARIABLES, render_source, sample_context
from liaisons.models import EDITABLE_KINDS, EmailKind, EmailTemplate
from liaisons.services.emails import (
    reset_email_template,
    save_email_template,
    template_for,
)
from liaisons.views._common import acting_user, coordinator_page


@coordinator_page
@require_safe
def coverage(request: HttpRequest) -> HttpResponse:
    """Neighborhoods with no or few active liaisons first, to aim recruiting."""
    target = settings.LIAISONS_COVERAGE_TARGET
    rows = list(selectors.coverage())
    counts = [row.active_liaisons for row in rows]  # type: ignore[attr-defined]
    return render(
        request,
        "liaisons/staff/coverage.html",
        {
            "rows": rows,
            "target": target,
            "uncovered": sum(1 for n in counts if n == 0),
            "thin": sum(1 for n in counts if 0 < n < target),
        },
    )


@coordinator_page
@require_safe
def email_templates(request: HttpRequest) -> HttpResponse:
    edited = {
        (t.kind, t.language): t
        for t in EmailTemplate.objects.select_related("updated_by").order_by("kind")
    }
    rows = [
        (
            EmailKind(kind),
            [(code, name, edited.get((kind, code))) for code, name in settings.LANGUAGES],
        )
        for kind in EDITABLE_KINDS
    ]
    return render(request, "liaisons/staff/email_templates.html", {"rows": rows})


@coordinator_page
@require_http_methods(["GET", "POST"])
def email_template_edit(request: HttpRequest, kind: str, language: str) -> HttpResponse:
    languages = dict(settings.LANGUAGES)
    if kind not in EDITABLE_KINDS or language not in languages:
        raise Http404
    subject, body, row = template_for(kind, language)
    if request.method == "POST" and "reset" in request.POST:
        reset_email_template(kind=kind, language=language)
        messages.success(request, _("The template is back to the built-in text."))
        return redirect("liaisons:email_template_edit", kind=kind, language=language)
    form = EmailTextForm(
        request.POST if request.method == "POST" else None,
        initial={"subject": subject, "body": body},
    )
    if request.method == "POST" and form.is_valid():
        try:
            save_email_template(
                kind=kind,
                language=language,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                by=acting_user(request),
            )
        except TemplateInvalid as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The template is saved."))
            return redirect("liaisons:email_template_edit", kind=kind, language=language)
    preview = None
    if not form.is_bound:  # what the saved (or built-in) text looks like, with samples
        preview = (render_source(subject, sample_context()), render_source(body, sample_context()))
    return render(
        request,
        "liaisons/staff/email_template_form.html",
        {
            "form": form,
            "kind": EmailKind(kind),
            "language": language,
            "language_name": languages[language],
            "edited": row,
            "variables": VARIABLES,
            "preview": preview,
        },
    )
