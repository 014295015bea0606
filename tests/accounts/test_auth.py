"""Sign-up, verification, sign-in and the admin, through allauth."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import User
from accounts.roles import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _signup(client, email="new.resident@example.org"):
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_signup_creates_unverified_resident_and_sends_one_mail(client, mailoutbox):
    response = _signup(client)

    user = User.objects.get()
    assert response.url == "/accounts/confirm-email/"
    assert (user.email, list(user.groups.values_list("name", flat=True))) == (
        "new.resident@example.org",
        ["Resident"],
    )
    assert EmailAddress.objects.get(user=user).verified is False
    assert [m.to for m in mailoutbox] == [["new.resident@example.org"]]
    assert re.search(r"/accounts/confirm-email/[-:\w]+/", mailoutbox[0].body)


def test_signup_in_spanish_stores_spanish_as_preferred_language(client):
    client.cookies["django_language"] = "es"

    _signup(client)

    assert User.objects.get().preferred_language == "es"


def test_login_before_verification_does_not_sign_in(client):
    _signup(client)
    client.logout()

    response = client.post(
        "/accounts/login/", {"login": "new.resident@example.org", "password": PASSWORD}
    )

    assert response.url == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_login_is_case_insensitive_on_email(client, make_user):
    user = make_user(Role.RESIDENT, email="mixed@example.org")

    response = client.post("/accounts/login/", {"login": "MiXeD@Example.org", "password": PASSWORD})

    assert response.url == "/profile/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_failed_logins_are_rate_limited_on_the_cache(client, make_user):
    make_user(Role.RESIDENT, email="target@example.org")
    for _ in range(5):
        client.post("/accounts/login/", {"login": "target@example.org", "password": "wrong"})

    # ACCOUNT_RATE_LIMITS["login_failed"] allows 5 per 5 minutes per account: even the
    # right password is refused now, and nobody is signed in.
    response = client.post(
        "/accounts/login/", {"login": "target@example.org", "password": PASSWORD}
    )

    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.url == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_refuses_superuser_without_mfa_then_admits_with_it(client, make_user):
    admin = make_user(Role.RESIDENT, is_staff=True, is_superuser=True)
    client.force_login(admin)

    before = client.get("/admin/")
    TOTP.activate(admin, generate_totp_secret())
    after = client.get("/admin/")

    assert before.url == "/accounts/2fa/totp/activate/"
    assert "Site administration" in after.content.decode()


def test_admin_refuses_resident(client, make_user):
    client.force_login(make_user(Role.RESIDENT))

    response = client.get("/admin/")

    assert response.url == "/admin/login/?next=/admin/"
