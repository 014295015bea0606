from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.selectors import city_timezone_name

logger = logging.getLogger(__name__)


class CityTimezoneMiddleware:
    """Show every time in the city's zone, whoever is looking and from wherever."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            zone = city_timezone_name()
        except DatabaseError:
            # The database is down and the city not cached: the default zone, so that
            # /healthz/ still answers (503, naming the database); a page that needs the
            # database fails on its own.
            logger.warning("database unreachable; showing times in the default zone")
            zone = settings.TIME_ZONE
        with timezone.override(zone):
            return self.get_response(request)
