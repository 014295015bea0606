"""Who sees what in the admin: the roles' permissions, and personal data kept to
liaison coordinators. Every refusal is checked with the data that could leak present."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from accounts.roles import Role
from accounts.services import grant_role, revoke_role
from liaisons.models import AuditEntry
from tests.admin.conftest import APPLICANT_EMAIL, SECRET
from tests.factories import (
    ApiTokenFactory,
    ApplicationNoteFactory,
    AuditEntryFactory,
    CaptureRunFactory,
    ChatStatusChangeFactory,
    EmailTemplateFactory,
    FollowFactory,
    ImportJobFactory,
    LiaisonEmailFactory,
    ModerationActionFactory,
    NotificationFactory,
    PostFactory,
    RecapVersionFactory,
    TrackedQuestionFactory,
    TrainingRegistrationFactory,
    UserFactory,
    WebhookDeliveryFactory,
    WorkerHeartbeatFactory,
)

EDITOR_MODELS = {
    "events": {
        "Chat",
        "ChatHost",
        "ChatStatusChange",
        "Post",
        "Question",
        "Topic",
        "TrackedQuestion",
    },
    "recaps": {"Highlight", "Recap", "RecapSection", "RecapVersion"},
}
COMMS_MODELS = {
    "events": {
        "CaptureRun",
        "CaptureSource",
        "Chat",
        "ChatHost",
        "ChatStatusChange",
        "ImportJob",
        "ModerationAction",
        "Post",
        "Question",
        "Topic",
        "TrackedQuestion",
    },
    "recaps": {"Highlight", "Recap", "RecapSection", "RecapVersion"},
    "webhooks": {"WebhookDelivery", "WebhookEndpoint"},
}
COORDINATOR_MODELS = {
    "liaisons": {
        "Application",
        "ApplicationNote",
        "AuditEntry",
        "EmailTemplate",
        "LiaisonEmail",
        "TrainingRegistration",
        "TrainingSession",
    },
}


@pytest.mark.parametrize(
    ("person", "expected"),
    [("editor", EDITOR_MODELS), ("comms", COMMS_MODELS), ("coordinator", COORDINATOR_MODELS)],
)
def test_admin_index_lists_exactly_the_models_of_the_role(client, people, person, expected):
    client.force_login(people[person])

    response = client.get(reverse("admin:index"))

    listed = {
        app["app_label"]: {model["object_name"] for model in app["models"]}
        for app in response.context["app_list"]
    }
    assert listed == expected


def test_staff_roles_are_staff_and_residents_are_not(people):
    assert {name: user.is_staff for name, user in people.items()} == {
        "editor": True,
        "comms": True,
        "coordinator": True,
        "superuser": True,
        "resident": False,
    }


def test_resident_cannot_open_the_admin(client, resident):
    client.force_login(resident)

    response = client.get(reverse("admin:index"), follow=True)

    # The admin sends people who are not staff to its login, which refuses them.
    assert (response.status_code, response.redirect_chain) == (
        403,
        [(reverse("admin:login") + "?next=/admin/", 302)],
    )


def test_admin_login_goes_through_allauth(client, db):
    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[-1] == (
        reverse("account_login") + "?next=%2Fadmin%2F",
        302,
    )


@pytest.mark.parametrize("person", ["editor", "comms"])
def test_application_admin_is_forbidden_to_person_then_open_to_coordinator(
    client, people, application, person
):
    pages = [
        reverse("admin:liaisons_application_changelist"),
        reverse("admin:liaisons_application_change", args=[application.pk]),
    ]

    client.force_login(people[person])
    refused = [client.get(page) for page in pages]
    client.force_login(people["coordinator"])
    shown = [client.get(page) for page in pages]

    assert [(r.status_code, r.content.decode().count("Rosa Applicant")) for r in refused] == [
        (403, 0),
        (403, 0),
    ]
    assert [r.content.decode().count(SECRET) for r in refused] == [0, 0]
    assert [r.status_code for r in shown] == [200, 200]
    assert shown[1].content.decode().count(SECRET) == 1
    assert shown[1].content.decode().count(APPLICANT_EMAIL) == 1
    # Only the coordinator's look was written to the audit trail.
    assert list(AuditEntry.objects.values_list("actor", "action")) == [
        (people["coordinator"].pk, "viewed")
    ]


@pytest.mark.parametrize("person", ["editor", "comms"])
def test_application_notes_and_emails_are_forbidden_to_person(client, people, person):
    # The marker comes after the 40 characters a note shows in titles and breadcrumbs.
    note = ApplicationNoteFactory(body="Called them on Tuesday; they sound very keen. NOTE-4410")
    email = LiaisonEmailFactory(body="Dear applicant, EMAIL-7720")
    pages = {
        reverse("admin:liaisons_applicationnote_change", args=[note.pk]): "NOTE-4410",
        reverse("admin:liaisons_liaisonemail_change", args=[email.pk]): "EMAIL-7720",
    }

    client.force_login(people[person])
    refused = {page: client.get(page) for page in pages}
    client.force_login(people["coordinator"])
    shown = {page: client.get(page) for page in pages}

    assert [(r.status_code, r.content.decode().count(pages[p])) for p, r in refused.items()] == [
        (403, 0),
        (403, 0),
    ]
    assert [(r.status_code, r.content.decode().count(pages[p])) for p, r in shown.items()] == [
        (200, 1),
        (200, 1),
    ]


def test_chat_admin_is_forbidden_to_coordinator_then_open_to_editor(client, people, chat):
    page = reverse("admin:events_chat_change", args=[chat.pk])

    client.force_login(people["coordinator"])
    refused = client.get(page)
    client.force_login(people["editor"])
    shown = client.get(page)

    assert (refused.status_code, refused.content.decode().count("Trash talk")) == (403, 0)
    assert (shown.status_code, shown.content.decode().count('value="Trash talk"')) == (200, 1)


def test_recap_admin_is_forbidden_to_coordinator_then_open_to_editor(client, people, recap):
    page = reverse("admin:recaps_recap_change", args=[recap.pk])

    client.force_login(people["coordinator"])
    refused = client.get(page)
    client.force_login(people["editor"])
    shown = client.get(page)

    assert (refused.status_code, refused.content.decode().count(recap.title)) == (403, 0)
    assert (shown.status_code, shown.content.decode().count(f'value="{recap.title}"')) == (200, 1)


def test_comms_staff_may_look_at_a_recap_but_not_change_it(client, people, recap):
    page = reverse("admin:recaps_recap_change", args=[recap.pk])
    client.force_login(people["comms"])

    shown = client.get(page)
    refused = client.post(page, {"title": "Changed by comms", "intro": ""})

    recap.refresh_from_db()
    assert (shown.status_code, shown.content.decode().count('name="title"')) == (200, 0)
    assert (refused.status_code, recap.title) == (403, "What we heard about trash")


def test_editor_may_look_at_posts_but_not_moderate_them(client, people, chat):
    post = PostFactory(chat=chat, text="A resident's post")
    changelist = reverse("admin:events_post_changelist")
    data = {"action": "hide_posts", "_selected_action": [post.pk], "index": "0", "reason": "Spam"}

    client.force_login(people["editor"])
    editor_list = client.get(changelist)
    editor_action = client.post(changelist, data)
    post.refresh_from_db()
    hidden_by_editor = post.hidden
    client.force_login(people["comms"])
    client.post(changelist, data)
    post.refresh_from_db()

    cell = '<td class="field-short_text">A resident&#x27;s post</td>'
    assert (editor_list.status_code, editor_list.content.decode().count(cell)) == (200, 1)
    # The editor's action bar offers the export only, and the hide action is refused.
    assert [
        name for name, _label in editor_list.context["action_form"].fields["action"].choices
    ] == [
        "",
        "export_as_csv",
    ]
    assert (editor_action.status_code, hidden_by_editor) == (302, False)
    assert (post.hidden, post.hidden_reason, post.hidden_by) == (True, "Spam", people["comms"])


def test_user_admin_is_for_superusers_only(client, people):
    page = reverse("admin:accounts_user_changelist")

    client.force_login(people["coordinator"])
    refused = client.get(page)
    client.force_login(people["superuser"])
    shown = client.get(page)

    email = people["resident"].email
    assert (refused.status_code, refused.content.decode().count(email)) == (403, 0)
    assert (shown.status_code, shown.content.decode().count(email)) == (200, 1)


@pytest.fixture
def one_of_everything(chat, recap, application, comms, superuser):
    """A row of every model, so every admin list and page has something to show."""
    post = PostFactory(chat=chat)
    CaptureRunFactory(source=chat.capture_sources.get())
    ChatStatusChangeFactory(chat=chat, by=comms)
    ModerationActionFactory(post=post, chat=chat, by=comms)
    TrackedQuestionFactory(post=post, chat=chat)
    ImportJobFactory(chat=chat)
    FollowFactory(user=comms, topic=chat.topic)
    NotificationFactory(chat=chat, user=comms)
    RecapVersionFactory(recap=recap)
    ApplicationNoteFactory(application=application)
    AuditEntryFactory(application=application)
    LiaisonEmailFactory(application=application)
    EmailTemplateFactory()
    TrainingRegistrationFactory()
    WebhookDeliveryFactory()
    WorkerHeartbeatFactory()
    ApiTokenFactory(user=comms)
    TOTP.activate(superuser, generate_totp_secret())


def _registered() -> list[str]:
    return sorted(f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry)


@pytest.mark.parametrize("label", _registered())
def test_superuser_opens_every_admin_list_and_page(client, superuser, one_of_everything, label):
    client.force_login(superuser)
    model = apps.get_model(label)
    obj = model._default_manager.order_by("pk").first()
    app_label, model_name = label.split(".")

    listing = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    page = client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk]))

    assert (listing.status_code, page.status_code) == (200, 200)
    assert listing.context["cl"].result_count >= 1


@pytest.mark.parametrize(
    ("granted", "revoked", "expected"),
    [
        ([Role.EDITOR], [Role.EDITOR], False),
        ([Role.EDITOR, Role.COMMS_STAFF], [Role.EDITOR], True),  # still comms staff
        ([Role.EDITOR], [Role.RESIDENT], True),
        ([Role.LIAISON], [], False),  # not a staff role
    ],
)
def test_is_staff_follows_the_staff_roles(db, granted, revoked, expected):
    user = UserFactory(roles=[Role.RESIDENT])

    for role in granted:
        grant_role(user=user, role=role)
    for role in revoked:
        revoke_role(user=user, role=role)

    user.refresh_from_db()
    assert user.is_staff is expected


def test_revoking_a_role_leaves_a_superuser_staff(superuser):
    grant_role(user=superuser, role=Role.EDITOR)

    revoke_role(user=superuser, role=Role.EDITOR)

    superuser.refresh_from_db()
    assert superuser.is_staff is True
