"""``{% api_tokens_section %}``: the "Personal API tokens" part of the profile page."""

from __future__ import annotations

from typing import Any

from django import template

from api.forms import TokenForm
from api.selectors import active_tokens_of

register = template.Library()


@register.inclusion_tag("api/includes/_tokens_section.html", takes_context=True)
def api_tokens_section(context: template.Context) -> dict[str, Any]:
    """The signed-in user's active tokens (one query) and the form to make one."""
    user = context["request"].user
    return {
        "tokens": list(active_tokens_of(user)),
        "form": TokenForm(),
        "csrf_token": context.get("csrf_token"),
    }
