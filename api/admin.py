"""Personal API tokens in the admin: who holds which, when last used; revoke only.
The hash is never shown (the secret itself is never stored)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.models import ApiToken
from api.services import revoke_api_token
from core.admin import ReadOnlyAdmin, run_per_object


@admin.action(description=gettext_lazy("Revoke the selected tokens"))
def revoke_tokens(modeladmin: Any, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
    run_per_object(
        modeladmin,
        request,
        queryset.filter(revoked_at__isnull=True),
        lambda token: revoke_api_token(token=token),
        errors=(),
        done=lambda n: _("%(n)d tokens revoked.") % {"n": n},
    )


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__email"]
    date_hierarchy = "created_at"
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = [*ReadOnlyAdmin.actions, revoke_tokens]
    list_select_related = ["user"]
