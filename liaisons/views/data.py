"""Your data: download everything CivicChat holds about you (JSON), or delete your
account. Both are account-wide (accounts.services.export_user_data/delete_account);
the liaison program registers its part with them."""

from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import delete_account, export_user_data
from liaisons.forms import DeleteAccountForm
from liaisons.views._common import acting_user


@login_required
@require_POST
def export_data(request: HttpRequest) -> HttpResponse:
    """A JSON file of the signed-in user's own data (POST: it is logged)."""
    data = export_user_data(user=acting_user(request))
    body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"civicchat-data-{timezone.now():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def delete_account_view(request: HttpRequest) -> HttpResponse:
    """Confirm, then delete the account. Deleting needs a recent sign-in (allauth asks
    for the password again otherwise)."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = acting_user(request)
        logout(request)
        delete_account(user=user)
        messages.success(request, _("Your account and your personal data are deleted."))
        return redirect("core:home")
    return render(request, "liaisons/data/delete_account.html", {"form": form})
