from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonsConfig(AppConfig):
    """The neighborhood liaison program: applications, review, training, directory."""

    name = "liaisons"
    verbose_name = _("Neighborhood liaisons")
