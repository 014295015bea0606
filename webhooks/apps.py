from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Outgoing webhooks: staff register endpoints; chat and recap events reach them as
    signed JSON, sent by Celery with retries and a delivery log."""

    name = "webhooks"
    verbose_name = _("Webhooks")
