"""The sanitiser over an XSS corpus: nothing executable survives, and cleaning is
idempotent (clean(clean(x)) == clean(x))."""

from __future__ import annotations

import re

import pytest

from events.integrations.sanitize import (
    BLUESKY_LINKS,
    X_LINKS,
    bluesky_facets,
    clean_html,
    text_to_html,
)

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<p onclick=alert(1)>click</p>",
    '<a href="javascript:alert(1)">js</a>',
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<a href="jav&#x09;ascript:alert(1)">entity tab</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    "<svg onload=alert(1)><circle r=1></circle></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<style>body{background:url(javascript:alert(1))}</style><p>styled</p>",
    '<p style="background:url(javascript:alert(1))">inline style</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="https://evil.example"><input name=x></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<p>unclosed <b>bold <i>italic",
    "</p></div><p>stray closers</p>",
    "<!-- <script>alert(1)</script> -->comment",
    '<a href="https://ok.example" target="_blank" onmouseover="alert(1)">link</a>',
    '<span class="h-card evil" style="position:fixed">card</span>',
    '<a href="https://ok.example" rel="opener">rel override</a>',
    "<details open ontoggle=alert(1)>x</details>",
    "<video><source onerror=alert(1)></video>",
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<a href="/relative/path">relative</a>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]

DANGEROUS = [
    re.compile(r"<\s*script", re.IGNORECASE),
    re.compile(r"\son\w+\s*=", re.IGNORECASE),
    re.compile(r"javascript:", re.IGNORECASE),
    re.compile(r"vbscript:", re.IGNORECASE),
    re.compile(r"data:", re.IGNORECASE),
    re.compile(r"<\s*(svg|math|style|iframe|object|embed|form|meta|base|img|video)", re.IGNORECASE),
    re.compile(r"style\s*=", re.IGNORECASE),
    re.compile(r"target\s*=", re.IGNORECASE),
]


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_clean_html_leaves_nothing_executable(payload):
    cleaned = clean_html(payload)

    assert [p.pattern for p in DANGEROUS if p.search(cleaned)] == []


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_clean_html_is_idempotent(payload):
    once = clean_html(payload)

    assert clean_html(once) == once


@pytest.mark.parametrize("payload", XSS_CORPUS)
@pytest.mark.parametrize("style", [X_LINKS, BLUESKY_LINKS], ids=["x", "bluesky"])
def test_text_to_html_escapes_payloads_as_text(payload, style):
    rendered = text_to_html(payload, style=style)

    # Plain text stays text: the only tags are ours, with our attributes only.
    markup = re.findall(r"<[^>]*>", rendered)  # text "<" is escaped, so these are tags
    tags = {re.match(r"</?([a-z]+)", tag).group(1) for tag in markup}
    attributes = {name for tag in markup for name in re.findall(r"\s([a-z-]+)=", tag)}
    assert (tags - {"p", "br", "a"}, attributes - {"href", "class", "rel"}) == (set(), set())
    assert clean_html(rendered) == rendered


def test_clean_html_keeps_mastodon_markup_and_forces_link_rel():
    content = (
        '<p><span class="h-card" translate="no"><a href="https://social.example/@city" '
        'class="u-url mention" rel="tag">@<span>city</span></a></span> yes! '
        '<a href="https://social.example/tags/CivicTest" class="mention hashtag" rel="tag">'
        '#<span>CivicTest</span></a> <a href="https://ex.example/long" target="_blank">'
        '<span class="invisible">https://</span><span class="ellipsis">ex.example/lo</span>'
        '<span class="invisible">ng</span></a></p>'
    )

    assert clean_html(content) == (
        '<p><span class="h-card" translate="no"><a href="https://social.example/@city" '
        'class="u-url mention" rel="nofollow noopener noreferrer">@<span>city</span></a></span> '
        'yes! <a href="https://social.example/tags/CivicTest" class="mention hashtag" '
        'rel="nofollow noopener noreferrer">#<span>CivicTest</span></a> '
        '<a href="https://ex.example/long" rel="nofollow noopener noreferrer">'
        '<span class="invisible">https://</span><span class="ellipsis">ex.example/lo</span>'
        '<span class="invisible">ng</span></a></p>'
    )


def test_clean_html_drops_unsafe_link_schemes_but_keeps_mailto():
    cleaned = clean_html(
        '<a href="javascript:alert(1)">a</a><a href="mailto:311@city.example">b</a>'
    )

    assert cleaned == (
        '<a rel="nofollow noopener noreferrer">a</a>'
        '<a href="mailto:311@city.example" rel="nofollow noopener noreferrer">b</a>'
    )


def test_text_to_html_links_urls_hashtags_and_mentions_for_x():
    rendered = text_to_html(
        "Hi @City_311, see https://city.example/a?b=1&c=2. #Parks\nbye", style=X_LINKS
    )

    assert rendered == (
        '<p>Hi <a href="https://x.com/City_311" class="u-url mention" '
        'rel="nofollow noopener noreferrer">@City_311</a>, see '
        '<a href="https://city.example/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">'
        "https://city.example/a?b=1&amp;c=2</a>. "
        '<a href="https://x.com/hashtag/Parks" class="mention hashtag" '
        'rel="nofollow noopener noreferrer">#Parks</a><br>bye</p>'
    )


def test_text_to_html_does_not_link_javascript_urls():
    rendered = text_to_html("javascript:alert(1) and <b>bold</b>", style=X_LINKS)

    assert rendered == "<p>javascript:alert(1) and &lt;b&gt;bold&lt;/b&gt;</p>"


def test_bluesky_facet_splitting_a_character_falls_back_to_patterns():
    text = "é #Tag"
    facets = bluesky_facets(
        [{"index": {"byteStart": 1, "byteEnd": 7}, "features": [{"$type": "x#tag", "tag": "Tag"}]}]
    )

    rendered = text_to_html(text, style=BLUESKY_LINKS, facets=facets)

    assert rendered == (
        '<p>é <a href="https://bsky.app/hashtag/Tag" class="mention hashtag" '
        'rel="nofollow noopener noreferrer">#Tag</a></p>'
    )


def test_bluesky_link_facet_with_a_javascript_uri_is_ignored():
    text = "click me"
    facets = bluesky_facets(
        [
            {
                "index": {"byteStart": 0, "byteEnd": 8},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "javascript:x()"}],
            }
        ]
    )

    assert (facets, text_to_html(text, style=BLUESKY_LINKS, facets=facets)) == (
        [],
        "<p>click me</p>",
    )
