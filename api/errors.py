"""JSON for a URL under /api/ that matches no endpoint (not Django's HTML 404 page)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt  # it changes nothing; a CSRF failure would answer HTML
def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    return JsonResponse({"code": "not_found", "detail": _("No such API endpoint.")}, status=404)
