"""Domain errors of webhooks, with stable codes for the API and tests."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from events.exceptions import DomainError


class WebhookError(DomainError):
    code = "webhook_error"
    default_message = _("This webhook change is not allowed.")


class InvalidEndpoint(WebhookError):
    """Bad endpoint data; ``errors`` maps field names to messages, like a form."""

    code = "invalid_webhook_endpoint"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(message for msgs in errors.values() for message in msgs))
