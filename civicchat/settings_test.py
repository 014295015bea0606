"""Settings for pytest: the real settings module, with test-only speed-ups.

Services come from the environment exactly as in production shape: with
DATABASE_URL/REDIS_URL set the suite runs on PostgreSQL and Redis.
"""

import os

os.environ.setdefault("CIVICCHAT_ENV", "test")

from civicchat.settings import *  # noqa: E402,F403

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
