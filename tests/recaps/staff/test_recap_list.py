"""The editors' list of recaps: every status, the filter, pages and a flat query count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from recaps.models import RecapStatus
from tests.factories import ChatFactory, RecapFactory

pytestmark = pytest.mark.django_db
LIST = reverse("recaps_staff:recap_list")


def _rows(page: str) -> list[tuple[str, str]]:
    """(title, status) of each row, in order."""
    return re.findall(
        r'class="usa-link cc-staff-title"[^>]*>(.*?)</a>.*?data-status="(\w+)"', page, re.S
    )


def _recap(title: str, status: str, days_ago: int):
    starts = timezone.now() - timedelta(days=days_ago)
    return RecapFactory(
        title=title, status=status, chat=ChatFactory(status="ended", starts_at=starts)
    )


@pytest.mark.parametrize("count", [1, 3])
def test_recap_list_query_count_is_flat(editor_client, count, django_assert_num_queries):
    for i in range(count):
        _recap(f"Recap {i}", RecapStatus.DRAFT, days_ago=i + 1)
    editor_client.get(LIST)  # warm the city cache

    # The session, the user, the user's role groups (role_required; the context processor
    # reuses them), the paginator's count, and the page of recaps with their chats.
    with django_assert_num_queries(5):
        page = editor_client.get(LIST).content.decode()

    assert len(_rows(page)) == count


def test_recap_list_shows_every_status_newest_chat_first(editor_client):
    _recap("Older, published", RecapStatus.PUBLISHED, days_ago=30)
    _recap("Newest, draft", RecapStatus.DRAFT, days_ago=1)
    _recap("Middle, in review", RecapStatus.IN_REVIEW, days_ago=10)

    page = editor_client.get(LIST).content.decode()

    assert _rows(page) == [
        ("Newest, draft", "draft"),
        ("Middle, in review", "in_review"),
        ("Older, published", "published"),
    ]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("draft", [("Newest, draft", "draft")]),
        ("in_review", [("Middle, in review", "in_review")]),
        ("published", [("Older, published", "published")]),
        (
            "nonsense",
            [
                ("Newest, draft", "draft"),
                ("Middle, in review", "in_review"),
                ("Older, published", "published"),
            ],
        ),
    ],
)
def test_recap_list_filters_by_status(editor_client, status, expected):
    _recap("Older, published", RecapStatus.PUBLISHED, days_ago=30)
    _recap("Newest, draft", RecapStatus.DRAFT, days_ago=1)
    _recap("Middle, in review", RecapStatus.IN_REVIEW, days_ago=10)

    page = editor_client.get(LIST, {"status": status}).content.decode()

    assert _rows(page) == expected


def test_recap_list_pages_by_twenty_five(editor_client):
    for i in range(27):
        _recap(f"Recap {i:02}", RecapStatus.DRAFT, days_ago=i + 1)

    first = editor_client.get(LIST).content.decode()
    second = editor_client.get(LIST, {"page": 2}).content.decode()

    assert [title for title, _ in _rows(first)] == [f"Recap {i:02}" for i in range(25)]
    assert [title for title, _ in _rows(second)] == ["Recap 25", "Recap 26"]
    assert 'aria-label="Page 2"' in first


def test_recap_list_escapes_titles(editor_client):
    _recap("<script>alert(1)</script>", RecapStatus.DRAFT, days_ago=1)

    page = editor_client.get(LIST).content.decode()

    assert _rows(page) == [("&lt;script&gt;alert(1)&lt;/script&gt;", "draft")]
