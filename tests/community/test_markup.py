"""render_markdown: the Markdown customers write, and the allow-list that keeps scripts out.

The XSS part renders every payload of the shared security corpora and inspects the result with
Python's own HTML parser, so the check does not trust bleach to judge bleach's output."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from community.markup import render_markdown
from community.slugs import MAX_SLUG_LENGTH, slugify_title

# /work/main/tests/community/test_markup.py → /work/shared/datasets/security
SECURITY_DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "security"
XSS_DIR = SECURITY_DATASETS / "xss"
BLNS_FILE = SECURITY_DATASETS / "naughty" / "blns.json"

# Written out here rather than imported from community.markup: widening the allow-list must be a
# deliberate change that also touches this test.
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "del",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "th": {"align"}, "td": {"align"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
FORBIDDEN_TAGS = ("script", "style", "iframe", "img", "svg")

# Browsers ignore ASCII whitespace and control characters in a URL's scheme ("java\tscript:").
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]|\s")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


def _scheme_of(href: str) -> str | None:
    """The scheme a browser would see, or None for a relative URL."""
    match = _SCHEME.match(_IGNORED_IN_URL.sub("", href).lower())
    return match.group(1) if match else None


class _Inspector(HTMLParser):
    """Collects every way the HTML breaks the allow-list."""

    def __init__(self) -> None:
        # convert_charrefs decodes entities in text and attribute values, as a browser does.
        super().__init__(convert_charrefs=True)
        self.violations: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.violations.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.violations.append(f"event handler {name} on <{tag}>")
            elif name not in ALLOWED_ATTRIBUTES.get(tag, set()):
                self.violations.append(f"attribute {name} on <{tag}>")
            if name == "href":
                # The parser has decoded entities once, exactly as a browser does. Decoding again
                # would be wrong: bleach turns "javascript&colon;" into "javascript&amp;colon;",
                # which a browser reads as a harmless relative URL.
                scheme = _scheme_of(value or "")
                if scheme is not None and scheme not in ALLOWED_SCHEMES:
                    self.violations.append(f"href with scheme {scheme!r}: {value!r}")

    handle_startendtag = handle_starttag


def violations_in(output: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(output)
    inspector.close()
    lowered = output.lower()
    # A raw-text check as well, in case html.parser and a browser disagree on what is a tag.
    inspector.violations += [f"raw <{tag}" for tag in FORBIDDEN_TAGS if f"<{tag}" in lowered]
    return inspector.violations


def _xss_files() -> list:
    files = sorted(XSS_DIR.glob("*.txt")) if XSS_DIR.is_dir() else []
    if not files:
        reason = f"XSS payload corpus not found at {XSS_DIR}"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-corpus")]
    return [pytest.param(path, id=path.stem) for path in files]


def _payloads(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(line for line in lines if line.strip()))


# Each payload is tried as written and in the two places a URL goes: a Markdown link and raw HTML.
PAYLOAD_CONTEXTS = {
    "as written": "{}",
    "markdown link": "[click]({})",
    "html link": '<a href="{}">click</a>',
}


# Basics


def test_bold_and_italic():
    assert render_markdown("**важно** и *курсив*") == (
        "<p><strong>важно</strong> и <em>курсив</em></p>"
    )


def test_bulleted_and_numbered_lists():
    assert render_markdown("- карта\n- вклад") == "<ul>\n<li>карта</li>\n<li>вклад</li>\n</ul>"
    assert render_markdown("1. раз\n2. два") == "<ol>\n<li>раз</li>\n<li>два</li>\n</ol>"


def test_inline_code_is_escaped_not_interpreted():
    assert render_markdown("Нажмите `<b>OK</b>`") == (
        "<p>Нажмите <code>&lt;b&gt;OK&lt;/b&gt;</code></p>"
    )


def test_fenced_code_block_keeps_html_as_text():
    assert render_markdown("```\n<script>alert(1)</script>\n```") == (
        "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>"
    )


def test_single_newline_becomes_a_line_break():
    assert render_markdown("строка 1\nстрока 2") == "<p>строка 1<br>\nстрока 2</p>"


def test_blockquote_and_rule():
    assert render_markdown("> цитата\n\n---") == "<blockquote>\n<p>цитата</p>\n</blockquote>\n<hr>"


def test_empty_text_renders_to_nothing():
    assert render_markdown("") == ""


def test_markdown_link_gets_rel_nofollow_ugc():
    assert render_markdown("[тарифы](https://example.com/tariffs)") == (
        '<p><a href="https://example.com/tariffs" rel="nofollow ugc noopener">тарифы</a></p>'
    )


def test_link_title_is_kept():
    assert 'title="Тарифы"' in render_markdown('[т](https://example.com "Тарифы")')


def test_relative_and_mailto_links_keep_their_href():
    assert 'href="/kb/limits"' in render_markdown("[лимиты](/kb/limits)")
    assert 'href="mailto:help@example.com"' in render_markdown("[почта](mailto:help@example.com)")


def test_raw_html_link_gets_rel_nofollow_ugc_too():
    output = render_markdown('<a href="https://example.com" rel="author">банк</a>')
    assert output == '<p><a href="https://example.com" rel="nofollow ugc noopener">банк</a></p>'


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("см. https://example.com/limits", "https://example.com/limits"),
        ("см. http://example.com", "http://example.com"),
        ("см. www.example.com", "http://www.example.com"),
        ("https://example.com/a?x=1&y=2", "https://example.com/a?x=1&amp;y=2"),
    ],
)
def test_bare_url_becomes_a_nofollow_link(text, href):
    assert f'<a href="{href}" rel="nofollow ugc noopener">' in render_markdown(text)


def test_url_inside_code_is_not_linkified():
    assert render_markdown("`https://example.com`") == "<p><code>https://example.com</code></p>"


@pytest.mark.parametrize(
    ("text", "html_output"),
    [
        ("# Заголовок", "<h3>Заголовок</h3>"),
        ("## Подзаголовок", "<h4>Подзаголовок</h4>"),
        ("Заголовок\n=========", "<h3>Заголовок</h3>"),
        ("Подзаголовок\n------------", "<h4>Подзаголовок</h4>"),
        ("<h1>Заголовок</h1>", "<h3>Заголовок</h3>"),
        ("<h2>Заголовок</h2>", "<h4>Заголовок</h4>"),
        ("### Раздел", "<h3>Раздел</h3>"),
        ("#### Раздел", "<h4>Раздел</h4>"),
        ("###### Раздел", "<h6>Раздел</h6>"),
    ],
)
def test_page_level_headings_are_shifted_below_the_page_title(text, html_output):
    assert render_markdown(text) == html_output


def test_table():
    output = render_markdown("| Тариф | Цена |\n|---|---|\n| Базовый | 0 ₽ |")
    assert output == (
        "<table>\n<thead>\n<tr>\n<th>Тариф</th>\n<th>Цена</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>Базовый</td>\n<td>0 ₽</td>\n</tr>\n</tbody>\n</table>"
    )


def test_table_column_alignment_survives_sanitizing():
    output = render_markdown("| Тариф | Цена |\n|:---|---:|\n| Базовый | 0 ₽ |")
    assert '<th align="left">Тариф</th>' in output
    assert '<td align="right">0 ₽</td>' in output


# Sanitizing, hand-picked


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        '<iframe src="https://evil.example.com"></iframe>',
        "<style>body{display:none}</style>",
        '<a href="https://example.com" onclick="steal()">банк</a>',
        '<span style="position:fixed">поверх страницы</span>',
        '<p class="x" id="y">атрибуты</p>',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x](  javascript:alert(1))",
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="javascript&colon;alert(1)">x</a>',
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
        '[x]: javascript:alert(1) "t"\n\n[клик][x]',
    ],
)
def test_dangerous_markup_is_neutralized(text):
    assert violations_in(render_markdown(text)) == []


def test_stripped_script_leaves_no_tag_behind():
    output = render_markdown("<script>alert(1)</script>Привет")
    assert "<script" not in output
    assert "<p>Привет</p>" in output


def test_disallowed_link_scheme_loses_its_href_but_keeps_the_text():
    assert render_markdown("[x](javascript:alert(1))") == (
        '<p><a rel="nofollow ugc noopener">x</a></p>'
    )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example.com/tariffs.pdf",
        "ssh://example.com",
        "telnet://example.com",
        "irc://chat.example.com",
        "webcal://example.com/calendar",
        "data://example.com/x",
    ],
)
def test_bare_url_with_a_disallowed_scheme_is_not_linkified(url):
    assert violations_in(render_markdown(f"Смотрите {url}")) == []


# Sanitizing, every payload of the shared corpora


@pytest.mark.parametrize("path", _xss_files())
def test_no_xss_payload_survives_rendering(path):
    failures = []
    for payload in _payloads(path):
        for context, template in PAYLOAD_CONTEXTS.items():
            output = render_markdown(template.format(payload))
            if found := violations_in(output):
                failures.append(f"{context}: {payload!r}\n  → {output!r}\n  {found}")
    assert not failures, f"{len(failures)} payloads got through:\n" + "\n".join(failures[:20])


def _naughty_strings() -> list[str]:
    if not BLNS_FILE.is_file():
        pytest.skip(f"Big List of Naughty Strings not found at {BLNS_FILE}")
    return json.loads(BLNS_FILE.read_text(encoding="utf-8"))


def test_naughty_strings_render_safely():
    failures = []
    for text in _naughty_strings():
        output = render_markdown(text)
        if found := violations_in(output):
            failures.append(f"{text!r}\n  → {output!r}\n  {found}")
    assert not failures, f"{len(failures)} strings got through:\n" + "\n".join(failures[:20])


def test_naughty_strings_give_valid_slugs():
    bad = {}
    for text in _naughty_strings():
        slug = slugify_title(text)
        if not (re.fullmatch(r"[a-z0-9_-]+", slug) and len(slug) <= MAX_SLUG_LENGTH):
            bad[text] = slug
    assert bad == {}
