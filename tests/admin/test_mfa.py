"""The admin is a staff page: staff without two-factor authentication set it up first."""

from __future__ import annotations

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse


def test_admin_sends_staff_without_mfa_to_set_it_up_then_opens(client, editor, settings):
    settings.CIVICCHAT_STAFF_MFA_REQUIRED = True
    client.force_login(editor)

    refused = client.get(reverse("admin:events_chat_changelist"))
    TOTP.activate(editor, generate_totp_secret())
    shown = client.get(reverse("admin:events_chat_changelist"))

    assert (refused.status_code, refused.url) == (302, reverse("mfa_activate_totp"))
    assert shown.status_code == 200
    assert shown.context["cl"].model._meta.model_name == "chat"
