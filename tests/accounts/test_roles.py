from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group

from accounts.roles import Role, has_role, is_staff_member, roles_of

pytestmark = pytest.mark.django_db


def test_role_groups_exist_after_migrations():
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(Role.values)


def test_roles_of_reads_groups_once(make_user, django_assert_num_queries):
    user = make_user(Role.RESIDENT, Role.EDITOR)

    with django_assert_num_queries(1):  # the user's group names
        first = roles_of(user)
        second = roles_of(user)

    assert first == second == frozenset({Role.RESIDENT, Role.EDITOR})


@pytest.mark.parametrize(
    ("roles", "superuser", "staff"),
    [
        ([Role.RESIDENT], False, False),
        ([Role.RESIDENT, Role.LIAISON], False, False),
        ([Role.COMMS_STAFF], False, True),
        ([Role.EDITOR], False, True),
        ([Role.LIAISON_COORDINATOR], False, True),
        ([Role.RESIDENT], True, True),
    ],
)
def test_is_staff_member_by_role(make_user, roles, superuser, staff):
    user = make_user(*roles, is_superuser=superuser)

    assert is_staff_member(user) is staff
    assert has_role(user, Role.EDITOR) is (Role.EDITOR in roles or superuser)


@pytest.mark.urls("tests.accounts.urls")
def test_role_page_refuses_anonymous_and_other_roles_then_admits_the_role(client, make_user):
    resident = make_user(Role.RESIDENT)
    editor = make_user(Role.EDITOR)
    TOTP.activate(editor, generate_totp_secret())

    anonymous = client.get("/editors-only/")
    client.force_login(resident)
    as_resident = client.get("/editors-only/")
    client.force_login(editor)
    as_editor = client.get("/editors-only/")

    assert anonymous.url == "/accounts/login/?next=/editors-only/"
    assert as_resident.status_code == 403
    assert "editor desk" not in as_resident.content.decode()
    assert as_editor.content.decode() == "editor desk"


@pytest.mark.urls("tests.accounts.urls")
def test_staff_page_without_mfa_sends_staff_to_set_it_up(client, make_user):
    editor = make_user(Role.EDITOR)
    client.force_login(editor)

    before = client.get("/editors-only/")
    TOTP.activate(editor, generate_totp_secret())
    after = client.get("/editors-only/")

    assert before.url == "/accounts/2fa/totp/activate/"
    assert after.content.decode() == "editor desk"


@pytest.mark.urls("tests.accounts.urls")
def test_resident_page_does_not_require_mfa_from_staff(client, make_user):
    editor = make_user(Role.RESIDENT, Role.EDITOR)
    client.force_login(editor)

    assert client.get("/residents-only/").content.decode() == "resident page"


@pytest.mark.urls("tests.accounts.urls")
def test_demo_switch_lifts_staff_mfa_rule(client, make_user, settings):
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = False
    client.force_login(make_user(Role.EDITOR))

    assert client.get("/editors-only/").content.decode() == "editor desk"
