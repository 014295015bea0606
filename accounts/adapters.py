"""allauth hooks: every new account becomes a Resident, in the language it signed up in;
staff sessions get a fixed, shorter end."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from accounts.models import User
from accounts.roles import Role
from accounts.services import grant_role
from civicchat.middleware import limit_staff_session


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language in dict(settings.LANGUAGES):
            user.preferred_language = language
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            grant_role(user=user, role=Role.RESIDENT)
        return user

    def login(self, request: HttpRequest, user: User) -> None:
        super().login(request, user)
        limit_staff_session(request, user)
