"""Topics: the subjects a city holds public chats about."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# A hashtag as the platforms accept it: "#", then a letter or underscore, then letters,
# digits or underscores (X, Mastodon and Bluesky all stop a tag at other characters).
HASHTAG_RE = r"^#[^\W\d]\w{0,99}$"
validate_hashtag = RegexValidator(
    HASHTAG_RE,
    _("Enter a hashtag: # followed by a letter, then letters, digits or underscores."),
)


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    default_hashtag = models.CharField(
        _("default hashtag"), max_length=101, validators=[validate_hashtag]
    )
    owning_team = models.CharField(
        _("owning team"),
        max_length=150,
        help_text=_("The city team that hosts this topic's chats."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
