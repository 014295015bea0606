"""The public pages and the layout every page shares: what a visitor actually reads."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.defaults import permission_denied

from accounts.roles import Role
from tests.factories import ChatFactory, CityFactory, TopicFactory


class _ClassTextParser(HTMLParser):
    """Collects the text of every element carrying a CSS class, in document order."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"})

    def __init__(self, css_class: str) -> None:
        super().__init__()
        self.css_class = css_class
        self.open: list[tuple[int, int]] = []  # open matches: (stack depth, index in texts)
        self.stack: list[str] = []
        self.texts: list[list[str]] = []
        self.attrs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag in self.VOID:
            if self.css_class in classes:
                self.texts.append([])
                self.attrs.append(dict(attrs))
            return
        self.stack.append(tag)
        if self.css_class in classes:
            self.open.append((len(self.stack), len(self.texts)))
            self.texts.append([])
            self.attrs.append(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or not self.stack:
            return
        if self.open and self.open[-1][0] == len(self.stack):
            self.open.pop()
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        # Text belongs to every matching element that is open (they may nest).
        for _depth, index in self.open:
            self.texts[index].append(data)


def texts_by_class(html: str, css_class: str) -> list[str]:
    """The whitespace-normalised text of each element with ``css_class``, in order."""
    parser = _ClassTextParser(css_class)
    parser.feed(html)
    return [" ".join("".join(parts).split()) for parts in parser.texts]


def attrs_by_class(html: str, css_class: str) -> list[dict[str, str | None]]:
    """The attributes of each element with ``css_class``, in order."""
    parser = _ClassTextParser(css_class)
    parser.feed(html)
    return parser.attrs


@pytest.fixture(autouse=True)
def _fresh_city_cache():
    # core.selectors.get_city caches the city in the process-wide cache; a city cached
    # by an earlier test (whose rows were rolled back) must not leak into this one.
    cache.clear()
    yield
    cache.clear()


# Home ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_lists_only_active_topics_in_name_order(client):
    CityFactory()
    TopicFactory(name="Trash and recycling", default_hashtag="#PhillyTrash")
    TopicFactory(name="Budget", default_hashtag="#PhillyBudget", active=False)
    TopicFactory(name="Parks", default_hashtag="#PhillyParks", owning_team="Parks & Recreation")

    html = client.get(reverse("core:home")).content.decode()

    assert texts_by_class(html, "cc-topic__name") == ["Parks", "Trash and recycling"]
    assert texts_by_class(html, "cc-topic__hashtag") == ["#PhillyParks", "#PhillyTrash"]
    assert texts_by_class(html, "cc-topic__team") == [
        "Hosted by Parks & Recreation",
        "Hosted by Philly311",
    ]


@pytest.mark.django_db
def test_home_without_topics_says_so(client):
    CityFactory()
    TopicFactory(name="Budget", active=False)

    html = client.get(reverse("core:home")).content.decode()

    assert texts_by_class(html, "cc-topic__name") == []
    assert texts_by_class(html, "cc-empty") == [
        "No chat is scheduled right now. Follow a topic below to hear when the next one is "
        "announced.",
        "There are no active topics right now.",
    ]


@pytest.mark.django_db
def test_home_escapes_topic_description(client):
    CityFactory()
    TopicFactory(name="Streets", description="<script>alert(1)</script> & <b>potholes</b>")

    html = client.get(reverse("core:home")).content.decode()

    # The text reads back exactly as entered, because the markup was escaped...
    assert texts_by_class(html, "cc-topic__description") == [
        "<script>alert(1)</script> & <b>potholes</b>"
    ]
    # ...and never reached the page as markup.
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;potholes&lt;/b&gt;" in html


@pytest.mark.django_db
@pytest.mark.parametrize("topic_count", [1, 3])
def test_home_query_count_does_not_grow_with_topics(client, django_assert_num_queries, topic_count):
    CityFactory()
    topics = TopicFactory.create_batch(topic_count)
    for topic in topics:
        ChatFactory(topic=topic)
    cache.clear()

    # Anonymous visitor, city not cached yet: 1) the city (core.selectors.get_city,
    # cached afterwards), 2) upcoming chats joined with their topics, 3) the latest
    # published recaps with their chats, 4) the active topics. No session or user
    # query: no cookie.
    with django_assert_num_queries(4):
        response = client.get(reverse("core:home"))

    names = texts_by_class(response.content.decode(), "cc-topic__name")
    assert names == sorted(topic.name for topic in topics)


@pytest.mark.django_db
@pytest.mark.parametrize("topic_count", [1, 3])
def test_home_query_count_for_resident_does_not_grow_with_topics(
    client, django_assert_num_queries, resident, topic_count
):
    CityFactory()
    topics = TopicFactory.create_batch(topic_count)
    for topic in topics:
        ChatFactory(topic=topic)
    client.force_login(resident)
    cache.clear()

    # 1) the session, 2) the user, 3) the city (cached afterwards), 4) the user's roles
    # (accounts.roles.roles_of, once per request for the whole navigation), 5) upcoming
    # chats with their topics, 6) latest published recaps, 7) topics.
    with django_assert_num_queries(7):
        response = client.get(reverse("core:home"))

    names = texts_by_class(response.content.decode(), "cc-topic__name")
    assert names == sorted(topic.name for topic in topics)


@pytest.mark.django_db
def test_home_shows_city_name_in_header_and_hero(client):
    CityFactory(name="Philadelphia")

    html = client.get(reverse("core:home")).content.decode()

    assert texts_by_class(html, "cc-logo") == ["CivicChat Philadelphia"]
    assert texts_by_class(html, "cc-hero__title") == ["Ask Philadelphia. In public, on the record."]
    assert texts_by_class(html, "cc-footer__text") == [
        "CivicChat — public conversations between Philadelphia and its residents"
    ]


@pytest.mark.django_db
def test_home_call_to_action_only_for_anonymous(client, resident):
    CityFactory()
    signup = reverse("account_signup")

    anonymous_html = client.get(reverse("core:home")).content.decode()
    client.force_login(resident)
    resident_html = client.get(reverse("core:home")).content.decode()

    anonymous_buttons = [
        attrs["href"] for attrs in attrs_by_class(anonymous_html, "usa-button--big")
    ]
    assert anonymous_buttons == [signup, signup]
    assert attrs_by_class(resident_html, "usa-button--big") == []


# Navigation and layout ------------------------------------------------------------------------


def _nav_items(html: str) -> list[str]:
    return texts_by_class(html, "usa-nav__primary-item")


@pytest.mark.django_db
def test_nav_for_anonymous_offers_sign_in_and_sign_up(client):
    html = client.get(reverse("core:home")).content.decode()

    assert _nav_items(html) == ["Home", "Chats", "Liaisons", "Sign in", "Sign up"]


@pytest.mark.django_db
def test_nav_for_resident_offers_profile_and_sign_out(client, resident):
    client.force_login(resident)

    html = client.get(reverse("core:home")).content.decode()

    assert _nav_items(html) == ["Home", "Chats", "Liaisons", "Profile", "Sign out"]
    # Signing out is a POST (allauth refuses a GET logout from a link).
    assert attrs_by_class(html, "cc-nav-form") == [
        {"method": "post", "action": reverse("account_logout"), "class": "cc-nav-form"}
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([Role.RESIDENT], ["Home", "Chats", "Liaisons", "Profile", "Sign out"]),
        # A staff role makes the account staff (accounts.services.grant_role), so the
        # admin link appears with the role's own pages.
        ([Role.EDITOR], ["Home", "Chats", "Recaps", "Liaisons", "Profile", "Admin", "Sign out"]),
    ],
)
def test_nav_admin_link_only_for_staff_roles(client, make_user, roles, expected):
    client.force_login(make_user(*roles))

    html = client.get(reverse("core:home")).content.decode()

    assert _nav_items(html) == expected


@pytest.mark.django_db
def test_language_switcher_posts_current_path_as_next(client):
    html = client.get(reverse("account_login") + "?next=/profile/").content.decode()

    assert attrs_by_class(html, "cc-language-form")[0]["action"] == reverse("accounts:set_language")
    assert 'name="next" value="/accounts/login/?next=/profile/"' in html
    assert texts_by_class(html, "cc-language-form__select") == ["English Español"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("demo", "mfa_required", "expected"),
    [
        (False, True, []),
        (
            True,
            True,
            [
                "This is a demo site with published passwords: anyone can sign in to its "
                "demo accounts, so do not enter anything personal."
            ],
        ),
        (
            True,
            False,
            [
                "This is a demo site with published passwords: anyone can sign in to its "
                "demo accounts, so do not enter anything personal. Note that two-factor "
                "authentication for staff is switched off in this demo."
            ],
        ),
    ],
)
def test_demo_banner_only_in_demo_mode(client, settings, demo, mfa_required, expected):
    settings.CIVICCHAT_DEMO = demo
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = mfa_required

    html = client.get(reverse("core:home")).content.decode()

    assert texts_by_class(html, "usa-site-alert") == expected


@pytest.mark.django_db
def test_messages_render_as_alerts_with_roles(client, resident):
    client.force_login(resident)

    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Rosa", "preferred_language": "en", "neighborhood": ""},
        follow=True,
    )
    html = response.content.decode()

    assert texts_by_class(html, "usa-alert--success") == ["Your profile has been saved."]
    assert [a["role"] for a in attrs_by_class(html, "usa-alert--success")] == ["status"]


# allauth pages in the site layout ------------------------------------------------------------


def _labels(html: str) -> dict[str, str]:
    """label[for] -> label text, for every label on the page."""

    class Labels(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.current: str | None = None
            self.found: dict[str, str] = {}

        def handle_starttag(self, tag, attrs):
            if tag == "label":
                self.current = dict(attrs).get("for")
                self.found[self.current or ""] = ""

        def handle_endtag(self, tag):
            if tag == "label":
                self.current = None

        def handle_data(self, data):
            if self.current is not None:
                self.found[self.current] += data

    parser = Labels()
    parser.feed(html)
    return {key: " ".join(text.split()) for key, text in parser.found.items()}


@pytest.mark.django_db
def test_signup_page_labels_every_field(client):
    html = client.get(reverse("account_signup")).content.decode()

    assert _labels(html) == {
        "cc-language-select": "Language",
        "id_email": "Email",
        "id_password1": "Password",
        "id_password2": "Password (again)",
    }
    assert texts_by_class(html, "cc-page-title") == ["Sign Up"]
    assert [a["type"] for a in attrs_by_class(html, "usa-input")] == [
        "email",
        "password",
        "password",
    ]


@pytest.mark.django_db
def test_signup_errors_are_linked_to_their_field(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-address", "password1": "x", "password2": "y"},
    )
    html = response.content.decode()

    inputs = attrs_by_class(html, "usa-input")
    assert [(a["id"], a.get("aria-describedby"), a.get("aria-invalid")) for a in inputs] == [
        ("id_email", "id_email_error", "true"),
        ("id_password1", "id_password1_helptext id_password1_error", "true"),
        ("id_password2", None, None),
    ]
    assert [a["id"] for a in attrs_by_class(html, "usa-error-message")] == [
        "id_email_error",
        "id_password1_error",
    ]
    assert texts_by_class(html, "usa-error-message") == [
        "Enter a valid email address.",
        "This password is too short. It must contain at least 8 characters. "
        "This password is too common.",
    ]
    assert [a["id"] for a in attrs_by_class(html, "usa-hint")] == ["id_password1_helptext"]


@pytest.mark.django_db
def test_login_failure_shows_form_error_as_alert(client, resident):
    response = client.post(
        reverse("account_login"), {"login": resident.email, "password": "wrong password"}
    )

    assert texts_by_class(response.content.decode(), "usa-alert--error") == [
        "The email address and/or password you specified are not correct."
    ]


# Error pages -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_404_page_uses_site_layout(client):
    CityFactory(name="Philadelphia")

    response = client.get("/no-such-page/")
    html = response.content.decode()

    assert response.status_code == 404
    assert texts_by_class(html, "cc-page-title") == ["Page not found"]
    assert texts_by_class(html, "cc-logo") == ["CivicChat Philadelphia"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("signed_in", "buttons"), [(False, ["Change", "Sign in"]), (True, ["Change"])]
)
def test_403_page_offers_sign_in_only_to_anonymous(rf, resident, signed_in, buttons):
    request = rf.get("/somewhere/staff-only/")
    request.user = resident if signed_in else AnonymousUser()

    html = permission_denied(request, PermissionDenied()).content.decode()

    assert texts_by_class(html, "cc-page-title") == ["Access denied"]
    # "Change" is the language switcher's button, on every page.
    assert texts_by_class(html, "usa-button") == buttons


@pytest.mark.parametrize(
    ("template", "title"), [("500.html", "Something went wrong"), ("400.html", "Bad request")]
)
def test_server_error_pages_render_without_request_or_database(template, title):
    # Django renders 400 and 500 with no request and no context processors; these pages
    # must work while the database is down. No django_db mark: pytest-django makes any
    # query here an error.
    html = render_to_string(template)

    assert texts_by_class(html, "cc-page-title") == [title]
