"""Domain errors of the events app: raised by services, shown to people by views."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A request that breaks a rule of the domain. ``code`` is stable (API, tests)."""

    code = "domain_error"
    default_message = _("This change is not allowed.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class InvalidTransition(DomainError):
    code = "invalid_transition"
    default_message = _("A chat cannot move to that status from its current one.")


class ChatValidationError(DomainError):
    """Bad chat data; ``errors`` maps field names to messages, like a form."""

    code = "invalid_chat"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(message for msgs in errors.values() for message in msgs))
