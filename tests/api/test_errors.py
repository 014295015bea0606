"""Every error has one shape, {"code", "detail"}; the throttles count per client."""

from __future__ import annotations

import pytest

from tests.api.conftest import client_as

pytestmark = pytest.mark.django_db


def test_anonymous_requests_are_throttled_per_address_with_retry_after(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "100/minute"},
    }

    statuses = [api.get("/api/v1/topics/").status_code for _ in range(3)]
    refused = api.get("/api/v1/topics/")

    assert statuses == [200, 200, 429]
    assert (refused.json()["code"], int(refused["Retry-After"]) > 0) == ("throttled", True)


def test_signed_in_users_are_throttled_per_account(people, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100/minute", "user": "1/minute"},
    }
    resident, other = client_as(people["resident"]), client_as(people["other_resident"])

    first, second = resident.get("/api/v1/topics/"), resident.get("/api/v1/topics/")
    someone_else = other.get("/api/v1/topics/")

    assert [r.status_code for r in (first, second, someone_else)] == [200, 429, 200]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("get", "/api/v1/nothing-here/", {}, 404, "not_found"),
        ("post", "/api/nothing/", {}, 404, "not_found"),
        ("delete", "/api/v1/topics/", {}, 405, "method_not_allowed"),
        ("get", "/api/v1/topics/", {"HTTP_ACCEPT": "text/html"}, 406, "not_acceptable"),
        ("get", "/api/v1/topics/", {"data": {"cursor": "bogus"}}, 404, "not_found"),
    ],
)
def test_error_answers_are_json_with_a_stable_code(api, method, path, kwargs, status, code):
    response = getattr(api, method)(path, **kwargs)

    assert (response.status_code, response["Content-Type"], response.json()["code"]) == (
        status,
        "application/json",
        code,
    )
    assert isinstance(response.json()["detail"], str)


def test_a_body_that_is_not_json_is_refused(world, people):
    client = client_as(people["resident"])
    url = f"/api/v1/applications/{world.own_application.pk}/"

    form = client.patch(url, "phone=1", content_type="application/x-www-form-urlencoded")
    broken = client.patch(url, "{not json", content_type="application/json")

    assert (form.status_code, form.json()["code"]) == (415, "unsupported_media_type")
    assert (broken.status_code, broken.json()["code"]) == (400, "parse_error")


def test_domain_errors_are_answered_in_the_language_of_the_user(world, people):
    people["comms"].preferred_language = "es"
    people["comms"].save(update_fields=["preferred_language"])

    response = client_as(people["comms"]).post(
        f"/api/v1/staff/chats/{world.ended_chat.pk}/transition/", {"to": "draft"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid_transition")
    assert response.json()["detail"].startswith("Un chat no puede")
