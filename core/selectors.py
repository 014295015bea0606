"""Reads shared by pages: the city, neighborhoods, worker liveness."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from core.models import City, Neighborhood, WorkerHeartbeat

logger = logging.getLogger(__name__)

CITY_CACHE_KEY = "core:city:v1"
CITY_CACHE_SECONDS = 300


def get_city() -> City | None:
    """The configured city, from the cache when possible (services.save_city resets it).

    None before seed_demo or an administrator has created one.
    """
    try:
        city = cache.get(CITY_CACHE_KEY)
    except Exception:
        logger.warning("cache unreachable; reading the city from the database", exc_info=True)
        return City.objects.filter(key=City.SINGLETON_KEY).first()
    if city is None:
        city = City.objects.filter(key=City.SINGLETON_KEY).first()
        if city is not None:
            cache.set(CITY_CACHE_KEY, city, CITY_CACHE_SECONDS)
    return city


def city_timezone_name() -> str:
    city = get_city()
    return city.timezone if city else settings.TIME_ZONE


def active_neighborhoods() -> QuerySet[Neighborhood]:
    return Neighborhood.objects.filter(active=True).order_by("name")


def latest_heartbeat() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.order_by("-seen_at").first()
