"""Domain errors of the liaison program: raised by services, shown to people by views.

The base class mirrors ``events.exceptions.DomainError`` (a stable ``code`` and a
message people can read); liaisons does not import the chat app.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class LiaisonError(Exception):
    """A request that breaks a rule of the program. ``code`` is stable (API, tests)."""

    code = "liaison_error"
    default_message = _("This change is not allowed.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class InvalidTransition(LiaisonError):
    code = "invalid_transition"
    default_message = _("An application cannot move to that status from its current one.")


class NotAllowed(LiaisonError):
    """The person asking may not make this change (checked again in services)."""

    code = "not_allowed"
    default_message = _("You cannot make this change.")


class ApplicationIncomplete(LiaisonError):
    """Fields a submitted application needs; ``errors`` maps field names to messages."""

    code = "application_incomplete"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for messages in errors.values() for m in messages))


class ApplicationLocked(LiaisonError):
    code = "application_locked"
    default_message = _("This application is being reviewed and can no longer be edited.")


class OpenApplicationExists(LiaisonError):
    code = "open_application_exists"
    default_message = _("You already have an application in progress.")


class TrainingError(LiaisonError):
    code = "training_error"
    default_message = _("This training change is not possible.")


class TemplateInvalid(LiaisonError):
    """An e-mail template staff wrote does not compile or render; ``field`` names the
    form field it came from (subject or body) when known."""

    code = "template_invalid"

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class SessionInvalid(LiaisonError):
    """Bad training session data; ``errors`` maps field names to messages, like a form."""

    code = "session_invalid"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
