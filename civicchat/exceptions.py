"""One shape for every API error: ``{"code": ..., "detail": ...}`` (plus ``errors`` per
field for invalid input). Domain errors (events.exceptions.DomainError and the
liaisons' LiaisonError) are 400 with their stable ``code``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from events.exceptions import DomainError
from liaisons.exceptions import LiaisonError


def _domain_error(exc: DomainError | LiaisonError) -> Response:
    data: dict[str, Any] = {"code": exc.code, "detail": exc.message}
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict):
        data["errors"] = {name: [str(m) for m in messages] for name, messages in errors.items()}
    set_rollback()
    return Response(data, status=400)


def _code(exc: Exception) -> str:
    if isinstance(exc, Http404):
        return "not_found"
    if isinstance(exc, PermissionDenied):
        return "permission_denied"
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        return codes if isinstance(codes, str) else exc.default_code
    return "error"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler (status, WWW-Authenticate, Retry-After, rollback), reshaped."""
    if isinstance(exc, DomainError | LiaisonError):
        return _domain_error(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500
    data: dict[str, Any] = {"code": _code(exc)}
    if isinstance(exc, exceptions.ValidationError):
        data["detail"] = _("The request is not valid: see errors.")
        detail = response.data
        data["errors"] = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        data["detail"] = str(detail) if detail is not None else str(exc)
    response.data = data
    return response
