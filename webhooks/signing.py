"""How a delivery is signed, and how a receiver checks it.

The signature is HMAC-SHA256, keyed with the endpoint's secret, over
``"<timestamp>.<raw body>"``: ``X-CivicChat-Signature: sha256=<hex>`` with
``X-CivicChat-Timestamp: <unix seconds>``. Signing the timestamp means a receiver that
refuses old timestamps also refuses a captured request replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-CivicChat-Signature"
TIMESTAMP_HEADER = "X-CivicChat-Timestamp"
EVENT_HEADER = "X-CivicChat-Event"
DELIVERY_HEADER = "X-CivicChat-Delivery"
SCHEME = "sha256"
# A receiver should refuse requests signed longer ago than this (seconds).
DEFAULT_TOLERANCE_SECONDS = 300


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The header value for ``body`` sent at ``timestamp``: ``sha256=<hex digest>``."""
    message = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def signed_headers(
    *, secret: str, body: bytes, event: str, delivery_id: str, timestamp: int
) -> dict[str, str]:
    """Every header a delivery carries besides the content type."""
    return {
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret=secret, timestamp=timestamp, body=body),
    }


def verify(
    *,
    secret: str,
    body: bytes,
    timestamp: str,
    signature_header: str,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver does: True only if the signature matches ``body`` and
    ``timestamp`` and the timestamp is within ``tolerance`` seconds of ``now``.
    Compares in constant time."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - sent_at) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=sent_at, body=body)
    return hmac.compare_digest(expected, signature_header or "")
