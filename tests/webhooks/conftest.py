"""Fixtures of the webhook tests: a real receiver on 127.0.0.1 that checks signatures
itself (not with our code), comms staff, and Celery tasks run in this process."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.roles import Role
from civicchat.celery import app as celery_app
from tests.factories import CityFactory, UserFactory, WebhookEndpointFactory
from tests.fakes.server import FakeServer, Request, Response

SECRET = "whsec_receiver-test-secret-0001"


@dataclass
class Received:
    """One request as the receiver saw it, and whether its signature held."""

    event: str
    delivery: str
    timestamp: int
    signature_ok: bool
    body: dict
    host: str


class Receiver(FakeServer):
    """A webhook receiver: answers 200 to a request signed with ``secret``, 401 to any
    other (fail_next scripts other answers). ``received`` keeps every request."""

    def __init__(self, secret: str = SECRET) -> None:
        super().__init__()
        self.secret = secret

    def signature_ok(self, request: Request) -> bool:
        # The documented scheme, computed here independently of webhooks.signing.
        timestamp = request.headers.get("x-civicchat-timestamp", "")
        expected = hmac.new(
            self.secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(
            "sha256=" + expected, request.headers.get("x-civicchat-signature", "")
        )

    def route(self, request: Request) -> Response:
        if not self.signature_ok(request):
            return Response(401, {"error": "bad signature"})
        return Response(200, {"ok": True})

    @property
    def received(self) -> list[Received]:
        with self.lock:
            return [
                Received(
                    event=r.headers.get("x-civicchat-event", ""),
                    delivery=r.headers.get("x-civicchat-delivery", ""),
                    timestamp=int(r.headers.get("x-civicchat-timestamp", "0")),
                    signature_ok=self.signature_ok(r),
                    body=json.loads(r.body),
                    host=r.headers.get("host", ""),
                )
                for r in self.requests
            ]


@pytest.fixture(autouse=True)
def _city(db):
    CityFactory()


@pytest.fixture(autouse=True)
def _eager_celery():
    """Queued send tasks run at once in this process, as a worker would (they still wait
    for the commit: use django_capture_on_commit_callbacks(execute=True))."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


@pytest.fixture
def endpoint(receiver):
    """An endpoint of the receiver, subscribed to every event."""
    return WebhookEndpointFactory(name="City calendar", url=receiver.url + "/hooks", secret=SECRET)


@pytest.fixture
def comms(db):
    """A comms staff member with two-factor authentication, as staff pages demand."""
    user = UserFactory(roles=[Role.RESIDENT, Role.COMMS_STAFF], display_name="Dana Comms")
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def comms_client(client, comms):
    client.force_login(comms)
    return client
