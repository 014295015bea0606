"""The demo program loaded by seed_demo."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import User
from liaisons.demo import seed_liaisons
from liaisons.models import Application, EmailStatus, LiaisonEmail, TrainingSession
from liaisons.selectors import directory_entries, upcoming_sessions

pytestmark = pytest.mark.django_db


def _counts():
    counts: dict[str, int] = {}
    for status in Application.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_seed_demo_loads_applicants_in_every_state_and_two_upcoming_sessions():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert _counts() == {
        "active": 6,
        "approved": 3,
        "waitlisted": 2,
        "in_review": 2,
        "submitted": 3,
        "draft": 1,
        "rejected": 1,
        "withdrawn": 1,
    }
    assert len(upcoming_sessions()) == 2
    neighborhoods = {e["neighborhood__name"] for e in directory_entries()}
    assert len(neighborhoods) == 5
    assert (
        User.objects.get(email="liaison@demo.civicchat.test").liaison_applications.get().status
        == "active"
    )
    # Demo addresses never receive mail.
    assert set(LiaisonEmail.objects.values_list("status", flat=True)) == {EmailStatus.SKIPPED}


def test_seed_liaisons_twice_changes_nothing():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    before = (_counts(), TrainingSession.objects.count(), LiaisonEmail.objects.count())

    seed_liaisons()

    assert (_counts(), TrainingSession.objects.count(), LiaisonEmail.objects.count()) == before
