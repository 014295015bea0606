"""The settings module: embedded defaults, and production refusing to guess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "CIVICCHAT_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "civicchat.example.org",
    "DATABASE_URL": "postgres://u:p@db.invalid:5432/civicchat",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "EMAIL_URL": "smtp+tls://u:p@smtp.invalid:587",
    "DEFAULT_FROM_EMAIL": "CivicChat <civicchat@example.org>",
    "CIVICCHAT_SITE_URL": "https://civicchat.example.org",
}
PROBE = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps({'db': settings.DATABASES['default']['ENGINE'], "
    "'cache': settings.CACHES['default']['BACKEND'], 'broker': settings.CELERY_BROKER_URL, "
    "'email': settings.EMAIL_BACKEND, 'debug': settings.DEBUG, "
    "'secure_cookie': settings.SESSION_COOKIE_SECURE}))"
)


def _run_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CIVICCHAT_"))}
    for name in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DEFAULT_FROM_EMAIL"):
        clean.pop(name, None)
    clean["DJANGO_SETTINGS_MODULE"] = "civicchat.settings"
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_settings_with_nothing_set_use_embedded_defaults():
    result = _run_settings({})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '{"db": "django.db.backends.sqlite3", '
        '"cache": "django.core.cache.backends.locmem.LocMemCache", '
        '"broker": "filesystem://", '
        '"email": "django.core.mail.backends.console.EmailBackend", '
        '"debug": true, "secure_cookie": false}'
    )


def test_settings_production_with_everything_set_switch_to_services():
    result = _run_settings(PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '{"db": "django.db.backends.postgresql", '
        '"cache": "django.core.cache.backends.redis.RedisCache", '
        '"broker": "redis://redis.invalid:6379/0", '
        '"email": "django.core.mail.backends.smtp.EmailBackend", '
        '"debug": false, "secure_cookie": true}'
    )


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"])
def test_settings_production_missing_secret_fails_naming_it(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}

    result = _run_settings(env)

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        "django.core.exceptions.ImproperlyConfigured: CIVICCHAT_ENV=production needs these "
        f"environment variables, which are not set: {missing}. See .env.example."
    )


def test_settings_production_refuses_demo_mfa_switch():
    result = _run_settings({**PRODUCTION_ENV, "CIVICCHAT_STAFF_MFA_REQUIRED": "false"})

    assert result.returncode != 0
    assert "for the embedded demo only, never production" in result.stderr


def test_wsgi_entry_point_defaults_to_production():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CIVICCHAT_"))}
    result = subprocess.run(
        [sys.executable, "-c", "import civicchat.wsgi"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "CIVICCHAT_ENV=production needs these environment variables" in result.stderr
