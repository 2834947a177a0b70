"""Markdown typed by users (minutes, knowledge entries) rendered as safe HTML.

Two layers, on purpose: Python-Markdown is told never to pass raw HTML through (it is
escaped and shown as text), and whatever it produces is then cleaned by nh3 against a
small allow-list. Either layer alone would stop ``<script>``; together a bug in one is
not a hole in the page.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import markdown as python_markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = frozenset(
    {
        "p",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "em",
        "strong",
        "code",
        "pre",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "a",
        "hr",
        "br",
    }
)
# "*" empty: without it nh3 keeps its default lang and title on every tag.
ALLOWED_ATTRIBUTES = {"a": {"href"}, "*": set()}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

# Pages already carry their own h1 and h2: the text's top heading level becomes h3,
# whether the writer started with "#" or "##", so no heading level is skipped.
TOP_HEADING = 3

_HEADINGS = {f"h{level}" for level in range(1, 7)}
_EXTENSIONS = [
    "tables",
    "sane_lists",
    "fenced_code",
    # People type minutes line by line; without this, Japanese lines in one paragraph
    # would run together (or be joined by a stray space).
    "nl2br",
]


class _KyosoTreeprocessor(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        levels = [int(e.tag[1]) for e in root.iter() if e.tag in _HEADINGS]
        shift = TOP_HEADING - min(levels) if levels else 0
        for element in root.iter():
            if element.tag in _HEADINGS:
                level = min(int(element.tag[1]) + shift, 6)
                element.tag = f"h{level}"
            elif element.tag == "img":
                # Images are not allowed (the CSP would block other hosts anyway); keep
                # the alt text and the address as a link instead of dropping both.
                src = element.get("src", "")
                alt = element.get("alt") or src
                element.attrib.clear()
                element.tag = "a"
                element.set("href", src)
                element.text = alt


class _KyosoExtension(Extension):
    def extendMarkdown(self, md: python_markdown.Markdown) -> None:
        # Without these two, raw HTML blocks and inline tags pass through untouched;
        # deregistered, they are escaped and appear as the text the person typed.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_KyosoTreeprocessor(md), "kyoso", 5)


def render_markdown(text: str) -> SafeString:
    """Render a user's Markdown as HTML that is safe to put in a page unescaped."""
    if not text:
        return mark_safe("")
    # A fresh Markdown instance per call: instances keep state and are not thread-safe.
    html = python_markdown.Markdown(extensions=[*_EXTENSIONS, _KyosoExtension()]).convert(text)
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
    )
    return mark_safe(cleaned)  # noqa: S308 (cleaned by nh3 against the allow-list above)
