"""E-mail: the template language staff write in, the templates page, decisions that
e-mail in the applicant's language, bulk e-mail, and sending exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from liaisons.exceptions import TemplateInvalid
from liaisons.mail_templates import render_source, validate_source
from liaisons.models import ApplicationStatus, EmailTemplate, LiaisonEmail
from liaisons.services.emails import claim_email, retry_stale, send_email
from tests.factories import ApplicationFactory, EmailTemplateFactory, LiaisonEmailFactory

pytestmark = pytest.mark.django_db


def test_mail_template_renders_variables_without_escaping():
    text = render_source(
        "Hello {{ name|upper }}{% if message %}: {{ message }}{% endif %}",
        {"name": "O'Brien & Sons", "message": "<b>hi</b>"},
    )

    assert text == "Hello O'BRIEN & SONS: <b>hi</b>"


@pytest.mark.parametrize(
    "source",
    [
        "{% debug %}",
        "{% load static %}",
        '{% include "base.html" %}',
        '{% extends "base.html" %}',
        "{% url 'liaisons:program' %}",
        "{{ name|center:'99999999' }}",
        "{{ name.__class__ }}",
        "{{ application.user.email }}",
    ],
)
def test_mail_template_refuses_what_is_not_in_the_small_language(source):
    with pytest.raises(TemplateInvalid):
        validate_source(source)


def test_mail_template_names_unknown_variables():
    with pytest.raises(TemplateInvalid) as excinfo:
        validate_source("Hi {{ nmae }}")

    assert excinfo.value.message == (
        "Unknown variable: {{ nmae }}. Use only the variables listed on this page."
    )


def test_template_page_saves_staff_text_and_the_decision_uses_it(
    client, coordinator, application, django_capture_on_commit_callbacks, mailoutbox
):
    application.user.preferred_language = "es"
    application.user.save(update_fields=["preferred_language"])
    client.force_login(coordinator)

    client.post(
        "/liaisons/email-templates/approve/es/",
        {"subject": "¡Bienvenida, {{ name }}!", "body": "Hola {{ name }} de {{ neighborhood }}."},
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/liaisons/review/{application.pk}/decide/",
            {"decision": "approve", "message": "Nos vemos pronto."},
        )

    row = EmailTemplate.objects.get()
    assert (row.kind, row.language, row.updated_by) == ("approve", "es", coordinator)
    (message,) = mailoutbox
    assert (message.to, message.subject, message.body) == (
        ["rosa@example.org"],
        "[CivicChat] ¡Bienvenida, Rosa R.!",
        "Hola Rosa R. de Kensington.",
    )


def test_template_page_refuses_a_broken_template_and_keeps_the_text(client, coordinator):
    client.force_login(coordinator)

    response = client.post(
        "/liaisons/email-templates/reject/en/",
        {"subject": "Sorry", "body": "Hi {% debug %}"},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["body"]
    assert "Hi {% debug %}</textarea>" in response.content.decode()
    assert EmailTemplate.objects.count() == 0


def test_template_page_reset_goes_back_to_the_built_in_text(client, coordinator):
    EmailTemplateFactory(kind="welcome", language="en")
    client.force_login(coordinator)

    client.post("/liaisons/email-templates/welcome/en/", {"reset": "1"})

    assert EmailTemplate.objects.count() == 0


def test_bulk_email_goes_to_the_filtered_applicants(
    client, coordinator, application, django_capture_on_commit_callbacks, mailoutbox
):
    ApplicationFactory(status=ApplicationStatus.SUBMITTED, languages=["en"])
    ApplicationFactory(status=ApplicationStatus.DRAFT, languages=["es"])
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/liaisons/review/email/?language=es",
            {"subject": "Spanish session", "body": "Hola {{ name }}"},
        )

    assert response.url == "/liaisons/review/?language=es"
    assert [(m.to, m.body) for m in mailoutbox] == [(["rosa@example.org"], "Hola Rosa R.")]


def test_bulk_email_rate_limited_keeps_the_message(client, coordinator, application, settings):
    settings.LIAISONS_BULK_EMAIL_RATE = "1/h"
    client.force_login(coordinator)
    client.post("/liaisons/review/email/", {"subject": "First", "body": "One"})

    response = client.post("/liaisons/review/email/", {"subject": "Second", "body": "Kept text"})

    body = response.content.decode()
    assert response.status_code == 429
    assert "Too many attempts in a short time, so nothing was saved." in body
    assert "Kept text</textarea>" in body
    assert list(LiaisonEmail.objects.values_list("subject", flat=True)) == ["First"]


def test_email_is_claimed_by_exactly_one_sender(mailoutbox):
    email = LiaisonEmailFactory()

    first = claim_email(email_id=email.pk)
    second = claim_email(email_id=email.pk)
    status = send_email(email_id=email.pk)

    assert (first, second, status) == (True, False, "not-claimed")
    assert mailoutbox == []


def test_email_to_a_deleted_account_is_skipped(mailoutbox):
    email = LiaisonEmailFactory(application=ApplicationFactory(user=None))

    assert send_email(email_id=email.pk) == "skipped"
    assert mailoutbox == []


def test_email_whose_broker_message_was_lost_is_queued_again_once_per_interval(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CIVICCHAT_REQUEUE_AFTER_SECONDS = 600
    queued: list[int] = []
    monkeypatch.setattr(
        "liaisons.tasks.task_send_email.delay", lambda *, email_id: queued.append(email_id)
    )
    email = LiaisonEmailFactory()  # pending, never attempted: its message is gone
    now = timezone.now()

    for minutes in (5, 11, 12):
        with django_capture_on_commit_callbacks(execute=True):
            retry_stale(now=now + timedelta(minutes=minutes))

    assert queued == [email.pk]
    email.refresh_from_db()
    assert email.queued_at == now + timedelta(minutes=11)
