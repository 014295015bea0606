from __future__ import annotations

from typing import cast

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.forms import ProfileForm
from accounts.models import User
from accounts.roles import is_staff_member, roles_of
from accounts.services import set_preferred_language, update_profile


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            neighborhood = form.cleaned_data["neighborhood"]
            update_profile(
                user=user,
                display_name=form.cleaned_data["display_name"],
                preferred_language=form.cleaned_data["preferred_language"],
                neighborhood_id=neighborhood.pk if neighborhood else None,
            )
            translation.activate(user.preferred_language)
            messages.success(request, _("Your profile has been saved."))
            response = redirect("accounts:profile")
            _set_language_cookie(request, response, user.preferred_language)
            return response
    else:
        form = ProfileForm(
            initial={
                "display_name": user.display_name,
                "preferred_language": user.preferred_language,
                "neighborhood": user.neighborhood_id,
            }
        )
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "roles": sorted(role.label for role in roles_of(user)),
            "is_staff_member": is_staff_member(user),
            "mfa_enabled": is_mfa_enabled(user),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: sets the language cookie and goes back to ``next`` (a page
    of this site, else the home page).

    Visitors' switcher is a GET form: it changes nothing but their own cookie, so
    repeating it or being sent to it by another site does no harm, and their pages need
    no CSRF token (so they can come from the page cache, core/cache.py). Signed-in
    people's switcher POSTs (CSRF-protected), and only a POST saves the choice to the
    profile.
    """
    data = request.POST if request.method == "POST" else request.GET
    language = data.get("language", "")
    next_url = data.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.method == "POST" and request.user.is_authenticated:
        set_preferred_language(user=request.user, language=language)
    _set_language_cookie(request, response, language)
    return response


def _set_language_cookie(request: HttpRequest, response: HttpResponse, language: str) -> None:
    """The language cookie, with the LANGUAGE_COOKIE_* flags (Secure and HttpOnly in
    production)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE or request.is_secure(),
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
