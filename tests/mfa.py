"""Typing a TOTP code as a person would, without racing the clock."""

from __future__ import annotations

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

PERIOD = 30  # seconds a TOTP code lives (allauth's default)
MARGIN = 5  # seconds the code must still have: it is typed, sent, then checked


def current_totp_code(secret: str) -> str:
    """The code for now. allauth accepts only the current window (no tolerance), so a
    code about to expire could be checked after it has: wait for the next one."""
    left = PERIOD - time.time() % PERIOD
    if left < MARGIN:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // PERIOD))
