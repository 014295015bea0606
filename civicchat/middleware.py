"""Project-wide security middleware: the per-view Content-Security-Policy exceptions and
the fixed length of staff sessions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from accounts.models import User
from accounts.roles import is_staff_member

# Directives replaced for whole groups of views; everything else keeps
# settings.CONTENT_SECURITY_POLICY. No exception loosens script-src or style-src: the
# Django admin needs none (Django 5.2's admin templates have no inline script, and its
# widgets set styles through the CSSOM, which CSP allows; its one inline <style>, on
# change lists whose ModelAdmin switches actions off, only widens a column and none of
# ours does that), and tests/e2e/test_csp.py proves it in Chromium.
FRAMEABLE_CSP_REPLACE = {
    # Views marked @xframe_options_exempt (the recap embed for partner sites) may be
    # framed by any site; frame-ancestors is the CSP form of the same decision.
    "frame-ancestors": ["*"],
}


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, plus the exception above.

    ``get_policy_parts`` is django-csp's documented extension point. A view's own
    ``@csp_replace`` wins over the exception here.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if getattr(response, "xframe_options_exempt", False):
            parts.replace = {**FRAMEABLE_CSP_REPLACE, **(parts.replace or {})}
        return parts


STAFF_SESSION_ENDS_KEY = "civicchat_staff_session_ends"


def limit_staff_session(request: HttpRequest, user: User) -> None:
    """Give a staff member's new session a fixed end, CIVICCHAT_STAFF_SESSION_SECONDS from
    now; residents keep Django's SESSION_COOKIE_AGE.

    Called by ``accounts.adapters.AccountAdapter.login``, which allauth runs at the end of
    every way of signing in (password, e-mailed code, the two-factor step, the admin).
    Changes the session's expiry and stores the end in it.
    """
    if not is_staff_member(user):
        return
    ends = timezone.now() + timedelta(seconds=settings.CIVICCHAT_STAFF_SESSION_SECONDS)
    request.session[STAFF_SESSION_ENDS_KEY] = ends.isoformat()
    request.session.set_expiry(ends)


class StaffSessionMiddleware:
    """Keeps a staff session's fixed end.

    allauth's password login form sets the session's expiry *after* the adapter's login
    hook ("remember me": two weeks, or until the browser closes while the server keeps
    the session for SESSION_COOKIE_AGE), so the end stored at sign-in is put back on the
    way out, before SessionMiddleware saves the session. Sessions nothing read during the
    request are left alone (no extra query).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        if not session.accessed:
            return response
        ends = session.get(STAFF_SESSION_ENDS_KEY)
        if ends is not None:
            ends_at = datetime.fromisoformat(ends)
            if session.get_expiry_date() != ends_at:
                session.set_expiry(ends_at)
        return response
