"""Personal API tokens: made and revoked on the profile page, shown once, stored only
as a hash, refused once revoked."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import delete_account, export_user_data
from api.models import ApiToken
from api.services import MAX_ACTIVE_TOKENS
from tests.factories import ApiTokenFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r"cc_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def with_token(token: str, keyword: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token}")
    return client


def test_token_made_on_the_profile_page_is_shown_once_and_stored_hashed(client, resident):
    client.force_login(resident)

    made = client.post(reverse("api_tokens:create"), {"name": "Newsroom dashboard"})
    profile = client.get(reverse("accounts:profile"))

    secrets = TOKEN_RE.findall(made.content.decode())
    row = ApiToken.objects.get(user=resident)
    assert (made.status_code, len(secrets)) == (200, 1)
    assert "no-store" in made["Cache-Control"]
    secret = secrets[0]
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert (row.name, secret.startswith(f"cc_{row.prefix}_")) == ("Newsroom dashboard", True)
    # The database never holds the token: not in the row, not in a session.
    stored = [str(v) for v in ApiToken.objects.filter(pk=row.pk).values().get().values()]
    sessions = [s.session_data for s in Session.objects.all()]
    assert [value for value in stored + sessions if secret[len("cc_") + 13 :] in value] == []
    # The profile page lists it by name and prefix, never the whole token again.
    page = profile.content.decode()
    assert ("Newsroom dashboard" in page, f"cc_{row.prefix}_" in page) == (True, True)
    assert TOKEN_RE.findall(page) == []


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_token_authenticates_as_its_owner(resident, keyword):
    token = ApiTokenFactory(user=resident)

    response = with_token(token.token, keyword).get("/api/v1/applications/")

    assert (response.status_code, response.json()["results"]) == (200, [])


def test_token_use_is_recorded_at_most_once_a_minute(resident):
    token = ApiTokenFactory(user=resident)
    client = with_token(token.token)

    client.get("/api/v1/applications/")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    client.get("/api/v1/applications/")
    second = ApiToken.objects.get(pk=token.pk).last_used_at

    assert first is not None
    assert second == first


def test_revoked_token_is_refused(client, resident):
    token = ApiTokenFactory(user=resident)
    client.force_login(resident)
    works = with_token(token.token).get("/api/v1/applications/")

    revoked = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    refused = with_token(token.token).get("/api/v1/applications/")

    assert works.status_code == 200
    assert revoked.url == reverse("accounts:profile") + "#api-tokens"
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")
    assert refused["WWW-Authenticate"] == 'Token realm="api"'
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_revoking_another_users_token_is_not_found_and_it_keeps_working(client, resident):
    other = ApiTokenFactory()
    client.force_login(resident)

    response = client.post(reverse("api_tokens:revoke", args=[other.pk]))

    assert response.status_code == 404
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
    assert with_token(other.token).get("/api/v1/applications/").status_code == 200


def test_token_of_a_deactivated_account_is_refused():
    token = ApiTokenFactory(user=UserFactory(is_active=False))

    response = with_token(token.token).get("/api/v1/applications/")

    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer two parts",
        "Bearer not-a-token",
        "Token cc_000000000000_wrong-secret",
        "Bearer cc_zz_short",
        "Bearer caf\u00e9",
    ],
)
def test_malformed_or_unknown_token_is_refused(resident, header):
    ApiTokenFactory(user=resident, prefix="000000000000")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/topics/")

    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")


def test_token_form_refuses_an_empty_name(client, resident):
    client.force_login(resident)

    response = client.post(reverse("api_tokens:create"), {"name": "  "}, follow=True)

    assert ApiToken.objects.count() == 0
    assert "Give the token a name" in response.content.decode()


def test_token_form_refuses_more_than_the_cap(client, resident):
    ApiTokenFactory.create_batch(MAX_ACTIVE_TOKENS, user=resident)
    client.force_login(resident)

    response = client.post(reverse("api_tokens:create"), {"name": "One more"}, follow=True)

    assert ApiToken.objects.filter(user=resident).count() == MAX_ACTIVE_TOKENS
    assert f"You have {MAX_ACTIVE_TOKENS} active tokens" in response.content.decode()


def test_token_pages_need_a_signed_in_user_and_a_post(client, resident):
    anonymous = client.post(reverse("api_tokens:create"), {"name": "x"})
    client.force_login(resident)
    get = client.get(reverse("api_tokens:create"))

    assert anonymous.url.startswith(reverse("account_login"))
    assert get.status_code == 405
    assert ApiToken.objects.count() == 0


def test_session_writes_need_csrf_but_token_writes_do_not(world, people):
    from tests.api.conftest import client_as

    session = APIClient(enforce_csrf_checks=True)
    session.force_login(people["resident"])
    token = client_as(people["resident"])
    token.handler.enforce_csrf_checks = True
    url = f"/api/v1/applications/{world.own_application.pk}/"

    refused = session.patch(url, {"phone": "215-555-0111"}, format="json")
    accepted = token.patch(url, {"phone": "215-555-0111"}, format="json")

    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert (accepted.status_code, accepted.json()["phone"]) == (200, "215-555-0111")


def test_personal_data_export_lists_tokens_without_their_secrets_and_delete_removes_them(
    resident,
):
    token = ApiTokenFactory(user=resident, name="Script")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now() - timedelta(days=1))

    exported = export_user_data(user=resident)["api_tokens"]
    delete_account(user=resident)

    assert [(t["name"], t["prefix"], t["revoked_at"] is not None) for t in exported["tokens"]] == [
        ("Script", token.prefix, True)
    ]
    assert token.token not in str(exported)
    assert ApiToken.objects.count() == 0
