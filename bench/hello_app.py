"""The ceiling for bench/load.py: a Django project in one file.

One view returning "hello", no middleware, no database, no templates. bench/load.py
serves it with the same gunicorn.conf.py as CivicChat, so the ratio of a page to this
app is what the page costs on top of Django and gunicorn themselves.

    GUNICORN_BIND=127.0.0.1:8001 .venv/bin/gunicorn bench.hello_app:application -c gunicorn.conf.py
"""

from __future__ import annotations

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-hello-app-not-a-secret",  # noqa: S106  (no sessions, no signing)
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_I18N=False,
    USE_TZ=True,
)


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("", hello)]

application = get_wsgi_application()
