"""Personal API tokens on the profile page: make one (shown once), revoke one.

The new token is rendered in the response to the POST that made it, never put in a
message or the session: those are stored, and the secret must not be.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from api.forms import TokenForm
from api.selectors import get_token_for_owner
from api.services import ApiTokenError, create_api_token, revoke_api_token


def _back_to_profile() -> HttpResponse:
    return redirect(reverse("accounts:profile") + "#api-tokens")


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name of at most 100 characters."))
        return _back_to_profile()
    try:
        token, secret = create_api_token(user=user, name=form.cleaned_data["name"])
    except ApiTokenError as error:
        messages.error(request, error.message)
        return _back_to_profile()
    response = render(request, "api/token_created.html", {"token": token, "secret": secret})
    add_never_cache_headers(response)  # no copy of the secret in any cache
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_token_for_owner(user=cast(User, request.user), pk=pk)
    revoke_api_token(token=token)
    messages.success(
        request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name}
    )
    return _back_to_profile()
