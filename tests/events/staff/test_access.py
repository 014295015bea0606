"""Who may open the comms staff pages: the same request, wrong users first."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from accounts.roles import Role
from events.models import ChatStatus, ChatStatusChange
from tests.factories import ChatFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "Budget hearing prep (draft)"

# Every page that answers GET, by URL name, and whether it takes the chat's pk.
PAGES = [
    ("staff:chat_list", False),
    ("staff:chat_create", False),
    ("staff:chat_detail", True),
    ("staff:chat_edit", True),
    ("staff:chat_schedule", True),
    ("staff:chat_cancel", True),
    ("staff:chat_duplicate", True),
]


def _staff_with_mfa(*roles: Role, **kwargs):
    user = UserFactory(roles=list(roles), **kwargs)
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.mark.parametrize(("name", "takes_pk"), PAGES)
def test_staff_page_refuses_anonymous_residents_and_editors_then_admits_comms_staff(
    client, name, takes_pk
):
    chat = ChatFactory(title=SECRET, status=ChatStatus.DRAFT)
    url = reverse(name, kwargs={"pk": chat.pk} if takes_pk else {})
    resident = UserFactory(roles=[Role.RESIDENT])
    editor = _staff_with_mfa(Role.EDITOR)
    comms = _staff_with_mfa(Role.COMMS_STAFF)

    anonymous = client.get(url)
    client.force_login(resident)
    as_resident = client.get(url)
    client.force_login(editor)
    as_editor = client.get(url)
    client.force_login(comms)
    as_comms = client.get(url)

    assert anonymous.url == f"/accounts/login/?next={url}"
    assert (as_resident.status_code, SECRET in as_resident.content.decode()) == (403, False)
    assert (as_editor.status_code, SECRET in as_editor.content.decode()) == (403, False)
    assert as_comms.status_code == 200
    # The draft's title is on every page about it and in the list; the blank form has none.
    assert (SECRET in as_comms.content.decode()) is (name != "staff:chat_create")


def test_staff_page_admits_superusers(client):
    admin = _staff_with_mfa(Role.RESIDENT, is_superuser=True)
    ChatFactory(title=SECRET, status=ChatStatus.DRAFT)
    client.force_login(admin)

    page = client.get(reverse("staff:chat_list")).content.decode()

    assert SECRET in page


def test_staff_action_refuses_a_resident_then_lets_comms_staff_schedule(client):
    chat = ChatFactory(title=SECRET, status=ChatStatus.DRAFT)
    url = reverse("staff:chat_schedule", kwargs={"pk": chat.pk})
    resident = UserFactory(roles=[Role.RESIDENT])
    comms = _staff_with_mfa(Role.COMMS_STAFF)

    client.force_login(resident)
    refused = client.post(url)
    chat.refresh_from_db()
    status_after_refusal = chat.status
    client.force_login(comms)
    client.post(url)
    chat.refresh_from_db()

    assert refused.status_code == 403
    assert status_after_refusal == ChatStatus.DRAFT
    assert chat.status == ChatStatus.SCHEDULED
    assert list(ChatStatusChange.objects.values_list("by", flat=True)) == [comms.pk]


def test_staff_page_without_mfa_sends_comms_staff_to_set_it_up(client):
    comms = UserFactory(roles=[Role.COMMS_STAFF])
    client.force_login(comms)
    url = reverse("staff:chat_list")

    before = client.get(url)
    TOTP.activate(comms, generate_totp_secret())
    after = client.get(url)

    assert before.url == reverse("mfa_activate_totp")
    assert after.status_code == 200
    assert "Manage chats" in after.content.decode()
