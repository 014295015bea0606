"""The API under /api/: version 1, its OpenAPI schema and the interactive docs.

The docs page loads Swagger UI from drf-spectacular-sidecar's static files (no CDN)
and its start-up script from a URL of its own, so the page has no inline script or
style and works under a strict Content-Security-Policy (set on the docs responses).
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from api.docs import ApiDocsView
from api.errors import api_not_found

urlpatterns = [
    path("v1/", include("api.v1.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", ApiDocsView.as_view(url_name="api_schema"), name="api_docs"),
    # Anything else under /api/ answers JSON, like the endpoints.
    re_path(r"^(?P<path>.*)$", api_not_found),
]
