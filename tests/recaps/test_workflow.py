"""Publishing, versions, restoring, notices, reminders."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from accounts.roles import Role
from events.models import ChatStatus, Notification
from events.services import notifications
from recaps.exceptions import InvalidRecapTransition, RecapError
from recaps.models import RecapStatus
from recaps.services import editing
from recaps.services.drafting import create_draft_recap
from recaps.services.workflow import ALLOWED_TRANSITIONS, remind_unpublished, transition_recap

pytestmark = pytest.mark.django_db
R = RecapStatus

REFUSED = [
    (a, b)
    for a, b in itertools.product(R.values, R.values)
    if b not in ALLOWED_TRANSITIONS.get(a, frozenset())
]


def test_transition_table():
    assert sorted((a, b) for a, t in ALLOWED_TRANSITIONS.items() for b in t) == sorted(
        [
            (R.DRAFT, R.IN_REVIEW),
            (R.IN_REVIEW, R.DRAFT),
            (R.IN_REVIEW, R.PUBLISHED),
            (R.PUBLISHED, R.DRAFT),
        ]
    )


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_refused_transition_changes_nothing(ended_chat, editor, source, target):
    recap = create_draft_recap(chat=ended_chat)
    recap.status = source
    recap.save(update_fields=["status"])

    with pytest.raises(InvalidRecapTransition):
        transition_recap(recap=recap, to=target, by=editor)

    recap.refresh_from_db()
    assert (recap.status, recap.versions.count()) == (source, 1)


def test_only_editors_publish(ended_chat, make_user, editor):
    recap = create_draft_recap(chat=ended_chat)
    comms = make_user(Role.COMMS_STAFF)
    transition_recap(recap=recap, to=R.IN_REVIEW, by=editor)

    with pytest.raises(InvalidRecapTransition):
        transition_recap(recap=recap, to=R.PUBLISHED, by=comms)
    published = transition_recap(recap=recap, to=R.PUBLISHED, by=editor)

    assert (published.status, published.published_by) == (R.PUBLISHED, editor)


def test_publish_moves_chat_and_emails_followers_once(
    ended_chat, editor, resident, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(
        "events.tasks.task_send_notification.delay",
        lambda *, notification_id: notifications.send_notification(notification_id=notification_id),
    )
    notifications.follow_topic(user=resident, topic=ended_chat.topic)
    recap = create_draft_recap(chat=ended_chat)
    transition_recap(recap=recap, to=R.IN_REVIEW, by=editor)

    with django_capture_on_commit_callbacks(execute=True):
        transition_recap(recap=recap, to=R.PUBLISHED, by=editor)
    transition_recap(recap=recap, to=R.DRAFT, by=editor)
    chat_after_unpublish = type(ended_chat).objects.get(pk=ended_chat.pk).status
    transition_recap(recap=recap, to=R.IN_REVIEW, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        transition_recap(recap=recap, to=R.PUBLISHED, by=editor)

    assert [m.subject for m in mailoutbox] == ["[CivicChat] Recap: Trash talk"]
    assert f"/chats/{ended_chat.slug}/recap/" in mailoutbox[0].body
    assert chat_after_unpublish == ChatStatus.ENDED
    assert type(ended_chat).objects.get(pk=ended_chat.pk).status == ChatStatus.RECAP_PUBLISHED
    assert Notification.objects.count() == 1


def test_every_edit_makes_a_version_and_restore_brings_it_back(ended_chat, editor):
    recap = create_draft_recap(chat=ended_chat)
    section = recap.sections.get(position=1)
    first, second = section.highlights.order_by("position")[:2]

    editing.update_recap_text(recap=recap, title="Trash talk recap", intro="Hello.", by=editor)
    editing.move_highlight(highlight=second, offset=-1, by=editor)
    editing.remove_highlight(highlight=first, by=editor)
    after_edits = editing.snapshot(recap)
    editing.restore_version(recap=recap, number=2, by=editor)

    recap.refresh_from_db()
    restored = editing.snapshot(recap)
    assert list(recap.versions.values_list("number", "summary")) == [
        (5, "Restored version 2"),
        (4, "Removed a highlight"),
        (3, "Reordered highlights"),
        (2, "Edited the title and introduction"),
        (1, "Automatic draft"),
    ]
    assert len(after_edits["sections"][0]["highlights"]) == 3
    assert restored["title"] == "Trash talk recap"
    assert [h["role"] for h in restored["sections"][0]["highlights"]] == [
        "question",
        "host_answer",
        "resident",
        "resident",
    ]


def test_add_highlight_refuses_hidden_posts_and_other_chats(ended_chat, editor):
    from events.models import Post
    from tests.factories import PostFactory

    recap = create_draft_recap(chat=ended_chat)
    section = recap.sections.first()
    hidden = Post.objects.get(author_handle="cy")
    elsewhere = PostFactory()

    for post in (hidden, elsewhere):
        with pytest.raises(RecapError):
            editing.add_highlight(section=section, post=post, by=editor)
    assert recap.versions.count() == 1


def test_reminder_goes_to_the_chat_owner_once(ended_chat, make_user, mailoutbox, settings):
    settings.CIVICCHAT_RECAP_REMINDER_DAYS = 3
    owner = make_user(Role.COMMS_STAFF, email="owner@example.org")
    ended_chat.created_by = owner
    ended_chat.save(update_fields=["created_by"])
    create_draft_recap(chat=ended_chat)
    too_soon = ended_chat.ends_at + timedelta(days=2)
    due = ended_chat.ends_at + timedelta(days=4)

    counts = [
        remind_unpublished(now=too_soon),
        remind_unpublished(now=due),
        remind_unpublished(now=due),
    ]

    assert counts == [0, 1, 0]
    assert [m.to for m in mailoutbox] == [["owner@example.org"]]
    assert mailoutbox[0].subject == "[CivicChat] The recap of “Trash talk” is not published yet"
