"""Admin actions go through the services: the same moves, rules and records as the
staff pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role, roles_of
from events.models import ChatStatus, ChatStatusChange
from liaisons.models import ApplicationStatus, AuditEntry, LiaisonEmail
from recaps.models import RecapStatus, RecapVersion
from tests.admin.conftest import action, messages_of
from tests.factories import (
    ApplicationFactory,
    CaptureSourceFactory,
    ChatFactory,
    RecapFactory,
    UserFactory,
)

CHATS = "admin:events_chat_changelist"
RECAPS = "admin:recaps_recap_changelist"
APPLICATIONS = "admin:liaisons_application_changelist"


def test_publishing_a_recap_moves_its_chat_and_records_a_version(client, editor, recap):
    client.force_login(editor)

    response = client.post(reverse(RECAPS), action("publish", recap), follow=True)

    recap.refresh_from_db()
    recap.chat.refresh_from_db()
    assert (recap.status, recap.published_by, recap.chat.status) == (
        RecapStatus.PUBLISHED,
        editor,
        ChatStatus.RECAP_PUBLISHED,
    )
    assert list(RecapVersion.objects.filter(recap=recap).values_list("summary", "created_by")) == [
        ("Published", editor.pk)
    ]
    assert list(
        ChatStatusChange.objects.filter(chat=recap.chat).values_list("from_status", "to_status")
    ) == [(ChatStatus.ENDED, ChatStatus.RECAP_PUBLISHED)]
    assert messages_of(response) == ["1 recap published."]


def test_publishing_a_draft_is_refused_with_the_services_reason(client, editor):
    draft = RecapFactory(title="Still a draft")
    published = RecapFactory(status=RecapStatus.IN_REVIEW, title="Ready")
    client.force_login(editor)

    response = client.post(reverse(RECAPS), action("publish", draft, published), follow=True)

    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == (RecapStatus.DRAFT, RecapStatus.PUBLISHED)
    assert sorted(messages_of(response)) == [
        "1 recap published.",
        "Still a draft: A recap cannot go from “Draft” to “Published”.",
    ]


def test_unpublishing_a_recap_moves_its_chat_back_to_ended(client, editor):
    recap = RecapFactory(
        status=RecapStatus.PUBLISHED, chat=ChatFactory(status=ChatStatus.RECAP_PUBLISHED)
    )
    client.force_login(editor)

    client.post(reverse(RECAPS), action("unpublish", recap))

    recap.refresh_from_db()
    recap.chat.refresh_from_db()
    assert (recap.status, recap.chat.status) == (RecapStatus.DRAFT, ChatStatus.ENDED)
    assert list(RecapVersion.objects.filter(recap=recap).values_list("summary", flat=True)) == [
        "Back to draft"
    ]


def test_unpublishing_a_recap_in_review_is_refused(client, editor, recap):
    client.force_login(editor)

    response = client.post(reverse(RECAPS), action("unpublish", recap), follow=True)

    recap.refresh_from_db()
    assert recap.status == RecapStatus.IN_REVIEW
    assert messages_of(response) == [
        "What we heard about trash: Only published recaps can be unpublished."
    ]


@pytest.mark.parametrize(
    ("name", "status", "email_kind", "message"),
    [
        ("approve", ApplicationStatus.APPROVED, "approve", "1 application approved."),
        ("waitlist", ApplicationStatus.WAITLISTED, "waitlist", "1 application waitlisted."),
    ],
)
def test_deciding_an_application_goes_through_its_transition(
    client, coordinator, application, name, status, email_kind, message
):
    client.force_login(coordinator)

    response = client.post(reverse(APPLICATIONS), action(name, application), follow=True)

    application.refresh_from_db()
    assert (application.status, application.decided_at is not None) == (status, True)
    assert list(
        AuditEntry.objects.filter(action="status_changed").values_list(
            "actor", "from_status", "to_status"
        )
    ) == [(coordinator.pk, ApplicationStatus.SUBMITTED, status)]
    assert list(LiaisonEmail.objects.values_list("kind", flat=True)) == [email_kind]
    assert messages_of(response) == [message]


def test_deciding_a_withdrawn_application_is_refused(client, coordinator):
    withdrawn = ApplicationFactory(status=ApplicationStatus.WITHDRAWN, display_name="Sam")
    client.force_login(coordinator)

    response = client.post(reverse(APPLICATIONS), action("approve", withdrawn), follow=True)

    withdrawn.refresh_from_db()
    assert withdrawn.status == ApplicationStatus.WITHDRAWN
    assert messages_of(response) == [
        f"#{withdrawn.pk} Sam: An application cannot go from “Withdrawn” to “Approved”."
    ]


def test_cancelling_a_chat_needs_a_reason(client, comms, chat):
    client.force_login(comms)

    refused = client.post(reverse(CHATS), action("cancel_chats", chat), follow=True)
    chat.refresh_from_db()
    status_after_refusal = chat.status
    done = client.post(
        reverse(CHATS), action("cancel_chats", chat, reason="Storm warning"), follow=True
    )

    chat.refresh_from_db()
    assert messages_of(refused) == ["Trash talk: Say why, so followers know."]
    assert (status_after_refusal, chat.status, chat.status_reason) == (
        ChatStatus.SCHEDULED,
        ChatStatus.CANCELLED,
        "Storm warning",
    )
    assert list(ChatStatusChange.objects.values_list("by", "reason")) == [
        (comms.pk, "Storm warning")
    ]
    assert messages_of(done) == ["1 chat cancelled."]


def test_scheduling_a_chat_that_overlaps_is_refused(client, comms, chat):
    clash = ChatFactory(
        status=ChatStatus.DRAFT,
        title="Clash",
        hashtag=chat.hashtag,
        starts_at=chat.starts_at,
        ends_at=chat.ends_at,
    )
    client.force_login(comms)

    response = client.post(reverse(CHATS), action("schedule_chats", clash), follow=True)

    clash.refresh_from_db()
    assert clash.status == ChatStatus.DRAFT
    assert messages_of(response) == [
        "Clash: “Trash talk” is already scheduled on #PhillyTrash at an overlapping time. "
        "Pick another time or hashtag."
    ]


def test_resuming_capture_sources_makes_them_active_and_due(client, comms):
    source = CaptureSourceFactory(state="needs_credentials", failures=3, last_error="401")
    client.force_login(comms)

    client.post(reverse("admin:events_capturesource_changelist"), action("resume_sources", source))

    source.refresh_from_db()
    assert (source.state, source.failures, source.last_error) == ("active", 0, "")


def test_granting_a_staff_role_opens_the_admin_and_revoking_closes_it(client, superuser):
    person = UserFactory(roles=[Role.RESIDENT])
    users = reverse("admin:accounts_user_changelist")
    client.force_login(superuser)

    def fresh() -> tuple[bool, frozenset[Role]]:
        user = User.objects.get(pk=person.pk)  # roles_of caches on the instance
        return user.is_staff, roles_of(user)

    client.post(users, action("grant_selected_role", person, role=Role.EDITOR))
    granted = fresh()
    client.post(users, action("revoke_selected_role", person, role=Role.EDITOR))

    assert granted == (True, frozenset({Role.RESIDENT, Role.EDITOR}))
    assert fresh() == (False, frozenset({Role.RESIDENT}))


def test_role_action_without_a_role_changes_nothing(client, superuser, resident):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        action("grant_selected_role", resident, role=""),
        follow=True,
    )

    resident = User.objects.get(pk=resident.pk)
    assert (resident.is_staff, roles_of(resident)) == (False, frozenset({Role.RESIDENT}))
    assert messages_of(response) == ["Choose a role next to the action first."]
