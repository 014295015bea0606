"""axe-core over every public page and every staff form: no serious or critical violations.

One dataset (``_seed``: factories and the services, as the app makes the rows) holds
something for every page: a scheduled, a live and a cancelled chat, a published recap
and a draft one, liaison applications, a training session, a webhook endpoint with a
failed delivery. Transactional tests cannot share rows, so there is one test per role,
not per page: it signs in through the login form once, opens each of its pages, checks
that the page is the one meant (status 200 and its heading), runs axe, and fails once at
the end listing every page's violations.

Forms for something new are checked as they come back submitted empty: the whole form
and its error messages, the state a keyboard or screen-reader user has to recover from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from events.models import Chat, ChatStatus, Post, Topic
from events.services.chats import transition_chat
from recaps.models import RecapStatus
from recaps.services.drafting import create_draft_recap
from recaps.services.workflow import transition_recap
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.e2e.helpers import sign_in
from tests.factories import (
    ApplicationFactory,
    CaptureSourceFactory,
    ChatFactory,
    ChatHostFactory,
    CityFactory,
    EmailTemplateFactory,
    ImportJobFactory,
    NeighborhoodFactory,
    PostFactory,
    QuestionFactory,
    TopicFactory,
    TrackedQuestionFactory,
    TrainingRegistrationFactory,
    TrainingSessionFactory,
    UserFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)

SCHEDULED = "A safer winter on your block"
LIVE = "Bulk pickup, live"
RECAP = "Illegal dumping: what works"
DRAFT_RECAP = "Potholes and street repair"
QUESTION = "How do you report illegal dumping?"
POSTS = [
    ("philly311", "Philly311", f"Q1 {QUESTION} #PhillyStreets"),
    ("ann", "Ann", "A1 With the 311 app, photo included."),
    ("bob", "Bob", "A1 I call 311 and it takes a week. When is bulk pickup?"),
]


@dataclass(frozen=True)
class Seed:
    """Primary keys the staff pages' paths need."""

    scheduled: int
    live: int
    live_post: int
    live_question: int
    import_job: int
    draft_recap: int
    draft_section: int
    application: int
    own_application: int
    session: int
    endpoint: int
    delivery: int


class Visit(NamedTuple):
    path: str  # formatted with s=<Seed>
    heading: str | re.Pattern[str]  # the page's main heading, exactly
    fill: tuple[tuple[str, str], ...] = ()  # (label, text) typed in first
    press: tuple[str | re.Pattern[str], ...] = ()  # then these buttons, in order
    shows: tuple[str, ...] = ()  # and once these (CSS) are visible, axe runs


ERRORS = (".usa-error-message, .usa-alert--error",)


def _submitted_empty(path: str, heading: str, button: str) -> Visit:
    """The form at ``path``, sent empty with ``button``: axe sees it with its errors."""
    return Visit(path, heading, press=(button,), shows=ERRORS)


def _store_posts(chat: Chat) -> list[Post]:
    """The hosts' Q1 and two residents' answers, a minute apart, stored a while ago
    (past the live page's settle delay, so its feed shows them)."""
    posts = [
        PostFactory(
            chat=chat,
            author_handle=handle,
            author_name=name,
            text=text,
            html=f"<p>{text}</p>",
            created_at=chat.starts_at + timedelta(minutes=minute),
            is_official=handle == "philly311",
            external_key=f"{chat.slug}-{minute}",
        )
        for minute, (handle, name, text) in enumerate(POSTS, start=5)
    ]
    Post.objects.filter(chat=chat).update(first_seen_at=timezone.now() - timedelta(minutes=1))
    return posts


def _ended_chat(*, title: str, slug: str, days_ago: int, topic: Topic) -> Chat:
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    chat = ChatFactory(
        topic=topic,
        title=title,
        slug=slug,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status=ChatStatus.ENDED,
    )
    ChatHostFactory(chat=chat, platform="x", handle="@philly311", display_name="Philly311")
    QuestionFactory(chat=chat, position=1, text=QUESTION)
    _store_posts(chat)
    return chat


def _seed() -> Seed:
    CityFactory(service_name="Philly311")
    kensington = NeighborhoodFactory(name="Kensington", slug="kensington")
    NeighborhoodFactory(name="Olney", slug="olney")
    topic = TopicFactory(name="Streets and sanitation", slug="streets")
    comms = UserFactory(roles=[Role.COMMS_STAFF], email="comms@example.org")
    editor = UserFactory(roles=[Role.EDITOR], email="editor@example.org")
    UserFactory(roles=[Role.LIAISON_COORDINATOR], email="coordinator@example.org")
    UserFactory(email="resident@example.org", neighborhood=kensington)
    applicant = UserFactory(email="applicant@example.org")
    now = timezone.now()

    scheduled = ChatFactory(topic=topic, title=SCHEDULED, slug="winter")
    ChatHostFactory(chat=scheduled, platform="x", handle="@philly311", display_name="Philly311")
    QuestionFactory(chat=scheduled, position=1, text="What would make your block safer?")

    live = ChatFactory(
        topic=topic,
        title=LIVE,
        slug="bulk-pickup",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        status=ChatStatus.LIVE,
    )
    CaptureSourceFactory(chat=live, platform="x")
    # The side panel's "needs credentials" message and its resume button.
    CaptureSourceFactory(
        chat=live,
        platform="bluesky",
        state="needs_credentials",
        last_error="Bluesky refused the app password (401).",
    )
    live_posts = _store_posts(live)
    question = TrackedQuestionFactory(post=live_posts[2])
    job = ImportJobFactory(chat=live)

    cancelled = ChatFactory(topic=topic, title="Recycling night", slug="recycling", status="draft")
    transition_chat(chat=cancelled, to=ChatStatus.SCHEDULED, by=comms)
    transition_chat(chat=cancelled, to=ChatStatus.CANCELLED, by=comms, reason="Hosts are away.")

    published = create_draft_recap(
        chat=_ended_chat(title=RECAP, slug="dumping", days_ago=14, topic=topic)
    )
    transition_recap(recap=published, to=RecapStatus.IN_REVIEW, by=editor)
    transition_recap(recap=published, to=RecapStatus.PUBLISHED, by=editor)
    draft = create_draft_recap(
        chat=_ended_chat(title=DRAFT_RECAP, slug="potholes", days_ago=2, topic=topic)
    )

    application = ApplicationFactory(display_name="Rosa R.", neighborhood=kensington)
    own = ApplicationFactory(user=applicant, display_name="Ana A.", neighborhood=kensington)
    session = TrainingSessionFactory(title="Liaison training at the library")
    TrainingRegistrationFactory(session=session)
    # No updated_by: the coordinator who edited it may have deleted their account.
    EmailTemplateFactory(kind="approve", language="en")
    endpoint = WebhookEndpointFactory(name="Newsroom", url="http://127.0.0.1:9/newsroom")
    delivery = WebhookDeliveryFactory(
        endpoint=endpoint,
        status="failed",
        attempts=3,
        response_code=500,
        response_body="Internal Server Error",
        last_attempt_at=now,
        next_attempt_at=None,
    )
    return Seed(
        scheduled=scheduled.pk,
        live=live.pk,
        live_post=live_posts[1].pk,
        live_question=question.pk,
        import_job=job.pk,
        draft_recap=draft.pk,
        draft_section=draft.sections.get().pk,
        application=application.pk,
        own_application=own.pk,
        session=session.pk,
        endpoint=endpoint.pk,
        delivery=delivery.pk,
    )


PUBLIC = {
    "home": Visit("/", "Ask Philadelphia. In public, on the record."),
    "chats, upcoming": Visit("/chats/", "Chats"),
    "chats, past": Visit("/chats/?when=past", "Chats"),
    "topic": Visit("/topics/streets/", "Streets and sanitation"),
    "chat, scheduled": Visit("/chats/winter/", SCHEDULED),
    "chat, live": Visit("/chats/bulk-pickup/", LIVE),
    "chat, cancelled": Visit("/chats/recycling/", "Recycling night"),
    "recap": Visit("/chats/dumping/recap/", RECAP),
    "recap embed": Visit("/chats/dumping/recap/embed/", RECAP),
    "liaison program": Visit("/liaisons/", "The Philly311 Neighborhood Liaison Program"),
    "liaison directory": Visit("/liaisons/directory/", "Neighborhood liaisons"),
    "login, wrong password": Visit(
        "/accounts/login/",
        "Sign In",
        fill=(("Email", "nobody@example.org"), ("Password", "not the password")),
        press=("Sign In",),
        shows=ERRORS,
    ),
    "signup": Visit("/accounts/signup/", "Sign Up"),
    "password reset": Visit("/accounts/password/reset/", "Password Reset"),
    # Swagger UI draws its own heading (h2) from the schema, after load. Axe sees the
    # operations listed, one of them open and run, and the "Authorize" dialog.
    "api docs": Visit(
        "/api/docs/",
        re.compile(r"^CivicChat API"),
        # The path is drawn with zero-width spaces before its slashes.
        press=(re.compile(r"^GET\W+api\W+v1\W+topics\W"), "Try it out", "Execute", "Authorize"),
        shows=(".live-responses-table", ".modal-ux"),
    ),
}
RESIDENT = {
    "profile": Visit("/profile/", "Your profile"),
    "liaison apply": _submitted_empty(
        "/liaisons/apply/", "Apply to be a neighborhood liaison", "Submit application"
    ),
}
APPLICANT = {
    "own application": Visit(
        "/liaisons/applications/{s.own_application}/", "Your liaison application"
    ),
    "own application, edit": Visit(
        "/liaisons/applications/{s.own_application}/edit/", "Edit your application"
    ),
    "own application, withdraw": Visit(
        "/liaisons/applications/{s.own_application}/withdraw/", "Withdraw your application"
    ),
}
COMMS_STAFF = {
    "chats": Visit("/staff/chats/", "Manage chats"),
    "new chat": _submitted_empty("/staff/chats/new/", "New chat", "Save draft"),
    "chat": Visit("/staff/chats/{s.scheduled}/", SCHEDULED),
    "chat, edit": Visit("/staff/chats/{s.scheduled}/edit/", f"Edit “{SCHEDULED}”"),
    "chat, reschedule": Visit(
        "/staff/chats/{s.scheduled}/reschedule/", f"Reschedule “{SCHEDULED}”"
    ),
    "chat, cancel": Visit("/staff/chats/{s.scheduled}/cancel/", f"Cancel “{SCHEDULED}”"),
    "chat, duplicate": Visit("/staff/chats/{s.scheduled}/duplicate/", f"Duplicate “{SCHEDULED}”"),
    "live": Visit("/staff/chats/{s.live}/live/", f"Live: {LIVE}"),
    "live, hide a post": Visit(
        "/staff/chats/{s.live}/live/posts/{s.live_post}/hide/", "Hide a post"
    ),
    "import": Visit("/staff/chats/{s.live}/import/", f"Import posts into “{LIVE}”"),
    "import report": Visit(
        "/staff/chats/{s.live}/import/{s.import_job}/", "Import of “archive.csv”"
    ),
    "question tracker": Visit("/staff/chats/{s.live}/tracker/", f"Questions asked in “{LIVE}”"),
    "question tracker, update": Visit(
        "/staff/chats/{s.live}/tracker/{s.live_question}/", "Update a question"
    ),
    "webhooks": Visit("/staff/webhooks/", "Webhooks"),
    "webhook, new": _submitted_empty("/staff/webhooks/new/", "New endpoint", "Create the endpoint"),
    "webhook": Visit("/staff/webhooks/{s.endpoint}/", "Newsroom"),
    "webhook, edit": Visit("/staff/webhooks/{s.endpoint}/edit/", "Edit “Newsroom”"),
    "webhook, delete": Visit("/staff/webhooks/{s.endpoint}/delete/", "Delete “Newsroom”"),
    "webhook delivery": Visit(
        "/staff/webhooks/{s.endpoint}/deliveries/{s.delivery}/", "Delivery of chat.scheduled"
    ),
}
EDITOR = {
    "recaps": Visit("/staff/recaps/", "Recaps"),
    "recap editor": Visit("/staff/recaps/{s.draft_recap}/", DRAFT_RECAP),
    "recap preview": Visit("/staff/recaps/{s.draft_recap}/preview/", DRAFT_RECAP),
    "recap history": Visit(
        "/staff/recaps/{s.draft_recap}/history/", f"Versions of “{DRAFT_RECAP}”"
    ),
    "recap, add highlights": Visit(
        "/staff/recaps/{s.draft_recap}/sections/{s.draft_section}/posts/",
        f"Add highlights to “{QUESTION}”",
    ),
}
COORDINATOR = {
    "review queue": Visit("/liaisons/review/", "Liaison applications"),
    "review": Visit("/liaisons/review/{s.application}/", "Rosa R."),
    "review, e-mail applicants": Visit("/liaisons/review/email/", "E-mail applicants"),
    "training": Visit("/liaisons/training/", "Training sessions"),
    "training, new": _submitted_empty(
        "/liaisons/training/new/", "New training session", "Save session"
    ),
    "training session": Visit("/liaisons/training/{s.session}/", "Liaison training at the library"),
    "training session, edit": Visit(
        "/liaisons/training/{s.session}/edit/", "Edit training session"
    ),
    "training session, cancel": Visit(
        "/liaisons/training/{s.session}/cancel/", "Cancel the training session"
    ),
    "coverage": Visit("/liaisons/coverage/", "Liaison coverage"),
    "e-mail templates": Visit("/liaisons/email-templates/", "E-mail templates"),
    "e-mail template": Visit("/liaisons/email-templates/approve/en/", "Approved (English)"),
}
# Who visits what, signed in as whom (None: signed out).
ROLES: dict[str, list[tuple[str | None, dict[str, Visit]]]] = {
    "public": [(None, PUBLIC)],
    "resident": [("resident@example.org", RESIDENT), ("applicant@example.org", APPLICANT)],
    "comms-staff": [("comms@example.org", COMMS_STAFF)],
    "editor": [("editor@example.org", EDITOR)],
    "coordinator": [("coordinator@example.org", COORDINATOR)],
}


def _check(page: Page, name: str, visit: Visit, seed: Seed) -> str | None:
    """Open the page and do what the visit says; the axe report, or None if clean."""
    response = page.goto(visit.path.format(s=seed))
    assert (name, response.status if response else None) == (name, 200)
    expect(page.get_by_role("heading", name=visit.heading, exact=True).first).to_be_visible()
    for label, text in visit.fill:
        page.get_by_label(label, exact=True).fill(text)
    for button in visit.press:
        page.get_by_role("button", name=button, exact=True).first.click()
    for selector in visit.shows:
        expect(page.locator(selector).first).to_be_visible()
    try:
        assert_no_serious_axe_violations(page)
    except AssertionError as error:
        return f"{name}: {error}"
    return None


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_has_no_serious_axe_violations(page: Page, settings, role: str) -> None:
    # Staff pages open without the two-factor step (tests/accounts proves it is asked for).
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = False
    seed = _seed()

    reports = []
    for email, visits in ROLES[role]:
        if email is not None:
            sign_in(page, email, fresh=True)
        reports += [_check(page, name, visit, seed) for name, visit in visits.items()]

    violations = [report for report in reports if report is not None]
    assert violations == [], "\n\n".join(violations)
