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
    "events.advance_chats": {
        "task": "events.advance_chats",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "events.dispatch_reminders": {
        "task": "events.dispatch_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Capture: claims due sources each tick; the poll interval itself (60 s by default)
    # lives on each source's next_poll_at, so this only bounds how late a poll starts.
    "events.dispatch_captures": {
        "task": "events.dispatch_captures",
        "schedule": 15.0,
        "options": {"expires": 14},
    },
    # Recaps: draft as soon as a chat ends; nudge owners of overdue recaps.
    "recaps.draft_ended_chats": {
        "task": "recaps.draft_ended_chats",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "recaps.remind_unpublished": {
        "task": "recaps.remind_unpublished",
        "schedule": 3600.0,
        "options": {"expires": 3500},
    },
    # Imports: a lost or abandoned background import is queued again (runs are claimed).
    "events.requeue_imports": {
        "task": "events.requeue_imports",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Liaisons: training reminders (and e-mails left unsent), then the retention purge.
    "liaisons.dispatch_reminders": {
        "task": "liaisons.dispatch_reminders",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    "liaisons.purge_applications": {
        "task": "liaisons.purge_applications",
        "schedule": 3600.0,
        "options": {"expires": 3500},
    },
    # Webhooks: send deliveries whose next attempt is due (retries after a failure).
    "webhooks.dispatch_deliveries": {
        "task": "webhooks.dispatch_deliveries",
        "schedule": 15.0,
        "options": {"expires": 14},
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE

app.autodiscover_tasks()
