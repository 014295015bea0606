from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.roles import Role, has_role, is_staff_member
from core.selectors import get_city


def site(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs on every page: the city, the demo flag, the roles.

    Nothing for a request refused before AuthenticationMiddleware (a Host not in
    ALLOWED_HOSTS): Django 5.2 renders the 400 page with the request, and that page
    needs nothing from here, so it must not read the database or the cache either.
    """
    if not hasattr(request, "user"):
        return {}
    user = request.user
    return {
        "city": get_city(),
        "demo_mode": settings.CIVICCHAT_DEMO,
        "staff_mfa_required": settings.CIVICCHAT_STAFF_MFA_REQUIRED,
        "nav": {
            "is_staff_member": is_staff_member(user),
            "is_comms": has_role(user, Role.COMMS_STAFF),
            "is_editor": has_role(user, Role.EDITOR),
            "is_coordinator": has_role(user, Role.LIAISON_COORDINATOR),
            "is_liaison": has_role(user, Role.LIAISON),
            "can_admin": user.is_authenticated and user.is_staff,
        },
    }
