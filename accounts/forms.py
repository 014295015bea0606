from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.models import Neighborhood


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("How your name is shown to others. Leave empty to stay anonymous."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=settings.LANGUAGES,
        help_text=_("Pages and e-mails reach you in this language."),
    )
    neighborhood = forms.ModelChoiceField(
        label=_("Neighborhood (optional)"),
        queryset=Neighborhood.objects.filter(active=True),
        required=False,
        empty_label=_("- Not saying -"),
    )
