"""The city a CivicChat installation serves, its neighborhoods, and worker liveness."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class City(models.Model):
    """The one city this installation serves (a singleton: at most one row)."""

    SINGLETON_KEY = 1

    key = models.PositiveSmallIntegerField(default=SINGLETON_KEY, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_timezone],
        help_text=_("IANA name, e.g. America/New_York. Chat times are shown in this zone."),
    )
    service_name = models.CharField(
        _("non-emergency service name"),
        max_length=60,
        default="311",
        help_text=_("What residents call the city's non-emergency line."),
    )

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("city")
        constraints = [
            models.CheckConstraint(condition=models.Q(key=1), name="city_is_singleton"),
        ]

    def __str__(self) -> str:
        return self.name


class Neighborhood(models.Model):
    """A neighborhood of the city: the list residents and liaisons choose from."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("neighborhood")
        verbose_name_plural = _("neighborhoods")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran the beat's heartbeat task."""

    hostname = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
