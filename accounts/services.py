"""Write paths for accounts. Every change to a user goes through here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import STAFF_ROLES, Role, forget_roles, roles_of


@transaction.atomic
def grant_role(*, user: User, role: Role) -> None:
    """Add ``user`` to the role's group (created by migration). Idempotent.
    A staff role also sets ``is_staff``, which opens the admin (where the role's
    permissions decide what they see)."""
    group, _created = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    forget_roles(user)
    if role in STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def revoke_role(*, user: User, role: Role) -> None:
    """Remove ``user`` from the role's group. Idempotent. Revoking the last staff role
    clears ``is_staff`` (superusers keep it)."""
    user.groups.remove(Group.objects.get(name=role.value))
    forget_roles(user)
    if (
        role in STAFF_ROLES
        and user.is_staff
        and not user.is_superuser
        and not roles_of(user) & STAFF_ROLES
    ):
        user.is_staff = False
        user.save(update_fields=["is_staff"])


@transaction.atomic
def update_profile(
    *,
    user: User,
    display_name: str,
    preferred_language: str,
    neighborhood_id: int | None,
) -> User:
    """Save the profile fields a user may change themselves; nothing else."""
    user.display_name = display_name.strip()
    user.preferred_language = preferred_language
    user.neighborhood_id = neighborhood_id
    user.save(update_fields=["display_name", "preferred_language", "neighborhood"])
    return user


def set_preferred_language(*, user: User, language: str) -> None:
    """Remember the language chosen in the switcher on the user's profile."""
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


# Personal data: export and account deletion ------------------------------------------
# Apps that keep personal data about a user register how to export and erase it (from
# their AppConfig.ready), so accounts never imports them and a new app cannot be
# forgotten by an export that lists apps by hand.


@dataclass(frozen=True)
class PersonalDataHandler:
    name: str
    export: Callable[..., dict[str, Any]]  # export(user=) -> JSON-ready dict
    erase: Callable[..., object]  # erase(user=), called before the user row is deleted


_PERSONAL_DATA: dict[str, PersonalDataHandler] = {}


def register_personal_data(
    *,
    name: str,
    export: Callable[..., dict[str, Any]],
    erase: Callable[..., object],
) -> None:
    """Register an app's exporter and eraser under ``name`` (its key in the export)."""
    _PERSONAL_DATA[name] = PersonalDataHandler(name=name, export=export, erase=erase)


@transaction.atomic
def export_user_data(*, user: User) -> dict[str, Any]:
    """Everything CivicChat holds about ``user``, as JSON-ready data: the account, then
    one key per registered app. Registered exporters may log the export."""
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "preferred_language": user.preferred_language,
            "neighborhood": user.neighborhood.name if user.neighborhood else None,
            "roles": sorted(role.value for role in roles_of(user)),
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
        },
    }
    for name, handler in sorted(_PERSONAL_DATA.items()):
        data[name] = handler.export(user=user)
    return data


@transaction.atomic
def delete_account(*, user: User) -> None:
    """Delete the account: every registered app erases (or anonymises) its data first,
    then the user row goes, and with it what cascades (e-mail addresses, two-factor
    authenticators, sessions' owner, follows)."""
    for _name, handler in sorted(_PERSONAL_DATA.items()):
        handler.erase(user=user)
    user.delete()
