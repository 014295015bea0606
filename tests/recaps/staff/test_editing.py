"""Each editing action changes exactly what it says, records one version (who, what),
and a refused or invalid one changes nothing."""

from __future__ import annotations

import copy
import html
import re

import pytest
from django.urls import reverse

from tests.factories import (
    ChatFactory,
    HighlightFactory,
    PostFactory,
    RecapFactory,
    RecapSectionFactory,
)
from tests.recaps.staff.conftest import alerts, content, field_errors, outline, versions

pytestmark = pytest.mark.django_db


def _url(name, recap, *args):
    return reverse(f"recaps_staff:{name}", args=[recap.pk, *args])


def _sections(recap):
    return list(recap.sections.order_by("position"))


def _highlights(section):
    return list(section.highlights.order_by("position"))


def _assert_one_new_version(recap, before, summary, editor):
    assert versions(recap) == [(before[0][0] + 1, summary, editor.pk), *before]


def test_recap_text_saves_title_and_intro_only(editor_client, editor, recap):
    before, expected = versions(recap), copy.deepcopy(content(recap))
    expected.update(title="What we heard about potholes", intro="Thanks to 4 residents.")

    response = editor_client.post(
        _url("recap_text", recap),
        {"title": "  What we heard about potholes ", "intro": "Thanks to 4 residents.\n"},
    )

    assert response["Location"] == _url("recap_edit", recap) + "#recap-text"
    assert content(recap) == expected
    _assert_one_new_version(recap, before, "Edited the title and introduction", editor)
    assert alerts(editor_client.get(response["Location"]).content.decode()) == [
        "The title and introduction are saved."
    ]


def test_recap_text_without_title_shows_the_error_and_changes_nothing(editor_client, recap):
    before = (content(recap), versions(recap))

    page = editor_client.post(_url("recap_text", recap), {"title": " ", "intro": "x"})

    assert field_errors(page.content.decode(), "id_title") == ["A recap needs a title."]
    assert (content(recap), versions(recap)) == before


def test_section_update_saves_heading_and_commentary_of_that_section_only(
    editor_client, editor, recap
):
    second = _sections(recap)[1]
    before, expected = versions(recap), copy.deepcopy(content(recap))
    expected["sections"][1].update(heading="Q2 When will my street be paved?", commentary="Soon.")

    response = editor_client.post(
        _url("section_update", recap, second.pk),
        {"heading": "Q2 When will my street be paved?", "commentary": "Soon."},
    )

    assert response["Location"] == _url("recap_edit", recap) + f"#section-{second.pk}"
    assert content(recap) == expected
    _assert_one_new_version(
        recap, before, "Edited section “Q2 When will my street be paved?”", editor
    )


def test_section_update_without_heading_shows_the_error_on_that_section(editor_client, recap):
    first, second = _sections(recap)
    before = (content(recap), versions(recap))

    page = editor_client.post(
        _url("section_update", recap, second.pk), {"heading": "", "commentary": "kept"}
    ).content.decode()

    assert field_errors(page, f"section-{second.pk}-heading") == ["A section needs a heading."]
    assert field_errors(page, f"section-{first.pk}-heading") == []
    assert re.search(rf'id="section-{second.pk}-commentary"\s*>\s*kept</textarea>', page)
    assert (content(recap), versions(recap)) == before


def test_section_add_appends_an_empty_section(editor_client, editor, recap):
    before = versions(recap)

    response = editor_client.post(_url("section_add", recap), {"heading": "What happens next"})

    new = _sections(recap)[-1]
    assert response["Location"] == _url("recap_edit", recap) + f"#section-{new.pk}"
    assert outline(recap) == [
        ("Q1 Reporting potholes", ["Post A", "Post B", "Post C"]),
        ("Q2 Paving schedule", ["Post D"]),
        ("What happens next", []),
    ]
    _assert_one_new_version(recap, before, "Added section “What happens next”", editor)


def test_section_remove_drops_it_with_its_highlights(editor_client, editor, recap):
    first = _sections(recap)[0]
    before = versions(recap)

    editor_client.post(_url("section_remove", recap, first.pk))

    assert outline(recap) == [("Q2 Paving schedule", ["Post D"])]
    assert [s.position for s in _sections(recap)] == [1]
    _assert_one_new_version(recap, before, "Removed section “Q1 Reporting potholes”", editor)


@pytest.mark.parametrize(("index", "direction"), [(1, "up"), (0, "down")])
def test_section_move_swaps_two_sections(editor_client, editor, recap, index, direction):
    section = _sections(recap)[index]
    before = versions(recap)

    response = editor_client.post(_url("section_move", recap, section.pk), {"direction": direction})

    assert response["Location"] == (
        _url("recap_edit", recap) + f"?moved=section-{section.pk}-{direction}"
    )
    assert outline(recap) == [
        ("Q2 Paving schedule", ["Post D"]),
        ("Q1 Reporting potholes", ["Post A", "Post B", "Post C"]),
    ]
    _assert_one_new_version(recap, before, "Reordered sections", editor)


@pytest.mark.parametrize(
    ("index", "direction", "expected"),
    [
        (1, "up", ["Post B", "Post A", "Post C"]),
        (1, "down", ["Post A", "Post C", "Post B"]),
        (2, "up", ["Post A", "Post C", "Post B"]),
    ],
)
def test_highlight_move_swaps_it_with_its_neighbour(
    editor_client, editor, recap, index, direction, expected
):
    highlight = _highlights(_sections(recap)[0])[index]
    before = versions(recap)

    response = editor_client.post(
        _url("highlight_move", recap, highlight.pk), {"direction": direction}
    )

    assert response["Location"] == (
        _url("recap_edit", recap) + f"?moved=highlight-{highlight.pk}-{direction}"
    )
    assert outline(recap) == [
        ("Q1 Reporting potholes", expected),
        ("Q2 Paving schedule", ["Post D"]),
    ]
    _assert_one_new_version(recap, before, "Reordered highlights", editor)


def test_highlight_move_without_a_direction_changes_nothing(editor_client, recap):
    highlight = _highlights(_sections(recap)[0])[1]
    before = (content(recap), versions(recap))

    response = editor_client.post(
        _url("highlight_move", recap, highlight.pk), {"direction": "sideways"}
    )

    assert alerts(editor_client.get(response["Location"]).content.decode()) == [
        "Choose to move it up or down."
    ]
    assert (content(recap), versions(recap)) == before


def test_highlight_remove_drops_only_that_highlight(editor_client, editor, recap):
    highlight = _highlights(_sections(recap)[0])[1]
    before = versions(recap)

    editor_client.post(_url("highlight_remove", recap, highlight.pk))

    assert outline(recap) == [
        ("Q1 Reporting potholes", ["Post A", "Post C"]),
        ("Q2 Paving schedule", ["Post D"]),
    ]
    assert [h.position for h in _highlights(_sections(recap)[0])] == [1, 2]
    _assert_one_new_version(recap, before, "Removed a highlight", editor)


def test_highlight_note_saves_that_note_only(editor_client, editor, recap):
    highlight = _highlights(_sections(recap)[0])[2]
    before, expected = versions(recap), copy.deepcopy(content(recap))
    expected["sections"][0]["highlights"][2]["note"] = "The fastest way to report."

    editor_client.post(
        _url("highlight_note", recap, highlight.pk), {"note": " The fastest way to report. "}
    )

    assert content(recap) == expected
    _assert_one_new_version(recap, before, "Edited a highlight's note", editor)


def test_highlight_of_another_recap_is_not_found(editor_client, recap):
    other = ChatFactory(status="ended")
    foreign = HighlightFactory(section=RecapSectionFactory(recap=RecapFactory(chat=other)))

    response = editor_client.post(_url("highlight_remove", recap, foreign.pk))

    assert response.status_code == 404
    assert foreign.section.highlights.count() == 1


def test_refresh_numbers_recounts_from_visible_posts(editor_client, editor, recap):
    PostFactory(chat=recap.chat, text="A late post", author_handle="latecomer")
    before, expected_content = versions(recap), content(recap)

    response = editor_client.post(_url("recap_refresh", recap))

    recap.refresh_from_db()
    assert response["Location"] == _url("recap_edit", recap) + "#numbers"
    # Five visible posts before, six now; the hidden and the deleted post never count.
    assert (recap.stats["posts"], recap.stats["participants"]) == (6, 6)
    assert content(recap) == expected_content
    _assert_one_new_version(recap, before, "Refreshed the numbers", editor)


def test_editor_page_shows_sections_and_highlights_in_order_with_only_useful_buttons(
    editor_client, recap
):
    page = editor_client.get(_url("recap_edit", recap)).content.decode()

    buttons = re.findall(
        r'<button type="submit" class="usa-button usa-button--unstyled">([^<]+)<', page
    )
    assert buttons == [
        # Section 1: first, so it cannot move up; its three highlights.
        "Move section down",
        "Remove section",
        "Move down",
        "Remove",
        "Move up",
        "Move down",
        "Remove",
        "Move up",
        "Remove",
        # Section 2: last; one highlight that cannot move.
        "Move section up",
        "Remove section",
        "Remove",
    ]
    assert re.findall(r'<div class="cc-post__body"><p>(Post \w)</p>', page) == [
        "Post A",
        "Post B",
        "Post C",
        "Post D",
    ]


def test_editor_page_shows_post_content_sanitised(editor_client, recap):
    post = recap.chat.posts.get(text="Post A")
    post.html = '<p>Hello</p><script>alert("x")</script><img src=x onerror=alert(1)>'
    post.save(update_fields=["html"])

    page = editor_client.get(_url("recap_edit", recap)).content.decode()

    assert re.search(r'<div class="cc-post__body"><p>Hello</p>\s*</div>', page)
    assert "alert(" not in page


@pytest.mark.parametrize("count", [1, 3])
def test_editor_page_query_count_is_flat(editor_client, recap, count, django_assert_num_queries):
    from tests.factories import HighlightFactory, RecapSectionFactory

    for i in range(count):
        section = RecapSectionFactory(recap=recap, position=10 + i, heading=f"Extra {i}")
        HighlightFactory(section=section, post=PostFactory(chat=recap.chat))
    editor_client.get(_url("recap_edit", recap))  # warm the city cache

    # The session, the user, the user's role groups, the recap with its chat and topic,
    # the sections, their highlights with their posts, and the latest version with its
    # author.
    with django_assert_num_queries(7):
        page = editor_client.get(_url("recap_edit", recap)).content.decode()

    assert page.count('class="cc-recap-editor__section ') == 2 + count


def _autofocused(page: str) -> list[str]:
    """The accessible names of the buttons that get focus when the page loads."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", name))
        for name in re.findall(r"<button[^>]* autofocus>(.*?)</button>", page, re.S)
    ]


@pytest.mark.parametrize(
    ("index", "direction", "expected"),
    [
        # Moved down to the middle: its "Move down" again, to keep going.
        (0, "down", ["Move down (section 1, highlight 2, Author A)"]),
        # Moved down to the end: "Move down" is gone, so "Move up" takes the focus.
        (1, "down", ["Move up (section 1, highlight 3, Author B)"]),
        (2, "up", ["Move up (section 1, highlight 2, Author C)"]),
    ],
)
def test_highlight_move_puts_focus_back_on_the_moved_highlight(
    editor_client, recap, index, direction, expected
):
    highlight = _highlights(_sections(recap)[0])[index]

    response = editor_client.post(
        _url("highlight_move", recap, highlight.pk), {"direction": direction}
    )
    page = editor_client.get(response["Location"]).content.decode()

    assert _autofocused(page) == expected


def test_section_move_puts_focus_back_on_the_moved_section(editor_client, recap):
    section = _sections(recap)[1]

    response = editor_client.post(_url("section_move", recap, section.pk), {"direction": "up"})
    page = editor_client.get(response["Location"]).content.decode()

    assert _autofocused(page) == ["Move section down (Q2 Paving schedule)"]


def test_editor_page_without_a_move_focuses_nothing(editor_client, recap):
    page = editor_client.get(_url("recap_edit", recap)).content.decode()

    assert _autofocused(page) == []


def test_editor_page_flags_a_highlight_whose_post_was_hidden_since(editor_client, recap):
    post = recap.chat.posts.get(text="Post B")
    post.hidden = True
    post.save(update_fields=["hidden"])

    page = editor_client.get(_url("recap_edit", recap)).content.decode()

    flagged = re.findall(
        r'data-post="(\d+)">\s*<p class="margin-bottom-1">.*?'
        r'<span class="usa-tag cc-tag--warning">([^<]+)</span>',
        page,
    )
    assert flagged == [(str(post.pk), "Hidden: not shown publicly")]
