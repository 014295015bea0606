"""Who may call what. Roles come from accounts.roles; like the staff pages, staff
endpoints need two-factor authentication on the account (a personal token must not be
a way around it)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.roles import Role, has_role, is_staff_member


class StaffHasMFA(BasePermission):
    """Staff members (any staff role, superusers) need two-factor authentication set up
    before any staff endpoint answers them; other people are not concerned (the role
    checks or guarded accessors decide for them)."""

    message = _(
        "Staff accounts need two-factor authentication. Set it up on your profile page, "
        "then try again."
    )
    code = "mfa_required"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not settings.CIVICCHAT_STAFF_MFA_REQUIRED or not is_staff_member(user):
            return True
        return bool(is_mfa_enabled(user))


class _HasRole(BasePermission):
    roles: tuple[Role, ...] = ()
    message = _("Your account does not have the role this needs.")
    code = "permission_denied"

    def has_permission(self, request: Request, view: Any) -> bool:
        return has_role(request.user, *self.roles)


class IsCommsStaff(_HasRole):
    roles = (Role.COMMS_STAFF,)


class IsLiaisonCoordinator(_HasRole):
    roles = (Role.LIAISON_COORDINATOR,)
