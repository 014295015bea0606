"""CSV output shared by the admin's export and the public archive exports."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """``value``, made inert for spreadsheets: prefixed with ' if it starts a formula
    (third-party text must not run as a formula when a CSV is opened: CSV injection)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


class Echo:
    """A file-like object whose write returns the line: csv.writer without a buffer."""

    def write(self, value: str) -> str:
        return value
