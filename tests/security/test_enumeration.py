"""Sign-up, password reset and login by code answer the same for an address with an account
and one without (allauth's ACCOUNT_PREVENT_ENUMERATION).

What a visitor sees is compared whole: the status, where it redirects and the page it
lands on (with the typed address and the per-request CSRF tokens blanked). Both
addresses get exactly one e-mail, as allauth documents: the code, link or confirmation
for a known address; "there is no account" or "you already have an account" otherwise.
Only the mailbox's owner can tell the two apart.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

KNOWN = "known.resident@example.org"
UNKNOWN = "nobody.here@example.org"
TOKEN = re.compile(r"[A-Za-z0-9]{64}")


def _answer(path: str, data: dict[str, str], mailoutbox) -> dict[str, object]:
    """POST ``data`` from a fresh visitor; what they see, and who got mail."""
    email = data["email"]
    client = Client()
    client.get(path)
    sent_before = len(mailoutbox)
    response = client.post(path, data)
    location = response.get("Location")
    landing = client.get(location) if location else response
    return {
        "status": response.status_code,
        "location": location,
        "landing_status": landing.status_code,
        "landing_templates": [t.name for t in landing.templates][:1],
        "landing_page": TOKEN.sub("TOKEN", landing.content.decode().replace(email, "EMAIL")),
        "mail_to": [m.to for m in mailoutbox[sent_before:]],
    }


FLOWS = {
    "signup": (
        "/accounts/signup/",
        lambda email: {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        "/accounts/confirm-email/",
    ),
    "password reset": (
        "/accounts/password/reset/",
        lambda email: {"email": email},
        "/accounts/password/reset/done/",
    ),
    "login by code": (
        "/accounts/login/code/",
        lambda email: {"email": email},
        "/accounts/login/code/confirm/",
    ),
}


@pytest.mark.parametrize("flow", FLOWS)
def test_known_and_unknown_addresses_get_the_same_answer(flow, mailoutbox):
    path, data, landing = FLOWS[flow]
    UserFactory(email=KNOWN)

    known = _answer(path, data(KNOWN), mailoutbox)
    unknown = _answer(path, data(UNKNOWN), mailoutbox)

    assert (known["status"], known["location"], known["landing_status"]) == (302, landing, 200)
    assert (known["mail_to"], unknown["mail_to"]) == ([[KNOWN]], [[UNKNOWN]])
    assert {k: v for k, v in known.items() if k != "mail_to"} == {
        k: v for k, v in unknown.items() if k != "mail_to"
    }


def test_mails_tell_only_the_mailbox_owner(mailoutbox):
    """The e-mails differ, which is the point: the account holder gets a usable code,
    the other address learns there is no account (the check above would pass just as
    well if neither got mail)."""
    UserFactory(email=KNOWN)

    _answer("/accounts/login/code/", {"email": KNOWN}, mailoutbox)
    _answer("/accounts/login/code/", {"email": UNKNOWN}, mailoutbox)

    subjects = [m.subject for m in mailoutbox]
    assert subjects == ["[CivicChat] Sign-In Code", "[CivicChat] Unknown Account"]
