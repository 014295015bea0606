from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """The custom user (e-mail login), roles as groups, allauth adapters, profiles."""

    name = "accounts"
    verbose_name = _("Accounts")
