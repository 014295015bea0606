"""Who may open the editors' recap pages: no one but editors ever sees a draft.

The same request fails as every other kind of user, then succeeds as an editor, with the
draft's title (the data that could leak) present.
"""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from accounts.roles import Role
from recaps.models import Recap
from tests.factories import UserFactory
from tests.recaps.staff.conftest import SECRET, content, versions

pytestmark = pytest.mark.django_db

OTHER_ROLES = [
    [Role.RESIDENT],
    [Role.LIAISON],
    [Role.COMMS_STAFF],
    [Role.LIAISON_COORDINATOR],
    [Role.COMMS_STAFF, Role.LIAISON_COORDINATOR, Role.LIAISON],
]


def _pages(recap: Recap) -> list[str]:
    section = recap.sections.order_by("position").first()
    assert section is not None
    return [
        reverse("recaps_staff:recap_list"),
        reverse("recaps_staff:recap_edit", args=[recap.pk]),
        reverse("recaps_staff:recap_preview", args=[recap.pk]),
        reverse("recaps_staff:recap_history", args=[recap.pk]),
        reverse("recaps_staff:section_posts", args=[recap.pk, section.pk]),
    ]


def _actions(recap: Recap) -> list[tuple[str, dict[str, str]]]:
    """Every POST of the editor's pages, with data that would change the recap."""
    first, second = recap.sections.order_by("position")
    highlight = first.highlights.order_by("position").first()
    assert highlight is not None
    post = recap.chat.posts.get(text="Post E")
    url = lambda name, *args: reverse(f"recaps_staff:{name}", args=[recap.pk, *args])  # noqa: E731
    return [
        (url("recap_text"), {"title": "Leaked", "intro": "x"}),
        (url("recap_refresh"), {}),
        (url("recap_submit"), {}),
        (url("recap_restore", 1), {}),
        (url("section_add"), {"heading": "Leaked"}),
        (url("section_update", first.pk), {"heading": "Leaked", "commentary": ""}),
        (url("section_remove", second.pk), {}),
        (url("section_move", second.pk), {"direction": "up"}),
        (url("section_posts", first.pk), {"post": str(post.pk), "note": ""}),
        (url("highlight_note", highlight.pk), {"note": "Leaked"}),
        (url("highlight_remove", highlight.pk), {}),
        (url("highlight_move", highlight.pk), {"direction": "down"}),
    ]


@pytest.mark.parametrize("roles", OTHER_ROLES, ids=lambda roles: "+".join(roles))
def test_recap_pages_refuse_other_roles_and_anonymous_then_admit_editors(
    client, recap, editor, roles
):
    other = UserFactory(roles=roles)
    results = []
    for url in _pages(recap):
        client.logout()
        anonymous = client.get(url)
        client.force_login(other)
        refused = client.get(url)
        client.force_login(editor)
        admitted = client.get(url)
        results.append(
            (
                anonymous.status_code,
                anonymous.get("Location"),
                refused.status_code,
                SECRET in refused.content.decode(),
                admitted.status_code,
                SECRET in admitted.content.decode(),
            )
        )

    assert results == [
        (302, f"/accounts/login/?next={url}", 403, False, 200, True) for url in _pages(recap)
    ]


@pytest.mark.parametrize("index", range(12))
def test_recap_action_refused_to_comms_staff_changes_nothing_then_works_for_an_editor(
    client, recap, editor, index
):
    comms = UserFactory(roles=[Role.COMMS_STAFF, Role.LIAISON_COORDINATOR])
    url, data = _actions(recap)[index]
    before = (content(recap), recap.status, versions(recap))

    client.logout()
    anonymous = client.post(url, data)
    client.force_login(comms)
    refused = client.post(url, data)
    recap.refresh_from_db()
    after_refusal = (content(recap), recap.status, versions(recap))
    client.force_login(editor)
    accepted = client.post(url, data)
    recap.refresh_from_db()

    assert anonymous.get("Location") == f"/accounts/login/?next={url}"
    assert refused.status_code == 403
    assert after_refusal == before
    assert accepted.status_code == 302
    # Every accepted action writes exactly one version, by the editor.
    assert versions(recap)[1:] == before[2]
    assert versions(recap)[0][0] == before[2][0][0] + 1
    assert versions(recap)[0][2] == editor.pk


def test_recap_publish_refused_to_comms_staff_then_done_by_an_editor(client, recap, editor):
    recap.status = "in_review"
    recap.save(update_fields=["status"])
    url = reverse("recaps_staff:recap_publish", args=[recap.pk])
    comms = UserFactory(roles=[Role.COMMS_STAFF])

    client.force_login(comms)
    refused = client.post(url)
    recap.refresh_from_db()
    status_after_refusal = recap.status
    client.force_login(editor)
    client.post(url)
    recap.refresh_from_db()

    assert refused.status_code == 403
    assert status_after_refusal == "in_review"
    assert (recap.status, recap.published_by) == ("published", editor)


def test_recap_pages_admit_superusers(client, recap):
    admin = UserFactory(roles=[Role.RESIDENT], is_superuser=True)
    client.force_login(admin)

    page = client.get(reverse("recaps_staff:recap_list")).content.decode()

    assert SECRET in page


def test_recap_pages_without_mfa_send_an_editor_to_set_it_up(client, recap, editor, settings):
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = True
    client.force_login(editor)
    url = reverse("recaps_staff:recap_edit", args=[recap.pk])

    before = client.get(url)
    TOTP.activate(editor, generate_totp_secret())
    after = client.get(url)

    assert before.get("Location") == reverse("mfa_activate_totp")
    assert (after.status_code, SECRET in after.content.decode()) == (200, True)


def test_recap_nav_link_shows_for_editors_only(client, recap, editor):
    comms = UserFactory(roles=[Role.COMMS_STAFF])
    link = f'href="{reverse("recaps_staff:recap_list")}"'

    client.force_login(comms)
    as_comms = client.get("/").content.decode()
    client.force_login(editor)
    as_editor = client.get("/").content.decode()

    assert (link in as_comms, link in as_editor) == (False, True)
