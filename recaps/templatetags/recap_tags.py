from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template

from recaps.timeline import Chart, build_chart

register = template.Library()


@register.simple_tag
def timeline_chart(timeline: list[dict[str, Any]]) -> Chart:
    return build_chart(timeline or [])


@register.filter
def parse_iso(value: str) -> datetime | None:
    """An ISO-8601 string from a recap's stored numbers as an aware datetime."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
