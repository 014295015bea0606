"""What every part of the API shares: the error body and the strict input base."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Every error answer: a stable ``code`` for programs, a ``detail`` for people, and
    for invalid input the messages per field in ``errors``."""

    code = serializers.CharField(help_text=_("Stable, for programs: e.g. invalid_transition."))
    detail = serializers.CharField(help_text=_("For people, in their language."))
    errors = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text=_("Invalid input only: field name -> messages."),
    )


class InputSerializer(serializers.Serializer):
    """The base of every input serializer: a field it does not name is refused (400),
    never silently ignored, so ``{"status": "approved"}`` cannot look like it worked."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Unknown field: it cannot be set here.")] for name in unknown}
                )
        return super().to_internal_value(data)


class NeighborhoodSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
