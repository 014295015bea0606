"""Forms of the webhook pages. They parse what staff type; the rules (http(s) only, no
private addresses, at least one event) live in ``webhooks.services``."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from webhooks.models import WebhookEndpoint, WebhookEvent
from webhooks.services import EndpointData


class EndpointForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Who receives it, for example “City calendar”."),
    )
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where CivicChat sends the events (http or https, a public address)."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        max_length=200,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "Signs every delivery. Leave it empty and CivicChat makes one. It is shown "
            "once, after saving, and never again."
        ),
    )

    def __init__(self, *args: object, endpoint: WebhookEndpoint | None = None, **kwargs: object):
        if endpoint is not None:
            kwargs.setdefault(
                "initial", {"name": endpoint.name, "url": endpoint.url, "events": endpoint.events}
            )
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if endpoint is not None:
            del self.fields["secret"]  # the secret of an existing endpoint never changes here

    def endpoint_data(self) -> EndpointData:
        data = self.cleaned_data
        return EndpointData(
            name=data["name"],
            url=data["url"],
            events=list(data["events"]),
            secret=data.get("secret", ""),
        )

    def add_service_errors(self, errors: Mapping[str, list[str]]) -> None:
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    @property
    def has_field_errors(self) -> bool:
        return any(name != "__all__" for name in self.errors)
