"""The small Markdown subset that organisers and moderators write in: paragraphs, line breaks,
emphasis, lists, links and (for articles) headings and quotes. Raw HTML is never passed through:
markdown-it escapes it, and nh3 then keeps only the tags and attributes listed here, so a page can
mark the result safe."""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).disable(
    ["image", "code", "fence", "html_block", "html_inline"]
)

TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "a", "h2", "h3", "blockquote", "code"}


def render(text: str) -> SafeString:
    """Markdown → sanitised HTML. Links keep only http(s) and mailto addresses and never send
    a referrer."""
    html = _parser.render(text or "")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - nh3 has just removed everything not allowed above
