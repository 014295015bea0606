from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Cross-cutting pieces: the city, its neighborhoods, health, the home page."""

    name = "core"
    verbose_name = _("City and site")
