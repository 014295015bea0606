"""Demo data for seed_demo: applicants in every state, training sessions, active
liaisons in several Philadelphia neighborhoods.

Everything goes through the services (so the audit trail, registrations and roles are
what real use would leave), except that the e-mails those services queue are marked
"skipped": demo addresses never receive mail. Idempotent: an applicant whose account
exists and a session whose title exists are left as they are. The demo applicants
cannot sign in (no password); the demo "liaison" account gets an active application.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import grant_role
from core.models import Neighborhood
from liaisons.models import Application, EmailStatus, LiaisonEmail, TrainingSession
from liaisons.services.applications import (
    ApplicationData,
    assign_reviewer,
    create_application,
    decide_application,
    withdraw_application,
)
from liaisons.services.training import (
    SessionData,
    create_session,
    record_attendance,
    register_for_session,
)

DOMAIN = "demo.civicchat.test"
ZONE = zoneinfo.ZoneInfo("America/New_York")


@dataclass
class DemoApplicant:
    local: str  # e-mail local part
    name: str
    neighborhood: str
    state: str  # draft, submitted, in_review, waitlisted, approved, registered, active...
    languages: list[str] = field(default_factory=lambda: ["en"])
    listed: bool = True
    why: str = "I want my neighbors to know how to get things fixed."


APPLICANTS = [
    DemoApplicant("liaison", "Luis Liaison", "Kensington", "active", ["es", "en"]),
    DemoApplicant("aisha.bello", "Aisha B.", "West Oak Lane", "active"),
    DemoApplicant("minh.tran", "Minh T.", "Olney", "active", ["vi", "en"]),
    DemoApplicant("grace.oneill", "Grace O.", "Fishtown", "active"),
    DemoApplicant("darnell.price", "Darnell P.", "Point Breeze", "active"),
    DemoApplicant("sofia.marquez", "Sofia M.", "Hunting Park", "active", ["es"], listed=False),
    DemoApplicant("tamika.green", "Tamika G.", "Germantown", "registered"),
    DemoApplicant("wei.chen", "Wei C.", "Center City", "registered", ["zh", "en"]),
    DemoApplicant("fatima.diallo", "Fatima D.", "Mantua", "approved", ["fr", "en"]),
    DemoApplicant("kevin.murphy", "Kevin M.", "Roxborough", "waitlisted"),
    DemoApplicant("ana.ortiz", "Ana O.", "Fairhill", "waitlisted", ["es", "en"]),
    DemoApplicant("marcus.johnson", "Marcus J.", "Strawberry Mansion", "in_review"),
    DemoApplicant("linh.pham", "Linh P.", "Olney", "in_review", ["vi"]),
    DemoApplicant("harold.brooks", "Harold B.", "Overbrook", "submitted"),
    DemoApplicant("yesenia.cruz", "Yesenia C.", "Kensington", "submitted", ["es"]),
    DemoApplicant("priya.patel", "Priya P.", "Mount Airy", "submitted", ["bn", "en"]),
    DemoApplicant("omar.haddad", "Omar H.", "Logan", "draft", ["ar", "en"]),
    DemoApplicant("brian.walsh", "Brian W.", "Manayunk", "rejected"),
    DemoApplicant("chloe.martin", "Chloe M.", "East Falls", "withdrawn"),
]


def _at(day: datetime, hour: int) -> datetime:
    return datetime.combine(day.date(), time(hour), tzinfo=ZONE)


def _sessions(coordinator: User, now: datetime) -> dict[str, TrainingSession]:
    local = now.astimezone(ZONE)
    specs = {
        "past": SessionData(
            title="Liaison training: winter cohort",
            starts_at=_at(local - timedelta(days=45), 18),
            ends_at=_at(local - timedelta(days=45), 20),
            location="Municipal Services Building, 1401 John F. Kennedy Blvd",
            capacity=20,
        ),
        "next": SessionData(
            title="Liaison training: Municipal Services Building",
            starts_at=_at(local + timedelta(days=9), 18),
            ends_at=_at(local + timedelta(days=9), 20),
            location="Municipal Services Building, 1401 John F. Kennedy Blvd",
            capacity=2,
            description="Bring a photo ID for the building's front desk.",
        ),
        "online": SessionData(
            title="Liaison training online (English and Spanish)",
            starts_at=_at(local + timedelta(days=23), 12),
            ends_at=_at(local + timedelta(days=23), 14),
            online_url="https://meet.example.org/philly311-liaisons",
            capacity=25,
        ),
    }
    sessions = {}
    for key, data in specs.items():
        existing = TrainingSession.objects.filter(title=data.title).first()
        sessions[key] = existing or create_session(data=data, by=coordinator)
    return sessions


def _account(spec: DemoApplicant) -> tuple[User, bool]:
    email = f"{spec.local}@{DOMAIN}"
    user = User.objects.filter(email=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email, None, display_name=spec.name)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        grant_role(user=user, role=Role.RESIDENT)
    return user, created


def _apply(spec: DemoApplicant, user: User, neighborhoods: dict[str, Neighborhood]) -> Application:
    return create_application(
        user=user,
        submit=spec.state != "draft",
        data=ApplicationData(
            display_name=spec.name,
            neighborhood=neighborhoods[spec.neighborhood],
            zip_code="19120",
            languages=spec.languages,
            availability=["weekday_evening", "weekend"],
            organisations="Block club",
            motivation=spec.why,
            consent_privacy=True,
            consent_contact=True,
            consent_directory=spec.listed,
        ),
    )


def seed_liaisons(*, now: datetime | None = None) -> dict[str, int]:
    """Create the demo program (once); returns how many applications are in each state."""
    now = now or timezone.now()
    coordinator = User.objects.get(email=f"coordinator@{DOMAIN}")
    neighborhoods = {n.name: n for n in Neighborhood.objects.all()}
    sessions = _sessions(coordinator, now)
    past = sessions["past"]
    for spec in APPLICANTS:
        user, _created = _account(spec)
        if Application.objects.filter(user=user).exists():
            continue
        application = _apply(spec, user, neighborhoods)
        if spec.state in {"draft", "submitted"}:
            continue
        if spec.state == "in_review":
            assign_reviewer(application=application, reviewer=coordinator, by=coordinator)
            continue
        if spec.state == "withdrawn":
            withdraw_application(application=application, by=user)
            continue
        decision = {"waitlisted": "waitlist", "rejected": "reject"}.get(spec.state, "approve")
        application = decide_application(application=application, decision=decision, by=coordinator)
        if spec.state == "active":
            registration = register_for_session(
                application=application,
                session=past,
                by=user,
                now=past.starts_at - timedelta(days=7),
            )
            record_attendance(registration=registration, attended=True, by=coordinator)
        elif spec.state == "registered":
            register_for_session(application=application, session=sessions["next"], by=user)
    # Demo addresses never receive mail (the rows stay, marked skipped).
    LiaisonEmail.objects.filter(
        status=EmailStatus.PENDING, application__user__email__endswith=f"@{DOMAIN}"
    ).update(status=EmailStatus.SKIPPED, error="demo data")
    counts: dict[str, int] = {}
    for status in Application.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts
