"""Private destinations: allowed where receivers are local, refused in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_settings import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.WEBHOOKS_ALLOW_PRIVATE_URLS)"
)


def _allow_private(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CIVICCHAT_"))}
    for name in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "WEBHOOKS_ALLOW_PRIVATE_URLS"):
        clean.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "civicchat.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "True"),  # development
        ({"CIVICCHAT_ENV": "test"}, "True"),
        (PRODUCTION_ENV, "False"),
        ({**PRODUCTION_ENV, "WEBHOOKS_ALLOW_PRIVATE_URLS": "true"}, "True"),  # a deliberate choice
    ],
)
def test_private_webhook_urls_are_refused_by_default_only_in_production(env, expected):
    assert _allow_private(env) == expected
