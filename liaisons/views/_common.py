"""What the liaison views share: the guards, the acting user, rate limits."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from accounts.models import User
from accounts.roles import Role, role_required
from liaisons import ratelimit

V = TypeVar("V", bound=Callable[..., HttpResponse])

# Pages about no particular application (the queue, sessions, coverage, templates):
# anonymous visitors go to the login page, other roles get 403, coordinators without
# two-factor authentication are sent to set it up.
coordinator_page = role_required(Role.LIAISON_COORDINATOR)


def coordinator_object_page(view: V) -> V:
    """Pages about one application: anonymous visitors go to the login page, and the
    page is a staff page (the MFA rule applies), but the *role* is checked by the
    guarded accessor, which answers 404 so the URL does not reveal that the
    application exists."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.civicchat_staff_page = True  # type: ignore[attr-defined]
    return cast(V, wrapper)


def acting_user(request: HttpRequest) -> User:
    return cast(User, request.user)  # every caller is behind a login guard


def client_ip(request: HttpRequest) -> str:
    """The client's address as allauth sees it (its rate limits use the same)."""
    try:
        return str(get_adapter(request).get_client_ip(request))
    except Exception:  # noqa: BLE001  (no address: count them together)
        return "unknown"


def apply_allowed(request: HttpRequest) -> bool:
    """Count one save of the application form, per account and per IP address."""
    return ratelimit.consume_all(
        action="apply",
        limits=[
            (f"user:{request.user.pk}", settings.LIAISONS_APPLY_RATE_USER),
            (f"ip:{client_ip(request)}", settings.LIAISONS_APPLY_RATE_IP),
        ],
    )


def bulk_email_allowed(request: HttpRequest) -> bool:
    return ratelimit.consume(
        action="bulk_email", key=f"user:{request.user.pk}", rate=settings.LIAISONS_BULK_EMAIL_RATE
    )
