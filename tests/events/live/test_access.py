"""Who may open the live page, the import pages and the tracker: the same request fails
for the wrong people (with data that could leak present), then works for comms staff."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from events.models import Post
from tests.factories import (
    ImportJobFactory,
    PostFactory,
    TrackedQuestionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "Hidden complaint about my neighbor at 123 Main St"

# URL name -> extra URL kwargs (from the objects made below) and query string.
PAGES = [
    ("chat_live", None, ""),
    ("chat_live_posts", None, "?after=0"),
    ("chat_live_stats", None, ""),
    ("post_hide", "post_pk", ""),
    ("chat_import", None, ""),
    ("import_job", "job_pk", ""),
    ("import_progress", "job_pk", ""),
    ("chat_tracker", None, ""),
    ("tracked_question_edit", "question_pk", ""),
]


@pytest.fixture
def secret_data(chat):
    post = PostFactory(chat=chat, text=SECRET, hidden=True, hidden_reason="Personal data")
    Post.objects.filter(pk=post.pk).update(first_seen_at=post.first_seen_at.replace(year=2020))
    question = TrackedQuestionFactory(post=PostFactory(chat=chat, text=f"{SECRET}?"))
    job = ImportJobFactory(chat=chat, errors=[{"line": 2, "reason": SECRET}], skipped_rows=1)
    return {"post_pk": post.pk, "question_pk": question.pk, "job_pk": job.pk}


@pytest.mark.parametrize(("name", "extra", "query"), PAGES)
def test_live_page_refuses_anonymous_residents_and_editors_then_admits_comms_staff(
    client, chat, secret_data, no_staff_mfa, name, extra, query
):
    kwargs = {"pk": chat.pk, **({extra: secret_data[extra]} if extra else {})}
    url = reverse(f"staff:{name}", kwargs=kwargs) + query

    anonymous = client.get(url)
    client.force_login(UserFactory(roles=[Role.RESIDENT]))
    as_resident = client.get(url)
    client.force_login(UserFactory(roles=[Role.EDITOR]))
    as_editor = client.get(url)
    client.force_login(UserFactory(roles=[Role.COMMS_STAFF]))
    as_comms = client.get(url)

    assert anonymous.url == "/accounts/login/?next=" + url.replace("?", "%3F").replace("=", "%3D")
    assert (as_resident.status_code, SECRET in as_resident.content.decode()) == (403, False)
    assert (as_editor.status_code, SECRET in as_editor.content.decode()) == (403, False)
    assert as_comms.status_code == 200
    # The upload form shows no post text; every other page does.
    assert (SECRET in as_comms.content.decode()) is (name != "chat_import")


def test_live_page_sends_staff_without_two_factor_authentication_to_set_it_up(client, chat):
    client.force_login(UserFactory(roles=[Role.COMMS_STAFF]))

    response = client.get(reverse("staff:chat_live", kwargs={"pk": chat.pk}))

    assert response.url == reverse("mfa_activate_totp")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("post_hide", {"reason": "Spam"}),
        ("post_highlight", {"highlighted": "1"}),
        ("post_question", {"question": "1"}),
    ],
)
def test_post_action_refuses_a_resident_then_lets_comms_staff_act(
    client, chat, no_staff_mfa, name, data
):
    post = PostFactory(chat=chat, text="Is the library open?")
    url = reverse(f"staff:{name}", kwargs={"pk": chat.pk, "post_pk": post.pk})

    client.force_login(UserFactory(roles=[Role.RESIDENT]))
    refused = client.post(url, data)
    unchanged = Post.objects.filter(pk=post.pk).values_list("hidden", "highlighted").get()
    client.force_login(UserFactory(roles=[Role.COMMS_STAFF]))
    accepted = client.post(url, data)

    post.refresh_from_db()
    assert (refused.status_code, unchanged) == (403, (False, False))
    assert accepted.status_code == 302
    assert (post.hidden, post.highlighted, hasattr(post, "tracked_question")) == (
        name == "post_hide",
        name == "post_highlight",
        name == "post_question",
    )


def test_live_poll_after_the_session_ended_asks_htmx_to_reload_the_page(client, chat):
    url = reverse("staff:chat_live_posts", kwargs={"pk": chat.pk}) + "?after=0"

    response = client.get(url, HTTP_HX_REQUEST="true")

    assert (response.status_code, response["HX-Refresh"]) == (204, "true")
