"""`manage.py check --deploy` passes with production settings, and would catch a weak key."""

from __future__ import annotations

from tests.security.conftest import PRODUCTION, run_production

DEPLOY_CHECK = (
    "import sys; from django.core.management import execute_from_command_line; "
    "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
)


def test_deploy_check_is_clean_with_production_settings():
    result = run_production(DEPLOY_CHECK)

    assert (result.returncode, result.stdout.strip()) == (
        0,
        "System check identified no issues (0 silenced).",
    ), result.stderr


def test_deploy_check_fails_on_a_weak_secret_key():
    result = run_production(DEPLOY_CHECK, env={**PRODUCTION, "DJANGO_SECRET_KEY": "x" * 50})

    assert result.returncode == 1
    assert "?: (security.W009) Your SECRET_KEY has less than 50 characters" in result.stderr
