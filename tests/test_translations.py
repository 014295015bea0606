"""The Spanish catalogue: complete, compiled from its source, and actually served.

locale/es/LC_MESSAGES/django.mo is kept in git so that running the app needs no
gettext; these tests make sure it is never stale and that the .po behind it is whole.
Refresh both with ``manage.py makemessages -l es ...`` then ``compilemessages -l es``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("CIVICCHAT_REQUIRE_SERVICES") == "1"

CATALOGUE_DIR = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES"
PO_FILE = CATALOGUE_DIR / "django.po"
MO_FILE = CATALOGUE_DIR / "django.mo"

# The layout's first string; its Spanish is what the catalogue says.
SKIP_LINK_EN = "Skip to main content"
SKIP_LINK_ES = "Ir al contenido principal"

# Python's printf-style specifiers as gettext's python-format sees them: %(name)s, %d, ...
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?.")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}


def _msgfmt() -> str:
    """The path to msgfmt; skipped locally (failed in CI) when gettext is missing."""
    path = shutil.which("msgfmt")
    if path is None:
        message = "needs GNU gettext's msgfmt"
        if REQUIRE_SERVICES:
            pytest.fail(message + " but CIVICCHAT_REQUIRE_SERVICES=1")
        pytest.skip(message)
    return path


def _unquote(token: str) -> str:
    """The value of one quoted .po string, C escapes resolved."""
    body = token.strip()
    if len(body) < 2 or body[0] != '"' or body[-1] != '"':
        raise ValueError(f"not a .po string: {token!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), body[1:-1])


def parse_po(path: Path) -> list[dict[str, object]]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr, msgstr[n], flags.

    Obsolete (#~) entries are left out. Enough of the format for makemessages output."""
    entries: list[dict[str, object]] = []
    entry: dict[str, object] = {}
    field: str | None = None

    def flush() -> None:
        nonlocal entry, field
        if "msgid" in entry:
            entries.append(entry)
        entry, field = {}, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#"):
            if "msgid" in entry:  # comments open the next entry
                flush()
            if line.startswith("#,"):
                flags = entry.setdefault("flags", set())
                assert isinstance(flags, set)
                flags.update(f.strip() for f in line[2:].split(",") if f.strip())
        elif line.startswith('"'):
            assert field is not None, f"continuation without a keyword: {raw!r}"
            entry[field] = str(entry[field]) + _unquote(line)
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in {"msgctxt", "msgid"} and any(k.startswith("msgstr") for k in entry):
                flush()  # a new entry without a blank line before it
            field = keyword
            entry[field] = _unquote(rest)
    flush()
    return entries


def placeholders(text: str) -> set[str]:
    """The printf-style specifiers in ``text`` (``%%`` is a literal, not a placeholder)."""
    return {m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%"}


def test_catalogue_files_exist():
    assert PO_FILE.is_file(), f"{PO_FILE} is missing: run makemessages -l es"
    assert MO_FILE.is_file(), f"{MO_FILE} is missing: run compilemessages -l es"


def test_committed_mo_is_compiled_from_the_po(tmp_path):
    msgfmt = _msgfmt()
    fresh = tmp_path / "django.mo"
    subprocess.run(
        [msgfmt, "--check-format", "-o", str(fresh), str(PO_FILE)],
        check=True,
        capture_output=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert fresh.read_bytes() == MO_FILE.read_bytes(), (
        "locale/es/LC_MESSAGES/django.mo is stale: run `manage.py compilemessages -l es`"
    )


# What makemessages reads: the apps' Python and the templates (not the virtualenv, the
# vendored front end or the tests, which hold no user-facing strings).
SOURCE_DIRS = ("accounts", "api", "civicchat", "core", "events", "liaisons", "recaps",
               "templates", "webhooks")  # fmt: skip


def _keys(path: Path) -> set[tuple[str, str]]:
    return {(str(e.get("msgctxt", "")), str(e["msgid"])) for e in parse_po(path) if e["msgid"]}


def test_catalogue_holds_every_string_the_code_marks_for_translation(tmp_path):
    """makemessages over a copy of the sources: a string marked for translation but
    missing from the catalogue would be shown in English to Spanish readers."""
    _msgfmt()  # makemessages needs gettext too
    root = Path(settings.BASE_DIR)
    for name in SOURCE_DIRS:
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    shutil.copytree(root / "locale", tmp_path / "locale")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-location"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**env, "DJANGO_SETTINGS_MODULE": "civicchat.settings", "CIVICCHAT_ENV": "development"},
        timeout=120,
    )

    missing = _keys(tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po") - _keys(PO_FILE)

    assert sorted(missing) == [], (
        "strings missing from the Spanish catalogue: run `manage.py makemessages -l es "
        "--no-location`, translate them, then `compilemessages -l es`"
    )


def test_catalogue_has_no_untranslated_or_fuzzy_entries():
    msgfmt = _msgfmt()
    result = subprocess.run(
        [msgfmt, "--statistics", "-o", os.devnull, str(PO_FILE)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    stats = result.stderr.strip()
    assert re.fullmatch(r"[1-9]\d* translated messages?\.", stats), stats
    assert "untranslated" not in stats
    assert "fuzzy" not in stats


def test_parsed_catalogue_is_complete_and_has_a_spanish_header():
    entries = parse_po(PO_FILE)
    header = next(e for e in entries if e["msgid"] == "" and "msgctxt" not in e)
    assert "Language: es\n" in str(header["msgstr"])
    assert "charset=UTF-8" in str(header["msgstr"])
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in str(header["msgstr"])
    messages = [e for e in entries if e["msgid"] != ""]
    assert len(messages) > 100
    for entry in messages:
        assert "fuzzy" not in entry.get("flags", set()), entry["msgid"]
        translations = [v for k, v in entry.items() if k.startswith("msgstr")]
        assert translations, entry["msgid"]
        assert all(translations), f"untranslated: {entry['msgid']!r}"


def test_placeholders_survive_translation():
    problems = []
    for entry in parse_po(PO_FILE):
        msgid = str(entry["msgid"])
        if msgid == "":
            continue
        if "msgid_plural" in entry:
            # nplurals=2: form 0 renders msgid, form 1 renders msgid_plural.
            pairs = [
                (msgid, str(entry["msgstr[0]"])),
                (str(entry["msgid_plural"]), str(entry["msgstr[1]"])),
            ]
        else:
            pairs = [(msgid, str(entry["msgstr"]))]
        for source, translation in pairs:
            if placeholders(source) != placeholders(translation):
                problems.append((source, translation))
            if source[:1].isspace() != translation[:1].isspace() or (
                source[-1:].isspace() != translation[-1:].isspace()
            ):
                problems.append((source, translation))
    assert problems == []


def test_placeholder_parser_sees_named_and_plain_specifiers():
    assert placeholders("Reminder: %(title)s") == {"%(title)s"}
    assert placeholders("%(n)d of %(total)s, 100%% and %s") == {"%(n)d", "%(total)s", "%s"}


class _HtmlLang(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html" and self.lang is None:
            self.lang = dict(attrs).get("lang")


@pytest.mark.django_db
def test_home_page_is_served_in_spanish_from_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert settings.LANGUAGE_COOKIE_NAME == "django_language"

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    parser = _HtmlLang()
    parser.feed(html)
    assert parser.lang == "es"
    assert SKIP_LINK_ES in html
    assert SKIP_LINK_EN not in html


@pytest.mark.django_db
def test_home_page_stays_english_without_the_cookie(client):
    html = client.get("/").content.decode()

    parser = _HtmlLang()
    parser.feed(html)
    assert parser.lang == "en"
    assert SKIP_LINK_EN in html
    assert SKIP_LINK_ES not in html
