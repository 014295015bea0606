"""Celery is configured for idempotent tasks that never outlive their broker lease."""

from __future__ import annotations

from django.conf import settings

from civicchat.celery import BEAT_SCHEDULE
from civicchat.celery import app as celery_app


def test_time_limits_are_ordered_http_soft_hard_visibility():
    conf = celery_app.conf
    visibility = conf.broker_transport_options["visibility_timeout"]

    limits = [
        settings.HTTP_TIMEOUT_SECONDS,
        conf.task_soft_time_limit,
        conf.task_time_limit,
        visibility,
    ]

    assert limits == sorted(limits)
    assert len(set(limits)) == 4, f"limits must be strictly increasing: {limits}"


def test_tasks_are_json_acked_late_and_rejected_on_worker_loss():
    conf = celery_app.conf

    assert (conf.task_serializer, conf.accept_content) == ("json", ["json"])
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_ignore_result is True
    assert conf.worker_prefetch_multiplier == 1


def test_beat_schedule_is_static_and_names_registered_tasks():
    celery_app.loader.import_default_modules()

    assert celery_app.conf.beat_schedule == BEAT_SCHEDULE
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks
