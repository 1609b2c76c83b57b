"""Answers' Markdown → safe HTML: rendered first, then sanitised (the other order lets
`[x](javascript:…)` and raw HTML through). static/js/markdown.js renders the streaming answer with
the same renderer (markdown-it), the same rules and the same allow-list, so nothing jumps when the
saved answer replaces it."""

import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

MARKER = re.compile(r"\[(\d{1,3})\]")


def _citation_links(state: StateCore) -> None:
    """An answer's [n] markers become links to the n-th citation (1-based), outside links and
    code; a number past the list stays text."""
    urls = state.env.get("citation_urls") or []
    for block in state.tokens:
        if block.type != "inline" or not block.children or "[" not in block.content:
            continue
        out: list[Token] = []
        in_link = 0
        for token in block.children:
            in_link += token.type == "link_open"
            in_link -= token.type == "link_close"
            if token.type != "text" or in_link or not MARKER.search(token.content):
                out.append(token)
                continue
            last = 0
            for match in MARKER.finditer(token.content):
                number = int(match.group(1))
                if not 1 <= number <= len(urls):
                    continue
                if match.start() > last:
                    out.append(_text(token.content[last : match.start()]))
                link = Token("link_open", "a", 1)
                link.attrs = {"href": urls[number - 1], "data-cite": str(number)}
                out += [link, _text(match.group(0)), Token("link_close", "a", -1)]
                last = match.end()
            if last < len(token.content):
                out.append(_text(token.content[last:]))
        block.children = out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


_renderer = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(
    ["table", "strikethrough"]
)
_renderer.core.ruler.push("citation_links", _citation_links)
TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title", "data-cite"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}


def render_markdown(text: str, citations: list[dict] | None = None) -> str:
    urls = [_web_url(c.get("url")) for c in citations or []]
    html = _renderer.render(text, {"citation_urls": urls})
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        # Links (the official pages) open beside the conversation instead of replacing it.
        set_tag_attribute_values={"a": {"target": "_blank"}},
        filter_style_properties={"text-align"},
    )


def _web_url(url) -> str:
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else "#"
