"""Write paths for accounts. Every change to a user goes through here."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.roles import Role, forget_roles


@transaction.atomic
def grant_role(*, user: User, role: Role) -> None:
    """Add ``user`` to the role's group (created by migration). Idempotent."""
    group, _created = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    forget_roles(user)


@transaction.atomic
def revoke_role(*, user: User, role: Role) -> None:
    """Remove ``user`` from the role's group. Idempotent."""
    user.groups.remove(Group.objects.get(name=role.value))
    forget_roles(user)


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
