from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonsConfig(AppConfig):
    """The neighborhood liaison program: applications, review, training, directory."""

    name = "liaisons"
    verbose_name = _("Neighborhood liaisons")

    def ready(self) -> None:
        from accounts.services import register_personal_data
        from liaisons.services.privacy import erase_liaison_data, export_liaison_data

        register_personal_data(
            name="liaison_program", export=export_liaison_data, erase=erase_liaison_data
        )
