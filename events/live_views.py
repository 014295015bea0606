"""Comms staff pages for a chat while it runs and after: the live page (new posts,
counters, posts per minute, capture health, moderation), imports and the question
tracker (/staff/chats/<pk>/live/, /import/, /tracker/).

Every view is guarded by ``role_required(Role.COMMS_STAFF)`` and reaches posts,
sources, questions and imports only through the ``get_*_for_staff`` accessors (404 for
another chat's rows). Writes go through ``events.services.{moderation,questions,
imports,capture}``. Every action is a plain form POST that works without JavaScript
(redirect back with a message); with htmx the changed part is swapped in place and a
status region announces what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from accounts.roles import Role, role_required
from events import live_selectors as live
from events.exceptions import DomainError
from events.forms_imports import HideForm, ImportForm, QuickStatusForm, TrackedQuestionForm
from events.models import Chat, ImportStatus, Post, QuestionStatus
from events.services.capture import resume_capture_source
from events.services.imports import ImportRefused, Upload, start_import
from events.services.moderation import hide_post, set_post_highlighted, unhide_post
from events.services.questions import (
    TrackerError,
    mark_not_question,
    mark_question,
    update_tracked_question,
)

comms_only = role_required(Role.COMMS_STAFF)
UNANSWERED_ON_LIVE_PAGE = 10

# The tracker's tabs: (query value, statuses, label).
TRACKER_TABS: list[tuple[str, tuple[str, ...]]] = [
    ("open", (QuestionStatus.OPEN,)),
    ("follow_up", (QuestionStatus.FOLLOW_UP, QuestionStatus.ROUTED_311)),
    ("answered", (QuestionStatus.ANSWERED,)),
    ("dismissed", (QuestionStatus.DISMISSED,)),
    ("all", ()),
]


def htmx_reload_when_signed_out(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An htmx poll after the session ended would swap the login page into the live
    page; tell htmx to reload the whole page instead (which then goes to the login)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "htmx", False) and not request.user.is_authenticated:
            return HttpResponse(status=204, headers={"HX-Refresh": "true"})
        return view(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # role_required admits signed-in users only


def _chat(pk: int) -> Chat:
    return get_object_or_404(Chat.objects.select_related("topic"), pk=pk)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- the live page ----------------------------------------------------------------------


def _stats_context(chat: Chat) -> dict[str, Any]:
    return {
        "chat": chat,
        "counters": live.chat_counters(chat_id=chat.pk),
        "chart": live.posts_per_minute(chat=chat),
        "sources": live.source_health(chat_id=chat.pk),
        "unanswered": live.unanswered_questions(chat_id=chat.pk, limit=UNANSWERED_ON_LIVE_PAGE),
        "poll": live.live_poll_settings(),
    }


@htmx_reload_when_signed_out
@comms_only
@require_safe
def chat_live(request: HttpRequest, pk: int) -> HttpResponse:
    chat = _chat(pk)
    posts = live.latest_posts(chat_id=chat.pk)
    return render(
        request,
        "events/staff/live.html",
        {
            **_stats_context(chat),
            "posts": posts,
            "after": posts[0].pk if posts else 0,
        },
    )


@htmx_reload_when_signed_out
@comms_only
@require_safe
def chat_live_posts(request: HttpRequest, pk: int) -> HttpResponse:
    """The posts stored since ``?after=<post id>``, newest first, with the poller that
    asks for the next ones; 204 (nothing to swap) when there are none."""
    try:
        after = int(request.GET.get("after", ""))
    except ValueError:
        return HttpResponseBadRequest(_("“after” must be a post id."))
    if after < 0:
        return HttpResponseBadRequest(_("“after” must be a post id."))
    chat = get_object_or_404(Chat.objects.only("pk"), pk=pk)
    posts = live.posts_after(chat_id=chat.pk, after=after)
    if not posts:
        return HttpResponse(status=204)
    response = render(
        request,
        "events/staff/live_posts.html",
        {
            "chat": chat,
            "posts": list(reversed(posts)),
            "after": posts[-1].pk,
            "poll": live.live_poll_settings(),
        },
    )
    # The side panel (#live-stats) listens for this and refreshes its counters at once.
    response["HX-Trigger"] = "live-posts-added"
    return response


@htmx_reload_when_signed_out
@comms_only
@require_safe
def chat_live_stats(request: HttpRequest, pk: int) -> HttpResponse:
    """Counters, posts per minute, capture health and unanswered questions (a partial)."""
    return render(request, "events/staff/live_stats.html", _stats_context(_chat(pk)))


def _post_done(request: HttpRequest, chat: Chat, post: Post, message: str) -> HttpResponse:
    if _is_htmx(request):
        fresh = live.get_post_for_staff(chat_id=chat.pk, post_id=post.pk)
        return render(
            request,
            "events/staff/live_post_swap.html",
            {"chat": chat, "post": fresh, "announcement": message},
        )
    messages.success(request, message)
    return redirect(reverse("staff:chat_live", kwargs={"pk": chat.pk}) + f"#post-{post.pk}")


def _post_refused(request: HttpRequest, chat: Chat, post: Post, message: str) -> HttpResponse:
    if _is_htmx(request):
        fresh = live.get_post_for_staff(chat_id=chat.pk, post_id=post.pk)
        return render(
            request,
            "events/staff/live_post_swap.html",
            {"chat": chat, "post": fresh, "announcement": message, "error": message},
        )
    messages.error(request, message)
    return redirect(reverse("staff:chat_live", kwargs={"pk": chat.pk}) + f"#post-{post.pk}")


@comms_only
@require_http_methods(["GET", "POST"])
def post_hide(request: HttpRequest, pk: int, post_pk: int) -> HttpResponse:
    """GET: a page asking why (the live page also has the form inline). POST: hide."""
    chat = _chat(pk)
    post = live.get_post_for_staff(chat_id=chat.pk, post_id=post_pk)
    form = HideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                hide_post(post_id=post.pk, by=_user(request), reason=form.cleaned_data["reason"])
            except DomainError as error:
                form.add_error("reason", error.message)
            else:
                return _post_done(request, chat, post, _("The post is hidden."))
        if _is_htmx(request):
            errors = [str(error) for error in form.errors.get("reason") or []]
            message = "; ".join(errors) or _("Say why the post is hidden.")
            return _post_refused(request, chat, post, message)
    return render(
        request, "events/staff/live_post_hide.html", {"chat": chat, "post": post, "form": form}
    )


@comms_only
@require_POST
def post_unhide(request: HttpRequest, pk: int, post_pk: int) -> HttpResponse:
    chat = _chat(pk)
    post = live.get_post_for_staff(chat_id=chat.pk, post_id=post_pk)
    unhide_post(post_id=post.pk, by=_user(request))
    return _post_done(request, chat, post, _("The post is shown again."))


@comms_only
@require_POST
def post_highlight(request: HttpRequest, pk: int, post_pk: int) -> HttpResponse:
    """``highlighted=1`` highlights, ``highlighted=0`` removes the highlight."""
    chat = _chat(pk)
    post = live.get_post_for_staff(chat_id=chat.pk, post_id=post_pk)
    on = request.POST.get("highlighted") == "1"
    set_post_highlighted(post_id=post.pk, by=_user(request), highlighted=on)
    message = _("The post is highlighted.") if on else _("The highlight is removed.")
    return _post_done(request, chat, post, message)


@comms_only
@require_POST
def post_question(request: HttpRequest, pk: int, post_pk: int) -> HttpResponse:
    """``question=1``: a resident's question to track; ``question=0``: not a question."""
    chat = _chat(pk)
    post = live.get_post_for_staff(chat_id=chat.pk, post_id=post_pk)
    try:
        if request.POST.get("question") == "1":
            mark_question(post_id=post.pk, by=_user(request))
            message = _("The post is tracked as a question.")
        else:
            mark_not_question(post_id=post.pk, by=_user(request))
            message = _("The post is marked as not a question.")
    except DomainError as error:
        return _post_refused(request, chat, post, error.message)
    return _post_done(request, chat, post, message)


@comms_only
@require_POST
def source_resume(request: HttpRequest, pk: int, source_pk: int) -> HttpResponse:
    """Resume a capture source that needed credentials (or was paused): due now."""
    chat = _chat(pk)
    source = live.get_source_for_staff(chat_id=chat.pk, source_id=source_pk)
    resume_capture_source(source_id=source.pk)
    message = _("Capture from %(source)s resumes with the next poll.") % {
        "source": source.get_platform_display()
    }
    if _is_htmx(request):
        context = {**_stats_context(chat), "announcement": message}
        return render(request, "events/staff/live_stats.html", context)
    messages.success(request, message)
    return redirect("staff:chat_live", pk=chat.pk)


# --- imports --------------------------------------------------------------------------------


@comms_only
@require_http_methods(["GET", "POST"])
def chat_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload an archive; small files are imported at once, large ones in the background.
    Either way the next page is the import's report."""
    chat = _chat(pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            job = start_import(
                chat=chat,
                upload=Upload(uploaded, uploaded.name or "", uploaded.content_type or ""),
                by=_user(request),
                fmt=form.cleaned_data["format"],
            )
        except ImportRefused as refused:
            form.add_error("file", refused.message)
        else:
            if job.status == ImportStatus.QUEUED:
                messages.info(request, _("The file is being imported in the background."))
            return redirect("staff:import_job", pk=chat.pk, job_pk=job.pk)
    return render(
        request,
        "events/staff/import.html",
        {"chat": chat, "form": form, "jobs": live.import_jobs(chat_id=chat.pk)},
    )


@htmx_reload_when_signed_out
@comms_only
@require_safe
def import_job(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    chat = _chat(pk)
    job = live.get_import_job_for_staff(chat_id=chat.pk, job_id=job_pk)
    return render(request, "events/staff/import_job.html", {"chat": chat, "job": job})


@htmx_reload_when_signed_out
@comms_only
@require_safe
def import_progress(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    """The report as it stands (a partial that polls itself while the import runs)."""
    chat = get_object_or_404(Chat.objects.only("pk"), pk=pk)
    job = live.get_import_job_for_staff(chat_id=chat.pk, job_id=job_pk)
    return render(request, "events/staff/import_progress.html", {"chat": chat, "job": job})


# --- the question tracker ---------------------------------------------------------------------


@comms_only
@require_safe
def chat_tracker(request: HttpRequest, pk: int) -> HttpResponse:
    chat = _chat(pk)
    tabs = dict(TRACKER_TABS)
    tab = request.GET.get("status", "open")
    if tab not in tabs:
        tab = "open"
    counts = live.tracked_question_counts(chat_id=chat.pk)
    tab_counts = {
        name: sum(counts.values()) if not statuses else sum(counts[s] for s in statuses)
        for name, statuses in TRACKER_TABS
    }
    return render(
        request,
        "events/staff/questions_tracker.html",
        {
            "chat": chat,
            "tab": tab,
            "tab_counts": tab_counts,
            "questions": list(live.tracked_questions(chat_id=chat.pk, statuses=tabs[tab])),
        },
    )


@comms_only
@require_http_methods(["GET", "POST"])
def tracked_question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    chat = _chat(pk)
    question = live.get_tracked_question_for_staff(chat_id=chat.pk, question_id=question_pk)
    if request.method == "POST":
        form = TrackedQuestionForm(request.POST, chat_id=chat.pk)
    else:
        form = TrackedQuestionForm(
            chat_id=chat.pk,
            initial={
                "status": question.status,
                "answer_post": question.answer_post_id,
                "owner": question.owner_id,
                "owner_team": question.owner_team,
                "service_request_number": question.service_request_number,
                "note": question.note,
            },
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        answer = data["answer_post"]
        try:
            update_tracked_question(
                question_id=question.pk,
                to=data["status"],
                by=_user(request),
                owner=data["owner"],
                owner_team=data["owner_team"],
                service_request_number=data["service_request_number"],
                note=data["note"],
                answer_post_id=answer.pk if answer else None,
            )
        except TrackerError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The question is updated."))
            return redirect("staff:chat_tracker", pk=chat.pk)
    return render(
        request,
        "events/staff/questions_edit.html",
        {"chat": chat, "question": question, "form": form},
    )


@comms_only
@require_POST
def tracked_question_status(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """One-click moves from the lists: answered, not a question, reopen."""
    chat = _chat(pk)
    question = live.get_tracked_question_for_staff(chat_id=chat.pk, question_id=question_pk)
    form = QuickStatusForm(request.POST)
    back = request.POST.get("next") == "live"
    target = "staff:chat_live" if back else "staff:chat_tracker"
    if not form.is_valid():
        messages.error(request, _("Choose what happened to the question."))
        return redirect(target, pk=chat.pk)
    try:
        update_tracked_question(
            question_id=question.pk, to=form.cleaned_data["to"], by=_user(request)
        )
    except TrackerError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The question is now “%(status)s”.")
            % {"status": QuestionStatus(form.cleaned_data["to"]).label},
        )
    return redirect(target, pk=chat.pk)
