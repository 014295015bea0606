"""The main pages work under the Content-Security-Policy: Chromium reports no violation.

The demo data (seed_demo) gives every page real content: a published recap with its
timeline, a live chat page that polls with htmx, the liaison programme. Each visitor
signs in through the login form, visits their pages and leaves; every page must load
without a `securitypolicyviolation` event or a CSP message in the console.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    generate_totp_secret,
)
from django.core.management import call_command
from playwright.sync_api import ConsoleMessage, Page, expect

from accounts.roles import Role
from core.management.commands.seed_demo import DEMO_DOMAIN, DEMO_PASSWORD
from events.models import Chat
from tests.e2e.helpers import sign_in
from tests.factories import PASSWORD, CityFactory, UserFactory
from tests.mfa import current_totp_code

# Installed before any script of the page runs (an init script is not subject to the
# page's policy), so even a violation during parsing is recorded.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "?"} ` +
    `(${event.sourceFile || "the page"}:${event.lineNumber})`
  );
});
"""
RECAP_CHAT = "philly311nlp-tweet-chat"
UPCOMING_CHAT = "phillyrising-winter-safety-chat"


def _record_violations(page: Page) -> list[str]:
    """From now on every page of this context records its CSP violations; the returned
    list collects CSP messages from the console."""
    console: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            console.append(message.text)

    page.on("console", on_console)
    page.context.add_init_script(RECORD_VIOLATIONS)
    return console


def _violations(page: Page, console: list[str]) -> list[str]:
    """The violations of the page now open, then forget the console's."""
    found = page.evaluate("window.__cspViolations") + console
    console.clear()
    return found


def _visit(page: Page, path: str, console: list[str]) -> tuple[int | None, str, list[str]]:
    """Open ``path``; its status, the path it ended on and every CSP complaint."""
    console.clear()
    response = page.goto(path)
    page.wait_for_load_state("networkidle")
    status = response.status if response else None
    return (status, urlsplit(page.url).path, _violations(page, console))


def test_main_pages_log_no_csp_violations(page: Page, settings) -> None:
    # Staff pages open without the two-factor step, as in the demo (`make run`).
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = False
    call_command("seed_demo", stdout=io.StringIO())
    live_chat = Chat.objects.get(slug=RECAP_CHAT)
    console = _record_violations(page)
    visits = {
        None: [
            "/",
            "/chats/",
            f"/chats/{UPCOMING_CHAT}/",
            f"/chats/{RECAP_CHAT}/recap/",
            f"/chats/{RECAP_CHAT}/recap/embed/",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/login/code/",
            "/api/docs/",
        ],
        "resident": [
            "/profile/",
            "/accounts/reauthenticate/",
            "/accounts/2fa/totp/activate/",
            "/liaisons/apply/",
        ],
        "comms": [
            "/staff/chats/new/",
            f"/staff/chats/{live_chat.pk}/live/",
        ],
        "admin": ["/admin/", "/admin/accounts/user/"],
    }

    seen = {}
    for who, paths in visits.items():
        if who is None:
            page.context.clear_cookies()
        else:
            sign_in(page, f"{who}@{DEMO_DOMAIN}", password=DEMO_PASSWORD, fresh=True)
        for path in paths:
            seen[path] = _visit(page, path, console)
            if path == "/accounts/reauthenticate/":
                # Setting up two-factor authentication asks for the password again.
                page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
                page.get_by_role("button", name=re.compile(r"confirm", re.IGNORECASE)).click()
                expect(page).to_have_url(re.compile(r"/profile/$"))
            if path == "/accounts/2fa/totp/activate/":
                # The QR code is a data: image (img-src 'self' data:).
                qr = page.locator("img[src^='data:image/']")
                expect(qr).to_be_visible()
                assert qr.evaluate("img => img.naturalWidth") > 0
            if path == "/api/docs/":
                # Swagger UI drew the schema: its scripts ran.
                expect(page.get_by_text("CivicChat API").first).to_be_visible()

    # The admin's change form: select2 (autocomplete) builds its dropdown in script.
    page.get_by_role("link", name=f"resident@{DEMO_DOMAIN}").click()
    page.locator(".select2-selection").first.click()
    page.keyboard.type("Fair")
    expect(page.locator(".select2-results__option").first).to_be_visible()
    seen["admin user change form"] = (200, "change form", _violations(page, console))

    expected = {path: (200, path, []) for paths in visits.values() for path in paths}
    expected["admin user change form"] = (200, "change form", [])
    assert seen == expected


def test_two_factor_pages_log_no_csp_violations(page: Page) -> None:
    """allauth's MFA pages with their own scripts: the code step at sign-in, the overview
    and the recovery codes (which carry their data in a JSON <script>)."""
    CityFactory()
    editor = UserFactory(roles=[Role.EDITOR])
    secret = generate_totp_secret()
    TOTP.activate(editor, secret)
    RecoveryCodes.activate(editor)
    console = _record_violations(page)
    seen = {}

    page.goto("/accounts/login/")
    page.get_by_label("Email", exact=True).fill(editor.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^\s*sign in\s*$", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    seen["code step"] = _violations(page, console)
    code = current_totp_code(secret)
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name=re.compile(r"^\s*sign in\s*$", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(r"/profile/$"))
    seen["overview"] = _visit(page, "/accounts/2fa/", console)[2]
    seen["confirm access"] = _visit(page, "/accounts/2fa/recovery-codes/", console)[2]
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"confirm", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    seen["recovery codes"] = _violations(page, console)

    assert seen == {"code step": [], "overview": [], "confirm access": [], "recovery codes": []}
