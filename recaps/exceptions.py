"""Domain errors of recaps, with stable codes for the API."""

from __future__ import annotations

from events.exceptions import DomainError


class RecapError(DomainError):
    code = "recap_error"


class InvalidRecapTransition(RecapError):
    code = "invalid_recap_transition"
