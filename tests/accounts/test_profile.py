"""The profile page and the language switcher, as a signed-in resident uses them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.roles import Role
from tests.core.test_pages import attrs_by_class, texts_by_class
from tests.factories import NeighborhoodFactory, UserFactory

pytestmark = pytest.mark.django_db


class _SelectedOptions(HTMLParser):
    """select id -> values of its selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.select: str | None = None
        self.selected: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "select":
            self.select = attributes.get("id") or ""
            self.selected[self.select] = []
        elif tag == "option" and self.select is not None and "selected" in attributes:
            self.selected[self.select].append(attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None


def _selected(html: str) -> dict[str, list[str]]:
    parser = _SelectedOptions()
    parser.feed(html)
    return parser.selected


# Profile ------------------------------------------------------------------------------------


def test_profile_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("accounts:profile"))

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("account_login") + "?next=" + reverse("accounts:profile"),
    )


def test_profile_shows_own_email_and_roles(client, make_user):
    user = make_user(Role.RESIDENT, Role.LIAISON, email="rosa@example.org")
    UserFactory(email="someone.else@example.org")
    client.force_login(user)

    html = client.get(reverse("accounts:profile")).content.decode()

    assert texts_by_class(html, "cc-profile__email") == ["rosa@example.org"]
    assert texts_by_class(html, "cc-role") == ["Liaison", "Resident"]
    assert "someone.else@example.org" not in html


def test_profile_form_is_prefilled_from_the_account(client, make_user):
    neighborhood = NeighborhoodFactory(name="Fishtown")
    user = make_user(display_name="Rosa", preferred_language="es", neighborhood=neighborhood)
    client.force_login(user)

    html = client.get(reverse("accounts:profile")).content.decode()

    display_name = next(
        a for a in attrs_by_class(html, "usa-input") if a["id"] == "id_display_name"
    )
    assert display_name["value"] == "Rosa"
    assert _selected(html) == {
        "cc-language-select": ["es"],
        "id_preferred_language": ["es"],
        "id_neighborhood": [str(neighborhood.pk)],
    }


def test_profile_post_saves_own_fields_only(client, make_user):
    neighborhood = NeighborhoodFactory(name="Kensington")
    user = make_user(display_name="Before", preferred_language="en")
    other = make_user(display_name="Other", preferred_language="en")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "  Rosa from Kensington ",
            "preferred_language": "es",
            "neighborhood": str(neighborhood.pk),
        },
    )

    user.refresh_from_db()
    other.refresh_from_db()
    assert response["Location"] == reverse("accounts:profile")
    assert (user.display_name, user.preferred_language, user.neighborhood_id) == (
        "Rosa from Kensington",
        "es",
        neighborhood.pk,
    )
    assert (other.display_name, other.preferred_language, other.neighborhood_id) == (
        "Other",
        "en",
        None,
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_profile_post_with_bad_choice_shows_linked_error(client, resident):
    client.force_login(resident)

    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Rosa", "preferred_language": "xx", "neighborhood": ""},
    )
    html = response.content.decode()

    resident.refresh_from_db()
    assert resident.preferred_language == "en"
    assert [a["id"] for a in attrs_by_class(html, "usa-error-message")] == [
        "id_preferred_language_error"
    ]
    select = next(
        a for a in attrs_by_class(html, "usa-select") if a["id"] == "id_preferred_language"
    )
    assert (
        select["aria-describedby"] == "id_preferred_language_helptext id_preferred_language_error"
    )
    assert select["aria-invalid"] == "true"


@pytest.mark.parametrize(
    ("roles", "expected_warning"),
    [
        ([Role.RESIDENT], []),
        (
            [Role.RESIDENT, Role.EDITOR],
            [
                "Your account has a staff role. Staff pages open only after you set up "
                "two-factor authentication."
            ],
        ),
    ],
)
def test_profile_security_section_warns_staff_without_mfa(
    client, make_user, roles, expected_warning
):
    user = make_user(*roles)
    client.force_login(user)

    html = client.get(reverse("accounts:profile")).content.decode()

    assert texts_by_class(html, "cc-mfa-warning") == expected_warning
    assert texts_by_class(html, "cc-mfa-status") == ["Not enabled"]
    security = html.split('class="cc-security"')[1].split("</section>")[0]
    assert [a["href"] for a in attrs_by_class(security, "usa-link")] == [
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("mfa_index"),
    ]


# Language switcher --------------------------------------------------------------------------


def test_set_language_sets_cookie_for_anonymous(client):
    response = client.post(
        reverse("accounts:set_language"), {"language": "es", "next": "/accounts/login/"}
    )

    assert response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_set_language_updates_signed_in_users_preference(client, make_user):
    user = make_user(preferred_language="en")
    other = make_user(preferred_language="en")
    client.force_login(user)

    response = client.post(reverse("accounts:set_language"), {"language": "es", "next": "/"})

    user.refresh_from_db()
    other.refresh_from_db()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert (user.preferred_language, other.preferred_language) == ("es", "en")


def test_set_language_then_pages_render_in_that_language(client):
    client.post(reverse("accounts:set_language"), {"language": "es", "next": "/"})

    html = client.get(reverse("core:home")).content.decode()

    assert re.search(r'<html lang="([^"]+)">', html).group(1) == "es"


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/profile/", "javascript:alert(1)"]
)
def test_set_language_refuses_offsite_next(client, method, next_url):
    send = getattr(client, method)

    response = send(reverse("accounts:set_language"), {"language": "es", "next": next_url})

    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_set_language_by_get_sets_the_visitors_cookie(client):
    """The visitors' switcher is a GET form: it changes nothing but their own cookie, so
    their pages need no CSRF token (and can come from the page cache)."""
    response = client.get(reverse("accounts:set_language"), {"language": "es", "next": "/chats/"})

    assert (response.status_code, response["Location"]) == (302, "/chats/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert "no-store" in response["Cache-Control"]


def test_set_language_by_get_never_changes_a_profile(client, make_user):
    user = make_user(preferred_language="en")
    client.force_login(user)

    response = client.get(reverse("accounts:set_language"), {"language": "es", "next": "/"})

    user.refresh_from_db()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert user.preferred_language == "en"


def _language_form(html: str) -> tuple[dict[str, str | None], list[str]]:
    form = re.search(r'<form [^>]*class="cc-language-form".*?</form>', html, re.DOTALL)[0]
    names = re.findall(r'<input type="hidden" name="([^"]+)"', form)
    return attrs_by_class(form, "cc-language-form")[0], names


def test_language_switcher_is_a_get_form_for_visitors_and_a_post_form_when_signed_in(
    client, resident
):
    visitor = _language_form(client.get(reverse("core:home")).content.decode())
    client.force_login(resident)
    signed_in = _language_form(client.get(reverse("core:home")).content.decode())

    action = reverse("accounts:set_language")
    assert visitor == ({"method": "get", "action": action, "class": "cc-language-form"}, ["next"])
    assert signed_in == (
        {"method": "post", "action": action, "class": "cc-language-form"},
        ["csrfmiddlewaretoken", "next"],
    )


def test_set_language_ignores_unknown_language(client, resident):
    client.force_login(resident)

    response = client.post(reverse("accounts:set_language"), {"language": "xx", "next": "/"})

    resident.refresh_from_db()
    assert response["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert resident.preferred_language == "en"
