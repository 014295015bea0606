"""Roles are Django groups, created by migration 0002 and named by ``Role``.

Everyone who signs up is a Resident. Staff roles (comms staff, editors, liaison
coordinators) and superusers must have two-factor authentication before any staff
page opens (accounts.middleware.StaffMFAMiddleware).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class Role(models.TextChoices):
    RESIDENT = "Resident", _("Resident")
    LIAISON = "Liaison", _("Liaison")
    LIAISON_COORDINATOR = "Liaison coordinator", _("Liaison coordinator")
    COMMS_STAFF = "Comms staff", _("Comms staff")
    EDITOR = "Editor", _("Editor")


STAFF_ROLES = frozenset({Role.LIAISON_COORDINATOR, Role.COMMS_STAFF, Role.EDITOR})

_CACHE_ATTR = "_civicchat_roles"


def roles_of(user: User | AnonymousUser) -> frozenset[Role]:
    """The user's roles, read once per user object (one query)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)
        cached = frozenset(Role(name) for name in names if name in Role.values)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: User) -> None:
    """Drop the per-object cache after the user's groups change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_role(user: User | AnonymousUser, *roles: Role) -> bool:
    """True if the user holds any of ``roles``; superusers hold every role."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(roles_of(user) & set(roles))


def is_staff_member(user: User | AnonymousUser) -> bool:
    """Superusers and every staff role: the people held to the MFA rule."""
    return user.is_authenticated and (
        user.is_superuser or user.is_staff or bool(roles_of(user) & STAFF_ROLES)
    )


V = TypeVar("V", bound=Callable[..., HttpResponse])


def role_required(*roles: Role) -> Callable[[V], V]:
    """Guard a view: anonymous visitors go to the login page, other roles get 403.

    The view is also marked as a staff page when ``roles`` holds a staff role, so
    StaffMFAMiddleware sends staff without two-factor authentication to set it up.
    """
    wanted: Iterable[Role] = roles

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *wanted):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.civicchat_staff_page = bool(STAFF_ROLES & set(wanted))  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
