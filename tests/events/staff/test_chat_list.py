"""The staff list of chats: drafts included, filters, pages, query count, escaping."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from events.models import ChatStatus
from tests.events.staff.conftest import local
from tests.factories import ChatFactory, QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db
S = ChatStatus
LIST = reverse("staff:chat_list")


def _rows(page: str) -> list[tuple[str, str]]:
    """(title, status) of each row of the list, in order."""
    return re.findall(
        r'class="usa-link cc-staff-title"[^>]*>(.*?)</a>.*?data-status="(\w+)"', page, re.S
    )


def _actions(page: str) -> list[list[str]]:
    """The action links of each row."""
    return [
        re.findall(r'<a class="usa-link" href="[^"]*">([^<]+)<span', block)
        for block in re.findall(
            r'<ul class="usa-list usa-list--unstyled cc-staff-actions">(.*?)</ul>', page, re.S
        )
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_staff_list_query_count_is_flat(staff_client, count, django_assert_num_queries):
    topic = TopicFactory()
    for _ in range(count):
        chat = ChatFactory(topic=topic)
        QuestionFactory(chat=chat)
    staff_client.get(LIST)  # warm the city cache

    # The session, the user, the user's role groups (role_required; the context processor
    # reuses them), the user's authenticators (the staff MFA rule), the topics for the
    # filter, the paginator's count, and the page of chats with their topic and question
    # counts.
    with django_assert_num_queries(7):
        page = staff_client.get(LIST).content.decode()

    assert len(_rows(page)) == count


def test_staff_list_shows_every_status_with_its_actions(staff_client):
    ChatFactory(title="Draft", status=S.DRAFT, starts_at=local("2030-06-06 18:00"))
    ChatFactory(title="Scheduled", status=S.SCHEDULED, starts_at=local("2030-06-05 18:00"))
    ChatFactory(title="Postponed", status=S.POSTPONED, starts_at=local("2030-06-04 18:00"))
    ChatFactory(title="Ended", status=S.ENDED, starts_at=local("2030-06-03 18:00"))

    page = staff_client.get(LIST).content.decode()

    assert _rows(page) == [
        ("Draft", "draft"),
        ("Scheduled", "scheduled"),
        ("Postponed", "postponed"),
        ("Ended", "ended"),
    ]
    assert _actions(page) == [
        ["Edit", "Schedule", "Cancel", "Duplicate"],
        ["Edit", "Reschedule", "Back to draft", "Postpone", "Cancel", "Duplicate"],
        ["Edit", "Reschedule", "Cancel", "Duplicate"],
        ["Edit", "Duplicate"],
    ]


def test_staff_list_filters_by_status_and_topic(staff_client):
    rising, three11 = TopicFactory(slug="phillyrising"), TopicFactory(slug="philly311")
    ChatFactory(title="Rising draft", topic=rising, status=S.DRAFT)
    ChatFactory(title="Rising scheduled", topic=rising)
    ChatFactory(title="311 draft", topic=three11, status=S.DRAFT)

    drafts = staff_client.get(LIST, {"status": "draft"}).content.decode()
    rising_only = staff_client.get(LIST, {"topic": "phillyrising"}).content.decode()
    both = staff_client.get(LIST, {"status": "draft", "topic": "phillyrising"}).content.decode()

    assert sorted(title for title, _ in _rows(drafts)) == ["311 draft", "Rising draft"]
    assert sorted(title for title, _ in _rows(rising_only)) == ["Rising draft", "Rising scheduled"]
    assert [title for title, _ in _rows(both)] == ["Rising draft"]


def test_staff_list_unknown_filter_value_is_reported_and_ignored(staff_client):
    ChatFactory(title="Only chat")

    page = staff_client.get(LIST, {"status": "archived"}).content.decode()

    assert [title for title, _ in _rows(page)] == ["Only chat"]
    assert "Select a valid choice. archived is not one of the available choices." in page


def test_staff_list_paginates_and_keeps_the_filters(staff_client):
    topic = TopicFactory(slug="philly311")
    for day in range(1, 28):  # 27 chats: 25 on the first page, 2 on the second
        ChatFactory(topic=topic, title=f"Chat {day:02}", starts_at=local(f"2030-06-{day:02} 12:00"))

    first = staff_client.get(LIST, {"topic": "philly311"}).content.decode()
    second = staff_client.get(LIST, {"topic": "philly311", "page": "2"}).content.decode()

    assert len(_rows(first)) == 25
    assert [title for title, _ in _rows(second)] == ["Chat 02", "Chat 01"]
    assert 'href="?topic=philly311&amp;page=2"' in first


@pytest.mark.parametrize("page_name", ["staff:chat_list", "staff:chat_detail", "staff:chat_edit"])
def test_staff_pages_escape_markup_in_titles_and_descriptions(staff_client, page_name):
    chat = ChatFactory(
        title="<script>alert('title')</script>",
        description="<script>alert('description')</script>",
        hashtag="#Safe",
    )
    kwargs = {} if page_name == "staff:chat_list" else {"pk": chat.pk}

    page = staff_client.get(reverse(page_name, kwargs=kwargs)).content.decode()

    assert re.findall(r"<script>alert", page) == []
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in page
