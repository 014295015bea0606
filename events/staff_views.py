"""Comms staff pages for chats (/staff/chats/): list, create, edit, and every status move.

Every view is guarded by ``role_required(Role.COMMS_STAFF)`` (superusers pass; staff
without two-factor authentication are sent to set it up) and writes only through
``events.services.chats``. A refused move (InvalidTransition) is shown as an error
message and changes nothing; a ChatValidationError is shown on the form it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from accounts.roles import Role, role_required
from events.exceptions import ChatValidationError, InvalidTransition
from events.forms import (
    ChatEditor,
    ChatFilterForm,
    DuplicateForm,
    ReasonForm,
    RescheduleForm,
    add_service_errors,
    same_week_next_month,
)
from events.models import Chat, ChatStatus
from events.services.chats import (
    ALLOWED_TRANSITIONS,
    REASON_REQUIRED,
    create_chat,
    duplicate_chat,
    reschedule_chat,
    set_questions_published,
    transition_chat,
    update_chat,
)

S = ChatStatus
PAGE_SIZE = 25
comms_only = role_required(Role.COMMS_STAFF)


@dataclass(frozen=True)
class Move:
    """A status change staff can ask for from the chat's page."""

    to: str
    title: str | Promise  # links and the page's title
    button: str | Promise
    explanation: str | Promise
    done: str | Promise  # the success message


MOVES: dict[str, Move] = {
    "schedule": Move(
        S.SCHEDULED,
        gettext_lazy("Schedule"),
        gettext_lazy("Schedule the chat"),
        gettext_lazy(
            "The chat becomes public: it is listed, added to calendars and followers get "
            "their reminders."
        ),
        gettext_lazy("The chat is scheduled."),
    ),
    "unschedule": Move(
        S.DRAFT,
        gettext_lazy("Back to draft"),
        gettext_lazy("Make it a draft again"),
        gettext_lazy(
            "The chat is no longer public until it is scheduled again. Only before any "
            "follower has been reminded of it; after that, postpone or cancel it."
        ),
        gettext_lazy("The chat is a draft again."),
    ),
    "postpone": Move(
        S.POSTPONED,
        gettext_lazy("Postpone"),
        gettext_lazy("Postpone the chat"),
        gettext_lazy(
            "The chat stays listed as postponed until it gets a new time. Followers are "
            "told, with your reason."
        ),
        gettext_lazy("The chat is postponed."),
    ),
    "cancel": Move(
        S.CANCELLED,
        gettext_lazy("Cancel"),
        gettext_lazy("Cancel the chat"),
        gettext_lazy(
            "A cancelled chat cannot be scheduled again (duplicate it instead). Followers "
            "are told, with your reason, and calendars drop it."
        ),
        gettext_lazy("The chat is cancelled."),
    ),
}


def available_moves(chat: Chat) -> list[str]:
    """The MOVES the transition table allows from the chat's status, for buttons.
    A postponed chat goes back to scheduled through reschedule (it needs a new time)."""
    allowed = ALLOWED_TRANSITIONS.get(chat.status, frozenset())
    return [
        name
        for name, move in MOVES.items()
        if move.to in allowed and not (name == "schedule" and chat.status == S.POSTPONED)
    ]


def can_reschedule(chat: Chat) -> bool:
    return chat.status in {S.SCHEDULED, S.POSTPONED}


def chat_actions(chat: Chat) -> list[tuple[str, str | Promise]]:
    """(URL name, label) of the pages that change ``chat``, in the order staff need them."""
    actions: list[tuple[str, str | Promise]] = [
        (f"staff:chat_{name}", MOVES[name].title)
        for name in available_moves(chat)
        if name == "schedule"
    ]
    if can_reschedule(chat):
        actions.append(("staff:chat_reschedule", gettext_lazy("Reschedule")))
    actions += [
        (f"staff:chat_{name}", MOVES[name].title)
        for name in available_moves(chat)
        if name != "schedule"
    ]
    actions.append(("staff:chat_duplicate", gettext_lazy("Duplicate")))
    return actions


def _acting_user(request: HttpRequest) -> User:
    return cast(User, request.user)  # role_required admits signed-in users only


def _chat_or_404(pk: int) -> Chat:
    return get_object_or_404(Chat.objects.select_related("topic"), pk=pk)


def staff_chat_list(*, filters: ChatFilterForm) -> QuerySet[Chat]:
    """Every chat, drafts included, newest start first, with what the list shows.
    (A read for staff only; it can move to events.selectors when the API needs it.)"""
    chats = Chat.objects.select_related("topic").annotate(
        question_count=Count("questions"),
        published_count=Count("questions", filter=Q(questions__published=True)),
    )
    return filters.filter(chats).order_by("-starts_at", "-pk")


# Pages ---------------------------------------------------------------------------------


@comms_only
@require_safe
def chat_list(request: HttpRequest) -> HttpResponse:
    filters = ChatFilterForm(request.GET)
    page = Paginator(staff_chat_list(filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "events/staff/chat_list.html",
        {
            "filters": filters,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "ellipsis": Paginator.ELLIPSIS,
            "rows": [(chat, chat_actions(chat)) for chat in page],
        },
    )


@comms_only
@require_http_methods(["GET", "POST"])
def chat_create(request: HttpRequest) -> HttpResponse:
    editor = ChatEditor(request.POST if request.method == "POST" else None)
    if request.method == "POST" and editor.is_valid():
        schedule = "schedule" in request.POST
        try:
            # One transaction: a chat that cannot be scheduled is not created either.
            with transaction.atomic():
                chat = create_chat(data=editor.chat_data(), by=_acting_user(request))
                if schedule:
                    chat = transition_chat(chat=chat, to=S.SCHEDULED, by=_acting_user(request))
        except ChatValidationError as error:
            editor.add_service_errors(error.errors)
        else:
            messages.success(
                request,
                _("The chat is scheduled.") if schedule else _("The draft is saved."),
            )
            return redirect("staff:chat_detail", pk=chat.pk)
    return render(
        request,
        "events/staff/chat_form.html",
        {"editor": editor, "chat": None, "can_schedule": True},
    )


@comms_only
@require_http_methods(["GET", "POST"])
def chat_edit(request: HttpRequest, pk: int) -> HttpResponse:
    chat = _chat_or_404(pk)
    can_schedule = "schedule" in available_moves(chat)
    editor = ChatEditor(request.POST if request.method == "POST" else None, chat=chat)
    if request.method == "POST" and editor.is_valid():
        schedule = can_schedule and "schedule" in request.POST
        try:
            with transaction.atomic():
                chat = update_chat(chat=chat, data=editor.chat_data(), by=_acting_user(request))
                if schedule:
                    chat = transition_chat(chat=chat, to=S.SCHEDULED, by=_acting_user(request))
        except ChatValidationError as error:
            editor.add_service_errors(error.errors)
        except InvalidTransition as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The chat is scheduled.") if schedule else _("The changes are saved."),
            )
            return redirect("staff:chat_detail", pk=chat.pk)
    return render(
        request,
        "events/staff/chat_form.html",
        {"editor": editor, "chat": chat, "can_schedule": can_schedule},
    )


@comms_only
@require_safe
def chat_detail(request: HttpRequest, pk: int) -> HttpResponse:
    chat = _chat_or_404(pk)
    return render(
        request,
        "events/staff/chat_detail.html",
        {
            "chat": chat,
            "hosts": list(chat.hosts.all()),
            "questions": list(chat.questions.all()),
            "history": list(chat.status_changes.select_related("by").order_by("-at", "-pk")),
            "copies": list(chat.duplicates.order_by("starts_at")),
            "origin": chat.duplicated_from,
            "actions": chat_actions(chat),
        },
    )


@comms_only
@require_http_methods(["GET", "POST"])
def chat_transition(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    """Confirm a status move (with a reason where the table wants one), then make it."""
    chat = _chat_or_404(pk)
    action = MOVES[move]
    if request.method == "GET" and action.to not in ALLOWED_TRANSITIONS.get(chat.status, ()):
        messages.error(request, _refused(chat, action.to))
        return redirect("staff:chat_detail", pk=chat.pk)
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        reason_required=action.to in REASON_REQUIRED,
    )
    if request.method == "POST" and form.is_valid():
        try:
            transition_chat(
                chat=chat,
                to=action.to,
                by=_acting_user(request),
                reason=form.cleaned_data["reason"],
            )
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect("staff:chat_detail", pk=chat.pk)
        except ChatValidationError as error:
            add_service_errors(form, error.errors)
        else:
            messages.success(request, str(action.done))
            return redirect("staff:chat_detail", pk=chat.pk)
    return render(
        request,
        "events/staff/chat_transition.html",
        {
            "chat": chat,
            "move": move,
            "action": action,
            "form": form,
            # Scheduling needs no words; the other moves say why (some must).
            "asks_reason": action.to != S.SCHEDULED,
        },
    )


@comms_only
@require_http_methods(["GET", "POST"])
def chat_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    chat = _chat_or_404(pk)
    if not can_reschedule(chat):
        messages.error(request, _("Only scheduled or postponed chats can be rescheduled."))
        return redirect("staff:chat_detail", pk=chat.pk)
    if request.method == "POST":
        form = RescheduleForm(request.POST, chat=chat)
    else:
        form = RescheduleForm(
            initial={"starts_at": chat.starts_at, "ends_at": chat.ends_at}, chat=chat
        )
    if request.method == "POST" and form.is_valid():
        try:
            reschedule_chat(
                chat=chat,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                by=_acting_user(request),
                reason=form.cleaned_data.get("reason", ""),
            )
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect("staff:chat_detail", pk=chat.pk)
        except ChatValidationError as error:
            # The overlap rule speaks of the hashtag, but here the time is what changes.
            add_service_errors(form, error.errors, field_map={"hashtag": "starts_at"})
        else:
            messages.success(request, _("The chat is rescheduled; followers are told."))
            return redirect("staff:chat_detail", pk=chat.pk)
    return render(request, "events/staff/chat_reschedule.html", {"chat": chat, "form": form})


@comms_only
@require_http_methods(["GET", "POST"])
def chat_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    chat = _chat_or_404(pk)
    if request.method == "POST":
        form = DuplicateForm(request.POST)
    else:
        form = DuplicateForm(initial={"starts_at": same_week_next_month(chat.starts_at)})
    if request.method == "POST" and form.is_valid():
        try:
            copy = duplicate_chat(
                chat=chat, starts_at=form.cleaned_data["starts_at"], by=_acting_user(request)
            )
        except ChatValidationError as error:
            add_service_errors(form, error.errors, field_map={"ends_at": "starts_at"})
        else:
            messages.success(
                request, _("The copy is saved as a draft. Check it, then schedule it.")
            )
            return redirect("staff:chat_edit", pk=copy.pk)
    return render(request, "events/staff/chat_duplicate.html", {"chat": chat, "form": form})


@comms_only
@require_POST
def chat_questions(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish (``published=1``) or withdraw (``published=0``) all announced questions."""
    chat = _chat_or_404(pk)
    published = request.POST.get("published") == "1"
    changed = set_questions_published(chat=chat, published=published, by=_acting_user(request))
    if published:
        messages.success(request, _("Questions published: %(n)d.") % {"n": changed})
    else:
        messages.success(request, _("Questions withdrawn: %(n)d.") % {"n": changed})
    return redirect("staff:chat_detail", pk=chat.pk)


def _refused(chat: Chat, to: str) -> str:
    return _("A chat cannot go from “%(from)s” to “%(to)s”.") % {
        "from": S(chat.status).label,
        "to": S(to).label,
    }
