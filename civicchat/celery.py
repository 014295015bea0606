"""The Celery application.

Conventions (docs/architecture.md): tasks are thin and take only primitives; results
go to the database, never to a result backend; beat runs a static schedule of
dispatchers that ask the database what is due. The configuration itself lives in
settings.py under CELERY_*; nothing here reads settings at import time, so importing
this module never decides which environment the process runs in.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicchat.settings")

app = Celery("civicchat")
app.config_from_object("django.conf:settings", namespace="CELERY")

# The one static schedule. Exactly one beat process runs it (see docker-compose.yml);
# every entry is a dispatcher that claims due work from the database.
BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "core.record_heartbeat": {
        "task": "core.record_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE

app.autodiscover_tasks()
