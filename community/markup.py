"""The one way user text becomes HTML: Markdown, then a strict allow-list. It runs once on save;
pages print the stored result."""

from functools import partial

import bleach
import markdown
from bleach.linkifier import LinkifyFilter, build_url_re

ALLOWED_TAGS = frozenset(
    {
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
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "th": ["align"], "td": ["align"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

MARKDOWN_EXTENSIONS = ["fenced_code", "sane_lists", "tables", "nl2br"]
# Column alignment as an `align` attribute: the allow-list drops every `style`.
MARKDOWN_CONFIG = {"tables": {"use_align_attribute": True}}


def _nofollow_ugc(attrs: dict, new: bool = False) -> dict:
    """Every link in user text is user-generated: search engines must not pass rank through it."""
    attrs[(None, "rel")] = "nofollow ugc noopener"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[
        partial(
            LinkifyFilter,
            callbacks=[_nofollow_ugc],
            skip_tags={"pre", "code"},
            # Linkify runs after the sanitizer: bare URLs must meet the same protocol allow-list.
            url_re=build_url_re(protocols=["http", "https"]),
        )
    ],
)


def render_markdown(text: str) -> str:
    # Headings h1/h2 belong to the page, not to a reply: shift "# Title" down to h3.
    # A fresh Markdown instance per call: instances keep state and are not thread-safe.
    html = markdown.markdown(
        text, extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG
    )
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(
            f"</h{level}>", f"</h{level + 2}>"
        )
    return _cleaner.clean(html)
