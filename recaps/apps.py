from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecapsConfig(AppConfig):
    """Highlight recaps of chats: auto-drafted when a chat ends, curated by editors,
    published with versions kept. Its own app because it has its own workflow and
    readers (editors, the public), and reads events' posts without writing them."""

    name = "recaps"
    verbose_name = _("Recaps")
