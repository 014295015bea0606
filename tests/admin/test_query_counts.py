"""Admin lists do not grow a query per row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ApplicationFactory, ChatFactory, QuestionFactory, RecapFactory


@pytest.mark.parametrize("count", [1, 3])
def test_chat_list_query_count_is_flat(client, editor, count, django_assert_num_queries):
    for _ in range(count):
        QuestionFactory(chat=ChatFactory())
    client.force_login(editor)

    # session, user, city, the user's and their groups' permissions, the topics (filter),
    # the filtered and the total count, the rows (topic joined, questions counted), the
    # user's roles (the layout), the date hierarchy's range and its days
    with django_assert_num_queries(12):
        response = client.get(reverse("admin:events_chat_changelist"))

    assert response.context["cl"].result_count == count


@pytest.mark.parametrize("count", [1, 3])
def test_recap_list_query_count_is_flat(client, editor, count, django_assert_num_queries):
    for _ in range(count):
        RecapFactory()
    client.force_login(editor)

    # session, user, city, the user's and their groups' permissions, the filtered and the
    # total count, the rows (chat and publisher joined), the user's roles (the layout),
    # the date hierarchy's range and its days
    with django_assert_num_queries(11):
        response = client.get(reverse("admin:recaps_recap_changelist"))

    assert response.context["cl"].result_count == count


@pytest.mark.parametrize("count", [1, 3])
def test_application_list_query_count_is_flat(
    client, coordinator, count, django_assert_num_queries
):
    for _ in range(count):
        ApplicationFactory()
    client.force_login(coordinator)

    # session, user, city, the user's and their groups' permissions, the neighborhoods
    # (filter), the filtered and the total count, the rows (neighborhood, reviewer and
    # user joined), the user's roles (the layout), the date hierarchy's range and its days
    with django_assert_num_queries(12):
        response = client.get(reverse("admin:liaisons_application_changelist"))

    assert response.context["cl"].result_count == count
