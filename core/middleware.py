from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.selectors import city_timezone_name


class CityTimezoneMiddleware:
    """Show every time in the city's zone, whoever is looking and from wherever."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with timezone.override(city_timezone_name()):
            return self.get_response(request)
