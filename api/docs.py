"""The interactive API docs (/api/docs/): Swagger UI without a CDN and without inline
code, under a strict Content-Security-Policy of its own."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response

# Everything the page loads comes from this site: Swagger UI and its start-up script
# from static files and ?script, the schema from /api/schema/. Swagger UI draws the
# schema's example images as data: URLs.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class ApiDocsView(SpectacularSwaggerSplitView):
    """drf-spectacular's split Swagger view (the init script is a second request, not
    inline) with our template, which has no inline style either."""

    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response: Response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CSP
        response["Cache-Control"] = "no-cache"
        return response
