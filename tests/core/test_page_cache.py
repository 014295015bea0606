"""The page cache (core/cache.py): who gets a stored page, what is stored, and when a
stored page goes."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path
from django.utils import timezone

from core import cache as page_cache_module
from core.cache import PublicPageCacheMiddleware
from events.models import Chat, ChatStatus
from events.services.chats import chat_data_from, transition_chat, update_chat
from events.services.moderation import hide_post
from events.services.topics import save_topic
from tests.core.test_pages import texts_by_class
from tests.factories import (
    ChatFactory,
    CityFactory,
    HighlightFactory,
    RecapFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PUBLIC_PATHS = [
    "/",
    "/chats/",
    "/chats/potholes/",
    "/topics/streets/",
    "/calendar.ics",
    "/chats/feed/",
    "/api/v1/chats/",
]


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.CIVICCHAT_PAGE_CACHE_SECONDS = 60
    page_cache_module.LOCAL.clear()  # this process's copies; conftest empties the cache
    yield
    page_cache_module.LOCAL.clear()


@pytest.fixture
def chat(db):
    CityFactory()
    topic = TopicFactory(name="Streets", slug="streets")
    return ChatFactory(topic=topic, title="Potholes on Broad Street", slug="potholes")


def _lang(response: HttpResponse) -> str:
    return re.search(r'<html lang="([^"]+)">', response.content.decode())[1]  # type: ignore[index]


def _nav(response: HttpResponse) -> list[str]:
    return texts_by_class(response.content.decode(), "usa-nav__primary-item")


# Who gets a stored page ----------------------------------------------------------------------


@pytest.mark.parametrize("url", PUBLIC_PATHS)
def test_visitor_gets_the_stored_page_without_the_view_running(
    client, chat, url, django_assert_num_queries
):
    first = client.get(url)

    # Served before any other middleware runs: no session, no view, no query.
    with django_assert_num_queries(0):
        second = client.get(url)

    assert (first.status_code, first.cookies) == (200, {})
    assert (second.status_code, second.content) == (200, first.content)


@pytest.mark.parametrize("url", ["/", "/chats/potholes/", "/chats/ended/recap/embed/"])
def test_stored_page_has_the_same_headers_security_ones_included(client, chat, url):
    recap_chat = ChatFactory(slug="ended", status=ChatStatus.RECAP_PUBLISHED)
    RecapFactory(chat=recap_chat, status="published", published_at=timezone.now())

    rendered = client.get(url)
    stored = client.get(url)

    assert dict(stored.items()) == dict(rendered.items())
    expected_ancestors = "*" if "embed" in url else "'none'"
    assert f"frame-ancestors {expected_ancestors}" in stored["Content-Security-Policy"]
    assert stored["Permissions-Policy"] == rendered["Permissions-Policy"] != ""


def test_signed_in_user_never_gets_a_stored_page(client, chat):
    Client().get("/chats/potholes/")  # stored for visitors
    client.force_login(UserFactory())

    signed_in = client.get("/chats/potholes/")

    assert _nav(signed_in) == ["Home", "Chats", "Liaisons", "Profile", "Sign out"]


def test_signed_in_user_does_not_store_a_page_for_visitors(client, chat):
    client.force_login(UserFactory())
    client.get("/chats/potholes/")

    visitor = Client().get("/chats/potholes/")

    assert _nav(visitor) == ["Home", "Chats", "Liaisons", "Sign in", "Sign up"]


@pytest.mark.parametrize(
    ("cookies", "headers"),
    [
        ({"messages": "a-pending-message"}, {}),  # shown by the next page that renders
        ({"someone-elses": "1"}, {}),
        ({}, {"HTTP_AUTHORIZATION": "Token abc"}),  # API token: the API decides
        ({}, {"HTTP_HX_REQUEST": "true"}),
    ],
)
def test_requests_that_might_see_another_page_are_never_served_from_the_cache(
    client, chat, cookies, headers, django_assert_num_queries
):
    Client().get("/chats/potholes/")  # stored for visitors
    for name, value in cookies.items():
        client.cookies[name] = value

    # The view runs: the chat with its topic, then its hosts and published questions.
    with django_assert_num_queries(3):
        response = client.get("/chats/potholes/", **headers)

    assert response.status_code == 200


def test_language_variants_are_stored_apart(client, chat):
    by_cookie = Client()
    by_cookie.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    responses = [
        client.get("/", HTTP_ACCEPT_LANGUAGE="en"),
        client.get("/", HTTP_ACCEPT_LANGUAGE="es"),
        by_cookie.get("/"),
        client.get("/", HTTP_ACCEPT_LANGUAGE="en"),
        client.get("/", HTTP_ACCEPT_LANGUAGE="es"),
    ]

    assert [_lang(r) for r in responses] == ["en", "es", "es", "en", "es"]
    assert responses[4].content == responses[1].content


def test_visitors_pages_carry_no_csrf_token_or_cookie_but_signed_in_pages_do(client, chat):
    visitor = client.get("/chats/potholes/")
    client.force_login(UserFactory())
    signed_in = client.get("/chats/potholes/")

    assert (visitor.cookies, "X-CSRFToken" in visitor.content.decode()) == ({}, False)
    assert "csrfmiddlewaretoken" not in visitor.content.decode()
    assert list(signed_in.cookies) == [settings.CSRF_COOKIE_NAME]
    assert "X-CSRFToken" in signed_in.content.decode()


# When a stored page goes ----------------------------------------------------------------------


def test_a_chat_changed_through_its_service_is_shown_at_once(
    client, chat, django_capture_on_commit_callbacks
):
    before = client.get("/chats/potholes/")

    with django_capture_on_commit_callbacks(execute=True):
        transition_chat(chat=chat, to=ChatStatus.LIVE, by=None)
    after = client.get("/chats/potholes/")

    assert texts_by_class(before.content.decode(), "usa-alert__heading") == []
    assert texts_by_class(after.content.decode(), "usa-alert__heading") == ["Live now"]


def test_a_topic_changed_through_its_service_is_shown_at_once_on_every_page(
    client, chat, django_capture_on_commit_callbacks
):
    before = [client.get(url).content.decode() for url in ("/topics/streets/", "/chats/")]

    with django_capture_on_commit_callbacks(execute=True):
        save_topic(
            slug="streets",
            name="Streets and sidewalks",
            description="Paving, potholes, curb ramps.",
            default_hashtag="#PhillyStreets",
            owning_team="Streets",
        )
    after = [client.get(url).content.decode() for url in ("/topics/streets/", "/chats/")]

    assert ["Streets and sidewalks" in html for html in before + after] == [
        False,
        False,
        True,
        True,
    ]


def test_a_hidden_post_leaves_the_stored_recap_page_at_once(
    client, django_capture_on_commit_callbacks
):
    CityFactory()
    recap = RecapFactory(
        chat=ChatFactory(slug="ended", status=ChatStatus.RECAP_PUBLISHED),
        status="published",
        published_at=timezone.now(),
    )
    highlight = HighlightFactory(section__recap=recap, post__text="Fill the pothole on 5th")
    before = client.get("/chats/ended/recap/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        hide_post(post_id=highlight.post_id, by=UserFactory(), reason="Personal data")
    after = client.get("/chats/ended/recap/").content.decode()

    assert ("Fill the pothole on 5th" in before, "Fill the pothole on 5th" in after) == (
        True,
        False,
    )


def test_nothing_changes_before_the_transaction_commits(client, chat):
    client.get("/chats/potholes/")

    # pytest-django's transaction never commits here: the bump stays queued.
    transition_chat(chat=chat, to=ChatStatus.LIVE, by=None)
    response = client.get("/chats/potholes/")

    assert texts_by_class(response.content.decode(), "usa-alert__heading") == []


def test_a_page_whose_time_is_up_is_rendered_again(client, chat, monkeypatch):
    client.get("/chats/")
    ChatFactory(topic=chat.topic, title="Curb ramps")  # no service: only time tells
    stale = client.get("/chats/")
    later = page_cache_module.time.time() + 61
    monkeypatch.setattr(page_cache_module.time, "time", lambda: later)

    fresh = client.get("/chats/")

    assert ("Curb ramps" in stale.content.decode(), "Curb ramps" in fresh.content.decode()) == (
        False,
        True,
    )


def test_calendar_file_is_built_once_per_version_even_for_signed_in_users(
    client, chat, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory())
    first = client.get("/calendar.ics")

    # The session and its user; the calendar itself comes from the cache.
    with django_assert_num_queries(2):
        second = client.get("/calendar.ics")
    data = chat_data_from(chat)
    data.title = "Potholes and sinkholes"
    with django_capture_on_commit_callbacks(execute=True):
        update_chat(chat=chat, data=data, by=None)
    third = client.get("/calendar.ics")

    assert second.content == first.content
    assert [b"SUMMARY:Potholes and sinkholes" in r.content for r in (first, third)] == [
        False,
        True,
    ]


# What is stored (a view of this module under a cached URL name) ---------------------------

CALLS: list[str] = []


def _view(request: HttpRequest, kind: str) -> HttpResponse:
    CALLS.append(request.get_full_path())
    response = HttpResponse("a public page")
    if kind == "cookie":
        response.set_cookie("seen", "1")
    elif kind in ("private", "no-store", "no-cache"):
        response["Cache-Control"] = kind
    elif kind == "vary":
        response["Vary"] = "Accept"
    elif kind == "not-found":
        response.status_code = 404
    elif kind == "nonce":
        response.content = f"<script nonce='{request.csp_nonce}'></script>".encode()
    return response


urlpatterns = [
    path("chats/<slug:kind>/", include(([path("", _view, name="chat_detail")], "events"))),
    path("admin/", admin.site.urls),  # the staff two-factor middleware looks it up
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("kind", "renders"),
    [
        ("plain", 1),
        ("cookie", 2),
        ("private", 2),
        ("no-store", 2),
        ("no-cache", 2),
        ("vary", 2),
        ("not-found", 2),
    ],
)
def test_only_plain_public_responses_are_stored(client, kind, renders):
    CALLS.clear()

    client.get(f"/chats/{kind}/")
    client.get(f"/chats/{kind}/")

    assert len(CALLS) == renders


@pytest.mark.urls(__name__)
def test_page_cache_is_off_at_zero_seconds(client, settings):
    settings.CIVICCHAT_PAGE_CACHE_SECONDS = 0
    CALLS.clear()

    client.get("/chats/plain/")
    client.get("/chats/plain/")

    assert len(CALLS) == 2


@pytest.mark.urls(__name__)
def test_only_the_pages_own_query_parameters_make_stored_variants(client):
    CALLS.clear()
    urls = ["/chats/plain/?page=2", "/chats/plain/?utm_source=x", "/chats/plain/?page=2&page=3"]

    for url in urls * 2:
        client.get(url)

    # ?page=2 once (then from the cache); made-up or repeated parameters every time.
    assert sorted(CALLS) == sorted([urls[0], urls[1], urls[1], urls[2], urls[2]])


def test_page_cache_comes_first_so_stored_pages_keep_every_header():
    assert settings.MIDDLEWARE[0] == "core.cache.PublicPageCacheMiddleware"


def test_https_page_keeps_its_hsts_header_and_is_never_served_over_http(client, chat, settings):
    settings.SECURE_HSTS_SECONDS = 3600

    rendered = client.get("/chats/potholes/", secure=True)
    stored = client.get("/chats/potholes/", secure=True)
    plain = client.get("/chats/potholes/")

    assert [r.get("Strict-Transport-Security") for r in (rendered, stored, plain)] == [
        "max-age=3600",
        "max-age=3600",
        None,
    ]


@pytest.mark.urls(__name__)
def test_page_with_a_csp_nonce_is_never_stored(client):
    CALLS.clear()

    responses = [client.get("/chats/nonce/") for _ in range(2)]

    # Each request got its own nonce (django-csp puts it in the header when the policy
    # asks for one): a stored copy would carry a stale one.
    assert (len(CALLS), responses[0].content != responses[1].content) == (2, True)


def _a_second_later(monkeypatch):
    later = page_cache_module.time.monotonic() + page_cache_module.VERSION_CHECK_SECONDS
    monkeypatch.setattr(page_cache_module.time, "monotonic", lambda: later)


def test_a_change_made_in_another_process_is_seen_within_a_second(client, chat, monkeypatch):
    client.get("/chats/potholes/")
    Chat.objects.filter(pk=chat.pk).update(title="Renamed")
    page_cache_module.cache.incr(page_cache_module.VERSION_KEY)  # another process's bump

    at_once = client.get("/chats/potholes/").content.decode()
    _a_second_later(monkeypatch)
    a_second_later = client.get("/chats/potholes/").content.decode()

    assert ("Renamed" in at_once, "Renamed" in a_second_later) == (False, True)


def test_an_evicted_version_never_revives_old_pages(client, chat, monkeypatch):
    client.get("/chats/potholes/")
    page_cache_module.cache.delete(page_cache_module.VERSION_KEY)
    Chat.objects.filter(pk=chat.pk).update(title="Renamed")  # no service: no bump
    _a_second_later(monkeypatch)

    response = client.get("/chats/potholes/")

    assert "Renamed" in response.content.decode()


def test_stale_page_is_served_while_another_request_renders_it(client, chat, monkeypatch):
    client.get("/chats/")
    later = page_cache_module.time.time() + 61
    monkeypatch.setattr(page_cache_module.time, "time", lambda: later)
    ChatFactory(topic=chat.topic, title="Curb ramps")

    with monkeypatch.context() as busy:  # another request holds the render lock
        busy.setattr(PublicPageCacheMiddleware, "_claim_render", staticmethod(lambda key: False))
        stale = client.get("/chats/")
    fresh = client.get("/chats/")

    assert ("Curb ramps" in stale.content.decode(), "Curb ramps" in fresh.content.decode()) == (
        False,
        True,
    )
