"""Public pages of chats and topics, calendars, following and unsubscribing."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from core.cache import cached_per_version
from core.selectors import get_city
from events import selectors
from events.calendar import build_calendar
from events.models import Chat, ChatStatus, Topic
from events.services import notifications

CHATS_PER_PAGE = 10


@require_safe
def chat_list(request: HttpRequest) -> HttpResponse:
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    topics = list(selectors.active_topics())
    topic = next((t for t in topics if t.slug == request.GET.get("topic")), None)
    chats = (
        selectors.past_chats(topic=topic)
        if when == "past"
        else selectors.upcoming_chats(topic=topic)
    )
    page = Paginator(chats, CHATS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "events/chat_list.html",
        {"page": page, "when": when, "topics": topics, "topic": topic},
    )


@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = selectors.get_active_topic(slug=slug)
    followed_topics, _chats = selectors.follows_of(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "events/topic_detail.html",
        {
            "topic": topic,
            "upcoming": list(selectors.upcoming_chats(topic=topic)[:20]),
            "past": list(selectors.past_chats(topic=topic)[:10]),
            "following": topic.pk in followed_topics,
        },
    )


@require_safe
def chat_detail(request: HttpRequest, slug: str) -> HttpResponse:
    chat = selectors.get_public_chat(slug=slug)
    followed_topics, followed_chats = selectors.follows_of(request.user)  # type: ignore[arg-type]
    hosts_by_platform: dict[str, list] = {}
    for host in chat.hosts.all():
        hosts_by_platform.setdefault(host.platform, []).append(host)
    return render(
        request,
        "events/chat_detail.html",
        {
            "chat": chat,
            "hosts_by_platform": hosts_by_platform,
            "following_chat": chat.pk in followed_chats,
            "following_topic": chat.topic_id in followed_topics,
            "is_live": chat.status == ChatStatus.LIVE,
        },
    )


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# Calendar files are built once per version of the public pages (core.cache: every change
# to a chat or topic makes a new one), whoever asks: calendar clients poll them often.


@require_safe
def calendar_all(request: HttpRequest) -> HttpResponse:
    def build() -> bytes:
        city = get_city()
        name = _("%(city)s public chats") % {"city": city.name} if city else _("Public chats")
        return build_calendar(selectors.calendar_chats(), name=name)

    return _calendar_response(cached_per_version("calendar", build), "civicchat.ics")


@require_safe
def calendar_topic(request: HttpRequest, slug: str) -> HttpResponse:
    def build() -> bytes:  # Http404 for an unknown topic, which is never stored
        topic = selectors.get_active_topic(slug=slug)
        return build_calendar(selectors.calendar_chats(topic=topic), name=topic.name)

    return _calendar_response(cached_per_version(f"calendar:topic:{slug}", build), f"{slug}.ics")


@require_safe
def calendar_chat(request: HttpRequest, slug: str) -> HttpResponse:
    def build() -> bytes:
        chat = selectors.get_public_chat(slug=slug)
        return build_calendar([chat], name=chat.title)

    return _calendar_response(cached_per_version(f"calendar:chat:{slug}", build), f"{slug}.ics")


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(fallback)


@login_required
@require_POST
def follow_topic(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug, active=True)
    user = cast(User, request.user)
    if request.POST.get("action") == "unfollow":
        notifications.unfollow(user=user, topic=topic)
        messages.success(request, _("You no longer follow %(topic)s.") % {"topic": topic.name})
    else:
        notifications.follow_topic(user=user, topic=topic)
        messages.success(
            request,
            _("You follow %(topic)s: we will e-mail you before each of its chats.")
            % {"topic": topic.name},
        )
    return _back(request, topic_url(topic))


@login_required
@require_POST
def follow_chat(request: HttpRequest, slug: str) -> HttpResponse:
    chat = selectors.get_public_chat(slug=slug)
    user = cast(User, request.user)
    if request.POST.get("action") == "unfollow":
        notifications.unfollow(user=user, chat=chat)
        messages.success(request, _("You no longer follow this chat."))
    else:
        notifications.follow_chat(user=user, chat=chat)
        messages.success(request, _("You follow this chat: we will e-mail you before it starts."))
    return _back(request, chat_page_url(chat))


# The token is the credential (RFC 8058 one-click: mail providers POST without a
# session or CSRF token), so CSRF protection adds nothing here.
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button (link scanners must not unsubscribe people); POST does it."""
    found = notifications.read_unsubscribe_token(token)
    if found is None:
        return render(request, "events/unsubscribe.html", {"invalid": True}, status=400)
    user, chat = found
    if request.method == "POST":
        notifications.unsubscribe(user=user, chat=chat)
        return render(request, "events/unsubscribe.html", {"done": True, "chat": chat})
    return render(request, "events/unsubscribe.html", {"chat": chat, "token": token})


def topic_url(topic: Topic) -> str:
    return reverse("events:topic_detail", args=[topic.slug])


def chat_page_url(chat: Chat) -> str:
    return reverse("events:chat_detail", args=[chat.slug])
