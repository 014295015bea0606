"""Post archives (CSV or JSON Lines) from chats held before CivicChat or captured by
other tools, read into the same ``ParsedPost`` the platform clients produce.

Nothing in a file is trusted: every row is validated on its own and refused with its
line number and a reason; text is sanitised exactly like captured posts (Mastodon HTML
through ``clean_html``, plain text escaped and linked); links must be http(s). The
format, its column names and their aliases are documented in docs/architecture.md
("Import"). In short:

- One post per row (CSV, with a header; comma, semicolon or tab) or per line (JSON
  Lines; nested objects are flattened, so ``{"author": {"username": ...}}`` reads as
  ``author_username``). Column names ignore case, spaces, dots and camelCase.
- Required: ``created_at`` (ISO-8601 with a time zone), ``text`` (or ``html``), the
  post's ``id`` or ``url``, the author's ``author_handle`` (or a ``url`` it shows in),
  and ``platform`` unless the ``url``/``uri`` says it.
- Optional: ``url``, ``author_name``, ``author_url``, ``author_avatar_url``,
  ``reply_to``, ``conversation``, ``language``, ``likes``, ``reposts``, ``replies``,
  ``quotes``, and for Mastodon ``uri`` and ``html``.

The key is the one capture uses, so a post imported and captured is stored once: the
tweet id on X (the first of ``edit_history_tweet_ids`` when given), the status ``uri``
on Mastodon (derived from a ``https://host/@user/123`` url when missing), the ``at://``
uri on Bluesky.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from events.integrations.base import ParsedPost
from events.integrations.mastodon import LOCAL_REPLY_PREFIX
from events.integrations.sanitize import (
    BLUESKY_LINKS,
    X_LINKS,
    LinkStyle,
    clean_html,
    html_to_text,
    text_to_html,
)

CSV = "csv"
JSONL = "jsonl"
EXTENSIONS = {".csv": CSV, ".tsv": CSV, ".jsonl": JSONL, ".ndjson": JSONL, ".json": JSONL}
# What browsers and tools send for these files (Windows calls a .csv an Excel file).
CONTENT_TYPES = {
    "", "application/octet-stream", "text/plain",
    "text/csv", "application/csv", "text/comma-separated-values", "application/vnd.ms-excel",
    "text/tab-separated-values",
    "application/json", "application/x-ndjson", "application/jsonl", "application/jsonlines",
    "application/x-jsonlines", "text/jsonl", "application/jsonl+json",
}  # fmt: skip
MAX_TEXT_LENGTH = 25_000
MAX_FIELD_LENGTH = 100_000
# A post dated this far ahead is a broken date, not a post.
FUTURE_TOLERANCE = timedelta(days=1)

# canonical column -> accepted names, in order of preference (normalised: see column_key).
ALIASES: dict[str, tuple[str, ...]] = {
    "platform": ("platform", "network", "service", "site"),
    "external_id": (
        "external_id", "external_key", "post_id", "tweet_id", "status_id", "id_str", "id",
    ),
    "uri": ("uri", "at_uri", "status_uri"),
    "edit_history": ("edit_history_tweet_ids",),
    "cid": ("cid",),
    "url": ("url", "post_url", "tweet_url", "status_url", "permalink", "link"),
    "author_handle": (
        "author_handle", "handle", "author_username", "username", "screen_name",
        "user_screen_name", "user_username", "author_acct", "account_acct", "acct",
        "from_user", "user", "author", "author_handle_name",
    ),
    "author_name": (
        "author_name", "author_display_name", "display_name", "account_display_name",
        "user_name", "from_user_name", "name",
    ),
    "author_url": ("author_url", "profile_url", "account_url", "user_url", "author_profile_url"),
    "author_avatar_url": (
        "author_avatar_url", "author_avatar", "avatar_url", "avatar", "account_avatar",
        "author_profile_image_url", "user_profile_image_url", "profile_image_url",
    ),
    "created_at": (
        "created_at", "record_created_at", "parsed_created_at", "posted_at", "published_at",
        "published", "date", "datetime", "timestamp", "time", "indexed_at",
    ),
    "text": ("text", "full_text", "record_text", "body", "message", "tweet", "post"),
    "html": ("html", "content", "content_html"),
    "reply_to": (
        "reply_to", "in_reply_to", "reply_to_id", "in_reply_to_id", "in_reply_to_status_id",
        "in_reply_to_status_id_str", "referenced_tweets_replied_to_id",
        "record_reply_parent_uri", "reply_parent_uri", "parent_uri", "parent_id",
        "reply_to_url",
    ),
    "conversation": (
        "conversation", "conversation_key", "conversation_id", "thread_id",
        "record_reply_root_uri", "reply_root_uri", "root_uri",
    ),
    "language": ("language", "lang", "record_langs", "langs"),
    "likes": (
        "likes", "like_count", "favorite_count", "favourites_count", "public_metrics_like_count",
    ),
    "reposts": (
        "reposts", "repost_count", "retweet_count", "reblogs_count",
        "public_metrics_retweet_count",
    ),
    "replies": ("replies", "reply_count", "replies_count", "public_metrics_reply_count"),
    "quotes": ("quotes", "quote_count", "public_metrics_quote_count"),
}  # fmt: skip
# At least one column of each group must be in a CSV header.
REQUIRED_GROUPS = (("created_at",), ("text", "html"), ("external_id", "uri", "url"))

PLATFORMS = {
    "x": "x", "twitter": "x", "tweet": "x", "x.com": "x", "twitter.com": "x",
    "mastodon": "mastodon", "fediverse": "mastodon", "toot": "mastodon",
    "bluesky": "bluesky", "bsky": "bluesky", "bsky.app": "bluesky", "atproto": "bluesky",
}  # fmt: skip
SHAPE_MARKS = {
    "x": (
        "edit_history_tweet_ids", "public_metrics_like_count", "public_metrics_retweet_count",
        "referenced_tweets_replied_to_id", "tweet_id", "tweet_url", "retweet_count",
        "in_reply_to_status_id", "user_screen_name", "screen_name", "id_str",
    ),
    "mastodon": ("account_acct", "reblogs_count", "favourites_count"),
    "bluesky": ("record_text", "record_created_at", "indexed_at"),
}  # fmt: skip
X_HOSTS = {"x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"}
BLUESKY_HOSTS = {"bsky.app", "www.bsky.app"}

_X_STATUS = re.compile(r"^/(?P<handle>[A-Za-z0-9_]{1,15})/status(?:es)?/(?P<id>\d+)")
_BSKY_POST = re.compile(r"^/profile/(?P<actor>[^/]+)/post/(?P<rkey>[A-Za-z0-9._~:-]+)$")
_MASTODON_URL = re.compile(r"^/@(?P<user>[\w.-]+)/(?P<id>\d+)$")
_MASTODON_URI = re.compile(r"^/users/(?P<user>[\w.-]+)/statuses/(?P<id>\d+)$")
_AT_URI = re.compile(r"^at://[^/\s]+/[a-z.]+/[A-Za-z0-9._~:-]+$")
_DIGITS = re.compile(r"^\d{1,25}$")
_HANDLE = re.compile(r"^[\w.@:-]{1,300}$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_http = URLValidator(schemes=["http", "https"])


class ArchiveRefused(Exception):
    """The whole file is refused (too big, not text, no usable header...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RowInvalid(Exception):
    """One row is refused; ``reason`` is shown with its line number."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Record:
    """One row as read: its first line in the file and its fields by column_key."""

    line: int
    fields: dict[str, Any]
    raw: dict[str, Any]


@dataclass(frozen=True)
class BadRecord:
    line: int
    reason: str


def column_key(name: str) -> str:
    """ "Author Handle", "author.handle", "authorHandle" -> "author_handle"."""
    return _NON_WORD.sub("_", _CAMEL.sub("_", name.strip()).lower()).strip("_")


def _flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}_{column_key(str(key))}" if prefix else column_key(str(key))
        if isinstance(item, dict):
            flat.update(_flatten(item, name))
        elif name == "referenced_tweets" and isinstance(item, list):
            # twarc2 / X API v2: [{"type": "replied_to", "id": "..."}, ...]
            for ref in item:
                if isinstance(ref, dict) and ref.get("type") and ref.get("id"):
                    flat.setdefault(f"{name}_{column_key(str(ref['type']))}_id", ref["id"])
        else:
            flat.setdefault(name, item)
    return flat


# --- reading ------------------------------------------------------------------------------


@contextmanager
def _text_stream(binary: IO[bytes], *, newline: str | None) -> Iterator[io.TextIOWrapper]:
    """The file as UTF-8 text from its start; the binary file stays open afterwards
    (a TextIOWrapper closes its buffer when it is collected, unless detached)."""
    binary.seek(0)
    stream = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict", newline=newline)
    try:
        yield stream
    finally:
        stream.detach()


def _delimiter(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def read_records(binary: IO[bytes], fmt: str) -> Iterator[Record | BadRecord]:
    """Every row of the file in order, as a Record or (JSON that does not parse) a
    BadRecord. Blank lines are skipped. Raises ArchiveRefused for what makes the whole
    file unreadable (not UTF-8, a CSV without a header)."""
    try:
        if fmt == CSV:
            yield from _read_csv(binary)
        else:
            yield from _read_jsonl(binary)
    except UnicodeDecodeError as exc:
        raise ArchiveRefused(_("The file is not UTF-8 text.")) from exc
    except csv.Error as exc:
        raise ArchiveRefused(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def _read_csv(binary: IO[bytes]) -> Iterator[Record | BadRecord]:
    with _text_stream(binary, newline="") as stream:
        first = stream.readline()
        stream.seek(0)
        csv.field_size_limit(MAX_FIELD_LENGTH)
        reader = csv.reader(stream, delimiter=_delimiter(first))
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise ArchiveRefused(_("The CSV file has no header row."))
        columns = [column_key(cell) for cell in header]
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            # line_num is where the record ends; a quoted field may span lines.
            line = reader.line_num - sum(cell.count("\n") for cell in row)
            if len(row) > len(columns):
                yield BadRecord(
                    line,
                    _("The row has %(found)d values but the header has %(expected)d columns.")
                    % {"found": len(row), "expected": len(columns)},
                )
                continue
            fields: dict[str, Any] = {}
            for column, cell in zip(columns, row, strict=False):
                if column and column not in fields:
                    fields[column] = cell
            yield Record(line, fields, dict(zip(header, row, strict=False)))


def _read_jsonl(binary: IO[bytes]) -> Iterator[Record | BadRecord]:
    with _text_stream(binary, newline=None) as stream:
        for number, text in enumerate(stream, start=1):
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except ValueError as exc:
                yield BadRecord(
                    number, _("The line is not valid JSON (%(error)s).") % {"error": exc}
                )
                continue
            if not isinstance(value, dict):
                yield BadRecord(number, _("The line is not a JSON object."))
                continue
            yield Record(number, _flatten(value), value)


@dataclass(frozen=True)
class ArchiveInfo:
    format: str
    rows: int


def inspect_archive(binary: IO[bytes], *, name: str, content_type: str, size: int,
                    max_bytes: int, max_rows: int, fmt: str = "") -> ArchiveInfo:  # fmt: skip
    """Check a whole upload before anything is stored: size, type, UTF-8 text, format,
    the CSV header's required columns, the number of rows. Raises ArchiveRefused with
    the reason; returns the format and the row count."""
    if size == 0:
        raise ArchiveRefused(_("The file is empty."))
    if size > max_bytes:
        raise ArchiveRefused(
            _("The file is larger than %(max)d MB.") % {"max": max(1, max_bytes // 2**20)}
        )
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared not in CONTENT_TYPES or (extension and extension not in EXTENSIONS):
        raise ArchiveRefused(_("Upload a CSV (.csv) or JSON Lines (.jsonl) file."))
    binary.seek(0)
    head = binary.read(4096)
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # xlsx/zip, old .xls
        raise ArchiveRefused(
            _("This is a spreadsheet, not a CSV file: save it as “CSV UTF-8” and upload that.")
        )
    fmt = fmt or EXTENSIONS.get(extension, "")
    first_char = head.decode("utf-8-sig", errors="ignore").lstrip()[:1]
    if not fmt:
        fmt = JSONL if first_char == "{" else CSV
    if fmt == JSONL and first_char == "[":
        raise ArchiveRefused(
            _("This is a JSON array; upload JSON Lines instead: one JSON object per line.")
        )
    if fmt == JSONL and first_char != "{":
        raise ArchiveRefused(_("The first line is not a JSON object; is this a CSV file?"))
    _check_text(binary)
    if fmt == CSV:
        _check_header(binary)
    rows = sum(1 for _record in read_records(binary, fmt))
    if rows == 0:
        raise ArchiveRefused(_("The file has no posts in it."))
    if rows > max_rows:
        raise ArchiveRefused(
            _("The file has %(rows)d rows; at most %(max)d can be imported at once.")
            % {"rows": rows, "max": max_rows}
        )
    return ArchiveInfo(format=fmt, rows=rows)


def _check_text(binary: IO[bytes]) -> None:
    """UTF-8 text without NUL bytes, read in chunks (the whole file, once)."""
    binary.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    line = 1
    while chunk := binary.read(256 * 1024):
        if b"\x00" in chunk:
            raise ArchiveRefused(_("The file is not text (it holds binary data)."))
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            line += chunk[: exc.start].count(b"\n")
            raise ArchiveRefused(
                _("The file is not UTF-8 text (line %(line)d): save it as UTF-8.") % {"line": line}
            ) from exc
        line += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise ArchiveRefused(_("The file is not UTF-8 text: it ends mid-character.")) from exc


def _check_header(binary: IO[bytes]) -> None:
    with _text_stream(binary, newline="") as stream:
        first = stream.readline()
    header = next(csv.reader([first], delimiter=_delimiter(first)), [])
    present = {column_key(cell) for cell in header}
    missing = [
        group[0]
        for group in REQUIRED_GROUPS
        if not any(alias in present for name in group for alias in ALIASES[name])
    ]
    if missing:
        raise ArchiveRefused(
            _("The header has no column for: %(missing)s. Columns found: %(found)s.")
            % {
                "missing": ", ".join(missing),
                "found": ", ".join(cell.strip() for cell in header if cell.strip())[:500],
            }
        )


# --- one row -> ParsedPost ----------------------------------------------------------------


def _value(fields: dict[str, Any], name: str) -> str:
    """The first non-empty value among the aliases of ``name``, as a stripped string."""
    for alias in ALIASES[name]:
        value = fields.get(alias)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is None or isinstance(value, dict):
            continue
        if isinstance(value, bool):
            value = str(value).lower()
        text = str(value).strip()
        if text:
            return text
    return ""


def _http_url(value: str, label: str) -> str:
    if not value:
        return ""
    if len(value) > 1000:
        raise RowInvalid(_("%(column)s is longer than 1000 characters.") % {"column": label})
    try:
        _http(value)
    except ValidationError as exc:
        raise RowInvalid(
            _("%(column)s is not an http(s) link: %(value)s")
            % {"column": label, "value": value[:80]}
        ) from exc
    return value


def parse_created_at(value: str) -> datetime:
    if not value:
        raise RowInvalid(_("created_at is missing."))
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        # Twitter's classic API (and Social Feed Manager's CSV): "Wed Jun 13 18:13:25 +0000 2018".
        try:
            parsed = datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")
        except ValueError as exc:
            raise RowInvalid(
                _("created_at is not an ISO-8601 date and time: %(value)s") % {"value": text[:60]}
            ) from exc
    if parsed.tzinfo is None:
        raise RowInvalid(
            _("created_at has no time zone (add “Z” or an offset such as “-05:00”): %(value)s")
            % {"value": text[:60]}
        )
    parsed = parsed.astimezone(UTC)
    if parsed > timezone.now() + FUTURE_TOLERANCE:
        raise RowInvalid(_("created_at is in the future: %(value)s") % {"value": text[:60]})
    return parsed


def _platform(fields: dict[str, Any]) -> str:
    given = _value(fields, "platform").lower()
    if given:
        platform = PLATFORMS.get(given)
        if platform is None:
            raise RowInvalid(
                _("Unknown platform “%(value)s”: use x, mastodon or bluesky.")
                % {"value": given[:40]}
            )
        return platform
    for candidate in (_value(fields, "uri"), _value(fields, "url"), _value(fields, "external_id")):
        if candidate.startswith("at://"):
            return "bluesky"
        parts = urlsplit(candidate)
        if parts.scheme in ("http", "https"):
            host = parts.netloc.lower()
            if host in X_HOSTS:
                return "x"
            if host in BLUESKY_HOSTS:
                return "bluesky"
            if _MASTODON_URL.match(parts.path) or _MASTODON_URI.match(parts.path):
                return "mastodon"
    # The shape of a platform's own API export says it too (twarc, Social Feed Manager,
    # Mastodon and Bluesky API dumps).
    for platform, marks in SHAPE_MARKS.items():
        if any(name in fields for name in marks):
            return platform
    raise RowInvalid(_("Say which platform the post is from (x, mastodon or bluesky)."))


def _count(fields: dict[str, Any], name: str) -> int | None:
    value = _value(fields, name)
    if not value:
        return None
    try:
        number = int(float(value)) if "." in value else int(value)
    except ValueError as exc:
        raise RowInvalid(
            _("%(column)s is not a whole number: %(value)s") % {"column": name, "value": value[:20]}
        ) from exc
    if number < 0:
        raise RowInvalid(_("%(column)s is negative.") % {"column": name})
    return number


def _x_id(value: str, label: str) -> str:
    """A tweet id from an id or an x.com / twitter.com status link."""
    if _DIGITS.match(value):
        return value
    parts = urlsplit(value)
    match = _X_STATUS.match(parts.path) if parts.netloc.lower() in X_HOSTS else None
    if match:
        return match.group("id")
    raise RowInvalid(
        _("%(column)s is not an X post id or link: %(value)s")
        % {"column": label, "value": value[:80]}
    )


def _bluesky_uri(value: str, label: str) -> str:
    """An at:// uri, from one or from a bsky.app post link (with the handle as the actor)."""
    if _AT_URI.match(value):
        return value
    parts = urlsplit(value)
    match = _BSKY_POST.match(parts.path) if parts.netloc.lower() in BLUESKY_HOSTS else None
    if match:
        return f"at://{match.group('actor')}/app.bsky.feed.post/{match.group('rkey')}"
    raise RowInvalid(
        _("%(column)s is not a Bluesky post uri or link: %(value)s")
        % {"column": label, "value": value[:80]}
    )


def _mastodon_uri(value: str, label: str) -> str:
    """A status uri; a ``https://host/@user/123`` link becomes Mastodon's
    ``https://host/users/user/statuses/123``, the uri capture stores."""
    _http_url(value, label)
    parts = urlsplit(value)
    match = _MASTODON_URL.match(parts.path)
    if match:
        return f"https://{parts.netloc.lower()}/users/{match.group('user')}/statuses/{match.group('id')}"
    return value


def _handle(fields: dict[str, Any], platform: str, url: str) -> str:
    handle = _value(fields, "author_handle").lstrip("@").lower()
    parts = urlsplit(url)
    if not handle and url:
        if platform == "x" and (match := _X_STATUS.match(parts.path)):
            handle = match.group("handle").lower()
        elif platform == "bluesky" and (match := _BSKY_POST.match(parts.path)):
            handle = match.group("actor").lower()
        elif platform == "mastodon" and (
            match := _MASTODON_URL.match(parts.path) or _MASTODON_URI.match(parts.path)
        ):
            handle = match.group("user").lower()
    if not handle:
        raise RowInvalid(_("author_handle is missing."))
    if platform == "mastodon" and "@" not in handle and parts.netloc:
        handle = f"{handle}@{parts.netloc.lower()}"
    if not _HANDLE.match(handle):
        raise RowInvalid(_("author_handle is not a handle: %(value)s") % {"value": handle[:60]})
    return handle


def _mastodon_links(host: str) -> LinkStyle:
    return LinkStyle(
        hashtag_url=f"https://{host}/tags/{{tag}}",
        mention_url=f"https://{host}/@{{name}}",
        mention_pattern=r"[A-Za-z0-9_]+(?:@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?",
    )


def parse_record(record: Record) -> ParsedPost:
    """The post in one row, validated and sanitised; RowInvalid says what is wrong."""
    fields = record.fields
    platform = _platform(fields)
    given_id = _value(fields, "external_id")
    given_uri = _value(fields, "uri")
    url = _http_url(_value(fields, "url"), "url")

    if platform == "x":
        source_item_id = _x_id(given_id or url, "id") if (given_id or url) else ""
        # An edited tweet is stored under the first id of its edit history.
        first_version = _value(fields, "edit_history")
        key = _x_id(first_version, "edit_history_tweet_ids") if first_version else source_item_id
    elif platform == "mastodon":
        candidate = given_uri or (given_id if given_id.startswith("http") else "") or url
        if not candidate:
            raise RowInvalid(
                _("A Mastodon post needs its uri or url (ids differ between instances).")
            )
        key = _mastodon_uri(candidate, "uri")
        source_item_id = given_id if _DIGITS.match(given_id) else ""
    else:
        candidate = given_uri or given_id or url
        key = _bluesky_uri(candidate, "uri") if candidate else ""
        source_item_id = _value(fields, "cid")
    if not key:
        raise RowInvalid(_("The post has no id or url."))
    if len(key) > 500:
        raise RowInvalid(_("The post's id is longer than 500 characters."))

    handle = _handle(fields, platform, url or (key if key.startswith("http") else ""))
    created_at = parse_created_at(_value(fields, "created_at"))
    html_in = _value(fields, "html")
    text = _value(fields, "text") or (html_to_text(html_in) if html_in else "")
    if not text:
        raise RowInvalid(_("The post has no text."))
    if len(text) > MAX_TEXT_LENGTH or len(html_in) > MAX_FIELD_LENGTH:
        raise RowInvalid(
            _("The text is longer than %(max)d characters.") % {"max": MAX_TEXT_LENGTH}
        )

    if platform == "x":
        html = text_to_html(text, style=X_LINKS)
        url = url or f"https://x.com/{handle}/status/{source_item_id or key}"
        author_url = f"https://x.com/{handle}"
    elif platform == "bluesky":
        html = text_to_html(text, style=BLUESKY_LINKS)
        rkey = key.rsplit("/", 1)[-1]
        url = url or f"https://bsky.app/profile/{handle}/post/{rkey}"
        author_url = f"https://bsky.app/profile/{handle}"
    else:
        host = handle.split("@", 1)[1] if "@" in handle else urlsplit(key).netloc
        html = clean_html(html_in) if html_in else text_to_html(text, style=_mastodon_links(host))
        url = url or key
        user = handle.split("@", 1)[0]
        author_url = f"https://{host}/@{user}" if host else ""

    reply_to = _reference(platform, _value(fields, "reply_to"), "reply_to")
    conversation = _reference(platform, _value(fields, "conversation"), "conversation")
    if not conversation and not reply_to:
        conversation = key
    metrics = {
        name: number
        for name in ("likes", "reposts", "replies", "quotes")
        if (number := _count(fields, name)) is not None
    }
    return ParsedPost(
        platform=platform,
        external_key=key,
        source_item_id=source_item_id[:200],
        author_handle=handle,
        author_name=_value(fields, "author_name")[:300],
        author_url=_http_url(_value(fields, "author_url"), "author_url") or author_url,
        author_avatar_url=_http_url(_value(fields, "author_avatar_url"), "author_avatar_url"),
        text=text,
        html=html,
        created_at=created_at,
        url=url,
        reply_to_key=reply_to,
        conversation_key=conversation,
        metrics=metrics,
        language=_value(fields, "language")[:20],
        raw={"line": record.line, "row": record.raw},
    )


def _reference(platform: str, value: str, label: str) -> str:
    """Another post named by a reply or conversation column, as its key on ``platform``.
    A Mastodon number is an id of the instance the archive came from: kept as
    ``local:<id>`` and resolved against the file's own posts after the import."""
    if not value:
        return ""
    if platform == "x":
        return _x_id(value, label)
    if platform == "bluesky":
        return _bluesky_uri(value, label)
    if _DIGITS.match(value):
        return f"{LOCAL_REPLY_PREFIX}{value}"
    return _mastodon_uri(value, label)
