"""The one sanitiser every reader passes its HTML through.

Paper content is data: scripts, styles, frames and embedded objects go with
their content, event handlers and unknown attributes are dropped, and only
http(s)/mailto links and relative or data: image sources survive (the render
stage's fetcher then decides which files an image may come from).
"""

import re

import nh3

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul", "mark",
}
_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start", "type"},
    "li": {"value", "data-label", "id"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "p": {"class"},
    "span": {"class"},
    "sup": {"id"},
    "div": {"class"},
    "table": {"class"},
    "*": {"lang"},
}
_DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "title", "svg", "math"}


def clean_html(html):
    """Return ``html`` with only the tags and attributes a report may carry."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        clean_content_tags=_DROP_WITH_CONTENT,
        url_schemes={"http", "https", "mailto", "data"},
        link_rel=None,
        strip_comments=True,
        filter_style_properties={"text-align"},  # table column alignment, and nothing else
    )


def images_without_alt(html):
    """Each image with no (or an empty) alt text: its source, or "picture N" for an embedded one."""
    missing = []
    for number, tag in enumerate(re.findall(r"<img\b[^>]*>", html), 1):
        if not re.search(r'\balt="[^"]*\S[^"]*"', tag):
            src = re.search(r'\bsrc="([^"]*)"', tag)
            embedded = not src or src[1].startswith("data:")
            missing.append(f"picture {number}" if embedded else src[1])
    return missing
