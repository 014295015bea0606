"""The production shape: docker-compose.yml validates and has the services we promise."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def compose_dir(tmp_path):
    """A copy of the compose file with .env.example as its .env, as a deployer would."""
    if shutil.which("docker-compose") is None:
        message = "needs Debian's docker-compose to validate docker-compose.yml"
        if os.environ.get("CIVICCHAT_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    for name in ("docker-compose.yml", "Dockerfile"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    return tmp_path


def test_compose_file_validates_with_the_example_env(compose_dir):
    result = subprocess.run(
        ["docker-compose", "config"],
        cwd=compose_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert sorted(services) == ["beat", "migrate", "postgres", "redis", "web", "worker"]
    assert services["web"]["command"][0] == "gunicorn"
    assert services["beat"]["command"][:4] == ["celery", "-A", "civicchat", "beat"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "civicchat", "worker"]
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    assert services["web"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert services["web"]["environment"]["CIVICCHAT_ENV"] == "production"
    # Broker and cache share Redis: only keys with an expiry (the cache's) may be evicted.
    redis_command = services["redis"]["command"]
    assert redis_command[redis_command.index("--maxmemory-policy") + 1] == "volatile-lru"


def test_compose_file_refuses_to_start_without_a_database_password(compose_dir):
    env_file = compose_dir / ".env"
    env_file.write_text(
        "\n".join(
            line
            for line in env_file.read_text().splitlines()
            if not line.startswith("POSTGRES_PASSWORD")
        )
    )
    clean_env = {k: v for k, v in os.environ.items() if k != "POSTGRES_PASSWORD"}

    result = subprocess.run(
        ["docker-compose", "config", "-q"],
        cwd=compose_dir,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in result.stderr
