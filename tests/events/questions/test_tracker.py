"""Staff decisions about tracked questions: the transition table, what each status needs,
the live page's question buttons, the tracker pages and what a recap reads."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from events.live_selectors import tracker_summary
from events.models import ModerationAction, TrackedQuestion
from events.services.questions import (
    ALLOWED_TRANSITIONS,
    TrackerError,
    mark_not_question,
    mark_question,
    update_tracked_question,
)
from tests.factories import (
    PostFactory,
    QuestionFactory,
    TrackedQuestionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STATUSES = ["open", "answered", "follow_up", "routed_311", "dismissed"]


def _needs(to: str) -> dict[str, str]:
    return {
        "follow_up": {"owner_team": "Streets Department"},
        "routed_311": {"service_request_number": "24-00123456"},
    }.get(to, {})


@pytest.mark.parametrize("start", STATUSES)
@pytest.mark.parametrize("to", STATUSES)
def test_update_tracked_question_follows_the_transition_table(chat, comms, start, to):
    question = TrackedQuestionFactory(
        post=PostFactory(chat=chat), status=start, **_needs(start) | _needs(to)
    )
    allowed = to == start or to in ALLOWED_TRANSITIONS[start]

    if allowed:
        update_tracked_question(question_id=question.pk, to=to, by=comms)
    else:
        with pytest.raises(TrackerError):
            update_tracked_question(question_id=question.pk, to=to, by=comms)

    question.refresh_from_db()
    assert question.status == (to if allowed else start)


def test_only_reopening_leaves_not_a_question(chat, comms):
    assert ALLOWED_TRANSITIONS["dismissed"] == frozenset({"open"})


@pytest.mark.parametrize(
    ("to", "fields", "field", "message"),
    [
        ("follow_up", {}, "owner_team", "Choose who follows up: a person or a team."),
        ("routed_311", {}, "service_request_number", "Enter the 311 service request number."),
        (
            "routed_311",
            {"service_request_number": "#12 34"},
            "service_request_number",
            "A service request number has 3 to 40 letters, digits and dashes.",
        ),
    ],
)
def test_follow_up_needs_an_owner_and_311_a_request_number(chat, comms, to, fields, field, message):
    question = TrackedQuestionFactory(post=PostFactory(chat=chat))

    with pytest.raises(TrackerError) as refused:
        update_tracked_question(question_id=question.pk, to=to, by=comms, **fields)

    question.refresh_from_db()
    assert (refused.value.field, refused.value.message, question.status) == (field, message, "open")


def test_route_to_311_records_the_number_who_and_the_audit(chat, comms):
    question = TrackedQuestionFactory(post=PostFactory(chat=chat))

    update_tracked_question(
        question_id=question.pk,
        to="routed_311",
        by=comms,
        service_request_number=" 24-00123456 ",
        note="Resident gave the address by DM",
    )

    question.refresh_from_db()
    assert (question.status, question.service_request_number, question.updated_by) == (
        "routed_311",
        "24-00123456",
        comms,
    )
    action = ModerationAction.objects.get()
    assert (action.action, action.by, action.reason, action.detail["status"]) == (
        "question_status",
        comms,
        "Resident gave the address by DM",
        "routed_311",
    )


def test_reopening_forgets_the_answer(chat, comms):
    answer = PostFactory(chat=chat, is_official=True)
    question = TrackedQuestionFactory(post=PostFactory(chat=chat))
    update_tracked_question(
        question_id=question.pk, to="answered", by=comms, answer_post_id=answer.pk
    )

    update_tracked_question(question_id=question.pk, to="open", by=comms)

    question.refresh_from_db()
    assert (question.status, question.answer_post, question.answered_at) == ("open", None, None)


def test_answer_must_be_a_post_of_the_same_chat(chat, comms):
    question = TrackedQuestionFactory(post=PostFactory(chat=chat))
    elsewhere = PostFactory()

    with pytest.raises(TrackerError) as refused:
        update_tracked_question(
            question_id=question.pk, to="answered", by=comms, answer_post_id=elsewhere.pk
        )

    assert refused.value.field == "answer_post"


def test_mark_question_then_not_a_question_then_again(chat, comms):
    post = PostFactory(chat=chat, text="Thoughts on the new bike lanes")

    first = mark_question(post_id=post.pk, by=comms)
    mark_not_question(post_id=post.pk, by=comms)
    again = mark_question(post_id=post.pk, by=comms)

    assert (first.pk, first.detected_by, first.rule) == (again.pk, "staff", "staff")
    assert TrackedQuestion.objects.get().status == "open"
    assert list(ModerationAction.objects.order_by("pk").values_list("action", flat=True)) == [
        "mark_question",
        "not_question",
        "mark_question",
    ]


def test_hosts_posts_cannot_be_marked_as_residents_questions(chat, comms):
    post = PostFactory(chat=chat, is_official=True)

    with pytest.raises(TrackerError):
        mark_question(post_id=post.pk, by=comms)

    assert TrackedQuestion.objects.count() == 0


def test_question_button_on_the_live_page_with_htmx_swaps_the_post(staff_client, chat):
    post = PostFactory(chat=chat, text="Can I recycle pizza boxes")
    url = reverse("staff:post_question", kwargs={"pk": chat.pk, "post_pk": post.pk})

    page = staff_client.post(url, {"question": "1"}, HTTP_HX_REQUEST="true").content.decode()

    assert TrackedQuestion.objects.get().post == post
    assert "Question: Open" in page
    assert "Not a question" in page
    assert re.findall(r'hx-swap-oob="innerHTML:#live-announcer">([^<]*)<', page) == [
        "The post is tracked as a question."
    ]


def _tracker(chat, status: str = "") -> str:
    url = reverse("staff:chat_tracker", kwargs={"pk": chat.pk})
    return url + (f"?status={status}" if status else "")


def _rows(page: str) -> list[str]:
    return re.findall(r'id="tracked-\d+-text">([^<]*)<', page)


def test_tracker_lists_questions_by_status_with_counts(staff_client, chat):
    TrackedQuestionFactory(post=PostFactory(chat=chat, text="Open one?"))
    TrackedQuestionFactory(post=PostFactory(chat=chat, text="Answered one?"), status="answered")
    TrackedQuestionFactory(
        post=PostFactory(chat=chat, text="Routed one?"),
        status="routed_311",
        service_request_number="24-1",
    )
    TrackedQuestionFactory(
        post=PostFactory(chat=chat, text="Hidden one?", hidden=True, hidden_reason="abuse")
    )

    open_page = staff_client.get(_tracker(chat)).content.decode()
    follow_page = staff_client.get(_tracker(chat, "follow_up")).content.decode()
    all_page = staff_client.get(_tracker(chat, "all")).content.decode()

    assert _rows(open_page) == ["Open one?"]
    assert _rows(follow_page) == ["Routed one?"]
    assert _rows(all_page) == ["Open one?", "Answered one?", "Routed one?"]
    assert re.findall(r'aria-current="page">([^<]*)<', all_page)[-1] == "All (3)"


@pytest.mark.parametrize("count", [1, 3])
def test_tracker_query_count_is_the_same_for_1_and_3_questions(
    staff_client, chat, count, django_assert_num_queries
):
    q1 = QuestionFactory(chat=chat, position=1)
    owner = UserFactory(roles=[Role.COMMS_STAFF])
    for _ in range(count):
        TrackedQuestionFactory(
            post=PostFactory(chat=chat),
            announced_question=q1,
            owner=owner,
            answer_post=PostFactory(chat=chat, is_official=True),
        )
    staff_client.get(_tracker(chat, "all"))  # warm the city cache

    # The session, the user, the user's role groups, the chat with its topic, the counts
    # per status, and the questions with their posts, Qn, answers and people (joins).
    with django_assert_num_queries(6):
        page = staff_client.get(_tracker(chat, "all")).content.decode()

    assert len(_rows(page)) == count


def test_tracker_edit_page_assigns_a_follow_up_owner(staff_client, chat, comms):
    question = TrackedQuestionFactory(post=PostFactory(chat=chat))
    url = reverse("staff:tracked_question_edit", kwargs={"pk": chat.pk, "question_pk": question.pk})

    response = staff_client.post(
        url,
        {"status": "follow_up", "owner": str(comms.pk), "owner_team": "Sanitation", "note": ""},
    )

    question.refresh_from_db()
    assert response.url == _tracker(chat)
    assert (question.status, question.owner, question.owner_team) == (
        "follow_up",
        comms,
        "Sanitation",
    )


def test_tracker_edit_page_shows_what_a_status_needs(staff_client, chat):
    question = TrackedQuestionFactory(post=PostFactory(chat=chat))
    url = reverse("staff:tracked_question_edit", kwargs={"pk": chat.pk, "question_pk": question.pk})

    page = staff_client.post(url, {"status": "routed_311"}).content.decode()

    question.refresh_from_db()
    assert question.status == "open"
    assert re.findall(r'class="cc-error">([^<]*)<', page) == [
        "Enter the 311 service request number."
    ]


def test_tracker_summary_gives_the_recap_counts_and_follow_ups(chat):
    q1 = QuestionFactory(chat=chat, position=1)
    TrackedQuestionFactory(post=PostFactory(chat=chat, text="Answered?"), status="answered")
    TrackedQuestionFactory(post=PostFactory(chat=chat, text="Not one"), status="dismissed")
    TrackedQuestionFactory(
        post=PostFactory(chat=chat, text="Who fixes potholes?", url="https://x.com/a/status/1"),
        status="follow_up",
        owner=UserFactory(display_name="Private Person"),
        owner_team="Streets Department",
        announced_question=q1,
    )
    TrackedQuestionFactory(
        post=PostFactory(chat=chat, text="My trash was skipped?", url="javascript:alert(1)"),
        status="routed_311",
        service_request_number="24-00123456",
    )
    TrackedQuestionFactory(
        post=PostFactory(chat=chat, text="Open one?", url="https://bsky.app/profile/a/post/b")
    )
    TrackedQuestionFactory(post=PostFactory(chat=chat, text="Hidden?", hidden=True))

    summary = tracker_summary(chat_id=chat.pk)

    assert summary["counts"] == {
        "asked": 4,
        "answered": 1,
        "open": 1,
        "follow_up": 1,
        "routed_311": 1,
    }
    assert summary["follow_ups"] == [
        {
            "text": "Who fixes potholes?",
            "url": "https://x.com/a/status/1",
            "question": "Q1",
            "status": "follow_up",
            "owner": "Streets Department",
            "service_request": "",
        },
        {
            "text": "My trash was skipped?",
            "url": "",
            "question": "",
            "status": "routed_311",
            "owner": "",
            "service_request": "24-00123456",
        },
        {
            "text": "Open one?",
            "url": "https://bsky.app/profile/a/post/b",
            "question": "",
            "status": "open",
            "owner": "",
            "service_request": "",
        },
    ]
