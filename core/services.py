"""Write paths for the city and worker liveness."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core.cache import bump_public_pages
from core.models import City, Neighborhood, WorkerHeartbeat
from core.selectors import CITY_CACHE_KEY


@transaction.atomic
def save_city(*, name: str, timezone_name: str, service_name: str = "311") -> City:
    """Create or update the one city row; pages see the change at once."""
    city, _created = City.objects.update_or_create(
        key=City.SINGLETON_KEY,
        defaults={"name": name, "timezone": timezone_name, "service_name": service_name},
    )
    city.full_clean()
    transaction.on_commit(lambda: cache.delete(CITY_CACHE_KEY), robust=True)
    bump_public_pages()
    return city


@transaction.atomic
def ensure_neighborhoods(*, names: list[tuple[str, str]]) -> int:
    """Create the (name, slug) pairs that do not exist yet; return how many were new."""
    existing = set(Neighborhood.objects.values_list("slug", flat=True))
    new = [Neighborhood(name=name, slug=slug) for name, slug in names if slug not in existing]
    Neighborhood.objects.bulk_create(new)
    return len(new)


def record_heartbeat(*, hostname: str) -> WorkerHeartbeat:
    """Note that the worker ``hostname`` is alive now (one row per worker)."""
    heartbeat, _created = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname[:255], defaults={"seen_at": timezone.now()}
    )
    return heartbeat
