"""Races that only a real database shows: two applicants and the last seat."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from liaisons.models import ApplicationStatus, TrainingRegistration
from liaisons.services.training import register_for_session
from tests.conftest import require_services
from tests.factories import ApplicationFactory, TrainingSessionFactory


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_last_seat_goes_to_exactly_one_of_two_concurrent_registrations():
    require_services("postgres")
    session = TrainingSessionFactory(capacity=1)
    applications = [ApplicationFactory(status=ApplicationStatus.APPROVED) for _ in range(2)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def register(application):
        try:
            start.wait()
            register_for_session(application=application, session=session, by=application.user)
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(TrainingRegistration.objects.values_list("status", flat=True)) == [
        "registered",
        "waitlisted",
    ]
