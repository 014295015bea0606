"""Public reads: what they show, what they never show, and what they cost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    ApplicationFactory,
    ChatFactory,
    ChatHostFactory,
    HighlightFactory,
    NeighborhoodFactory,
    PostFactory,
    QuestionFactory,
    RecapFactory,
    RecapSectionFactory,
    TopicFactory,
    TrainingRegistrationFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_topic_list_shows_active_topics_only(api, world):
    response = api.get("/api/v1/topics/")

    assert results(response) == [
        {
            "slug": "streets",
            "name": "Streets",
            "description": "What this topic is about.",
            "default_hashtag": "#PhillyStreets",
            "owning_team": "Philly311",
        }
    ]


def test_topic_detail_of_a_retired_topic_is_not_found(api, world):
    response = api.get("/api/v1/topics/retired/")

    assert (response.status_code, response.json()) == (
        404,
        {"code": "not_found", "detail": "No such topic"},
    )


def test_chat_list_leaves_out_drafts_and_unpublished_questions(api, world):
    response = api.get("/api/v1/chats/")

    chats = {chat["slug"]: chat for chat in results(response)}
    assert sorted(chats) == ["ended-unpublished", "last-month", "potholes"]
    assert chats["potholes"]["questions"] == [
        {
            "position": 1,
            "label": "Q1",
            "text": "Where are the worst potholes?",
            "planned_minute": None,
        }
    ]
    assert chats["potholes"]["hosts"] == [
        {"platform": "x", "handle": "@Philly311", "display_name": "Philly311"}
    ]
    assert "DRAFT CHAT SECRET" not in response.content.decode()
    assert "UNPUBLISHED QUESTION" not in response.content.decode()


def test_chat_detail_of_a_draft_is_not_found(api, world):
    response = api.get("/api/v1/chats/draft-chat/")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_chat_list_filters_by_topic_and_status(api, world):
    other = ChatFactory(topic=TopicFactory(slug="parks"), slug="parks-chat")

    by_topic = results(api.get("/api/v1/chats/", {"topic": "parks"}))
    by_status = results(api.get("/api/v1/chats/", {"status": "recap_published"}))

    assert [chat["slug"] for chat in by_topic] == [other.slug]
    assert [chat["slug"] for chat in by_status] == ["last-month"]


def test_chat_list_refuses_a_filter_value_it_does_not_know(api, world):
    response = api.get("/api/v1/chats/", {"status": "draft"})

    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert list(response.json()["errors"]) == ["status"]


def test_chat_posts_never_include_hidden_or_deleted_posts(api, world):
    response = api.get("/api/v1/chats/potholes/posts/")

    assert [post["text"] for post in results(response)] == ["Fix 5th street please"]


def test_chat_posts_of_a_draft_chat_are_not_found(api, world):
    PostFactory(chat=world.draft_chat, text="A post in a draft")

    response = api.get("/api/v1/chats/draft-chat/posts/")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_chat_posts_page_with_a_cursor(api, world):
    for minute in range(3):
        PostFactory(
            chat=world.chat,
            text=f"Later {minute}",
            created_at=world.chat.starts_at + timedelta(minutes=10 + minute),
        )

    first = api.get("/api/v1/chats/potholes/posts/", {"page_size": 2}).json()
    second = api.get(first["next"]).json()

    assert [p["text"] for p in first["results"]] == ["Fix 5th street please", "Later 0"]
    assert [p["text"] for p in second["results"]] == ["Later 1", "Later 2"]
    assert second["next"] is None


def test_recap_list_shows_published_recaps_only(api, world):
    response = api.get("/api/v1/recaps/")

    assert [recap["title"] for recap in results(response)] == ["What we heard"]


def test_recap_detail_leaves_out_highlights_of_hidden_posts(api, world):
    section = RecapSectionFactory(recap=world.published_recap, heading="Potholes", position=1)
    HighlightFactory(section=section, post__text="Shown highlight", position=1)
    HighlightFactory(section=section, post__text="HIDDEN HIGHLIGHT", post__hidden=True, position=2)

    response = api.get("/api/v1/recaps/last-month/")

    body = response.json()
    assert [s["heading"] for s in body["sections"]] == ["Potholes"]
    assert [h["post"]["text"] for h in body["sections"][0]["highlights"]] == ["Shown highlight"]


def test_recap_detail_of_a_draft_recap_is_not_found(api, world):
    response = api.get(f"/api/v1/recaps/{world.draft_recap.chat.slug}/")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_training_sessions_list_upcoming_ones_without_the_online_link(api, world):
    TrainingRegistrationFactory(session=world.session)

    response = api.get("/api/v1/training-sessions/")

    assert results(response) == [
        {
            "id": world.session.pk,
            "title": "Liaison basics",
            "description": "",
            "starts_at": timezone.localtime(world.session.starts_at).isoformat(),
            "ends_at": timezone.localtime(world.session.ends_at).isoformat(),
            "location": "City Hall, Room 202",
            "is_online": True,
            "capacity": 10,
            "seats_left": 9,
        }
    ]
    assert "SECRET-LINK" not in response.content.decode()


def test_directory_lists_opted_in_active_liaisons_with_name_and_neighborhood_only(api, world):
    response = api.get("/api/v1/liaison-directory/")

    assert results(response) == [
        {"display_name": "Listed Liaison", "neighborhood": {"slug": "fishtown", "name": "Fishtown"}}
    ]
    assert "215-555-0199" not in response.content.decode()


def test_directory_filters_by_neighborhood(api, world):
    elsewhere = NeighborhoodFactory(name="Kensington", slug="kensington")
    ApplicationFactory(
        status="active", display_name="Kim", neighborhood=elsewhere, consent_directory=True
    )

    response = api.get("/api/v1/liaison-directory/", {"neighborhood": "kensington"})

    assert [entry["display_name"] for entry in results(response)] == ["Kim"]


# --- query counts: the same request with 1 and 3 rows ------------------------------------------


def _chat(n: int):
    chat = ChatFactory()
    ChatHostFactory(chat=chat)
    QuestionFactory(chat=chat, published=True)
    return chat


def _published_recap(n: int):
    return RecapFactory(status="published", published_at=timezone.now())


def _directory_entry(n: int):
    return ApplicationFactory(status="active", consent_directory=True)


LISTS = [
    # (url, make one row, queries): the counts are the endpoint's own queries.
    ("/api/v1/topics/", lambda n: TopicFactory(), 1),  # topics
    ("/api/v1/neighborhoods/", lambda n: NeighborhoodFactory(), 1),  # neighborhoods
    ("/api/v1/chats/", _chat, 3),  # chats + topic (join), hosts, published questions
    ("/api/v1/recaps/", _published_recap, 1),  # recaps + chat + topic (joins)
    ("/api/v1/training-sessions/", lambda n: TrainingSessionFactory(), 1),  # + seat counts
    ("/api/v1/liaison-directory/", _directory_entry, 1),  # names and neighborhoods (values)
]


@pytest.mark.parametrize(("url", "make", "queries"), LISTS)
@pytest.mark.parametrize("rows", [1, 3])
def test_public_list_costs_the_same_queries_for_1_and_3_rows(
    api, django_assert_num_queries, url, make, queries, rows
):
    for n in range(rows):
        make(n)

    with django_assert_num_queries(queries):
        response = api.get(url)

    assert len(results(response)) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_chat_posts_cost_the_same_queries_for_1_and_3_posts(api, django_assert_num_queries, rows):
    chat = ChatFactory(slug="counted")
    for _ in range(rows):
        PostFactory(chat=chat)

    # The chat's id by slug (public chats only), then the page of posts.
    with django_assert_num_queries(2):
        response = api.get("/api/v1/chats/counted/posts/")

    assert len(results(response)) == rows
