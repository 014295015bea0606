"""Turn third-party post bodies into HTML that is safe to render.

Two entry points, both ending in the same nh3 (ammonia) cleaner, so whatever reaches a
template has passed one allow-list:

- ``clean_html``: Mastodon's ``content`` is HTML already; it is cut down to the tags and
  classes Mastodon itself keeps (its ``MASTODON_STRICT`` sanitiser config).
- ``text_to_html``: X and Bluesky send plain text. It is escaped first, then URLs,
  hashtags and mentions become links: from Bluesky's facets when given (exact ranges,
  counted in UTF-8 bytes), otherwise by pattern.

Every link gets ``rel="nofollow noopener noreferrer"`` and no ``target``; only http,
https and mailto survive, relative URLs are dropped. ``clean_html(clean_html(x)) ==
clean_html(x)``: cleaning our own output changes nothing.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

import nh3

ALLOWED_TAGS = {
    "p", "br", "span", "a", "del", "s", "pre", "blockquote", "code",
    "b", "strong", "u", "i", "em", "ul", "ol", "li",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "translate"},
    "span": {"translate"},
    "ol": {"start", "reversed"},
    "li": {"value"},
}
# Microformats and Mastodon's own classes; anything else is dropped.
ALLOWED_CLASSES = {
    "a": {"u-url", "mention", "hashtag", "status-link", "unhandled-link"},
    "span": {"h-card", "mention", "hashtag", "ellipsis", "invisible", "p-nickname"},
}
LINK_REL = "nofollow noopener noreferrer"
URL_SCHEMES = {"http", "https", "mailto"}
# Removed together with everything inside them (not just unwrapped).
REMOVE_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "embed", "svg", "math"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=REMOVE_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes=ALLOWED_CLASSES,
    link_rel=LINK_REL,
    url_schemes=URL_SCHEMES,
    url_relative="deny",
    strip_comments=True,
)


def clean_html(value: str) -> str:
    """Sanitise third-party HTML against the allow-list above. Idempotent."""
    return _cleaner.clean(value or "")


_BLOCK_END = re.compile(r"</p>|<br\s*/?>", re.IGNORECASE)


# Keeps no tag at all (script and style go with their content): the text of a body.
# Built once; nh3.clean() would build a cleaner on every call.
_text_cleaner = nh3.Cleaner(tags=set())


def html_to_text(value: str) -> str:
    """Plain text of an HTML body (for search, counting and question detection)."""
    with_breaks = _BLOCK_END.sub("\n", value or "")
    return html.unescape(_text_cleaner.clean(with_breaks)).strip()


# --- plain text -> HTML ---------------------------------------------------------------


@dataclass(frozen=True)
class LinkStyle:
    """Where hashtags and mentions of a platform point."""

    hashtag_url: str  # with {tag}
    mention_url: str  # with {name}
    mention_pattern: str  # regex for the name after "@"


X_LINKS = LinkStyle(
    hashtag_url="https://x.com/hashtag/{tag}",
    mention_url="https://x.com/{name}",
    mention_pattern=r"[A-Za-z0-9_]{1,15}",
)
BLUESKY_LINKS = LinkStyle(
    hashtag_url="https://bsky.app/hashtag/{tag}",
    mention_url="https://bsky.app/profile/{name}",
    mention_pattern=r"[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}",
)

_URL = r"https?://[^\s<>\"'`]+"
_TRAILING_PUNCTUATION = ".,;:!?)]}'\""


def _anchor(href: str, label: str, css_class: str = "") -> str:
    class_attr = f' class="{css_class}"' if css_class else ""
    return f'<a href="{html.escape(href, quote=True)}"{class_attr}>{html.escape(label)}</a>'


def _paragraphs(body: str) -> str:
    # Text arrives with its line breaks; keep them, as the platforms show them.
    return "<p>" + body.replace("\n", "<br>") + "</p>" if body else ""


@functools.cache
def _link_pattern(mention_pattern: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?P<url>{_URL})"
        rf"|(?<![\w&/])#(?P<tag>[^\W\d]\w*)"
        rf"|(?<![\w@/])@(?P<name>{mention_pattern})"
    )


def linkify(text: str, style: LinkStyle) -> str:
    """Escape ``text`` and turn URLs, #hashtags and @mentions into links (not cleaned)."""
    pattern = _link_pattern(style.mention_pattern)
    out: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        if match.group("url"):
            url = match.group("url")
            trimmed = url.rstrip(_TRAILING_PUNCTUATION)
            end = start + len(trimmed)
            replacement = _anchor(trimmed, trimmed)
        elif match.group("tag"):
            tag = match.group("tag")
            replacement = _anchor(
                style.hashtag_url.format(tag=quote(tag)), f"#{tag}", "mention hashtag"
            )
        else:
            name = match.group("name")
            replacement = _anchor(
                style.mention_url.format(name=quote(name)), f"@{name}", "u-url mention"
            )
        out.append(html.escape(text[position:start]))
        out.append(replacement)
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


@dataclass(frozen=True)
class Facet:
    """A Bluesky rich-text facet, reduced to what we render: [start, end) in UTF-8 bytes."""

    byte_start: int
    byte_end: int
    href: str
    css_class: str


def bluesky_facets(raw_facets: Iterable[dict]) -> list[Facet]:
    """The usable facets of a Bluesky record; anything malformed is ignored."""
    facets = []
    for raw in raw_facets or []:
        try:
            index = raw["index"]
            start, end = int(index["byteStart"]), int(index["byteEnd"])
            feature = raw["features"][0]
            kind = feature.get("$type", "")
        except (KeyError, IndexError, TypeError, ValueError):
            continue
        if kind.endswith("#link") and str(feature.get("uri", "")).startswith(
            ("http://", "https://")
        ):
            facets.append(Facet(start, end, feature["uri"], ""))
        elif kind.endswith("#mention") and feature.get("did"):
            href = BLUESKY_LINKS.mention_url.format(name=quote(str(feature["did"])))
            facets.append(Facet(start, end, href, "u-url mention"))
        elif kind.endswith("#tag") and feature.get("tag"):
            href = BLUESKY_LINKS.hashtag_url.format(tag=quote(str(feature["tag"])))
            facets.append(Facet(start, end, href, "mention hashtag"))
    return facets


def _render_facets(text: str, facets: list[Facet]) -> str | None:
    """HTML for ``text`` with ``facets`` as links; None when the ranges do not fit."""
    data = text.encode("utf-8")
    out: list[str] = []
    position = 0
    try:
        for facet in sorted(facets, key=lambda f: f.byte_start):
            if facet.byte_start < position or not (
                0 <= facet.byte_start < facet.byte_end <= len(data)
            ):
                continue  # overlapping or out of range: leave that text plain
            # strict decoding: a range that splits a character is malformed
            before = data[position : facet.byte_start].decode("utf-8")
            label = data[facet.byte_start : facet.byte_end].decode("utf-8")
            out.append(html.escape(before))
            out.append(_anchor(facet.href, label, facet.css_class))
            position = facet.byte_end
        out.append(html.escape(data[position:].decode("utf-8")))
    except UnicodeDecodeError:
        return None
    return "".join(out)


def text_to_html(text: str, *, style: LinkStyle, facets: list[Facet] | None = None) -> str:
    """Safe HTML for a plain-text post: escaped, linked, cleaned. Idempotent under clean."""
    body = None
    if facets:
        body = _render_facets(text, facets)
    if body is None:
        body = linkify(text, style)
    return clean_html(_paragraphs(body))
