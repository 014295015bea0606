"""The admin of recaps (editors; comms staff may look).

Writes go through ``recaps.services`` only, so every saved change records a version
like the editor's pages do: the title and introduction through ``update_recap_text``;
sections (inline in the recap, each linking to its own page) through ``add_section``,
``update_section`` and ``remove_section``; highlights (inline in their section) through
``add_highlight``, ``update_highlight_note`` and ``remove_highlight``. The status is
read-only and moves through the actions, which call ``transition_recap`` (publishing
also moves the chat to "recap published" and e-mails its followers).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import construct_change_message
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from core.admin import (
    NoDeleteAdmin,
    ReadOnlyAdmin,
    ServiceErrorsAsMessages,
    export_as_csv,
    run_per_object,
)
from events.exceptions import DomainError
from recaps.exceptions import InvalidRecapTransition
from recaps.models import Highlight, Recap, RecapSection, RecapStatus, RecapVersion
from recaps.services import editing
from recaps.services.workflow import transition_recap

R = RecapStatus


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the admin admits signed-in staff only


def _rows(formset: Any) -> list[Any]:
    """The forms of an inline formset that were filled in (deleted ones included)."""
    return [form for form in formset.forms if form.cleaned_data]


class SectionInline(admin.TabularInline):
    model = RecapSection
    fields = ["position", "heading", "commentary", "highlights_link"]
    readonly_fields = ["position", "highlights_link"]
    extra = 0
    ordering = ["position", "pk"]

    @admin.display(description=gettext_lazy("highlights"))
    def highlights_link(self, section: RecapSection) -> str:
        if not section.pk:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:recaps_recapsection_change", args=[section.pk]),
            _("Edit the highlights"),
        )


@admin.register(Recap)
class RecapAdmin(ServiceErrorsAsMessages, NoDeleteAdmin):
    service_errors = (DomainError,)
    list_display = ["title", "chat", "status", "version", "published_at", "published_by"]
    list_filter = ["status"]
    list_select_related = ["chat", "published_by"]
    search_fields = ["title", "chat__title", "chat__hashtag"]
    date_hierarchy = "chat__starts_at"
    fields = [
        "chat",
        "title",
        "intro",
        "status",
        "version",
        "published_at",
        "published_by",
        "editor_page",
    ]
    readonly_fields = [
        "chat",
        "status",
        "version",
        "published_at",
        "published_by",
        "editor_page",
    ]
    inlines = [SectionInline]
    actions = ["submit_for_review", "publish", "unpublish", export_as_csv]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a recap is drafted when its chat ends (recaps.draft_ended_chats)

    @admin.display(description=gettext_lazy("editor"))
    def editor_page(self, recap: Recap) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("recaps_staff:recap_edit", args=[recap.pk]),
            _("Open in the recap editor"),
        )

    def save_model(self, request: HttpRequest, obj: Recap, form: Any, change: bool) -> None:
        if {"title", "intro"} & set(form.changed_data):
            editing.update_recap_text(
                recap=obj,
                title=form.cleaned_data["title"],
                intro=form.cleaned_data.get("intro") or "",
                by=_user(request),
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        by = _user(request)
        recap: Recap = form.instance
        for row in _rows(formset):
            data, section = row.cleaned_data, row.instance
            if data.get("DELETE"):
                if section.pk:
                    editing.remove_section(section=section, by=by)
            elif section.pk is None:
                section = editing.add_section(recap=recap, heading=data["heading"], by=by)
                if data.get("commentary"):
                    editing.update_section(
                        section=section,
                        heading=data["heading"],
                        commentary=data["commentary"],
                        by=by,
                    )
            elif row.has_changed():
                editing.update_section(
                    section=section,
                    heading=data["heading"],
                    commentary=data.get("commentary") or "",
                    by=by,
                )

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]]:
        # The inline rows were written by the services, not by the formsets.
        return construct_change_message(form, [], add)

    def _move(self, request: HttpRequest, queryset: QuerySet[Recap], to: str, done: Any) -> None:
        def change(recap: Recap) -> None:
            if to == R.DRAFT and recap.status != R.PUBLISHED:
                raise InvalidRecapTransition(_("Only published recaps can be unpublished."))
            transition_recap(recap=recap, to=to, by=_user(request))

        run_per_object(self, request, queryset, change, errors=(DomainError,), done=done)

    @admin.action(description=gettext_lazy("Submit for review"), permissions=["change"])
    def submit_for_review(self, request: HttpRequest, queryset: QuerySet[Recap]) -> None:
        self._move(
            request,
            queryset,
            R.IN_REVIEW,
            lambda n: (
                ngettext(
                    "%(count)d recap submitted for review.",
                    "%(count)d recaps submitted for review.",
                    n,
                )
                % {"count": n}
            ),
        )

    @admin.action(description=gettext_lazy("Publish"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Recap]) -> None:
        self._move(
            request,
            queryset,
            R.PUBLISHED,
            lambda n: (
                ngettext("%(count)d recap published.", "%(count)d recaps published.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=gettext_lazy("Unpublish (back to draft)"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Recap]) -> None:
        self._move(
            request,
            queryset,
            R.DRAFT,
            lambda n: (
                ngettext("%(count)d recap unpublished.", "%(count)d recaps unpublished.", n)
                % {"count": n}
            ),
        )


class HighlightFormSet(BaseInlineFormSet):
    """The rules ``add_highlight`` enforces, checked before anything is saved: only
    visible posts of this recap's chat, each once per section. A highlight's post is
    fixed (remove it and add another)."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        section: RecapSection = self.instance
        chat_id = section.recap.chat_id
        seen: set[int] = set()
        for form in _rows(self):
            data = form.cleaned_data
            post = data.get("post")
            if data.get("DELETE") or post is None:
                continue
            if form.instance.pk and "post" in form.changed_data:
                raise forms.ValidationError(
                    _("To show another post, remove this highlight and add a new one.")
                )
            if not form.instance.pk and (post.chat_id != chat_id or not post.is_public):
                raise forms.ValidationError(_("Only this chat's visible posts can be highlighted."))
            if post.pk in seen:
                raise forms.ValidationError(_("That post is already in this section."))
            seen.add(post.pk)


class HighlightInline(admin.TabularInline):
    model = Highlight
    formset = HighlightFormSet
    fields = ["position", "post", "role", "note"]
    readonly_fields = ["position", "role"]
    autocomplete_fields = ["post"]
    extra = 0
    ordering = ["position", "pk"]


@admin.register(RecapSection)
class RecapSectionAdmin(ServiceErrorsAsMessages, NoDeleteAdmin):
    """A section's page: its heading, commentary and highlights. Sections are added,
    removed and reordered with their recap."""

    service_errors = (DomainError,)
    list_display = ["heading", "recap", "position", "highlight_count"]
    list_select_related = ["recap"]
    search_fields = ["heading", "recap__title"]
    fields = ["recap", "position", "heading", "commentary"]
    readonly_fields = ["recap", "position"]
    inlines = [HighlightInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RecapSection]:
        return super().get_queryset(request).annotate(highlight_total=Count("highlights"))

    @admin.display(description=gettext_lazy("highlights"), ordering="highlight_total")
    def highlight_count(self, section: RecapSection) -> int:
        return getattr(section, "highlight_total", 0)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: RecapSection, form: Any, change: bool) -> None:
        if {"heading", "commentary"} & set(form.changed_data):
            editing.update_section(
                section=obj,
                heading=form.cleaned_data["heading"],
                commentary=form.cleaned_data.get("commentary") or "",
                by=_user(request),
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        by = _user(request)
        section: RecapSection = form.instance
        for row in _rows(formset):
            data, highlight = row.cleaned_data, row.instance
            if data.get("DELETE"):
                if highlight.pk:
                    editing.remove_highlight(highlight=highlight, by=by)
            elif highlight.pk is None:
                editing.add_highlight(
                    section=section, post=data["post"], note=data.get("note") or "", by=by
                )
            elif "note" in row.changed_data:
                editing.update_highlight_note(
                    highlight=highlight, note=data.get("note") or "", by=by
                )

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]]:
        return construct_change_message(form, [], add)


@admin.register(Highlight)
class HighlightAdmin(ReadOnlyAdmin):
    """Edited in their section."""

    list_display = ["section", "post", "position", "role", "note"]
    list_filter = ["role"]
    list_select_related = ["section", "post"]
    search_fields = ["section__heading", "note", "post__text"]


@admin.register(RecapVersion)
class RecapVersionAdmin(ReadOnlyAdmin):
    list_display = ["recap", "number", "status", "summary", "created_by", "created_at"]
    list_filter = ["status"]
    list_select_related = ["recap", "created_by"]
    search_fields = ["recap__title", "summary"]
    date_hierarchy = "created_at"
