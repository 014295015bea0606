"""Fixed-window rate limits counted in the cache (Redis in production, so every web
process shares one count; the local-memory cache in development).

A limit is written like allauth's: ``"5/h"`` is five per hour; units s, m, h, d. A
cache that cannot be reached lets the request through (and logs it): the limits stop
abuse, they are not what keeps data safe.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    amount: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"5/h"`` -> Rate(5, 3600); ``"10/15m"`` -> Rate(10, 900)."""
        amount, _sep, per = text.strip().partition("/")
        digits = per[:-1] or "1"
        unit = per[-1:]
        if not amount.isdigit() or not digits.isdigit() or unit not in _UNITS:
            raise ValueError(f"not a rate: {text!r} (write it like 5/h)")
        return cls(int(amount), int(digits) * _UNITS[unit])


def _cache_key(action: str, key: str, rate: Rate, now: float) -> str:
    window = int(now // rate.period)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # no e-mail or IP in the key
    return f"liaisons:rl:{action}:{digest}:{rate.period}:{window}"


def consume(*, action: str, key: str, rate: str, now: float | None = None) -> bool:
    """Count one attempt of ``action`` by ``key``; False when the limit is used up."""
    parsed = Rate.parse(rate)
    cache_key = _cache_key(action, key, parsed, time.time() if now is None else now)
    try:
        # add() only sets a missing key, so two processes cannot both start at 1.
        added = cache.add(cache_key, 1, timeout=parsed.period + 1)
        count = 1 if added else cache.incr(cache_key)
    except ValueError:  # the key expired between add() and incr()
        cache.set(cache_key, 1, timeout=parsed.period + 1)
        count = 1
    except Exception:
        logger.warning("rate limit %s not counted: cache unreachable", action, exc_info=True)
        return True
    return count <= parsed.amount


def consume_all(*, action: str, limits: list[tuple[str, str]]) -> bool:
    """Count one attempt against several (key, rate) limits, e.g. per user and per IP.
    Every limit is counted, so a refused attempt still uses up its place in each."""
    results = [consume(action=action, key=key, rate=rate) for key, rate in limits]
    return all(results)
