"""The version history (who, when, what) and restoring a version."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.roles import Role
from recaps.models import RecapVersion
from tests.factories import UserFactory
from tests.recaps.staff.conftest import alerts, content, outline, versions

pytestmark = pytest.mark.django_db


def _url(name, recap, *args):
    return reverse(f"recaps_staff:{name}", args=[recap.pk, *args])


def _rows(page: str) -> list[tuple[str, str, str, str]]:
    """(number, who, change, restore button) of each row of the history table."""
    rows = re.findall(r'<tr class="cc-recap-version" data-version="(\d+)">(.*?)</tr>', page, re.S)
    result = []
    for number, row in rows:
        cells = re.findall(r"<td data-label=\"[^\"]+\">(.*?)</td>", row, re.S)
        button = re.search(r"<button[^>]*>([^<]+)<", row)
        result.append(
            (
                number,
                html.unescape(cells[1].strip()),
                html.unescape(cells[2].strip()),
                button[1] if button else "",
            )
        )
    return result


def test_history_lists_every_version_newest_first_with_who_and_what(editor_client, editor, recap):
    editor_client.post(_url("recap_text", recap), {"title": "Potholes, heard", "intro": ""})
    editor_client.post(_url("section_add", recap), {"heading": "Next steps"})

    page = editor_client.get(_url("recap_history", recap)).content.decode()

    assert _rows(page) == [
        ("3", "Erin Editor", "Added section “Next steps”", ""),
        ("2", "Erin Editor", "Edited the title and introduction", "Restore this version"),
        ("1", "CivicChat (automatic)", "Automatic draft", "Restore this version"),
    ]


def test_history_says_what_changed_in_the_editors_language(editor_client, editor, recap):
    editor_client.post(_url("section_add", recap), {"heading": "Next steps"})
    # A version recorded before changes had a key: only its English text is known.
    RecapVersion.objects.filter(recap=recap, number=1).update(change="", change_args={})
    editor.preferred_language = "es"
    editor.save(update_fields=["preferred_language"])
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    page = editor_client.get(_url("recap_history", recap)).content.decode()

    assert [change for _n, _who, change, _b in _rows(page)] == [
        "Se agregó la sección “Next steps”",
        "Automatic draft",
    ]
    # Stored in English too, for the admin and exports.
    assert list(recap.versions.values_list("summary", flat=True)) == [
        "Added section “Next steps”",
        "Automatic draft",
    ]


def test_restore_brings_back_an_old_version_as_a_new_one(editor_client, editor, recap):
    original = content(recap)
    first = recap.sections.order_by("position").first()
    editor_client.post(
        _url("recap_text", recap), {"title": "Changed", "intro": "Changed"}, follow=True
    )
    editor_client.post(_url("section_remove", recap, first.pk), follow=True)
    other_editor = UserFactory(roles=[Role.EDITOR], display_name="Olu Other")
    editor_client.force_login(other_editor)

    response = editor_client.post(_url("recap_restore", recap, 1))

    assert response["Location"] == _url("recap_edit", recap)
    assert content(recap) == original
    assert outline(recap) == [
        ("Q1 Reporting potholes", ["Post A", "Post B", "Post C"]),
        ("Q2 Paving schedule", ["Post D"]),
    ]
    assert versions(recap)[0] == (4, "Restored version 1", other_editor.pk)
    assert alerts(editor_client.get(response["Location"]).content.decode()) == [
        "Version 1 is restored as a new version."
    ]


def test_restore_leaves_out_posts_hidden_since(editor_client, recap):
    post_b = recap.chat.posts.get(text="Post B")
    editor_client.post(_url("recap_text", recap), {"title": "Changed", "intro": ""})
    post_b.hidden = True
    post_b.save(update_fields=["hidden"])

    editor_client.post(_url("recap_restore", recap, 1))

    assert outline(recap) == [
        ("Q1 Reporting potholes", ["Post A", "Post C"]),
        ("Q2 Paving schedule", ["Post D"]),
    ]


def test_restore_of_an_unknown_version_says_so_and_changes_nothing(editor_client, recap):
    before = (content(recap), versions(recap))

    response = editor_client.post(_url("recap_restore", recap, 99))

    assert response["Location"] == _url("recap_history", recap)
    assert alerts(editor_client.get(response["Location"]).content.decode()) == [
        "There is no such version."
    ]
    assert (content(recap), versions(recap)) == before


@pytest.mark.parametrize("count", [1, 3])
def test_history_query_count_is_flat(editor_client, recap, count, django_assert_num_queries):
    for i in range(count):
        editor_client.post(_url("section_add", recap), {"heading": f"Extra {i}"})
    editor_client.get(_url("recap_history", recap))  # warm the city cache

    # The session, the user, the user's role groups, the recap with its chat and topic,
    # the paginator's count, and the page of versions with their authors.
    with django_assert_num_queries(6):
        page = editor_client.get(_url("recap_history", recap)).content.decode()

    assert len(_rows(page)) == count + 1
