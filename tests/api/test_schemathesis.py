"""Schemathesis against the schema, in process (WSGI, no server): generated requests to
every operation, anonymously and with a token that holds every role. No server errors,
answers that match the schema (status, content type, body), and no operation that
declares authentication and answers 2xx without it or with a bad token.

Bounded: a few derandomized examples per operation, so the run takes seconds and gives
the same requests every time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.roles import Role
from tests.api.conftest import staff_with_mfa
from tests.factories import ApiTokenFactory

# Hypothesis keeps caches in a folder; keep it in var/ (git-ignored), not the work tree.
set_hypothesis_home_dir(str(Path(django_settings.BASE_DIR) / "var" / "hypothesis"))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,
]


def _load_schema(*, coverage: bool) -> Any:
    """The schema /api/schema/ serves, generated here (collection has no database, and
    the page's middleware would read the city), sent to Django's WSGI handler.
    ``coverage``: also Schemathesis' coverage phase (boundary and invalid values of
    every parameter), which is thorough and slow on bodies with many fields."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    config = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": coverage}}})
    loaded = schemathesis.openapi.from_dict(
        json.loads(json.dumps(generated, default=str)), config=config
    )
    loaded.app = WSGIHandler()
    return loaded


anonymous_schema = _load_schema(coverage=True)
token_schema = _load_schema(coverage=False)


@pytest.fixture(autouse=True)
def _in_process(db, world, settings) -> Iterator[None]:
    """Requests run in this thread, on the test's transaction, with the world's data.
    Like Django's test client, keep the request signals from closing the connection
    (which would end the test's transaction); lift the limits so the writes are reached."""
    settings.LIAISONS_APPLY_RATE_USER = "10000/h"
    settings.LIAISONS_APPLY_RATE_IP = "10000/h"
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "10000/minute", "user": "10000/minute"},
    }
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def everyone_token(db) -> str:
    """A superuser who also holds every staff role, with two-factor authentication."""
    user = staff_with_mfa(
        Role.RESIDENT, Role.COMMS_STAFF, Role.EDITOR, Role.LIAISON_COORDINATOR, is_superuser=True
    )
    return ApiTokenFactory(user=user).token


@anonymous_schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_schema_anonymously(case):
    case.call_and_validate(checks=CHECKS)


@token_schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_schema_with_a_token(case, everyone_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {everyone_token}"}, checks=CHECKS)
