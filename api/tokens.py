"""The shape of a personal API token and how it is hashed (no database access)."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_START = "cc_"  # noqa: S105  (a prefix that marks CivicChat tokens, not a secret)
PREFIX_BYTES = 6  # 12 hex characters: the lookup key shown on the profile page
SECRET_BYTES = 32  # 256 random bits


def new_token() -> tuple[str, str]:
    """(prefix, token): a fresh ``cc_<prefix>_<secret>``."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    return prefix, f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"


def split_token(token: str) -> str | None:
    """The prefix of a well-formed token, or None."""
    if not token.startswith(TOKEN_START):
        return None
    prefix, sep, secret = token[len(TOKEN_START) :].partition("_")
    if not sep or not secret or len(prefix) != PREFIX_BYTES * 2:
        return None
    return prefix


def hash_token(token: str) -> str:
    """SHA-256 of the whole token. The secret is 256 random bits, so a fast hash is
    enough: there is no dictionary to guess it from."""
    return hashlib.sha256(token.encode()).hexdigest()
