"""Fixtures for the API tests: one person per role, and a world full of data that must
not leak (drafts, hidden and deleted posts, unpublished questions and recaps, liaisons
who did not opt in, other people's applications)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import Role
from core.selectors import get_city
from tests.factories import (
    ApiTokenFactory,
    ApplicationFactory,
    ChatFactory,
    ChatHostFactory,
    CityFactory,
    NeighborhoodFactory,
    PostFactory,
    QuestionFactory,
    RecapFactory,
    TopicFactory,
    TrainingSessionFactory,
    UserFactory,
)

ROLES = ["anonymous", "resident", "other_resident", "comms", "editor", "coordinator"]


def staff_with_mfa(*roles: Role, **kwargs: Any) -> User:
    user = UserFactory(roles=list(roles), **kwargs)
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture(autouse=True)
def _city(db):
    """The city exists and is cached, as in any running installation: middleware reads
    it on every request, so query counts below are the endpoints' own."""
    CityFactory()
    get_city()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def people(db) -> dict[str, User | None]:
    """One account per role (staff with two-factor authentication), by matrix name."""
    return {
        "anonymous": None,
        "resident": UserFactory(roles=[Role.RESIDENT], display_name="Rita Resident"),
        "other_resident": UserFactory(roles=[Role.RESIDENT], display_name="Omar Other"),
        "comms": staff_with_mfa(Role.COMMS_STAFF, display_name="Cam Comms"),
        "editor": staff_with_mfa(Role.EDITOR, display_name="Eda Editor"),
        "coordinator": staff_with_mfa(Role.LIAISON_COORDINATOR, display_name="Coco Coord"),
    }


def client_as(user: User | None) -> APIClient:
    """An API client that sends ``user``'s personal token (none for anonymous)."""
    client = APIClient()
    if user is not None:
        token = ApiTokenFactory(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.token}")
    return client


@dataclass
class World:
    topic: Any
    retired_topic: Any
    chat: Any
    draft_chat: Any
    ended_chat: Any
    visible_post: Any
    hidden_post: Any
    deleted_post: Any
    published_recap: Any
    draft_recap: Any
    session: Any
    past_session: Any
    neighborhood: Any
    listed_liaison: Any
    unlisted_liaison: Any
    own_application: Any
    other_application: Any


@pytest.fixture
def world(people) -> World:
    now = timezone.now().replace(microsecond=0)
    neighborhood = NeighborhoodFactory(name="Fishtown", slug="fishtown")
    topic = TopicFactory(name="Streets", slug="streets", default_hashtag="#PhillyStreets")
    retired = TopicFactory(name="Retired topic", slug="retired", active=False)
    chat = ChatFactory(
        topic=topic, title="Potholes and paving", slug="potholes", status="scheduled"
    )
    ChatHostFactory(chat=chat, platform="x", handle="@Philly311", display_name="Philly311")
    QuestionFactory(chat=chat, position=1, text="Where are the worst potholes?", published=True)
    QuestionFactory(chat=chat, position=2, text="UNPUBLISHED QUESTION", published=False)
    draft = ChatFactory(topic=topic, title="DRAFT CHAT SECRET", slug="draft-chat", status="draft")
    ended = ChatFactory(
        topic=topic,
        title="Last month's chat",
        slug="last-month",
        status="recap_published",
        starts_at=now - timedelta(days=30),
        ends_at=now - timedelta(days=30) + timedelta(hours=1),
    )
    visible = PostFactory(chat=chat, text="Fix 5th street please", author_handle="alice")
    hidden = PostFactory(
        chat=chat, text="HIDDEN POST", hidden=True, hidden_reason="Personal attack"
    )
    deleted = PostFactory(chat=chat, text="DELETED POST", deleted_at=now)
    published = RecapFactory(
        chat=ended, title="What we heard", status="published", published_at=now
    )
    draft_recap = RecapFactory(
        chat=ChatFactory(topic=topic, status="ended", slug="ended-unpublished"),
        title="DRAFT RECAP",
    )
    session = TrainingSessionFactory(
        title="Liaison basics", online_url="https://meet.example.org/SECRET-LINK"
    )
    past = TrainingSessionFactory(
        title="PAST SESSION",
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(hours=2),
    )
    listed = ApplicationFactory(
        status="active",
        display_name="Listed Liaison",
        neighborhood=neighborhood,
        consent_directory=True,
        phone="215-555-0199",
    )
    unlisted = ApplicationFactory(
        status="active", display_name="UNLISTED LIAISON", neighborhood=neighborhood
    )
    own = ApplicationFactory(
        user=people["resident"],
        status="draft",
        display_name="Rita R.",
        neighborhood=neighborhood,
        submitted_at=None,
    )
    other = ApplicationFactory(
        user=people["other_resident"],
        status="submitted",
        display_name="OTHER APPLICANT",
        phone="215-555-0100",
        motivation="PRIVATE MOTIVATION",
    )
    return World(
        topic=topic,
        retired_topic=retired,
        chat=chat,
        draft_chat=draft,
        ended_chat=ended,
        visible_post=visible,
        hidden_post=hidden,
        deleted_post=deleted,
        published_recap=published,
        draft_recap=draft_recap,
        session=session,
        past_session=past,
        neighborhood=neighborhood,
        listed_liaison=listed,
        unlisted_liaison=unlisted,
        own_application=own,
        other_application=other,
    )
