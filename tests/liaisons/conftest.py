"""Fixtures of the liaison tests: the city, people in each role, an application with
personal data that must not leak, and e-mail sent in this process."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.roles import Role
from civicchat.celery import app as celery_app
from tests.factories import ApplicationFactory, CityFactory, NeighborhoodFactory, UserFactory

SECRET = "SECRET-MOTIVATION-4471"
PHONE = "215-555-0142"


@pytest.fixture(autouse=True)
def _city(db):
    CityFactory()


@pytest.fixture(autouse=True)
def _eager_celery():
    """Queued send tasks run at once in this process, as a worker would (they still wait
    for the commit: use django_capture_on_commit_callbacks(execute=True))."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def with_mfa(user):
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def coordinator(db):
    return with_mfa(
        UserFactory(
            roles=[Role.RESIDENT, Role.LIAISON_COORDINATOR],
            email="carmen@example.org",
            display_name="Carmen Coordinator",
        )
    )


@pytest.fixture
def applicant(db):
    return UserFactory(roles=[Role.RESIDENT], email="rosa@example.org", display_name="Rosa")


@pytest.fixture
def kensington(db):
    return NeighborhoodFactory(name="Kensington", slug="kensington")


@pytest.fixture
def application(applicant, kensington):
    """Rosa's submitted application, with data that must never leak."""
    return ApplicationFactory(
        user=applicant,
        display_name="Rosa R.",
        neighborhood=kensington,
        motivation=SECRET,
        phone=PHONE,
        zip_code="19125",
        languages=["en", "es"],
    )
