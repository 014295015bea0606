"""Geometry for the posts-per-minute chart, drawn as SVG by a template (no markup is
built in Python, so nothing here needs marking safe)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

WIDTH = 720
HEIGHT = 180
AXIS = 24  # room for the time labels under the bars
TICK_EVERY = 10  # minutes between labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    minute: datetime
    posts: int


@dataclass(frozen=True)
class Tick:
    x: float
    minute: datetime


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_height: int
    bars: list[Bar]
    ticks: list[Tick]
    peak: int


def build_chart(timeline: list[dict[str, Any]]) -> Chart:
    """Bars scaled to the busiest minute; a label every ten minutes (local time)."""
    plot = HEIGHT - AXIS
    points = [(datetime.fromisoformat(p["minute"]), int(p["posts"])) for p in timeline]
    peak = max((n for _m, n in points), default=0)
    slot = WIDTH / max(len(points), 1)
    bars, ticks = [], []
    for i, (minute, posts) in enumerate(points):
        height = (posts / peak) * (plot - 4) if peak else 0
        local = timezone.localtime(minute)
        bars.append(
            Bar(
                x=round(i * slot + slot * 0.1, 2),
                y=round(plot - height, 2),
                width=round(max(slot * 0.8, 1), 2),
                height=round(height, 2),
                minute=local,
                posts=posts,
            )
        )
        # A label every ten minutes, kept clear of the chart's edges where it would be cut.
        centre = i * slot + slot / 2
        if local.minute % TICK_EVERY == 0 and 30 <= centre <= WIDTH - 30:
            ticks.append(Tick(x=round(centre, 2), minute=local))
    return Chart(WIDTH, HEIGHT, plot, bars, ticks, peak)
