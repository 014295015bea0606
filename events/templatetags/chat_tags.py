"""Template helpers for chats: links to hosts' profiles and to hashtag pages."""

from __future__ import annotations

from urllib.parse import quote

from django import template

from events.models import Platform

register = template.Library()


@register.filter
def host_profile_url(host: object) -> str:
    """The public profile of a host account, or "" when the handle is not usable."""
    platform = getattr(host, "platform", "")
    handle = str(getattr(host, "handle", "")).strip().lstrip("@")
    if not handle:
        return ""
    if platform == Platform.X:
        return f"https://x.com/{quote(handle)}"
    if platform == Platform.BLUESKY:
        return f"https://bsky.app/profile/{quote(handle)}"
    if platform == Platform.MASTODON and "@" in handle:
        user, _, instance = handle.partition("@")
        return f"https://{quote(instance)}/@{quote(user)}"
    return ""


@register.filter
def hashtag_url(tag: str, platform: str) -> str:
    """Where to read a hashtag on a platform (Mastodon has no single home: "")."""
    name = tag.lstrip("#")
    if platform == Platform.X:
        return f"https://x.com/search?q={quote('#' + name)}&f=live"
    if platform == Platform.BLUESKY:
        return f"https://bsky.app/hashtag/{quote(name)}"
    return ""


@register.filter
def platform_label(value: str) -> str:
    try:
        return str(Platform(value).label)
    except ValueError:
        return value
