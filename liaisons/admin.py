"""The admin of the liaison program (liaison coordinators only).

Applications are personal data. Only the Liaison coordinator role has permissions on
these models, so for editors and comms staff these pages answer 403. As on the
coordinators' pages, every look at an application (or at a note or e-mail about one)
writes a "viewed" entry to its audit trail (``liaisons.services.audit.record_view``),
and exporting applications writes an "exported" entry for each.

Nothing the applicant wrote is editable here. Decisions go through
``decide_application`` (approve, waitlist, reject, start review), the reviewer through
``assign_reviewer``, notes through ``add_note``, sessions through
``create_session``/``update_session``, e-mail templates through
``save_email_template``/``reset_email_template``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.options import get_content_type_for_model
from django.contrib.admin.utils import construct_change_message, unquote
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from core.admin import (
    NoDeleteAdmin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceErrorsAsMessages,
    export_as_csv,
    run_per_object,
)
from liaisons.exceptions import LiaisonError, SessionInvalid, TemplateInvalid
from liaisons.mail_templates import validate_source
from liaisons.models import (
    EDITABLE_KINDS,
    Application,
    ApplicationNote,
    ApplicationStatus,
    AuditAction,
    AuditEntry,
    EmailTemplate,
    LiaisonEmail,
    RegistrationStatus,
    TrainingRegistration,
    TrainingSession,
)
from liaisons.services import audit
from liaisons.services.applications import add_note, assign_reviewer, decide_application
from liaisons.services.emails import reset_email_template, save_email_template
from liaisons.services.training import (
    SessionData,
    create_session,
    update_session,
    validate_session,
)

S = ApplicationStatus


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the admin admits signed-in staff only


class AuditedViewMixin:
    """Write "viewed" to the application's audit trail whenever its page (or the page
    of a row about it) is shown, exactly like the coordinators' pages do."""

    def application_of(self, obj: Any) -> Application:
        raise NotImplementedError

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        model_admin = cast(admin.ModelAdmin, self)
        if request.method in ("GET", "HEAD"):
            obj = model_admin.get_object(request, unquote(object_id))
            if obj is not None and model_admin.has_view_or_change_permission(request, obj):
                audit.record_view(application=self.application_of(obj), viewer=_user(request))
        return super().change_view(  # type: ignore[misc]
            request, object_id, form_url, extra_context
        )


# Applications -------------------------------------------------------------------------------


class NoteInline(admin.TabularInline):
    """Internal notes: the existing ones as they are, new ones through ``add_note``."""

    model = ApplicationNote
    fields = ["body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a note, once written, stays as written


class AuditInline(ReadOnlyInline):
    model = AuditEntry
    fields = ("at", "actor", "action", "from_status", "to_status", "detail")
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = gettext_lazy("audit trail")


class RegistrationInline(ReadOnlyInline):
    model = TrainingRegistration
    fk_name = "application"
    fields = ("session", "status", "queued_at", "attendance_marked_at")
    readonly_fields = fields


class EmailInline(ReadOnlyInline):
    model = LiaisonEmail
    fields = ("kind", "subject", "status", "attempts", "sent_at", "created_at")
    readonly_fields = fields
    show_change_link = False


_APPLICATION_FIELDS = (
    "applicant_email",
    "display_name",
    "neighborhood",
    "zip_code",
    "language_list",
    "availability_list",
    "organisations",
    "motivation",
    "phone",
    "consent_privacy",
    "consent_contact",
    "consent_directory",
    "status",
    "reviewer",
    "status_changed_at",
    "submitted_at",
    "decided_at",
    "activated_at",
    "anonymised_at",
    "review_page",
)


@admin.register(Application)
class ApplicationAdmin(AuditedViewMixin, ServiceErrorsAsMessages, NoDeleteAdmin):
    service_errors = (LiaisonError,)
    list_display = [
        "id",
        "display_name",
        "neighborhood",
        "status",
        "submitted_at",
        "reviewer",
        "decided_at",
    ]
    list_display_links = ["id", "display_name"]
    list_filter = ["status", "neighborhood"]
    list_select_related = ["neighborhood", "reviewer", "user"]
    search_fields = ["display_name", "user__email", "zip_code"]
    date_hierarchy = "submitted_at"
    fields = _APPLICATION_FIELDS
    readonly_fields = _APPLICATION_FIELDS
    inlines = [NoteInline, AuditInline, RegistrationInline, EmailInline]
    actions = [
        "start_review",
        "approve",
        "waitlist",
        "reject",
        "assign_to_me",
        "export_applications",
    ]

    def application_of(self, obj: Application) -> Application:
        return obj

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        # Drafts are the applicant's until they submit them (as on the review pages).
        return super().get_queryset(request).exclude(status=S.DRAFT)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # residents apply on the program's pages

    @admin.display(description=gettext_lazy("e-mail address"))
    def applicant_email(self, application: Application) -> str:
        return application.user.email if application.user else "-"

    @admin.display(description=gettext_lazy("languages spoken"))
    def language_list(self, application: Application) -> str:
        return ", ".join(application.language_labels())

    @admin.display(description=gettext_lazy("availability"))
    def availability_list(self, application: Application) -> str:
        return ", ".join(application.availability_labels())

    @admin.display(description=gettext_lazy("review page"))
    def review_page(self, application: Application) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("liaisons:review_detail", args=[application.pk]),
            _("Open on the review pages"),
        )

    def save_model(self, request: HttpRequest, obj: Application, form: Any, change: bool) -> None:
        """Nothing: every field of an application is read-only here."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not ApplicationNote:
            return
        for row in formset.forms:
            body = (row.cleaned_data or {}).get("body", "")
            if row.instance.pk is None and body.strip():
                add_note(application=form.instance, body=body, by=_user(request))

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]]:
        return construct_change_message(form, [], add)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> LogEntry:
        """The admin's log entry names the application by number only: the log keeps
        the object's text past anonymisation, and that text is the applicant's name."""
        return LogEntry.objects.create(
            user_id=_user(request).pk,
            content_type=get_content_type_for_model(obj),
            object_id=str(obj.pk),
            object_repr=f"#{obj.pk}",
            action_flag=CHANGE,
            change_message=json.dumps(message) if isinstance(message, list) else message,
        )

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[Application],
        decision: str,
        done: Callable[[int], str],
    ) -> None:
        run_per_object(
            self,
            request,
            queryset,
            lambda application: decide_application(
                application=application, decision=decision, by=_user(request)
            ),
            errors=(LiaisonError,),
            done=done,
        )

    @admin.action(description=gettext_lazy("Start the review"), permissions=["change"])
    def start_review(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        self._decide(
            request,
            queryset,
            "review",
            lambda n: (
                ngettext(
                    "%(count)d application is in review.",
                    "%(count)d applications are in review.",
                    n,
                )
                % {"count": n}
            ),
        )

    @admin.action(description=gettext_lazy("Approve"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        self._decide(
            request,
            queryset,
            "approve",
            lambda n: (
                ngettext("%(count)d application approved.", "%(count)d applications approved.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=gettext_lazy("Put on the waitlist"), permissions=["change"])
    def waitlist(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        self._decide(
            request,
            queryset,
            "waitlist",
            lambda n: (
                ngettext(
                    "%(count)d application waitlisted.", "%(count)d applications waitlisted.", n
                )
                % {"count": n}
            ),
        )

    @admin.action(description=gettext_lazy("Do not select"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        self._decide(
            request,
            queryset,
            "reject",
            lambda n: (
                ngettext(
                    "%(count)d application not selected.", "%(count)d applications not selected.", n
                )
                % {"count": n}
            ),
        )

    @admin.action(description=gettext_lazy("Assign to me"), permissions=["change"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        run_per_object(
            self,
            request,
            queryset,
            lambda application: assign_reviewer(
                application=application, reviewer=_user(request), by=_user(request)
            ),
            errors=(LiaisonError,),
            done=lambda n: (
                ngettext(
                    "%(count)d application assigned to you.",
                    "%(count)d applications assigned to you.",
                    n,
                )
                % {"count": n}
            ),
        )

    @admin.action(description=gettext_lazy("Export selected as CSV"), permissions=["view"])
    def export_applications(
        self, request: HttpRequest, queryset: QuerySet[Application]
    ) -> StreamingHttpResponse:
        """The generic CSV export, after an "exported" audit entry for each row."""
        for application in queryset:
            audit.record(
                application=application,
                actor=_user(request),
                action=AuditAction.EXPORTED,
                detail="admin CSV",
            )
        return export_as_csv(self, request, queryset)


@admin.register(ApplicationNote)
class ApplicationNoteAdmin(AuditedViewMixin, ReadOnlyAdmin):
    """Written with their application."""

    list_display = ["application", "author", "created_at"]
    list_select_related = ["application", "author"]
    search_fields = ["body"]
    date_hierarchy = "created_at"
    actions: list[Any] = []  # the notes of many people are not exported in bulk

    def application_of(self, obj: ApplicationNote) -> Application:
        return obj.application


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "application", "actor", "action", "from_status", "to_status"]
    list_filter = ["action", "to_status"]
    list_select_related = ["application", "actor"]
    search_fields = ["detail", "actor__email"]
    date_hierarchy = "at"


@admin.register(LiaisonEmail)
class LiaisonEmailAdmin(AuditedViewMixin, ReadOnlyAdmin):
    list_display = ["application", "kind", "status", "attempts", "sent_at", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["application"]
    search_fields = ["subject"]
    date_hierarchy = "created_at"

    def application_of(self, obj: LiaisonEmail) -> Application:
        return obj.application


# Training -----------------------------------------------------------------------------------


class SessionAdminForm(forms.ModelForm):
    online_url = forms.URLField(
        label=gettext_lazy("online link"), required=False, assume_scheme="https"
    )

    class Meta:
        model = TrainingSession
        fields = [
            "title",
            "description",
            "starts_at",
            "ends_at",
            "location",
            "online_url",
            "capacity",
        ]

    def session_data(self) -> SessionData:
        data = self.cleaned_data
        return SessionData(
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            capacity=data["capacity"],
            location=data.get("location") or "",
            online_url=data.get("online_url") or "",
            description=data.get("description") or "",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        needed = ["title", "starts_at", "ends_at", "capacity"]
        if any(cleaned.get(name) in (None, "") for name in needed):
            return cleaned
        try:
            validate_session(self.session_data())
        except SessionInvalid as error:
            for name, messages in error.errors.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned


class SessionRegistrationInline(ReadOnlyInline):
    model = TrainingRegistration
    fields = ("application", "status", "queued_at", "attendance_marked_at")
    readonly_fields = fields


@admin.register(TrainingSession)
class TrainingSessionAdmin(ServiceErrorsAsMessages, NoDeleteAdmin):
    form = SessionAdminForm
    service_errors = (LiaisonError,)
    list_display = ["title", "starts_at", "ends_at", "location", "capacity", "registered"]
    search_fields = ["title", "location"]
    date_hierarchy = "starts_at"
    readonly_fields = [
        "sequence",
        "created_by",
        "created_at",
        "cancelled_at",
        "cancelled_by",
        "cancel_reason",
    ]
    inlines = [SessionRegistrationInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TrainingSession]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                registered_total=Count(
                    "registrations",
                    filter=Q(registrations__status=RegistrationStatus.REGISTERED),
                )
            )
        )

    @admin.display(description=gettext_lazy("registered"), ordering="registered_total")
    def registered(self, session: TrainingSession) -> int:
        return getattr(session, "registered_total", 0)

    def save_model(
        self, request: HttpRequest, obj: TrainingSession, form: Any, change: bool
    ) -> None:
        data = form.session_data()
        if change:
            update_session(session=obj, data=data, by=_user(request))
        else:
            obj.pk = create_session(data=data, by=_user(request)).pk


@admin.register(TrainingRegistration)
class TrainingRegistrationAdmin(ReadOnlyAdmin):
    list_display = ["application", "session", "status", "queued_at", "attendance_marked_at"]
    list_filter = ["status", "session"]
    list_select_related = ["application", "session"]
    date_hierarchy = "queued_at"


# E-mail templates ---------------------------------------------------------------------------


class EmailTemplateAdminForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("e-mail"),
        choices=[(kind.value, kind.label) for kind in EDITABLE_KINDS],
    )

    class Meta:
        model = EmailTemplate
        fields = ["kind", "language", "subject", "body"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("subject", "body"):
            if cleaned.get(name):
                try:
                    validate_source(cleaned[name])
                except TemplateInvalid as error:
                    self.add_error(name, error.message)
        return cleaned


@admin.register(EmailTemplate)
class EmailTemplateAdmin(ServiceErrorsAsMessages, admin.ModelAdmin):
    """Staff's versions of the decision e-mails; deleting one goes back to the
    built-in text."""

    form = EmailTemplateAdminForm
    service_errors = (LiaisonError,)
    list_display = ["kind", "language", "subject", "updated_by", "updated_at"]
    list_filter = ["kind", "language"]
    search_fields = ["subject", "body"]
    actions = [export_as_csv]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["kind", "language", "updated_by"] if obj is not None else ["updated_by"]

    def save_model(self, request: HttpRequest, obj: EmailTemplate, form: Any, change: bool) -> None:
        row = save_email_template(
            kind=obj.kind,
            language=obj.language,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            by=_user(request),
        )
        obj.pk = row.pk

    def delete_model(self, request: HttpRequest, obj: EmailTemplate) -> None:
        reset_email_template(kind=obj.kind, language=obj.language)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[EmailTemplate]) -> None:
        for row in queryset:
            reset_email_template(kind=row.kind, language=row.language)
