"""CSRF and Host-header enforcement."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.factories import PASSWORD
from tests.security.conftest import HOST, PRODUCTION, run_production

pytestmark = pytest.mark.django_db


def _login_form(client: Client) -> str:
    """GET the login page; return its CSRF token."""
    return str(client.get("/accounts/login/").context["csrf_token"])


def _csrf_reasons(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "django.security.csrf"]


def test_post_without_csrf_token_is_refused_then_with_it_accepted(site, caplog):
    client = Client(enforce_csrf_checks=True)
    data = {"login": site["resident"].email, "password": PASSWORD}

    refused = client.post("/accounts/login/", data)
    token = _login_form(client)
    missing_token = client.post("/accounts/login/", data)
    accepted = client.post("/accounts/login/", {**data, "csrfmiddlewaretoken": token})

    assert (refused.status_code, missing_token.status_code) == (403, 403)
    assert "This form has expired" in refused.content.decode()
    assert _csrf_reasons(caplog) == [
        "Forbidden (CSRF cookie not set.): /accounts/login/",
        "Forbidden (CSRF token missing.): /accounts/login/",
    ]
    assert accepted.url == "/profile/"
    assert client.session["_auth_user_id"] == str(site["resident"].pk)


def test_htmx_post_needs_the_token_header(site):
    """htmx sends the token in X-CSRFToken (hx-headers in base.html)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(site["resident"])
    token = str(client.get("/chats/potholes/").context["csrf_token"])

    refused = client.post("/chats/potholes/follow/", HTTP_HX_REQUEST="true")
    followers_after_refusal = list(site["chat"].follows.values_list("user__email", flat=True))
    accepted = client.post(
        "/chats/potholes/follow/", HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token
    )

    assert (refused.status_code, followers_after_refusal) == (403, [])
    assert accepted.status_code in (200, 302)
    assert list(site["chat"].follows.values_list("user__email", flat=True)) == [
        site["resident"].email
    ]


def test_https_post_from_another_origin_is_refused_even_with_a_token(production, site, caplog):
    client = Client(enforce_csrf_checks=True, HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
    token = _login_form(client)
    data = {"login": site["resident"].email, "password": PASSWORD, "csrfmiddlewaretoken": token}

    refused = client.post("/accounts/login/", data, HTTP_ORIGIN="https://evil.example")
    accepted = client.post("/accounts/login/", data, HTTP_ORIGIN=f"https://{HOST}")

    assert refused.status_code == 403
    assert _csrf_reasons(caplog) == [
        "Forbidden (Origin checking failed - https://evil.example does not match any "
        "trusted origins.): /accounts/login/"
    ]
    assert accepted.url == "/profile/"


# Requests through the real WSGI stack with production settings. None of them reaches a
# view that needs the database: Host validation and the HTTPS redirect come first.
HOST_PROBE = """
import json, re
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
cases = {
    "unknown host, https": ("evil.example", {"HTTP_X_FORWARDED_PROTO": "https"}),
    "unknown host, http": ("evil.example", {}),
    "unknown host behind a known one": (
        "evil.example",
        {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "civicchat.example.org"},
    ),
    "our host, http": ("civicchat.example.org", {}),
}
out = {}
for name, (host, extra) in cases.items():
    response = client.get("/chats/", HTTP_HOST=host, **extra)
    title = re.search(r"<title>(.*)</title>", response.content.decode())
    out[name] = [response.status_code, response.get("Location"), title and title.group(1)]
print(json.dumps(out))
"""


def test_host_header_not_in_allowed_hosts_gets_400_in_production():
    # The 400 page links static files; tests do not run collectstatic to build a manifest.
    result = run_production(HOST_PROBE, env={**PRODUCTION, "CIVICCHAT_STATIC_MANIFEST": "false"})

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "unknown host, https": [400, None, "Bad request | CivicChat"],
        "unknown host, http": [400, None, "Bad request | CivicChat"],
        # USE_X_FORWARDED_HOST is off: the proxy's header is not believed over Host.
        "unknown host behind a known one": [400, None, "Bad request | CivicChat"],
        "our host, http": [301, "https://civicchat.example.org/chats/", None],
    }
    assert "Invalid HTTP_HOST header: 'evil.example'" in result.stderr
