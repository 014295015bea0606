"""Template helpers for third-party posts.

``sanitised_post_html`` is the ONE place where a post's body is marked safe, and only
templates/events/includes/_post_content.html uses it: it takes the post's ``html``
(already cleaned when stored) and cleans it again with the same allow-list
(``events.integrations.sanitize.clean_html``, idempotent), so a row written by anything
else still renders inert. Everything else about a post (text, names, handles, links) is
autoescaped like any other variable.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template
from django.utils.safestring import SafeString, mark_safe

from events.integrations.sanitize import clean_html

register = template.Library()


@register.simple_tag
def sanitised_post_html(post: object) -> SafeString:
    """A post's HTML (a Post, or its ``html`` string) re-cleaned, then marked safe."""
    value = post if isinstance(post, str) else getattr(post, "html", "")
    cleaned = clean_html(str(value or ""))
    # The one place a post's HTML is marked safe, right after cleaning it.
    return mark_safe(cleaned)  # noqa: S308  # nosec B308 B703


@register.filter
def http_url(value: object) -> str:
    """``value`` when it is an http(s) URL, else "" (no javascript:, data: or relative)."""
    text = str(value or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return text
    return ""
