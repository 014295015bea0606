from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from accounts.models import User
from core.models import City, Neighborhood
from events.models import Chat, Post, Topic
from recaps.models import Recap

ROLE_ACCOUNTS = [
    f"{name}@demo.civicchat.test"
    for name in ("admin", "comms", "coordinator", "editor", "liaison", "resident")
]


def _snapshot():
    return {
        "cities": list(City.objects.values_list("name", "timezone")),
        "neighborhoods": Neighborhood.objects.count(),
        "topics": list(Topic.objects.order_by("slug").values_list("name", "default_hashtag")),
        "users": sorted(
            (u.email, sorted(u.groups.values_list("name", flat=True)), u.is_superuser)
            for u in User.objects.filter(email__in=ROLE_ACCOUNTS)
        ),
        "all_users": User.objects.count(),
        "verified": EmailAddress.objects.filter(verified=True).count(),
        "chats": sorted(Chat.objects.values_list("slug", "status")),
        "recaps": list(
            Recap.objects.values_list("chat__slug", "status", "stats__posts", "stats__participants")
        ),
        "posts": Post.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_loads_city_topics_and_one_account_per_role():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    snapshot = _snapshot()
    assert snapshot["cities"] == [("Philadelphia", "America/New_York")]
    assert snapshot["topics"] == [
        ("311 Neighborhood Liaison Program", "#Philly311NLP"),
        ("PhillyRising", "#PhillyRising"),
    ]
    assert snapshot["users"] == [
        ("admin@demo.civicchat.test", ["Resident"], True),
        ("comms@demo.civicchat.test", ["Comms staff", "Resident"], False),
        ("coordinator@demo.civicchat.test", ["Liaison coordinator", "Resident"], False),
        ("editor@demo.civicchat.test", ["Editor", "Resident"], False),
        ("liaison@demo.civicchat.test", ["Liaison", "Resident"], False),
        ("resident@demo.civicchat.test", ["Resident"], False),
    ]
    assert snapshot["verified"] == snapshot["all_users"]
    assert snapshot["chats"] == [
        ("monthly-311-chat-1", "scheduled"),
        ("monthly-311-chat-2", "scheduled"),
        ("monthly-311-chat-3", "draft"),
        ("philly311nlp-tweet-chat", "recap_published"),
        ("phillyrising-winter-safety-chat", "scheduled"),
    ]
    # The evening of #Philly311NLP: 244 posts from 67 participants, recap published.
    assert snapshot["recaps"] == [("philly311nlp-tweet-chat", "published", 244, 67)]
    assert snapshot["posts"] == 244


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing(capsys):
    call_command("seed_demo")
    first = _snapshot()

    call_command("seed_demo")

    assert _snapshot() == first
    assert "password for all: civicchat-demo" in capsys.readouterr().out


@pytest.mark.django_db
def test_seed_demo_refuses_production_unless_forced(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="Refusing to load demo accounts"):
        call_command("seed_demo")
    assert User.objects.count() == 0

    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert User.objects.filter(email__in=ROLE_ACCOUNTS).count() == 6


@pytest.mark.django_db
def test_seed_demo_accounts_can_sign_in(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    response = client.post(
        "/accounts/login/",
        {"login": "resident@demo.civicchat.test", "password": "civicchat-demo"},
    )

    assert response.url == "/profile/"
    assert client.session["_auth_user_id"] == str(
        User.objects.get(email="resident@demo.civicchat.test").pk
    )
