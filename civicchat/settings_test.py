"""Settings for pytest: the real settings module, with test-only speed-ups.

Services come from the environment exactly as in production shape: with
DATABASE_URL/REDIS_URL set the suite runs on PostgreSQL and Redis.
"""

import os

os.environ.setdefault("CIVICCHAT_ENV", "test")

from civicchat.settings import *  # noqa: F403

# Hashing passwords slowly is a production virtue and a test-suite vice.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CIVICCHAT_DEMO = False
CIVICCHAT_STAFF_MFA_REQUIRED = True
# Tests that need a real worker start one; everything else must not need a broker.
CELERY_TASK_ALWAYS_EAGER = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if REDIS_URL:  # noqa: F405
    # The cache gets a Redis database of its own so that tests can flush it between
    # tests (allauth's rate-limit counters live there) without touching broker queues.
    from urllib.parse import urlsplit, urlunsplit

    # Database 15 for a suite whose REDIS_URL names database 0, 14 for database 1, and
    # so on: two suites on one Redis server with different REDIS_URL databases (a
    # checkout and a worktree, say) never flush each other's cache.
    _parts = urlsplit(REDIS_URL)  # noqa: F405
    _broker_db = int(_parts.path.strip("/") or 0)
    CACHES["default"]["LOCATION"] = urlunsplit(  # noqa: F405
        _parts._replace(path=f"/{15 - _broker_db % 16}")
    )
