"""Production settings for in-process tests, and a small site to request.

``production_security_settings`` imports civicchat.settings in a subprocess with
CIVICCHAT_ENV=production (the environment of tests/core/test_settings.py) and returns
the security-relevant values, so tests apply the values production really computes,
not a copy of them written into the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.roles import Role
from tests.core.test_settings import PRODUCTION_ENV
from tests.factories import ChatFactory, CityFactory, RecapFactory, TopicFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
HOST = "civicchat.example.org"
# Django's own check wants 50+ characters with 5+ different ones (security.W009);
# PRODUCTION_ENV's "x" * 50 is long enough to start but not strong enough.
STRONG_SECRET_KEY = "pV7#qL2!zR9@wX4$kT6%mN1^bH8&cJ3*fD5(gS0)yU2-eA7_oI4+"
PRODUCTION = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": STRONG_SECRET_KEY}

SECURITY_SETTINGS = [
    "DEBUG",
    "ALLOWED_HOSTS",
    "MIDDLEWARE",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
    "PERMISSIONS_POLICY",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "CIVICCHAT_STAFF_SESSION_SECONDS",
]
DUMP = (
    "import json, django; from django.conf import settings; django.setup(); "
    f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))"
)


def run_production(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``python -c code`` with production settings and nothing else from this shell."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CIVICCHAT_"))}
    for name in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DEFAULT_FROM_EMAIL"):
        clean.pop(name, None)
    clean["DJANGO_SETTINGS_MODULE"] = "civicchat.settings"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **(PRODUCTION if env is None else env)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="session")
def production_security_settings() -> dict[str, Any]:
    result = run_production(DUMP)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def production(settings, production_security_settings):
    """This test process runs with production's security settings (the database, cache
    and mail stay the test ones). Requests must come through the proxy: ``https_client``."""
    for name, value in production_security_settings.items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def https_client(client, production):
    """A client whose requests arrive like the proxy forwards them: HTTPS, our host name."""
    client.defaults.update(HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
    return client


@pytest.fixture
def site(db):
    """One of each kind of page: a topic, a scheduled chat, an ended chat with a published
    recap, a resident and a comms staff member with two-factor authentication."""
    CityFactory()
    topic = TopicFactory(name="Streets")
    chat = ChatFactory(topic=topic, title="Potholes", slug="potholes")
    ended = ChatFactory(topic=topic, title="Trash talk", slug="trash-talk", status="ended")
    RecapFactory(chat=ended, status="published", title="Trash talk: the recap")
    comms = UserFactory(roles=[Role.COMMS_STAFF])
    TOTP.activate(comms, generate_totp_secret())
    return {
        "chat": chat,
        "ended": ended,
        "resident": UserFactory(roles=[Role.RESIDENT]),
        "comms": comms,
    }
