"""factory_boy factories for every model. No side effects beyond the row itself."""

from __future__ import annotations

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import grant_role
from core.models import City, Neighborhood
from events.models import Topic

PASSWORD = "a-Long-test-passw0rd"


class NeighborhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighborhood
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Neighborhood {n}")
    slug = factory.Sequence(lambda n: f"neighborhood-{n}")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("key",)

    key = City.SINGLETON_KEY
    name = "Philadelphia"
    timezone = "America/New_York"


class UserFactory(factory.django.DjangoModelFactory):
    """A resident with a verified primary e-mail address who can sign in at once."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs: object) -> None:
        if not create:
            return
        self.save()
        EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        for role in extracted if extracted is not None else [Role.RESIDENT]:
            grant_role(user=self, role=role)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    description = "What this topic is about."
    default_hashtag = factory.Sequence(lambda n: f"#Topic{n}")
    owning_team = "Philly311"


class ChatFactory(factory.django.DjangoModelFactory):
    """A scheduled one-hour chat next week (use status= for others; no audit rows)."""

    class Meta:
        model = "events.Chat"

    topic = factory.SubFactory(TopicFactory)
    title = factory.Sequence(lambda n: f"Chat {n}")
    slug = factory.Sequence(lambda n: f"chat-{n}")
    description = "What the chat is about."
    hashtag = factory.Sequence(lambda n: f"#Chat{n}")
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    platforms = factory.LazyFunction(lambda: ["x", "mastodon"])
    status = "scheduled"


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Question"

    chat = factory.SubFactory(ChatFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Question {n}?")
    published = True


class ChatHostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.ChatHost"

    chat = factory.SubFactory(ChatFactory)
    platform = "x"
    handle = factory.Sequence(lambda n: f"@host{n}")
    display_name = "City host"


# --- capture (issue 4) -------------------------------------------------------------------


class CaptureSourceFactory(factory.django.DjangoModelFactory):
    """An active X source of a scheduled chat, due when the chat's window opens."""

    class Meta:
        model = "events.CaptureSource"

    chat = factory.SubFactory(ChatFactory)
    platform = "x"
    query = factory.LazyAttribute(lambda o: o.chat.hashtag)
    instance_base_url = ""
    state = "active"
    next_poll_at = factory.LazyAttribute(lambda o: o.chat.starts_at - timedelta(minutes=15))


class CaptureRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.CaptureRun"

    source = factory.SubFactory(CaptureSourceFactory)
    status = "succeeded"
    started_at = factory.LazyFunction(timezone.now)
    ended_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(seconds=2))
    pages = 1


class PostFactory(factory.django.DjangoModelFactory):
    """A captured X post (no source: like an imported one unless given)."""

    class Meta:
        model = "events.Post"

    chat = factory.SubFactory(ChatFactory)
    platform = "x"
    external_key = factory.Sequence(lambda n: str(1_000_000 + n))
    source_item_id = factory.LazyAttribute(lambda o: o.external_key)
    author_handle = factory.Sequence(lambda n: f"resident{n}")
    author_name = "A resident"
    author_url = factory.LazyAttribute(lambda o: f"https://x.com/{o.author_handle}")
    text = factory.LazyAttribute(lambda o: f"A post in {o.chat.hashtag}")
    html = factory.LazyAttribute(lambda o: f"<p>{o.text}</p>")
    created_at = factory.LazyAttribute(lambda o: o.chat.starts_at + timedelta(minutes=5))
    url = factory.LazyAttribute(
        lambda o: f"https://x.com/{o.author_handle}/status/{o.external_key}"
    )


# Liaisons (issue 6) ------------------------------------------------------------------------


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete, submitted liaison application (no audit rows; use status= for others)."""

    class Meta:
        model = "liaisons.Application"

    user = factory.SubFactory(UserFactory)
    status = "submitted"
    display_name = factory.Sequence(lambda n: f"Applicant {n}")
    neighborhood = factory.SubFactory(NeighborhoodFactory)
    zip_code = "19107"
    languages = factory.LazyFunction(lambda: ["en"])
    availability = factory.LazyFunction(lambda: ["weekend"])
    organisations = "Block club"
    motivation = "I want to help my neighbors."
    phone = ""
    consent_privacy = True
    consent_contact = True
    consent_directory = False
    status_changed_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyAttribute(
        lambda o: None if o.status == "draft" else o.status_changed_at
    )


class ApplicationNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "liaisons.ApplicationNote"

    application = factory.SubFactory(ApplicationFactory)
    author = factory.SubFactory(UserFactory, roles=[Role.LIAISON_COORDINATOR])
    body = "Called them; very motivated."


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "liaisons.AuditEntry"

    application = factory.SubFactory(ApplicationFactory)
    actor = factory.LazyAttribute(lambda o: o.application.user)
    action = "viewed"
    at = factory.LazyFunction(timezone.now)


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    """A two-hour in-person session next week with ten seats."""

    class Meta:
        model = "liaisons.TrainingSession"

    title = factory.Sequence(lambda n: f"Liaison training {n}")
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    location = "City Hall, Room 202"
    online_url = ""
    capacity = 10


class TrainingRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "liaisons.TrainingRegistration"

    session = factory.SubFactory(TrainingSessionFactory)
    application = factory.SubFactory(ApplicationFactory, status="approved")
    status = "registered"
    queued_at = factory.LazyFunction(timezone.now)


class EmailTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "liaisons.EmailTemplate"
        django_get_or_create = ("kind", "language")

    kind = "approve"
    language = "en"
    subject = "Approved, {{ name }}"
    body = "Hello {{ name }}, see {{ application_url }}"


class LiaisonEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "liaisons.LiaisonEmail"

    application = factory.SubFactory(ApplicationFactory)
    kind = "approve"
    key = factory.Sequence(lambda n: f"test:{n}")
    language = "en"
    subject = "Approved"
    body = "Hello"


# Recaps (issue 5) ---------------------------------------------------------------------------


class RecapFactory(factory.django.DjangoModelFactory):
    """A draft recap of an ended chat, without sections or versions (use the services,
    or the factories below, for those)."""

    class Meta:
        model = "recaps.Recap"

    chat = factory.SubFactory(ChatFactory, status="ended")
    title = factory.LazyAttribute(lambda o: o.chat.title)
    intro = ""
    status = "draft"
    # The shape recaps.services.stats gives an empty chat.
    stats = factory.LazyFunction(
        lambda: {
            "posts": 0,
            "participants": 0,
            "official_posts": 0,
            "per_platform": {},
            "busiest_minute": None,
            "top_participants": [],
            "questions": {"asked": 0, "answered": 0, "open": 0},
        }
    )


class RecapSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "recaps.RecapSection"

    recap = factory.SubFactory(RecapFactory)
    position = factory.Sequence(lambda n: n + 1)
    heading = factory.Sequence(lambda n: f"Section {n}")
    commentary = ""


class HighlightFactory(factory.django.DjangoModelFactory):
    """A post of the section's chat in the section."""

    class Meta:
        model = "recaps.Highlight"

    section = factory.SubFactory(RecapSectionFactory)
    post = factory.SubFactory(PostFactory, chat=factory.SelfAttribute("..section.recap.chat"))
    position = factory.Sequence(lambda n: n + 1)
    role = "other"
    note = ""


class RecapVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "recaps.RecapVersion"

    recap = factory.SubFactory(RecapFactory)
    number = factory.Sequence(lambda n: n + 1)
    content = factory.LazyAttribute(
        lambda o: {"title": o.recap.title, "intro": o.recap.intro, "sections": []}
    )
    status = "draft"
    summary = "Edited"


# --- live page, imports and the question tracker (issue 4, part B) -------------------------


class TrackedQuestionFactory(factory.django.DjangoModelFactory):
    """An open, automatically detected question on a resident's post."""

    class Meta:
        model = "events.TrackedQuestion"

    post = factory.SubFactory(PostFactory, text="How do I report a pothole?")
    chat = factory.LazyAttribute(lambda o: o.post.chat)
    status = "open"
    detected_by = "auto"
    rule = "question_mark"
    asked_at = factory.LazyAttribute(lambda o: o.post.created_at)


class ModerationActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.ModerationAction"

    post = factory.SubFactory(PostFactory)
    chat = factory.LazyAttribute(lambda o: o.post.chat)
    action = "highlight"
    at = factory.LazyFunction(timezone.now)


class ImportJobFactory(factory.django.DjangoModelFactory):
    """A finished CSV import with no file content (the report only)."""

    class Meta:
        model = "events.ImportJob"

    chat = factory.SubFactory(ChatFactory)
    file = factory.django.FileField(filename="archive.csv", data=b"platform,id\n")
    original_name = "archive.csv"
    size_bytes = 12
    format = "csv"
    status = "succeeded"


# API (issue 7) ------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    from api.tokens import hash_token  # the api app's own scheme

    return hash_token(token)


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """An active personal API token. Only its hash is stored; the token to send is on
    the instance as ``token`` (set after creation, never saved)."""

    class Meta:
        model = "api.ApiToken"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Token {n}")
    prefix = factory.Sequence(lambda n: f"{n:012x}")
    secret_hash = factory.LazyAttribute(lambda o: _token_hash(_test_token(o.prefix)))

    @factory.post_generation
    def token(self, create: bool, extracted: object, **kwargs: object) -> None:
        self.token = _test_token(self.prefix)


def _test_token(prefix: str) -> str:
    return f"cc_{prefix}_test-secret-{prefix}"


# Webhooks (issue 7) -------------------------------------------------------------------------


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    """An active endpoint taking every event (URL on loopback: tests allow private URLs)."""

    class Meta:
        model = "webhooks.WebhookEndpoint"

    name = factory.Sequence(lambda n: f"Receiver {n}")
    url = factory.Sequence(lambda n: f"http://127.0.0.1:9/hook-{n}")
    secret = factory.Sequence(lambda n: f"whsec_test-secret-{n:08d}")
    events = factory.LazyFunction(
        lambda: ["chat.scheduled", "chat.changed", "chat.cancelled", "recap.published"]
    )
    active = True


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    """A delivery of "chat.scheduled" waiting for its first attempt, due now."""

    class Meta:
        model = "webhooks.WebhookDelivery"

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event = "chat.scheduled"
    payload = factory.LazyFunction(lambda: {"id": 1, "title": "A chat"})
    status = "pending"
    next_attempt_at = factory.LazyFunction(timezone.now)


class FollowFactory(factory.django.DjangoModelFactory):
    """A resident following a topic (pass chat= and topic=None for a chat)."""

    class Meta:
        model = "events.Follow"

    user = factory.SubFactory(UserFactory)
    topic = factory.SubFactory(TopicFactory)
    chat = None


class NotificationFactory(factory.django.DjangoModelFactory):
    """A reminder a day before a chat, waiting to be sent."""

    class Meta:
        model = "events.Notification"

    chat = factory.SubFactory(ChatFactory)
    user = factory.SubFactory(UserFactory)
    kind = "reminder"
    lead_minutes = 1440


class ChatStatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.ChatStatusChange"

    chat = factory.SubFactory(ChatFactory)
    from_status = "draft"
    to_status = "scheduled"
    at = factory.LazyFunction(timezone.now)


class WorkerHeartbeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "core.WorkerHeartbeat"

    hostname = factory.Sequence(lambda n: f"celery@worker{n}")
    seen_at = factory.LazyFunction(timezone.now)
