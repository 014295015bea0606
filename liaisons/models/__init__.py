"""The neighborhood liaison program's models, one module per part of it.

An application is personal data. Views reach it only through ``liaisons.accessors``;
its status changes only through ``liaisons.services.applications.transition_application``.
"""

from liaisons.models.applications import (
    CLOSED_STATUSES,
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    Application,
    ApplicationNote,
    ApplicationStatus,
    AuditAction,
    AuditEntry,
    Availability,
    SpokenLanguage,
    zip_code_validator,
)
from liaisons.models.emails import (
    EDITABLE_KINDS,
    EmailKind,
    EmailStatus,
    EmailTemplate,
    LiaisonEmail,
)
from liaisons.models.training import (
    ACTIVE_REGISTRATION,
    RegistrationStatus,
    TrainingRegistration,
    TrainingSession,
)

__all__ = [
    "ACTIVE_REGISTRATION",
    "CLOSED_STATUSES",
    "EDITABLE_KINDS",
    "EDITABLE_STATUSES",
    "OPEN_STATUSES",
    "Application",
    "ApplicationNote",
    "ApplicationStatus",
    "AuditAction",
    "AuditEntry",
    "Availability",
    "EmailKind",
    "EmailStatus",
    "EmailTemplate",
    "LiaisonEmail",
    "RegistrationStatus",
    "SpokenLanguage",
    "TrainingRegistration",
    "TrainingSession",
    "zip_code_validator",
]
