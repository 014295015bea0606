"""The role-by-endpoint matrix: every endpoint, as every kind of person, with data that
could leak present. A refused request answers the same error code every time (401 for
no credentials, 403 for a missing role, 404 for an application that is not yours) and
changes nothing; an allowed one answers its success status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.roles import Role
from events.models import CaptureSource, Chat, ModerationAction, Post, Question
from liaisons.models import Application, ApplicationNote, AuditEntry
from tests.api.conftest import ROLES, World, client_as
from tests.factories import CaptureSourceFactory, UserFactory

pytestmark = pytest.mark.django_db

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: Callable[[World], str]
    allowed: frozenset[str]
    ok: int = 200
    body: Callable[[World, dict[str, Any]], dict[str, Any]] | None = None
    # How a signed-in person without access is refused: "role" (403) for endpoints
    # about no particular application, "object" (404) for one application.
    refusal: str = "role"
    # Roles refused by a rule of the domain instead: role -> (status, code).
    domain_refusals: tuple[tuple[str, tuple[int, str]], ...] = ()


def _later(days: int, hours: int = 0) -> str:
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    return (start + timedelta(days=days, hours=hours)).isoformat()


ENDPOINTS = [
    # Public reads.
    Endpoint("topics", "get", lambda w: "/api/v1/topics/", EVERYONE),
    Endpoint("topic", "get", lambda w: "/api/v1/topics/streets/", EVERYONE),
    Endpoint("neighborhoods", "get", lambda w: "/api/v1/neighborhoods/", EVERYONE),
    Endpoint("chats", "get", lambda w: "/api/v1/chats/", EVERYONE),
    Endpoint("chat", "get", lambda w: "/api/v1/chats/potholes/", EVERYONE),
    Endpoint("chat posts", "get", lambda w: "/api/v1/chats/potholes/posts/", EVERYONE),
    Endpoint("recaps", "get", lambda w: "/api/v1/recaps/", EVERYONE),
    Endpoint("recap", "get", lambda w: "/api/v1/recaps/last-month/", EVERYONE),
    Endpoint("training sessions", "get", lambda w: "/api/v1/training-sessions/", EVERYONE),
    Endpoint("directory", "get", lambda w: "/api/v1/liaison-directory/", EVERYONE),
    # The applicant: their own application only.
    Endpoint("own applications", "get", lambda w: "/api/v1/applications/", SIGNED_IN),
    Endpoint(
        "apply",
        "post",
        lambda w: "/api/v1/applications/",
        SIGNED_IN - {"resident", "other_resident"},
        ok=201,
        body=lambda w, p: {"display_name": "New applicant"},
        # Both residents already have an open application: one per person.
        domain_refusals=(
            ("resident", (400, "open_application_exists")),
            ("other_resident", (400, "open_application_exists")),
        ),
    ),
    Endpoint(
        "application (own)",
        "get",
        lambda w: f"/api/v1/applications/{w.own_application.pk}/",
        frozenset({"resident"}),
        refusal="object",
    ),
    Endpoint(
        "application (edit)",
        "patch",
        lambda w: f"/api/v1/applications/{w.own_application.pk}/",
        frozenset({"resident"}),
        body=lambda w, p: {"motivation": "Changed by the request"},
        refusal="object",
    ),
    Endpoint(
        "application (withdraw)",
        "post",
        lambda w: f"/api/v1/applications/{w.own_application.pk}/withdraw/",
        frozenset({"resident"}),
        refusal="object",
    ),
    Endpoint(
        "application (another's)",
        "get",
        lambda w: f"/api/v1/applications/{w.other_application.pk}/",
        frozenset({"other_resident"}),
        refusal="object",
    ),
    Endpoint(
        "application (edit another's)",
        "patch",
        lambda w: f"/api/v1/applications/{w.other_application.pk}/",
        frozenset({"other_resident"}),
        body=lambda w, p: {"motivation": "Changed by the request"},
        refusal="object",
    ),
    # Comms staff.
    Endpoint("staff chats", "get", lambda w: "/api/v1/staff/chats/", frozenset({"comms"})),
    Endpoint(
        "staff chat create",
        "post",
        lambda w: "/api/v1/staff/chats/",
        frozenset({"comms"}),
        ok=201,
        body=lambda w, p: {"topic": "streets", "title": "New chat", "starts_at": _later(20)},
    ),
    Endpoint(
        "staff chat (draft)",
        "get",
        lambda w: f"/api/v1/staff/chats/{w.draft_chat.pk}/",
        frozenset({"comms"}),
    ),
    Endpoint(
        "staff chat edit",
        "patch",
        lambda w: f"/api/v1/staff/chats/{w.draft_chat.pk}/",
        frozenset({"comms"}),
        body=lambda w, p: {"title": "Renamed draft"},
    ),
    Endpoint(
        "staff chat transition",
        "post",
        lambda w: f"/api/v1/staff/chats/{w.draft_chat.pk}/transition/",
        frozenset({"comms"}),
        body=lambda w, p: {"to": "scheduled"},
    ),
    Endpoint(
        "staff chat reschedule",
        "post",
        lambda w: f"/api/v1/staff/chats/{w.chat.pk}/reschedule/",
        frozenset({"comms"}),
        body=lambda w, p: {"starts_at": _later(9), "ends_at": _later(9, 1)},
    ),
    Endpoint(
        "staff questions publish",
        "post",
        lambda w: f"/api/v1/staff/chats/{w.chat.pk}/questions/publish/",
        frozenset({"comms"}),
        body=lambda w, p: {"published": True},
    ),
    Endpoint(
        "staff sources",
        "get",
        lambda w: f"/api/v1/staff/chats/{w.chat.pk}/sources/",
        frozenset({"comms"}),
    ),
    Endpoint(
        "staff sources ensure",
        "post",
        lambda w: f"/api/v1/staff/chats/{w.chat.pk}/sources/",
        frozenset({"comms"}),
    ),
    Endpoint(
        "staff source resume",
        "post",
        lambda w: f"/api/v1/staff/chats/{w.chat.pk}/sources/{_paused_source(w).pk}/resume/",
        frozenset({"comms"}),
    ),
    Endpoint(
        "staff posts",
        "get",
        lambda w: f"/api/v1/staff/chats/{w.chat.pk}/posts/",
        frozenset({"comms"}),
    ),
    Endpoint(
        "staff post hide",
        "post",
        lambda w: f"/api/v1/staff/chats/{w.chat.pk}/posts/{w.visible_post.pk}/hide/",
        frozenset({"comms"}),
        body=lambda w, p: {"reason": "Shares a phone number"},
    ),
    Endpoint(
        "staff post unhide",
        "post",
        lambda w: f"/api/v1/staff/chats/{w.chat.pk}/posts/{w.hidden_post.pk}/unhide/",
        frozenset({"comms"}),
    ),
    Endpoint(
        "staff post highlight",
        "post",
        lambda w: f"/api/v1/staff/chats/{w.chat.pk}/posts/{w.visible_post.pk}/highlight/",
        frozenset({"comms"}),
        body=lambda w, p: {"highlighted": True},
    ),
    # Liaison coordinators.
    Endpoint(
        "review queue", "get", lambda w: "/api/v1/staff/applications/", frozenset({"coordinator"})
    ),
    Endpoint(
        "review application",
        "get",
        lambda w: f"/api/v1/staff/applications/{w.other_application.pk}/",
        frozenset({"coordinator"}),
        refusal="object",
    ),
    Endpoint(
        "review assign",
        "post",
        lambda w: f"/api/v1/staff/applications/{w.other_application.pk}/assign/",
        frozenset({"coordinator"}),
        body=lambda w, p: {"reviewer": p["coordinator"].pk},
        refusal="object",
    ),
    Endpoint(
        "review decision",
        "post",
        lambda w: f"/api/v1/staff/applications/{w.other_application.pk}/decision/",
        frozenset({"coordinator"}),
        body=lambda w, p: {"decision": "approve", "message": "Welcome!"},
        refusal="object",
    ),
    Endpoint(
        "review note",
        "post",
        lambda w: f"/api/v1/staff/applications/{w.other_application.pk}/notes/",
        frozenset({"coordinator"}),
        ok=201,
        body=lambda w, p: {"body": "Called them."},
        refusal="object",
    ),
]


def _paused_source(world: World) -> CaptureSource:
    source = CaptureSource.objects.filter(chat=world.chat, state="paused").first()
    return source or CaptureSourceFactory(chat=world.chat, state="paused")


def snapshot() -> dict[str, Any]:
    """Everything an endpoint could change (token bookkeeping aside)."""
    return {
        "applications": list(Application.objects.order_by("pk").values()),
        "audit": list(AuditEntry.objects.order_by("pk").values_list("pk", flat=True)),
        "notes": list(ApplicationNote.objects.order_by("pk").values()),
        "chats": list(Chat.objects.order_by("pk").values()),
        "questions": list(Question.objects.order_by("pk").values()),
        "posts": list(Post.objects.order_by("pk").values()),
        "sources": list(CaptureSource.objects.order_by("pk").values()),
        "moderation": list(ModerationAction.objects.order_by("pk").values_list("pk", flat=True)),
    }


def expected_refusal(endpoint: Endpoint, role: str) -> tuple[int, str]:
    if role in dict(endpoint.domain_refusals):
        return dict(endpoint.domain_refusals)[role]
    if role == "anonymous":
        return 401, "not_authenticated"
    if endpoint.refusal == "object":
        return 404, "not_found"
    return 403, "permission_denied"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_endpoint_answers_each_role_as_the_matrix_says(world, people, endpoint, role):
    url = endpoint.url(world)  # may create the row it points at
    client = client_as(people[role])
    body = endpoint.body(world, people) if endpoint.body else None
    before = snapshot()

    response = getattr(client, endpoint.method)(url, body, format="json")

    if role in endpoint.allowed:
        assert response.status_code == endpoint.ok, response.content
        assert response["Content-Type"] == "application/json"
    else:
        status, code = expected_refusal(endpoint, role)
        assert (response.status_code, response.json()["code"]) == (status, code)
        assert snapshot() == before


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.allowed == EVERYONE])
def test_public_read_is_the_same_for_every_role(world, people, endpoint):
    bodies = {role: client_as(people[role]).get(endpoint.url(world)).json() for role in ROLES}

    assert {role: body == bodies["anonymous"] for role, body in bodies.items()} == dict.fromkeys(
        ROLES, True
    )


def test_staff_endpoints_refuse_comms_staff_without_two_factor_authentication(world, people):
    no_mfa = UserFactory(roles=[Role.COMMS_STAFF])
    before = snapshot()

    refused = client_as(no_mfa).post(
        f"/api/v1/staff/chats/{world.chat.pk}/posts/{world.visible_post.pk}/hide/",
        {"reason": "Spam"},
        format="json",
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "mfa_required")
    assert snapshot() == before
