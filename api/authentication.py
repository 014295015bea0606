"""``Authorization: Token cc_...`` (or ``Bearer cc_...``) for the REST API."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from api.models import ApiToken
from api.selectors import find_active_token
from api.services import record_token_use

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(BaseAuthentication):
    """A personal API token made on the profile page. A header with another scheme is
    left to the other authentication classes; a malformed, unknown or revoked token,
    or one whose account is inactive, is refused with 401."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Token <token>”.")
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = find_active_token(raw)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token is not valid or was revoked."))
        record_token_use(token=token)
        # What PreferredLanguageMiddleware does for a signed-in session: it runs before
        # DRF authenticates a token, so the token's owner gets their language here.
        if token.user.preferred_language:
            translation.activate(token.user.preferred_language)
            request._request.LANGUAGE_CODE = token.user.preferred_language
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return 'Token realm="api"'
