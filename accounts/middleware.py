"""Per-request language and the staff two-factor rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.roles import is_staff_member


class PreferredLanguageMiddleware:
    """A signed-in user sees their profile's language; the switcher updates it.

    Runs after LocaleMiddleware, which has already picked a language from the
    cookie or the browser for visitors who are not signed in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)


class StaffMFAMiddleware:
    """Staff without two-factor authentication are sent to set it up.

    Applies to views marked by ``accounts.roles.role_required`` with a staff role and
    to the whole Django admin. The setting CIVICCHAT_STAFF_MFA_REQUIRED turns it off
    for the embedded demo only (settings refuse that in production).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if not settings.CIVICCHAT_STAFF_MFA_REQUIRED:
            return None
        staff_page = getattr(view_func, "civicchat_staff_page", False) or (
            request.path.startswith(reverse("admin:index"))
        )
        if not staff_page or not is_staff_member(request.user):
            return None
        if is_mfa_enabled(request.user):
            return None
        messages.warning(
            request,
            _(
                "Staff accounts need two-factor authentication. Set up an authenticator "
                "app to continue."
            ),
        )
        return redirect("mfa_activate_totp")
