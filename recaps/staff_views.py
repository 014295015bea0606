"""Editors' pages for recaps (/staff/recaps/): the list, the editor, adding highlights,
the preview, the workflow and the version history.

Every view is guarded by ``role_required(Role.EDITOR)`` (superusers pass; staff without
two-factor authentication are sent to set it up), so no one but editors ever sees a
draft. Every change goes through ``recaps.services`` (editing and workflow), which
records a version for it. A RecapError is shown on the form it came from or as an error
message, and changes nothing. Every page works without JavaScript: each button is a
small POST form that redirects back to the part of the page it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from accounts.roles import Role, role_required
from events.capture_selectors import public_posts
from recaps import selectors
from recaps.exceptions import InvalidRecapTransition, RecapError
from recaps.forms import (
    AddHighlightForm,
    HighlightNoteForm,
    MoveForm,
    NewSectionForm,
    PostSearchForm,
    RecapFilterForm,
    RecapTextForm,
    SectionForm,
)
from recaps.models import Highlight, Recap, RecapSection, RecapStatus
from recaps.services import editing
from recaps.services.workflow import ALLOWED_TRANSITIONS, transition_recap

R = RecapStatus
RECAPS_PER_PAGE = 25
POSTS_PER_PAGE = 20
VERSIONS_PER_PAGE = 25
editors_only = role_required(Role.EDITOR)


@dataclass(frozen=True)
class Move:
    """A workflow step an editor can take from the recap's page."""

    source: str  # the status the button is shown in (two steps lead back to draft)
    to: str
    button: str | Promise
    explanation: str | Promise
    done: str | Promise  # the success message


MOVES: dict[str, Move] = {
    "submit": Move(
        R.DRAFT,
        R.IN_REVIEW,
        gettext_lazy("Submit for review"),
        gettext_lazy("Another editor checks the recap before it is published."),
        gettext_lazy("The recap is submitted for review."),
    ),
    "publish": Move(
        R.IN_REVIEW,
        R.PUBLISHED,
        gettext_lazy("Publish"),
        gettext_lazy(
            "The recap becomes public on the chat's page and in the recaps feed, and the "
            "followers of the chat and its topic are e-mailed."
        ),
        gettext_lazy("The recap is published."),
    ),
    "return": Move(
        R.IN_REVIEW,
        R.DRAFT,
        gettext_lazy("Back to draft"),
        gettext_lazy("The recap goes back to its editors for more work."),
        gettext_lazy("The recap is a draft again."),
    ),
    "unpublish": Move(
        R.PUBLISHED,
        R.DRAFT,
        gettext_lazy("Unpublish"),
        gettext_lazy(
            "The recap leaves the public site and becomes a draft again. Its versions are kept."
        ),
        gettext_lazy("The recap is unpublished: it is a draft again and no longer public."),
    ),
}


def available_moves(recap: Recap) -> list[tuple[str, Move]]:
    """The moves the workflow table allows from the recap's status, for buttons."""
    allowed = ALLOWED_TRANSITIONS.get(recap.status, frozenset())
    return [
        (name, move)
        for name, move in MOVES.items()
        if move.source == recap.status and move.to in allowed
    ]


def _acting_user(request: HttpRequest) -> User:
    return cast(User, request.user)  # role_required admits signed-in users only


def _recap_or_404(pk: int) -> Recap:
    return get_object_or_404(Recap.objects.select_related("chat", "chat__topic"), pk=pk)


def _section_or_404(recap: Recap, section_pk: int) -> RecapSection:
    section = get_object_or_404(RecapSection, pk=section_pk, recap_id=recap.pk)
    section.recap = recap
    return section


def _highlight_or_404(recap: Recap, highlight_pk: int) -> Highlight:
    highlight = get_object_or_404(
        Highlight.objects.select_related("section"), pk=highlight_pk, section__recap_id=recap.pk
    )
    highlight.section.recap = recap
    return highlight


def _editor_url(recap: Recap, anchor: str = "") -> str:
    url = reverse("recaps_staff:recap_edit", kwargs={"pk": recap.pk})
    return f"{url}#{anchor}" if anchor else url


def _back_to(recap: Recap, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(_editor_url(recap, anchor))


def staff_recap_list(*, filters: RecapFilterForm) -> QuerySet[Recap]:
    """Every recap, drafts included, newest chat first, with its chat (one query).
    (A read for editors only; it can move to recaps.selectors when an API needs it.)"""
    recaps = Recap.objects.select_related("chat")
    return filters.filter(recaps).order_by("-chat__starts_at", "-pk")


def editor_sections(recap: Recap) -> list[RecapSection]:
    """The sections in order, each with its highlights and their posts (two queries).
    Unlike the public ``selectors.recap_sections``, highlights of posts hidden or deleted
    since are kept, so editors see them (flagged) and can remove them."""
    highlights = Highlight.objects.select_related("post").order_by("position", "pk")
    return list(
        recap.sections.order_by("position", "pk").prefetch_related(
            Prefetch("highlights", queryset=highlights)
        )
    )


# Pages -----------------------------------------------------------------------------------


@editors_only
@require_safe
def recap_list(request: HttpRequest) -> HttpResponse:
    filters = RecapFilterForm(request.GET)
    page = Paginator(staff_recap_list(filters=filters), RECAPS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "recaps/staff/recap_list.html",
        {
            "filters": filters,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "ellipsis": Paginator.ELLIPSIS,
        },
    )


def _render_editor(
    request: HttpRequest,
    recap: Recap,
    *,
    text_form: RecapTextForm | None = None,
    new_section_form: NewSectionForm | None = None,
    section_forms: dict[int, SectionForm] | None = None,
    note_forms: dict[int, HighlightNoteForm] | None = None,
) -> HttpResponse:
    """The editor page; a form that failed is passed in bound, to show its errors.

    After a move (``?moved=highlight-<pk>-up``) the moved item's button in the same
    direction gets ``autofocus``, so a keyboard user can press Enter again to keep
    moving it."""
    section_forms = section_forms or {}
    note_forms = note_forms or {}
    item, _sep, direction = request.GET.get("moved", "").rpartition("-")
    focus = {item: direction} if direction in MoveForm.OFFSETS else {}
    sections = editor_sections(recap)
    rows = [
        {
            "section": section,
            "focus": focus.get(f"section-{section.pk}"),
            "form": section_forms.get(section.pk) or SectionForm.for_section(section),
            "highlights": [
                {
                    "highlight": highlight,
                    "focus": focus.get(f"highlight-{highlight.pk}"),
                    "form": note_forms.get(highlight.pk)
                    or HighlightNoteForm(
                        initial={"note": highlight.note}, highlight_id=highlight.pk
                    ),
                }
                for highlight in section.highlights.all()
            ],
        }
        for section in sections
    ]
    return render(
        request,
        "recaps/staff/recap_edit.html",
        {
            "recap": recap,
            "chat": recap.chat,
            "rows": rows,
            "text_form": text_form or RecapTextForm.for_recap(recap),
            "new_section_form": new_section_form or NewSectionForm(),
            "moves": available_moves(recap),
            "latest": recap.versions.select_related("created_by").first(),
        },
    )


@editors_only
@require_safe
def recap_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_editor(request, _recap_or_404(pk))


@editors_only
@require_safe
def recap_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Exactly what the public page shows (its template and body include), under a
    banner saying it is a preview; hidden posts are left out as they are there."""
    recap = _recap_or_404(pk)
    slug = recap.chat.slug
    return render(
        request,
        "recaps/staff/recap_preview.html",
        {
            # The same context as recaps.views.recap_detail, body rendered uncached.
            "recap": recap,
            "chat": recap.chat,
            "body": selectors.recap_body_html(recap, preview=True),
            "page_url": settings.CIVICCHAT_SITE_URL + reverse("recaps:recap_detail", args=[slug]),
            "embed_url": settings.CIVICCHAT_SITE_URL + reverse("recaps:recap_embed", args=[slug]),
        },
    )


@editors_only
@require_safe
def recap_history(request: HttpRequest, pk: int) -> HttpResponse:
    recap = _recap_or_404(pk)
    versions = recap.versions.select_related("created_by").order_by("-number")
    page = Paginator(versions, VERSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "recaps/staff/recap_history.html",
        {
            "recap": recap,
            "chat": recap.chat,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "ellipsis": Paginator.ELLIPSIS,
        },
    )


# The recap's text, numbers and status ----------------------------------------------------


@editors_only
@require_POST
def recap_text(request: HttpRequest, pk: int) -> HttpResponse:
    recap = _recap_or_404(pk)
    form = RecapTextForm(request.POST)
    if form.is_valid():
        try:
            editing.update_recap_text(
                recap=recap,
                title=form.cleaned_data["title"],
                intro=form.cleaned_data["intro"],
                by=_acting_user(request),
            )
        except RecapError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The title and introduction are saved."))
            return _back_to(recap, "recap-text")
    return _render_editor(request, recap, text_form=form)


@editors_only
@require_POST
def recap_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    recap = _recap_or_404(pk)
    try:
        editing.refresh_numbers(recap=recap, by=_acting_user(request))
    except RecapError as error:
        messages.error(request, error.message)
        return _back_to(recap)
    messages.success(request, _("The numbers are recounted from the chat's posts."))
    return _back_to(recap, "numbers")


@editors_only
@require_POST
def recap_transition(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    recap = _recap_or_404(pk)
    action = MOVES[move]
    if recap.status != action.source:
        # A page left open while someone else moved the recap: "Back to draft" must not
        # unpublish, so a step only applies from the status its button was shown in.
        messages.error(
            request,
            _(
                "This recap is “%(status)s” now, so “%(action)s” does not apply. "
                "Nothing was changed."
            )
            % {"status": recap.get_status_display(), "action": action.button},
        )
        return _back_to(recap)
    try:
        transition_recap(recap=recap, to=action.to, by=_acting_user(request))
    except InvalidRecapTransition as error:
        messages.error(request, error.message)
    else:
        messages.success(request, str(action.done))
    return _back_to(recap)


@editors_only
@require_POST
def recap_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    recap = _recap_or_404(pk)
    try:
        editing.restore_version(recap=recap, number=number, by=_acting_user(request))
    except RecapError as error:
        messages.error(request, error.message)
        return redirect("recaps_staff:recap_history", pk=recap.pk)
    messages.success(
        request, _("Version %(number)d is restored as a new version.") % {"number": number}
    )
    return _back_to(recap)


# Sections ------------------------------------------------------------------------------


@editors_only
@require_POST
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    recap = _recap_or_404(pk)
    form = NewSectionForm(request.POST)
    if form.is_valid():
        try:
            section = editing.add_section(
                recap=recap, heading=form.cleaned_data["heading"], by=_acting_user(request)
            )
        except RecapError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The section is added at the end."))
            return _back_to(recap, f"section-{section.pk}")
    return _render_editor(request, recap, new_section_form=form)


@editors_only
@require_POST
def section_update(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    recap = _recap_or_404(pk)
    section = _section_or_404(recap, section_pk)
    form = SectionForm(request.POST, section_id=section.pk)
    if form.is_valid():
        try:
            editing.update_section(
                section=section,
                heading=form.cleaned_data["heading"],
                commentary=form.cleaned_data["commentary"],
                by=_acting_user(request),
            )
        except RecapError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The section is saved."))
            return _back_to(recap, f"section-{section.pk}")
    return _render_editor(request, recap, section_forms={section.pk: form})


@editors_only
@require_POST
def section_remove(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    recap = _recap_or_404(pk)
    section = _section_or_404(recap, section_pk)
    try:
        editing.remove_section(section=section, by=_acting_user(request))
    except RecapError as error:
        messages.error(request, error.message)
        return _back_to(recap)
    messages.success(
        request,
        _("The section “%(heading)s” is removed. The version history can bring it back.")
        % {"heading": section.heading},
    )
    return _back_to(recap, "sections")


@editors_only
@require_POST
def section_move(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    recap = _recap_or_404(pk)
    section = _section_or_404(recap, section_pk)
    return _move(
        request,
        recap,
        item=f"section-{section.pk}",
        apply=lambda offset: editing.move_section(
            section=section, offset=offset, by=_acting_user(request)
        ),
        done=_("The section is moved."),
    )


# Highlights ------------------------------------------------------------------------------


@editors_only
@require_POST
def highlight_note(request: HttpRequest, pk: int, highlight_pk: int) -> HttpResponse:
    recap = _recap_or_404(pk)
    highlight = _highlight_or_404(recap, highlight_pk)
    form = HighlightNoteForm(request.POST, highlight_id=highlight.pk)
    if form.is_valid():
        try:
            editing.update_highlight_note(
                highlight=highlight, note=form.cleaned_data["note"], by=_acting_user(request)
            )
        except RecapError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The note is saved."))
            return _back_to(recap, f"highlight-{highlight.pk}")
    return _render_editor(request, recap, note_forms={highlight.pk: form})


@editors_only
@require_POST
def highlight_remove(request: HttpRequest, pk: int, highlight_pk: int) -> HttpResponse:
    recap = _recap_or_404(pk)
    highlight = _highlight_or_404(recap, highlight_pk)
    section_pk = highlight.section_id
    try:
        editing.remove_highlight(highlight=highlight, by=_acting_user(request))
    except RecapError as error:
        messages.error(request, error.message)
        return _back_to(recap)
    messages.success(request, _("The highlight is removed. The version history can bring it back."))
    return _back_to(recap, f"section-{section_pk}")


@editors_only
@require_POST
def highlight_move(request: HttpRequest, pk: int, highlight_pk: int) -> HttpResponse:
    recap = _recap_or_404(pk)
    highlight = _highlight_or_404(recap, highlight_pk)
    return _move(
        request,
        recap,
        item=f"highlight-{highlight.pk}",
        apply=lambda offset: editing.move_highlight(
            highlight=highlight, offset=offset, by=_acting_user(request)
        ),
        done=_("The highlight is moved."),
    )


def _move(
    request: HttpRequest, recap: Recap, *, item: str, apply: Callable[[int], None], done: str
) -> HttpResponse:
    """Move ``item`` up or down (the button's ``direction``), then back to the editor
    with focus on the same button of the moved item (no fragment in the URL: browsers
    skip ``autofocus`` when the URL targets an element)."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to move it up or down."))
        return _back_to(recap)
    try:
        apply(form.offset)
    except RecapError as error:
        messages.error(request, error.message)
        return _back_to(recap)  # the top of the page, where the message is
    messages.success(request, done)
    moved = urlencode({"moved": f"{item}-{form.cleaned_data['direction']}"})
    return HttpResponseRedirect(f"{_editor_url(recap)}?{moved}")


@editors_only
@require_http_methods(["GET", "POST"])
def section_posts(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    """The chat's public posts, searchable and paged, each with an "Add to section" form.
    Hidden posts and posts deleted at the source are never offered."""
    recap = _recap_or_404(pk)
    section = _section_or_404(recap, section_pk)
    posts = public_posts(chat_id=recap.chat_id)
    search = PostSearchForm(request.GET)
    here = request.get_full_path()
    if request.method == "POST":
        form = AddHighlightForm(request.POST, posts=posts)
        if form.is_valid():
            post = form.cleaned_data["post"]
            try:
                editing.add_highlight(
                    section=section,
                    post=post,
                    note=form.cleaned_data["note"],
                    by=_acting_user(request),
                )
            except RecapError as error:
                messages.error(request, error.message)
                return HttpResponseRedirect(here)
            messages.success(
                request,
                _("The post by %(author)s is added to “%(heading)s”.")
                % {"author": post.author_name or post.author_handle, "heading": section.heading},
            )
            return HttpResponseRedirect(f"{here}#post-{post.pk}")
        messages.error(request, "; ".join(str(m) for msgs in form.errors.values() for m in msgs))
        return HttpResponseRedirect(here)
    page = Paginator(search.filter(posts), POSTS_PER_PAGE).get_page(request.GET.get("page"))
    in_section = set(section.highlights.values_list("post_id", flat=True))
    return render(
        request,
        "recaps/staff/section_posts.html",
        {
            "recap": recap,
            "chat": recap.chat,
            "section": section,
            "search": search,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "ellipsis": Paginator.ELLIPSIS,
            "in_section": in_section,
        },
    )
