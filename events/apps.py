from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Topics and the public chats held under them."""

    name = "events"
    verbose_name = _("Topics and chats")
