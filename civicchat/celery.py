"""The Celery application.

Conventions (docs/architecture.md): tasks are thin and take only primitives; results
go to the database, never to a result backend; beat runs a static schedule of
dispatchers that ask the database what is due.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicchat.settings")

app = Celery("civicchat")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _configure() -> None:
    from django.conf import settings

    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        result_backend=None,
        # Tasks are idempotent, so a task is acknowledged only once it has finished
        # and is redelivered if its worker dies mid-run.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
        task_time_limit=settings.CELERY_TASK_TIME_LIMIT,
        broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        timezone="UTC",
        enable_utc=True,
        beat_schedule=BEAT_SCHEDULE,
        beat_schedule_filename=settings.CELERY_BEAT_SCHEDULE_FILENAME,
    )


# The one static schedule. Exactly one beat process runs it (see docker-compose.yml);
# every entry is a dispatcher that claims due work from the database.
BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "core.record_heartbeat": {
        "task": "core.record_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}

app.autodiscover_tasks()
_configure()
