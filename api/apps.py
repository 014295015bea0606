from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API (/api/v1/) and the personal API tokens people use with it."""

    name = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from accounts.services import register_personal_data
        from api import schema  # noqa: F401  (registers the OpenAPI extensions)
        from api.services import erase_api_tokens, export_api_tokens

        register_personal_data(name="api_tokens", export=export_api_tokens, erase=erase_api_tokens)
