"""Nothing marks text safe (skips autoescaping) outside the sanitised-post renderer.

Our code and templates are scanned line by line for every way Django has to skip
escaping. ``format_html`` is fine (it escapes its arguments) and so is autoescape off in
plain-text e-mail templates (.txt), where there is no HTML to escape for.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Not ours (dependencies, vendored assets, build and runtime output) or not shipped.
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "node_modules",
    "static",
    "staticfiles",
    "var",
    "test-artifacts",
    "tests",
    "locale",
    "__pycache__",
}
SUFFIXES = {".py", ".html", ".txt", ".xml", ".js"}
PATTERNS = {
    "mark_safe": re.compile(r"\bmark_safe\s*\("),
    "SafeString": re.compile(r"\bSafe(String|Text|Data)\s*\("),
    "html_safe": re.compile(r"\bhtml_safe\b"),
    "|safe": re.compile(r"\|\s*safe(seq)?\b"),
    "filter safe": re.compile(r"\{%\s*filter\s[^%]*\bsafe"),
    "autoescape off": re.compile(r"\{%\s*autoescape\s+off\s*%\}"),
    "autoescape=False": re.compile(r"\bautoescape\s*=\s*False\b"),
}
# (path, pattern) pairs that are allowed, each with the reason. Keep this list short.
ALLOWED = {
    # The sanitised-post renderer: the post's HTML is cleaned by nh3 on the same line.
    ("events/templatetags/post_tags.py", "mark_safe"): 1,
    # Liaison e-mail templates written by staff render to plain-text mail bodies.
    ("liaisons/mail_templates.py", "autoescape=False"): 2,
}


def unsafe_lines(root: Path) -> list[str]:
    """Every "path:line: pattern" under ``root`` where text skips autoescaping, except
    autoescape off in .txt templates."""
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.suffix not in SUFFIXES or SKIPPED_DIRS & set(relative.parts[:-1]):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name, pattern in PATTERNS.items():
                if name == "autoescape off" and path.suffix == ".txt":
                    continue
                if pattern.search(line):
                    found.append(f"{relative.as_posix()}:{number}: {name}")
    return found


def _allowed(line: str) -> bool:
    path, _, name = line.split(":", 2)
    return (path, name.strip()) in ALLOWED


def test_nothing_marks_text_safe_outside_the_post_renderer():
    found = unsafe_lines(ROOT)

    assert [line for line in found if not _allowed(line)] == []
    counts: dict[tuple[str, str], int] = {}
    for line in filter(_allowed, found):
        path, _, name = line.split(":", 2)
        counts[path, name.strip()] = counts.get((path, name.strip()), 0) + 1
    assert counts == ALLOWED


def test_scan_finds_each_way_of_marking_text_safe(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(
        "from django.utils.safestring import SafeString, mark_safe\n"
        "a = mark_safe(x)\n"
        "b = SafeString(x)\n"
        "@html_safe\n"
        "t = Template('{{ x|safe }}').render(Context({}, autoescape=False))\n"
    )
    (tmp_path / "page.html").write_text(
        "{% autoescape off %}{{ x }}{% endautoescape %}\n{{ y | safeseq }}\n"
        "{% filter upper|safe %}{{ z }}{% endfilter %}\n"
    )
    (tmp_path / "mail.txt").write_text("{% autoescape off %}{{ x }}{% endautoescape %}\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("mark_safe(x)\n")

    assert unsafe_lines(tmp_path) == [
        "app/views.py:2: mark_safe",
        "app/views.py:3: SafeString",
        "app/views.py:4: html_safe",
        "app/views.py:5: |safe",
        "app/views.py:5: autoescape=False",
        "page.html:1: autoescape off",
        "page.html:2: |safe",
        "page.html:3: |safe",
        "page.html:3: filter safe",
    ]
