"""The signature scheme receivers rely on, and which URLs may receive webhooks."""

from __future__ import annotations

import ipaddress
import time

import pytest

from webhooks import net
from webhooks.exceptions import InvalidEndpoint
from webhooks.services import EndpointData, validate_endpoint_data
from webhooks.signing import signature, verify

SECRET = "whsec_signing-test"
BODY = b'{"event":"chat.scheduled"}'


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    # Known answer, computed once with: printf '1700000000.{...}' | openssl dgst -sha256 -hmac
    assert signature(secret="key", timestamp=1700000000, body=b"{}") == (
        "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
    )


@pytest.mark.parametrize(
    ("secret", "body", "age", "expected"),
    [
        (SECRET, BODY, 0, True),
        (SECRET, BODY, 299, True),
        ("whsec_another", BODY, 0, False),  # wrong secret
        (SECRET, BODY + b" ", 0, False),  # body changed on the way
        (SECRET, BODY, 301, False),  # replayed later
    ],
)
def test_verify_accepts_only_a_fresh_signature_of_this_body(secret, body, age, expected):
    sent_at = int(time.time()) - age
    header = signature(secret=SECRET, timestamp=sent_at, body=BODY)

    assert verify(secret=secret, body=body, timestamp=str(sent_at), signature_header=header) is (
        expected
    )


def test_verify_refuses_a_signature_moved_to_another_timestamp():
    sent_at = int(time.time())
    header = signature(secret=SECRET, timestamp=sent_at - 10, body=BODY)

    assert verify(secret=SECRET, body=BODY, timestamp=str(sent_at), signature_header=header) is (
        False
    )


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("93.184.216.34", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104  (an address under test, not a bind)
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
    ],
)
def test_is_public_only_for_globally_routable_unicast(address, expected):
    assert net.is_public(ipaddress.ip_address(address)) is expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/hook", "Only http and https URLs can receive webhooks."),
        ("file:///etc/passwd", "Only http and https URLs can receive webhooks."),
        ("https://user:pass@example.org/hook", "Put credentials in the secret, not in the URL."),
        ("http:///hook", "The URL has no host."),
        ("http://10.0.0.7/hook", "10.0.0.7 resolves to a private or local address; "
         "webhooks go to public hosts."),
    ],
)  # fmt: skip
def test_registration_refuses_urls_that_cannot_receive_webhooks(settings, url, message):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False

    with pytest.raises(InvalidEndpoint) as refused:
        validate_endpoint_data(
            EndpointData(name="Hook", url=url, events=["chat.scheduled"]), new=True
        )

    assert refused.value.errors == {"url": [message]}


def test_registration_lists_every_problem_at_once(settings):
    with pytest.raises(InvalidEndpoint) as refused:
        validate_endpoint_data(
            EndpointData(name=" ", url="gopher://x", events=[], secret="short"), new=True
        )

    assert refused.value.errors == {
        "name": ["Give the endpoint a name."],
        "url": ["Only http and https URLs can receive webhooks."],
        "events": ["Choose at least one event."],
        "secret": ["A secret needs at least 16 characters; leave it empty to get one."],
    }
