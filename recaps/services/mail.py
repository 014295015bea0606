"""E-mail to a chat's owner when its recap is overdue."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core.selectors import city_timezone_name
from recaps.models import Recap


def send_recap_reminder(*, recap: Recap) -> bool:
    """Mail the person who created the chat; False when there is nobody to tell."""
    owner = recap.chat.created_by
    if owner is None or not owner.is_active:
        return False
    context = {
        "user": owner,
        "recap": recap,
        "chat": recap.chat,
        "days": settings.CIVICCHAT_RECAP_REMINDER_DAYS,
        "edit_url": settings.CIVICCHAT_SITE_URL
        + reverse("recaps_staff:recap_edit", args=[recap.pk]),
    }
    with translation.override(owner.preferred_language), timezone.override(city_timezone_name()):
        subject = " ".join(render_to_string("recaps/email/reminder_subject.txt", context).split())
        body = render_to_string("recaps/email/reminder_body.txt", context)
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body,
        None,
        [owner.email],
    )
    return True
