"""Write paths for personal API tokens: create (the secret is returned once), revoke,
and note when a token was last used."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from api.models import ApiToken
from api.tokens import hash_token, new_token
from events.exceptions import DomainError

# A person rarely needs more than a handful; the cap keeps a leaked session from
# minting tokens without end.
MAX_ACTIVE_TOKENS = 20
NAME_MAX_LENGTH = 100
# ``last_used_at`` is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenError(DomainError):
    code = "invalid_token"
    default_message = gettext_lazy("This token cannot be made.")


@transaction.atomic
def create_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``. Returns the row and the token itself, which is never
    stored and cannot be shown again. Raises ApiTokenError for an empty or too long
    name, or when the user already has MAX_ACTIVE_TOKENS active tokens."""
    name = name.strip()
    if not name:
        raise ApiTokenError(_("Give the token a name, so you know later what uses it."))
    if len(name) > NAME_MAX_LENGTH:
        raise ApiTokenError(_("The name is too long."))
    # Lock the user's row: two requests at once cannot both pass the cap.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise ApiTokenError(
            _("You have %(n)d active tokens. Revoke one you no longer use first.")
            % {"n": MAX_ACTIVE_TOKENS}
        )
    prefix, token = new_token()
    row = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, secret_hash=hash_token(token)
    )
    return row, token


@transaction.atomic
def revoke_api_token(*, token: ApiToken) -> ApiToken:
    """Revoke ``token`` (reached through ``api.selectors.get_token_for_owner``): it is
    refused from now on. Revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def record_token_use(*, token: ApiToken, now: datetime | None = None) -> None:
    """Note that ``token`` authenticated a request: one UPDATE at most per
    LAST_USED_RESOLUTION, so a busy client does not write on every request."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def export_api_tokens(*, user: User) -> dict[str, Any]:
    """The user's tokens for the personal data export (never a secret or its hash)."""
    return {
        "tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
        ]
    }


def erase_api_tokens(*, user: User) -> int:
    """Delete the user's tokens (called before the account itself is deleted)."""
    deleted, _by_model = ApiToken.objects.filter(user=user).delete()
    return deleted
