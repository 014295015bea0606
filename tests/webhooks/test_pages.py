"""The comms staff pages under /staff/webhooks/."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import UserFactory, WebhookDeliveryFactory, WebhookEndpointFactory
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

D = DeliveryStatus
LEAKY_URL = "https://calendar.example.org/hooks/private-path-8812"


def _alerts(page: str) -> list[str]:
    return [
        html.unescape(text.strip())
        for text in re.findall(r'<p class="usa-alert__text">(.*?)</p>', page, re.S)
    ]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.EDITOR, Role.LIAISON_COORDINATOR])
def test_webhook_list_is_forbidden_to_other_roles_then_open_to_comms_staff(
    client, comms, role, settings
):
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = False
    WebhookEndpointFactory(name="City calendar", url=LEAKY_URL)
    url = reverse("webhooks:endpoint_list")

    client.force_login(UserFactory(roles=[role]))
    refused = client.get(url)
    client.force_login(comms)
    shown = client.get(url)

    assert (refused.status_code, refused.content.decode().count(LEAKY_URL)) == (403, 0)
    assert (shown.status_code, shown.content.decode().count(LEAKY_URL)) == (200, 1)


def test_webhook_pages_send_anonymous_visitors_to_sign_in(client, db):
    response = client.get(reverse("webhooks:endpoint_list"))

    assert (response.status_code, response.url) == (
        302,
        reverse("account_login") + "?next=/staff/webhooks/",
    )


def test_webhook_pages_need_two_factor_authentication(client, db):
    client.force_login(UserFactory(roles=[Role.COMMS_STAFF]))  # no authenticator

    response = client.get(reverse("webhooks:endpoint_list"))

    assert (response.status_code, response.url) == (302, reverse("mfa_activate_totp"))


@pytest.mark.parametrize("count", [1, 3])
def test_webhook_list_query_count_is_flat(comms_client, count, django_assert_num_queries):
    for _ in range(count):
        WebhookDeliveryFactory(endpoint=WebhookEndpointFactory())

    # session, user, the city (time zone middleware), the MFA check, the user's roles
    # (role_required), the endpoints with their counts (one aggregate query)
    with django_assert_num_queries(6):
        response = comms_client.get(reverse("webhooks:endpoint_list"))

    assert response.content.decode().count('<tr data-endpoint="') == count


def test_creating_an_endpoint_shows_its_generated_secret_once(comms_client, receiver, comms):
    response = comms_client.post(
        reverse("webhooks:endpoint_create"),
        {"name": "City calendar", "url": receiver.url + "/hooks", "events": ["chat.scheduled"]},
    )

    endpoint = WebhookEndpoint.objects.get()
    page = response.content.decode()
    assert (endpoint.name, endpoint.events, endpoint.active, endpoint.created_by) == (
        "City calendar",
        ["chat.scheduled"],
        True,
        comms,
    )
    assert endpoint.secret.startswith("whsec_")
    assert page.count(f'value="{endpoint.secret}"') == 1
    assert "no-store" in response["Cache-Control"]
    detail = comms_client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk]))
    assert detail.content.decode().count(endpoint.secret) == 0


def test_creating_an_endpoint_keeps_the_secret_given(comms_client, receiver):
    comms_client.post(
        reverse("webhooks:endpoint_create"),
        {
            "name": "Newsletter",
            "url": receiver.url + "/hooks",
            "events": ["recap.published", "chat.scheduled"],
            "secret": "my-own-secret-of-32-characters!!",
        },
    )

    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.secret, endpoint.events) == (
        "my-own-secret-of-32-characters!!",
        ["chat.scheduled", "recap.published"],
    )


def test_creating_an_endpoint_on_a_private_address_is_refused(comms_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False

    response = comms_client.post(
        reverse("webhooks:endpoint_create"),
        {"name": "Metadata", "url": "http://169.254.169.254/latest", "events": ["chat.changed"]},
    )

    page = html.unescape(response.content.decode())
    assert (response.status_code, WebhookEndpoint.objects.count()) == (200, 0)
    assert (
        page.count(
            "169.254.169.254 resolves to a private or local address; webhooks go to public hosts."
        )
        == 1
    )


def test_editing_an_endpoint_keeps_its_secret(comms_client, endpoint, receiver):
    secret = endpoint.secret

    response = comms_client.post(
        reverse("webhooks:endpoint_edit", args=[endpoint.pk]),
        {"name": "Calendar (new)", "url": receiver.url + "/v2", "events": ["chat.cancelled"]},
    )

    endpoint.refresh_from_db()
    assert response.url == reverse("webhooks:endpoint_detail", args=[endpoint.pk])
    assert (endpoint.name, endpoint.url, endpoint.events, endpoint.secret) == (
        "Calendar (new)",
        receiver.url + "/v2",
        ["chat.cancelled"],
        secret,
    )


def test_disabling_an_endpoint_drops_its_waiting_deliveries(comms_client, endpoint):
    waiting = WebhookDeliveryFactory(endpoint=endpoint)
    delivered = WebhookDeliveryFactory(endpoint=endpoint, status=D.DELIVERED)

    response = comms_client.post(
        reverse("webhooks:endpoint_disable", args=[endpoint.pk]), follow=True
    )

    endpoint.refresh_from_db()
    assert endpoint.active is False
    assert dict(WebhookDelivery.objects.values_list("pk", "status")) == {
        waiting.pk: D.SKIPPED,
        delivered.pk: D.DELIVERED,
    }
    assert _alerts(response.content.decode()) == [
        "The endpoint is disabled; 1 waiting deliveries will not be sent."
    ]


def test_deleting_an_endpoint_removes_it_and_its_log(comms_client, endpoint):
    WebhookDeliveryFactory(endpoint=endpoint)

    response = comms_client.post(reverse("webhooks:endpoint_delete", args=[endpoint.pk]))

    assert response.url == reverse("webhooks:endpoint_list")
    assert (WebhookEndpoint.objects.count(), WebhookDelivery.objects.count()) == (0, 0)


def test_delivery_log_shows_each_attempts_outcome(comms_client, endpoint):
    WebhookDeliveryFactory(
        endpoint=endpoint, event="chat.cancelled", status=D.DELIVERED, attempts=2, response_code=200
    )
    WebhookDeliveryFactory(
        endpoint=endpoint, event="chat.changed", status=D.FAILED, attempts=1, response_code=410
    )

    page = comms_client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk]))

    rows = re.findall(
        r'<tr data-delivery="\d+">.*?<a [^>]*>([\w.]+)</a>.*?data-status="(\w+)".*?'
        r"data-label=\"Attempts\">(\d+)</td>.*?data-label=\"Response\">(\d+)",
        page.content.decode(),
        re.S,
    )
    assert rows == [
        ("chat.changed", "failed", "1", "410"),
        ("chat.cancelled", "delivered", "2", "200"),
    ]


def test_failed_delivery_can_be_sent_again(
    comms_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    failed = WebhookDeliveryFactory(
        endpoint=endpoint, status=D.FAILED, attempts=10, next_attempt_at=None
    )

    with django_capture_on_commit_callbacks(execute=True):
        comms_client.post(reverse("webhooks:delivery_retry", args=[endpoint.pk, failed.pk]))

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (D.DELIVERED, 1)
    assert [r.delivery for r in receiver.received] == [str(failed.uuid)]


def test_delivery_page_shows_the_body_that_was_signed(comms_client, endpoint):
    delivery = WebhookDeliveryFactory(endpoint=endpoint, payload={"title": "Trash <talk>"})

    page = comms_client.get(
        reverse("webhooks:delivery_detail", args=[endpoint.pk, delivery.pk])
    ).content.decode()

    assert page.count("&quot;title&quot;: &quot;Trash &lt;talk&gt;&quot;") == 1
    assert page.count(endpoint.secret) == 0
