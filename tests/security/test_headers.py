"""Every page carries the security headers, with production's settings, and cookies are
Secure, HttpOnly and host-only."""

from __future__ import annotations

import pytest

from api.docs import DOCS_CSP
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

# The policy of every page of ours (django-csp builds the header from a dict, so the
# directives come in no fixed order: compare them as a mapping).
CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": (
        "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), "
        "geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), "
        "payment=(), serial=(), usb=(), xr-spatial-tracking=()"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def policy(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


# (id, who is signed in, path, expected status). The docs page sets its own policy.
PAGES = [
    ("home", None, "/", 200),
    ("chat list", None, "/chats/", 200),
    ("chat page", None, "/chats/potholes/", 200),
    ("recap page", None, "/chats/trash-talk/recap/", 200),
    ("login", None, "/accounts/login/", 200),
    ("profile", "resident", "/profile/", 200),
    ("staff page", "comms", "/staff/chats/", 200),
    ("api schema", None, "/api/schema/", 200),
    ("api docs", None, "/api/docs/", 200),
    ("admin login", None, "/admin/login/", 302),
    ("healthz", None, "/healthz/", 200),
    ("not found", None, "/no-such-page/", 404),
]


@pytest.mark.parametrize(
    ("who", "path", "status"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES]
)
def test_page_has_security_headers_in_production(https_client, site, who, path, status):
    if who:
        https_client.force_login(site[who])

    response = https_client.get(path)

    expected_csp = policy(DOCS_CSP) if path == "/api/docs/" else CSP
    assert response.status_code == status
    assert {name: response.get(name) for name in HEADERS} == HEADERS
    assert policy(response["Content-Security-Policy"]) == expected_csp


def test_no_page_policy_allows_inline_code_or_eval(https_client, site):
    """The docs page's own policy included: scripts and styles come from files only."""
    policies = [
        policy(https_client.get(path)["Content-Security-Policy"]) for _, _, path, _ in PAGES
    ]

    loose = {
        (directive, source)
        for p in policies
        for directive, sources in p.items()
        for source in sources
        if source.startswith("'unsafe-") or source == "*"
    }
    assert [(p["script-src"], p["style-src"]) for p in policies] == [
        (["'self'"], ["'self'"])
    ] * len(PAGES)
    assert loose == set()


def test_recap_embed_may_be_framed_by_any_site_and_the_recap_page_may_not(https_client, site):
    embed = https_client.get("/chats/trash-talk/recap/embed/")
    page = https_client.get("/chats/trash-talk/recap/")

    assert (embed.status_code, embed.get("X-Frame-Options")) == (200, None)
    assert policy(embed["Content-Security-Policy"]) == {**CSP, "frame-ancestors": ["*"]}
    assert (page.get("X-Frame-Options"), policy(page["Content-Security-Policy"])) == ("DENY", CSP)


def test_plain_http_is_redirected_to_https(client, production, site):
    response = client.get("/chats/?page=2", HTTP_HOST="civicchat.example.org")

    assert (response.status_code, response["Location"]) == (
        301,
        "https://civicchat.example.org/chats/?page=2",
    )


def _flags(response) -> dict[str, dict[str, object]]:
    return {
        name: {
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
            "path": morsel["path"],
            "domain": morsel["domain"],
        }
        for name, morsel in response.cookies.items()
    }


HOST_ONLY_COOKIE = {"secure": True, "httponly": True, "samesite": "Lax", "path": "/", "domain": ""}


def test_signing_in_sets_only_secure_httponly_host_only_cookies(https_client, site):
    response = https_client.post(
        "/accounts/login/", {"login": site["resident"].email, "password": PASSWORD}
    )

    assert response.url == "/profile/"
    assert _flags(response) == {
        "__Host-sessionid": HOST_ONLY_COOKIE,
        "__Host-csrftoken": HOST_ONLY_COOKIE,
        # "Successfully signed in as ...", kept in a cookie until the next page.
        "messages": HOST_ONLY_COOKIE,
    }


def test_language_cookie_is_secure_and_httponly(https_client, site):
    response = https_client.post("/language/", {"language": "es", "next": "/chats/"})

    assert response.url == "/chats/"
    assert _flags(response) == {"django_language": HOST_ONLY_COOKIE}
