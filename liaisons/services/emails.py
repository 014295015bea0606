"""E-mail to applicants: the templates staff edit, the outbox, and its sender.

Exactly-once delivery rests on the LiaisonEmail row, as for chat notifications:
- e-mails are *queued* as rows with a unique ``key`` (``approve:12:3`` is the third
  status change of application 12), so queueing twice creates one row;
- the body is rendered when the row is queued, in the applicant's language and the
  city's time zone, and the send task is queued after commit;
- a sender *claims* a PENDING row with a conditional UPDATE; only the caller whose UPDATE
  changed a row sends. A row a dead worker left "sending" is claimed again after
  LIAISONS_EMAIL_LEASE_SECONDS (longer than any task may run).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.queueing import delay_on_commit, take_lost
from core.selectors import city_timezone_name, get_city
from liaisons import selectors
from liaisons.calendar import build_session_calendar
from liaisons.email_defaults import DEFAULT_TEMPLATES
from liaisons.exceptions import LiaisonError, TemplateInvalid
from liaisons.mail_templates import render_source, validate_source
from liaisons.models import (
    EDITABLE_KINDS,
    Application,
    AuditAction,
    EmailKind,
    EmailStatus,
    EmailTemplate,
    LiaisonEmail,
    TrainingSession,
)
from liaisons.services import audit

logger = logging.getLogger(__name__)

E = EmailStatus
MAX_ATTEMPTS = 5
# Kinds that carry the session's .ics unless queue_email is told otherwise (a session
# change carries it only to people with a seat).
WITH_CALENDAR = frozenset(
    {
        EmailKind.REGISTERED,
        EmailKind.PROMOTED,
        EmailKind.REMINDER,
        EmailKind.SESSION_CHANGED,
        EmailKind.SESSION_CANCELLED,
    }
)
# Kinds written in templates/liaisons/email/ (not editable by staff).
FILE_KINDS = frozenset(
    {
        EmailKind.REGISTERED,
        EmailKind.TRAINING_WAITLISTED,
        EmailKind.PROMOTED,
        EmailKind.REMINDER,
        EmailKind.SESSION_CHANGED,
        EmailKind.SESSION_CANCELLED,
    }
)


# Templates staff edit --------------------------------------------------------------------


def email_language(user: User | None) -> str:
    languages = dict(settings.LANGUAGES)
    if user is not None and user.preferred_language in languages:
        return user.preferred_language
    return settings.LANGUAGE_CODE


def template_for(kind: str, language: str) -> tuple[str, str, EmailTemplate | None]:
    """(subject, body, the staff-edited row or None for the built-in default)."""
    row = EmailTemplate.objects.filter(kind=kind, language=language).first()
    if row is not None:
        return row.subject, row.body, row
    subject, body = DEFAULT_TEMPLATES[(kind, language)]
    return subject, body, None


@transaction.atomic
def save_email_template(
    *, kind: str, language: str, subject: str, body: str, by: User
) -> EmailTemplate:
    """Save staff's version of one template after checking that it compiles and renders
    (TemplateInvalid otherwise, with the field in ``field``)."""
    if kind not in EDITABLE_KINDS or language not in dict(settings.LANGUAGES):
        raise LiaisonError(_("There is no such e-mail template."))
    for field, source in (("subject", subject), ("body", body)):
        try:
            validate_source(source)
        except TemplateInvalid as error:
            raise TemplateInvalid(error.message, field=field) from None
    row, created = EmailTemplate.objects.get_or_create(
        kind=kind,
        language=language,
        defaults={"subject": subject.strip(), "body": body, "updated_by": by},
    )
    if not created:
        row.subject, row.body, row.updated_by = subject.strip(), body, by
        row.save(update_fields=["subject", "body", "updated_by", "updated_at"])
    return row


@transaction.atomic
def reset_email_template(*, kind: str, language: str) -> int:
    """Go back to the built-in default; returns how many rows were removed (0 or 1)."""
    return EmailTemplate.objects.filter(kind=kind, language=language).delete()[0]


# Context -------------------------------------------------------------------------------


def _absolute(name: str, *args: object) -> str:
    return settings.CIVICCHAT_SITE_URL + reverse(name, args=args)


def when_text(session: TrainingSession) -> str:
    """The session's start and end in the active language and time zone."""
    starts = timezone.localtime(session.starts_at)
    ends = timezone.localtime(session.ends_at)
    return "{} \u2013 {}".format(
        formats.date_format(starts, "DATETIME_FORMAT"), formats.time_format(ends, "TIME_FORMAT")
    )


def where_text(session: TrainingSession) -> str:
    if session.location and session.online_url:
        return _("%(place)s, or online") % {"place": session.location}
    return session.location or str(_("Online"))


def upcoming_session_lines(now: datetime | None = None) -> str:
    sessions = selectors.open_sessions(now=now).order_by("starts_at")[:5]
    return "\n".join(f"- {when_text(s)}, {where_text(s)}" for s in sessions)


def email_context(
    application: Application,
    *,
    session: TrainingSession | None = None,
    message: str = "",
    training_dates: str | None = None,
) -> dict[str, str]:
    """The documented variables (liaisons.mail_templates.VARIABLES), as plain strings.
    Call inside translation.override / timezone.override for the recipient.
    ``training_dates`` may be given when many e-mails are rendered at once."""
    city = get_city()
    neighborhood = application.neighborhood.name if application.neighborhood else ""
    return {
        "name": application.display_name,
        "neighborhood": neighborhood,
        "status": str(application.get_status_display()),
        "city": city.name if city else "",
        "service_name": city.service_name if city else "311",
        "application_url": _absolute("liaisons:application_detail", application.pk),
        "program_url": _absolute("liaisons:program"),
        "directory_url": _absolute("liaisons:directory"),
        "training_dates": (upcoming_session_lines() if training_dates is None else training_dates),
        "session_title": session.title if session else "",
        "session_when": when_text(session) if session else "",
        "session_where": where_text(session) if session else "",
        "message": message.strip(),
    }


# Queueing --------------------------------------------------------------------------------


def _render(
    application: Application,
    kind: str,
    language: str,
    *,
    session: TrainingSession | None,
    message: str,
    sources: tuple[str, str] | None,
    training_dates: dict[str, str] | None,
    with_calendar: bool,
) -> tuple[str, str]:
    with translation.override(language), timezone.override(city_timezone_name()):
        if training_dates is not None and language not in training_dates:
            training_dates[language] = upcoming_session_lines()
        context = email_context(
            application,
            session=session,
            message=message,
            training_dates=training_dates[language] if training_dates is not None else None,
        )
        if kind in FILE_KINDS:
            file_context = {
                **context,
                "session": session,
                "online_url": session.online_url if session else "",
                "with_calendar": with_calendar,
            }
            subject = str(render_to_string(f"liaisons/email/{kind}_subject.txt", file_context))
            body = str(render_to_string(f"liaisons/email/{kind}_body.txt", file_context))
        else:
            if sources is None:
                subject_source, body_source, _row = template_for(kind, language)
            else:
                subject_source, body_source = sources
            subject = render_source(subject_source, context)
            body = render_source(body_source, context)
    return " ".join(subject.split())[:200], body


def queue_email(
    *,
    application: Application,
    kind: str,
    key: str,
    by: User | None = None,
    session: TrainingSession | None = None,
    message: str = "",
    sources: tuple[str, str] | None = None,
    training_dates: dict[str, str] | None = None,
    with_calendar: bool | None = None,
) -> LiaisonEmail | None:
    """Render and queue one e-mail to the applicant; None if ``key`` was queued before
    or the application has no account any more. The send task runs after commit.
    ``sources`` replaces the template (bulk e-mail); ``training_dates`` is a per-language
    memo shared by a batch, so the session list is read once per language;
    ``with_calendar`` (default: the kind is in WITH_CALENDAR) attaches the session's
    .ics, and file templates see it to say so."""
    user = application.user
    if user is None:
        return None
    if with_calendar is None:
        with_calendar = kind in WITH_CALENDAR
    with_calendar = with_calendar and session is not None
    language = email_language(user)
    subject, body = _render(
        application,
        kind,
        language,
        session=session,
        message=message,
        sources=sources,
        training_dates=training_dates,
        with_calendar=with_calendar,
    )
    try:
        with transaction.atomic():
            email = LiaisonEmail.objects.create(
                application=application,
                session=session,
                kind=kind,
                key=key,
                language=language,
                subject=subject,
                body=body,
                with_calendar=with_calendar,
                created_by=by,
            )
    except IntegrityError:  # queued before: exactly once
        return None
    audit.record(
        application=application,
        actor=by,
        action=AuditAction.EMAILED,
        detail=str(EmailKind(kind).label),
    )
    send_on_commit([email.pk])
    return email


def send_on_commit(ids: Iterable[int]) -> None:
    from liaisons.tasks import task_send_email  # tasks import this module

    delay_on_commit(task_send_email, "email_id", sorted(set(ids)))


@transaction.atomic
def bulk_email(*, applications: Iterable[Application], subject: str, body: str, by: User) -> int:
    """Queue the coordinator's own message to each application (with an account).
    The texts are checked first (TemplateInvalid); returns how many were queued."""
    for field, source in (("subject", subject), ("body", body)):
        try:
            validate_source(source)
        except TemplateInvalid as error:
            raise TemplateInvalid(error.message, field=field) from None
    batch = uuid.uuid4().hex[:12]
    queued = 0
    dates: dict[str, str] = {}
    for application in applications:
        email = queue_email(
            application=application,
            kind=EmailKind.BULK,
            key=f"bulk:{batch}:{application.pk}",
            by=by,
            sources=(subject, body),
            training_dates=dates,
        )
        queued += email is not None
    return queued


@transaction.atomic
def retry_stale(*, now: datetime | None = None) -> int:
    """Queue again the e-mails a dead worker left "sending", the ones whose last attempt
    failed a minute ago or more, and the ones still unattempted
    CIVICCHAT_REQUEUE_AFTER_SECONDS after they were queued (their broker message was
    lost; re-queued at most once per interval). Called by the beat dispatcher."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.LIAISONS_EMAIL_LEASE_SECONDS)
    ids = list(
        LiaisonEmail.objects.filter(
            Q(status=E.SENDING, claimed_at__lt=stale)
            | Q(status=E.PENDING, attempts__gt=0, claimed_at__lt=now - timedelta(minutes=1))
        ).values_list("pk", flat=True)
    )
    lost = take_lost(LiaisonEmail.objects.filter(status=E.PENDING), now=now)
    send_on_commit([*ids, *lost])
    return len(set(ids) | set(lost))


# Sending ---------------------------------------------------------------------------------


def claim_email(*, email_id: int, now: datetime | None = None) -> bool:
    """Take the row for sending. True for exactly one caller (a conditional UPDATE)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.LIAISONS_EMAIL_LEASE_SECONDS)
    claimed = (
        LiaisonEmail.objects.filter(pk=email_id)
        .filter(Q(status=E.PENDING) | Q(status=E.SENDING, claimed_at__lt=stale))
        .update(status=E.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    return claimed == 1


def build_message(email: LiaisonEmail) -> EmailMessage:
    """The mail for a queued row, with the session's .ics when the row says so: as it
    is when sending (a later change or cancellation shows), METHOD:CANCEL for a
    cancellation so calendars remove it."""
    user = email.application.user
    assert user is not None  # checked by send_email  # noqa: S101
    message = EmailMessage(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + email.subject,
        body=email.body,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    if email.session is not None and email.with_calendar:
        method = "CANCEL" if email.kind == EmailKind.SESSION_CANCELLED else "PUBLISH"
        message.attach(
            "liaison-training.ics",
            build_session_calendar([email.session], name=email.session.title, method=method),
            f"text/calendar; charset=utf-8; method={method}",
        )
    return message


def send_email(*, email_id: int) -> str:
    """Claim and send one queued e-mail; returns its final status."""
    if not claim_email(email_id=email_id):
        return "not-claimed"
    email = LiaisonEmail.objects.select_related("application__user", "session").get(pk=email_id)
    user = email.application.user
    if user is None or not user.is_active:
        _finish(email, E.SKIPPED, "no account")
        return E.SKIPPED
    try:
        build_message(email).send()
    except Exception as exc:  # noqa: BLE001  (any mail failure is retried, then reported)
        logger.warning("liaison e-mail %s failed: %s", email.pk, exc)
        final = E.FAILED if email.attempts >= MAX_ATTEMPTS else E.PENDING
        _finish(email, final, f"{type(exc).__name__}: {exc}"[:500])
        return final
    _finish(email, E.SENT, "")
    return E.SENT


def _finish(email: LiaisonEmail, status: str, error: str) -> None:
    email.status = status
    email.error = error
    fields = ["status", "error"]
    if status == E.SENT:
        email.sent_at = timezone.now()
        fields.append("sent_at")
    email.save(update_fields=fields)
