"""Residents stay signed in for two weeks; a staff session ends 8 hours after signing in,
however they sign in, and using it does not move that end."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    generate_totp_secret,
)
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.roles import Role
from tests.factories import PASSWORD, UserFactory
from tests.mfa import current_totp_code

pytestmark = pytest.mark.django_db

TWO_WEEKS = 14 * 24 * 3600
EIGHT_HOURS = 8 * 3600
# A datetime expiry is turned into seconds left when the cookie is written.
SLACK = 5


def _session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _seconds_left(client) -> float:
    return (_session_row(client).expire_date - timezone.now()).total_seconds()


def _max_age(response) -> int | str:
    return response.cookies["sessionid"]["max-age"]


def _password_login(client, user, *, remember: bool):
    data = {"login": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    return client.post("/accounts/login/", data)


def test_resident_session_lasts_two_weeks(client):
    resident = UserFactory(roles=[Role.RESIDENT])

    response = _password_login(client, resident, remember=True)

    assert response.url == "/profile/"
    assert _max_age(response) == TWO_WEEKS
    assert TWO_WEEKS - SLACK < _seconds_left(client) <= TWO_WEEKS


@pytest.mark.parametrize("remember", [True, False], ids=["remember me", "do not remember"])
def test_staff_session_ends_eight_hours_after_password_login(client, remember):
    """The same login as the resident's above, as a staff member without two-factor
    authentication yet (they may sign in; staff pages then ask them to set it up)."""
    comms = UserFactory(roles=[Role.COMMS_STAFF])

    response = _password_login(client, comms, remember=remember)

    assert response.url == "/profile/"
    assert EIGHT_HOURS - SLACK < _max_age(response) <= EIGHT_HOURS
    assert EIGHT_HOURS - SLACK < _seconds_left(client) <= EIGHT_HOURS


def test_staff_session_ends_eight_hours_after_the_two_factor_step(client):
    editor = UserFactory(roles=[Role.EDITOR])
    secret = generate_totp_secret()
    TOTP.activate(editor, secret)

    first = _password_login(client, editor, remember=True)
    second = client.post("/accounts/2fa/authenticate/", {"code": current_totp_code(secret)})

    assert (first.url, second.url) == ("/accounts/2fa/authenticate/", "/profile/")
    assert client.session["_auth_user_id"] == str(editor.pk)
    assert EIGHT_HOURS - SLACK < _max_age(second) <= EIGHT_HOURS


def test_staff_session_ends_eight_hours_after_login_by_code(client, mailoutbox):
    coordinator = UserFactory(roles=[Role.LIAISON_COORDINATOR])

    client.post("/accounts/login/code/", {"email": coordinator.email})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mailoutbox[0].body, re.MULTILINE).group(1)
    response = client.post("/accounts/login/code/confirm/", {"code": code})

    assert response.url == "/profile/"
    assert client.session["_auth_user_id"] == str(coordinator.pk)
    assert EIGHT_HOURS - SLACK < _max_age(response) <= EIGHT_HOURS


def test_using_a_staff_session_does_not_extend_it(client):
    comms = UserFactory(roles=[Role.COMMS_STAFF])
    _password_login(client, comms, remember=True)
    ends = _session_row(client).expire_date

    # Saving the session again (switching language writes to it) keeps its end.
    client.post("/language/", {"language": "es", "next": "/"})
    client.get("/profile/")

    assert _session_row(client).expire_date == ends
    assert client.session["_auth_user_id"] == str(comms.pk)


def test_superuser_session_is_a_staff_session(client):
    admin = UserFactory(roles=[Role.RESIDENT], is_staff=True, is_superuser=True)

    response = _password_login(client, admin, remember=True)

    assert EIGHT_HOURS - SLACK < _max_age(response) <= EIGHT_HOURS


def test_staff_session_past_its_end_is_signed_out(client):
    comms = UserFactory(roles=[Role.COMMS_STAFF])
    _password_login(client, comms, remember=True)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get("/profile/")

    assert response.url == "/accounts/login/?next=/profile/"
