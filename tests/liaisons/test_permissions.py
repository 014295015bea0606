"""The role x URL matrix: every liaison URL, requested as each kind of person, with an
application present whose personal data must not leak.

Expected outcomes follow from who a page is for:
- public: everyone sees it;
- signed_in: anonymous visitors go to the login page, everyone signed in gets it;
- applicant: only the applicant; everyone else signed in gets 404 (the URL does not
  say whether the application exists), coordinators included;
- coordinator_page: a page about no one application: 403 for other roles;
- coordinator_object: one application (or registration) for coordinators: 404 for
  everyone else.
"""

from __future__ import annotations

import pytest

from accounts.roles import Role
from liaisons.models import ApplicationStatus
from tests.factories import (
    ApplicationFactory,
    TrainingRegistrationFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.liaisons.conftest import SECRET, with_mfa

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "other_resident", "applicant", "coordinator", "editor", "comms"]

# (name, method, path, audience, who sees the applicant's secret on that page)
URLS = [
    ("program", "get", "/liaisons/", "public", set()),
    ("directory", "get", "/liaisons/directory/", "public", set()),
    ("apply", "get", "/liaisons/apply/", "signed_in", set()),
    ("application_detail", "get", "/liaisons/applications/{app}/", "applicant", {"applicant"}),
    ("application_edit", "get", "/liaisons/applications/{app}/edit/", "applicant", set()),
    ("application_withdraw", "get", "/liaisons/applications/{app}/withdraw/", "applicant", set()),
    (
        "application_directory",
        "post",
        "/liaisons/applications/{app}/directory/",
        "applicant",
        set(),
    ),
    (
        "training_register",
        "post",
        "/liaisons/applications/{app}/training/{other_session}/register/",
        "applicant",
        set(),
    ),
    (
        "training_cancel",
        "post",
        "/liaisons/applications/{app}/registrations/{reg}/cancel/",
        "applicant",
        set(),
    ),
    (
        "training_calendar",
        "get",
        "/liaisons/applications/{app}/registrations/{reg}/calendar.ics",
        "applicant",
        set(),
    ),
    ("review_queue", "get", "/liaisons/review/", "coordinator_page", set()),
    ("review_bulk_email", "get", "/liaisons/review/email/", "coordinator_page", set()),
    ("review_detail", "get", "/liaisons/review/{app}/", "coordinator_object", {"coordinator"}),
    ("review_assign", "post", "/liaisons/review/{app}/assign/", "coordinator_object", set()),
    ("review_note", "post", "/liaisons/review/{app}/notes/", "coordinator_object", set()),
    ("review_decide", "post", "/liaisons/review/{app}/decide/", "coordinator_object", set()),
    ("session_list", "get", "/liaisons/training/", "coordinator_page", set()),
    ("session_create", "get", "/liaisons/training/new/", "coordinator_page", set()),
    ("session_detail", "get", "/liaisons/training/{session}/", "coordinator_page", set()),
    ("session_edit", "get", "/liaisons/training/{session}/edit/", "coordinator_page", set()),
    ("session_invite", "post", "/liaisons/training/{session}/invite/", "coordinator_page", set()),
    ("session_cancel", "get", "/liaisons/training/{session}/cancel/", "coordinator_page", set()),
    (
        "session_attendance",
        "post",
        "/liaisons/training/{session}/registrations/{reg}/attendance/",
        "coordinator_page",
        set(),
    ),
    (
        "session_remove",
        "post",
        "/liaisons/training/{session}/registrations/{reg}/remove/",
        "coordinator_page",
        set(),
    ),
    ("coverage", "get", "/liaisons/coverage/", "coordinator_page", set()),
    ("email_templates", "get", "/liaisons/email-templates/", "coordinator_page", set()),
    (
        "email_template_edit",
        "get",
        "/liaisons/email-templates/approve/es/",
        "coordinator_page",
        set(),
    ),
    ("export_data", "post", "/liaisons/your-data/export/", "signed_in", {"applicant"}),
    ("delete_account", "get", "/liaisons/your-data/delete/", "signed_in", set()),
]


def expected(audience: str, role: str) -> str:
    if audience == "public":
        return "ok"
    if role == "anonymous":
        return "login"
    if audience == "signed_in":
        return "ok"
    if audience == "applicant":
        return "ok" if role == "applicant" else "404"
    if role == "coordinator":
        return "ok"
    return "403" if audience == "coordinator_page" else "404"


@pytest.fixture
def world(application, coordinator):
    """Rosa's approved application with a seat in a session, another resident with an
    application of their own, and one person in each staff role (with MFA)."""
    application.status = ApplicationStatus.APPROVED
    application.save(update_fields=["status"])
    session = TrainingSessionFactory()
    registration = TrainingRegistrationFactory(session=session, application=application)
    other = UserFactory(roles=[Role.RESIDENT], email="other@example.org")
    ApplicationFactory(user=other, motivation="OTHER-RESIDENT-SECRET")
    return {
        "people": {
            "anonymous": None,
            "other_resident": other,
            "applicant": application.user,
            "coordinator": coordinator,
            "editor": with_mfa(UserFactory(roles=[Role.RESIDENT, Role.EDITOR])),
            "comms": with_mfa(UserFactory(roles=[Role.RESIDENT, Role.COMMS_STAFF])),
        },
        "ids": {
            "app": application.pk,
            "session": session.pk,
            "other_session": TrainingSessionFactory().pk,
            "reg": registration.pk,
        },
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "path", "audience", "sees_secret"), URLS, ids=[u[0] for u in URLS]
)
def test_liaison_url_answers_each_role(
    client, world, name, method, path, audience, sees_secret, role
):
    person = world["people"][role]
    if person is not None:
        client.force_login(person)
    url = path.format(**world["ids"])

    response = getattr(client, method)(url)

    body = response.content.decode(errors="replace")
    outcome = expected(audience, role)
    if outcome == "login":
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")
    elif outcome in {"403", "404"}:
        assert response.status_code == int(outcome)
        assert SECRET not in body
    else:
        assert response.status_code in {200, 302}
        if response.status_code == 302:
            assert not response.url.startswith("/accounts/")  # neither login nor MFA setup
        assert (SECRET in body) is (role in sees_secret)


def test_liaison_url_matrix_covers_every_liaison_url():
    from liaisons.urls import urlpatterns

    assert sorted(p.name for p in urlpatterns) == sorted(u[0] for u in URLS)


@pytest.mark.parametrize("path", ["/liaisons/review/", "/liaisons/review/{app}/"])
def test_coordinator_without_mfa_is_sent_to_set_it_up(client, application, path):
    coordinator = UserFactory(roles=[Role.RESIDENT, Role.LIAISON_COORDINATOR])
    client.force_login(coordinator)

    response = client.get(path.format(app=application.pk))

    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"


def test_coordinator_cannot_open_a_draft(client, coordinator):
    draft = ApplicationFactory(status=ApplicationStatus.DRAFT, motivation=SECRET)
    client.force_login(coordinator)

    response = client.get(f"/liaisons/review/{draft.pk}/")

    assert response.status_code == 404
    assert SECRET not in response.content.decode()
