"""The OpenAPI schema validates without a warning, says what the API does, and the docs
page works without a CDN and without inline code."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

from api.docs import DOCS_CSP

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory, django_db_blocker):
    path = tmp_path_factory.mktemp("schema") / "schema.yml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_schema_validates_with_no_warnings(schema_file):
    assert schema_file["openapi"].startswith("3.")


def test_schema_documents_the_error_answers_of_every_operation(schema_file):
    missing = {
        f"{method.upper()} {path}": sorted(
            {"400", "401", "403", "404", "429"} - set(op["responses"])
        )
        for path, method, op in operations(schema_file)
    }

    assert {name: codes for name, codes in missing.items() if codes} == {}


def test_schema_marks_staff_and_own_data_operations_as_needing_credentials(schema_file):
    open_to_anyone = sorted(
        f"{method.upper()} {path}"
        for path, method, op in operations(schema_file)
        if {} in op.get("security", [])
    )

    assert open_to_anyone == [
        "GET /api/v1/chats/",
        "GET /api/v1/chats/{slug}/",
        "GET /api/v1/chats/{slug}/posts/",
        "GET /api/v1/liaison-directory/",
        "GET /api/v1/neighborhoods/",
        "GET /api/v1/recaps/",
        "GET /api/v1/recaps/{slug}/",
        "GET /api/v1/topics/",
        "GET /api/v1/topics/{slug}/",
        "GET /api/v1/training-sessions/",
    ]


def test_schema_request_bodies_allow_no_other_fields(schema_file):
    components = schema_file["components"]["schemas"]
    open_bodies = sorted(
        name
        for name, component in components.items()
        if name.endswith("Request") and component.get("additionalProperties") is not False
    )

    assert (open_bodies, "PatchedApplicationInputRequest" in components) == ([], True)


def test_schema_is_served_to_anyone(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert (response.status_code, response.json()["info"]["title"]) == (200, "CivicChat API")


def test_docs_page_has_no_inline_code_and_a_strict_policy(api):
    response = api.get("/api/docs/")

    page = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert response["Content-Security-Policy"] == DOCS_CSP
    # Swagger UI, its preset, our accessibility plugin (api/docs-a11y.js), the start-up.
    assert [(attrs.strip().startswith("src="), body.strip()) for attrs, body in scripts] == [
        (True, ""),
        (True, ""),
        (True, ""),
        (True, ""),
    ]
    assert (re.findall(r"<style", page), re.findall(r"\sstyle=", page)) == ([], [])


def test_docs_page_loads_only_local_files_that_exist(api):
    page = api.get("/api/docs/").content.decode()

    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    static = [u.removeprefix("/static/") for u in urls if u.startswith("/static/")]
    assert [u for u in urls if not u.startswith("/")] == []
    assert {path: bool(finders.find(path)) for path in static} == dict.fromkeys(static, True)
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in static


def test_docs_start_up_script_is_served_as_javascript(api):
    response = api.get("/api/docs/", {"script": ""})

    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()
