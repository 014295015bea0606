"""OpenAPI: every operation documents its error answers, the token scheme is described,
and request bodies refuse fields they do not name (as the input serializers do)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from api.v1.serializers.common import ErrorSerializer

# Every error is {"code", "detail"} (civicchat.exceptions.api_exception_handler), and
# any operation can meet these: bad input or a domain rule (400), a bad token (401),
# a role or CSRF check (403), an unknown object or cursor (404), an Accept header we
# cannot serve (406), the throttle (429).
ERROR_CODES = {
    "400": "The request is not valid, or breaks a rule (see code).",
    "401": "Missing, unknown or revoked credentials.",
    "403": "Signed in, but not allowed (role, two-factor authentication or CSRF).",
    "404": "Not found, or not yours to see.",
    "406": "The Accept header asks for something other than JSON.",
    "429": "Too many requests: see Retry-After.",
}
BODY_ERROR_CODES = {"415": "The body is not JSON."}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes = dict(ERROR_CODES)
        if self.method in ("POST", "PUT", "PATCH"):
            codes.update(BODY_ERROR_CODES)
        for code, description in codes.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token from your profile page, sent as "
                "`Authorization: Bearer cc_…` (or `Authorization: Token cc_…`)."
            ),
        }


def close_request_bodies(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: request components allow no other properties (the input
    serializers answer 400 to an unknown field, so a client learns of a typo)."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result
