"""Personal API tokens: a name and a lookup prefix in clear, the secret only hashed.

A token is ``cc_<prefix>_<secret>``. The database keeps ``prefix`` (to find the row)
and the SHA-256 of the whole token (to check it); the secret is shown once, when the
token is made, and never stored. Revoking keeps the row (``revoked_at``) so the
profile page and an export can still say which tokens existed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=Q(revoked_at__isnull=True),
                name="apitoken_active_by_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (cc_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
