"""Shared fixtures.

Service policy: a test marked ``services`` needs DATABASE_URL (PostgreSQL) and
REDIS_URL. Without them it is skipped locally; with CIVICCHAT_REQUIRE_SERVICES=1
(set by .ci/run) a missing or unreachable service is a failure, never a skip.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection

from accounts.roles import Role
from tests.factories import UserFactory

REQUIRE_SERVICES = os.environ.get("CIVICCHAT_REQUIRE_SERVICES") == "1"


def require_services(*names: str) -> None:
    """Skip (locally) or fail (in CI) unless the named services are configured."""
    missing = []
    if "postgres" in names and connection.vendor != "postgresql":
        missing.append("PostgreSQL (DATABASE_URL)")
    if "redis" in names and not settings.REDIS_URL:
        missing.append("Redis (REDIS_URL)")
    if missing:
        message = "needs " + " and ".join(missing)
        if REQUIRE_SERVICES:
            pytest.fail(message + " but CIVICCHAT_REQUIRE_SERVICES=1")
        pytest.skip(message)


@pytest.fixture
def resident(db):
    return UserFactory(roles=[Role.RESIDENT])


@pytest.fixture
def make_user(db):
    def make(*roles: Role, **kwargs):
        return UserFactory(roles=list(roles) or [Role.RESIDENT], **kwargs)

    return make


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: rate-limit counts and cached rows
    from one test must not decide another's outcome."""
    from django.core.cache import cache

    cache.clear()
