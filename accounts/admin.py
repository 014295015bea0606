"""The user admin (superusers only: no role is given permissions on users).

Accounts change through ``accounts.services``: the profile fields through
``update_profile``, roles through the "grant" and "revoke" actions (``grant_role`` and
``revoke_role``, which also keep ``is_staff`` in step with the staff roles), deletion
through ``delete_account`` (every app erases its personal data first). E-mail,
password and two-factor settings are the user's own, on their profile pages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from accounts.roles import Role
from accounts.services import delete_account, grant_role, revoke_role, update_profile
from core.admin import export_as_csv, run_per_object


class RoleActionForm(helpers.ActionForm):
    """The action bar of the user list, with the role the grant/revoke actions use."""

    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, required=False)


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "display_name",
        "role_names",
        "is_staff",
        "is_superuser",
        "is_active",
        "date_joined",
        "last_login",
    ]
    list_filter = ["groups", "is_staff", "is_superuser", "is_active", "preferred_language"]
    search_fields = ["email", "display_name"]
    date_hierarchy = "date_joined"
    ordering = ["email"]
    fields = [
        "email",
        "display_name",
        "preferred_language",
        "neighborhood",
        "role_names",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
    ]
    readonly_fields = [
        "email",
        "role_names",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
    ]
    autocomplete_fields = ["neighborhood"]
    action_form = RoleActionForm
    actions = ["grant_selected_role", "revoke_selected_role", export_as_csv]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=gettext_lazy("roles"))
    def role_names(self, user: User) -> str:
        # Reads the prefetched groups: no query per row.
        labels = dict(Role.choices)
        return ", ".join(
            sorted(str(labels.get(group.name, group.name)) for group in user.groups.all())
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people sign up; administrators come from createsuperuser

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        update_profile(
            user=obj,
            display_name=obj.display_name,
            preferred_language=obj.preferred_language,
            neighborhood_id=obj.neighborhood_id,
        )

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        delete_account(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            delete_account(user=user)

    def _chosen_role(self, request: HttpRequest) -> Role | None:
        value = request.POST.get("role", "")
        return Role(value) if value in Role.values else None

    @admin.action(description=gettext_lazy("Grant the chosen role"), permissions=["change"])
    def grant_selected_role(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        role = self._chosen_role(request)
        if role is None:
            self.message_user(request, _("Choose a role next to the action first."), messages.ERROR)
            return
        run_per_object(
            self,
            request,
            queryset,
            lambda user: grant_role(user=user, role=role),
            errors=(),
            done=lambda n: (
                ngettext(
                    "Role “%(role)s” granted to %(count)d user.",
                    "Role “%(role)s” granted to %(count)d users.",
                    n,
                )
                % {"role": role.label, "count": n}
            ),
        )

    @admin.action(description=gettext_lazy("Revoke the chosen role"), permissions=["change"])
    def revoke_selected_role(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        role = self._chosen_role(request)
        if role is None:
            self.message_user(request, _("Choose a role next to the action first."), messages.ERROR)
            return
        run_per_object(
            self,
            request,
            queryset,
            lambda user: revoke_role(user=user, role=role),
            errors=(),
            done=lambda n: (
                ngettext(
                    "Role “%(role)s” revoked from %(count)d user.",
                    "Role “%(role)s” revoked from %(count)d users.",
                    n,
                )
                % {"role": role.label, "count": n}
            ),
        )
