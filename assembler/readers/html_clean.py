"""The one sanitiser every reader passes its HTML through.

Paper content is data: scripts, styles, frames and embedded objects go with
their content, event handlers and unknown attributes are dropped (``rel``
too, so ``<a rel=attachment>`` embeds nothing), links keep only http(s),
mailto and in-page targets, and an image keeps its source only when it is a
relative path or a data: URL.  The render stage's fetcher then decides which
files inside the pack an image may come from.
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
    "ol": {"start", "type", "class"},
    "ul": {"class"},
    "li": {"value", "data-label", "id"},  # data-label: the reader's label, printed by _label_lists
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
    """Return ``html`` with only the tags and attributes a report may carry, and nothing
    its author hid (``hidden_parts``).

    Raises ``TooDeep`` for HTML whose elements nest more than ``MAX_DEPTH`` deep.
    """
    _bounded_nesting(html, RAW_DEPTH)
    cleaned = nh3.clean(
        drop_hidden(html)[0],
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        clean_content_tags=_DROP_WITH_CONTENT,
        url_schemes={"http", "https", "mailto", "data"},
        link_rel=None,
        strip_comments=True,
        filter_style_properties={"text-align"},  # table column alignment, and nothing else
        attribute_filter=_keep_attribute,
    )
    _bounded_nesting(cleaned)
    cleaned = re.sub(r"<img\b(?![^>]*\bsrc=)[^>]*>", "", cleaned)  # an image whose source went
    long_strings = _LONG_TEXT.search(cleaned)
    if ("<table" in cleaned or "<ol" in cleaned or "data-label" in cleaned or long_strings
            or _TYPED_START.search(cleaned)):
        root = parse_fragment(_CONTROL.sub("", cleaned))  # control characters print nothing, and lxml refuses them
        _number_paragraphs(root)
        _align_figures(root)
        _mark_group_rows(root)
        _label_lists(root)
        if long_strings:
            _breakable(root)
        cleaned = inner_html(root)
    return _SUBHEAD.sub(r'<p class="subhead">\1</p>', cleaned)


MAX_DEPTH = 64  # elements within elements: a report's deepest (a list of 9 levels in a table in a table) is
# under 40; WeasyPrint's layout recurses some 20 calls for each level, and stops (RecursionError) past 50
# tables within tables, 70 lists within lists or 150 divisions within divisions
RAW_DEPTH = 4 * MAX_DEPTH  # the same, counted roughly in a paper's own HTML before it is parsed
_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?:"[^"]*"|'[^']*'|[^>"'])*>""")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
         "wbr"}
# elements whose end tag may be left out (HTML 13.1.2.4), and those within which one of them
# ends the one before it: a parser closes them itself
_ENDS_BEFORE = {name: (kin, scope) for kin, scope in (
    ({"p"}, {"div", "blockquote", "li", "td", "th", "dd", "section", "article", "aside", "body", "table"}),
    ({"li"}, {"ul", "ol", "menu"}), ({"dt", "dd"}, {"dl"}), ({"tr"}, {"table"}), ({"td", "th"}, {"tr", "table"}),
    ({"thead", "tbody", "tfoot"}, {"table"}), ({"option"}, {"select", "datalist"})) for name in kin}


class TooDeep(ValueError):
    """HTML whose elements nest more than ``MAX_DEPTH`` deep (the reader names the file)."""

    def __str__(self):
        return (f"nests its content more than {MAX_DEPTH} levels deep (sections, lists, quotations or tables "
                "within one another), which no report needs and the pages cannot be laid out from; refused")


def _bounded_nesting(html, limit=MAX_DEPTH):
    """Raise ``TooDeep`` if the elements of ``html`` nest more than ``limit`` deep.

    On the sanitiser's output (every element closed) the count is exact.  On a
    paper's own HTML it is taken before parsing, whose time grows with the depth
    times the length (100,000 divisions within one another take minutes), as a
    parser would nest them: an end tag closes what is open within its element,
    and a paragraph, list item, row or cell ends the one before it in the same
    list or table; the limit is then ``RAW_DEPTH``.
    """
    open_elements = []
    for match in _TAG.finditer(html):
        name = match[2].lower()
        if name in _VOID:
            continue
        if match[1]:
            if name in open_elements:
                del open_elements[len(open_elements) - 1 - open_elements[::-1].index(name):]
            continue
        if name in _ENDS_BEFORE:
            kin, scope = _ENDS_BEFORE[name]
            for at in range(len(open_elements) - 1, -1, -1):
                if open_elements[at] in scope:
                    break
                if open_elements[at] in kin:
                    del open_elements[at:]
                    break
        open_elements.append(name)
        if len(open_elements) > limit:
            raise TooDeep()


# A short paragraph all in bold is a subheading as authors type them ("Discussion", "Financial
# implications"): marked, so that it is kept with what follows it (pack.css), as a heading is.
_SUBHEAD = re.compile(r"<p>(<(strong|b)>[^<]{1,80}</\2>)</p>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LONG_TEXT = re.compile(r">[^<]*?[^\s<>]{%d}" % 25)  # an unbroken string in a text, not in an attribute
_LONG = re.compile(r"\S{25,}")
_BREAK_AFTER = re.compile(r"([/\\._@?&=#:;,+-])(?=\S)")
_UNBROKEN = re.compile(r"[^/\\._@?&=#:;,+\u200b-]{20}(?=[^\s\u200b])")


def _breakable(root):
    """Let long unbroken strings (paths, e-mail addresses, URLs, file names) wrap, in
    paragraphs and table cells alike: a zero-width space after each of their separators,
    and every 20 characters without one.  (CSS ``overflow-wrap: anywhere`` would do it,
    but makes WeasyPrint lay out a table of long cells many times slower.)"""

    def breakable(match):
        return _UNBROKEN.sub("\\g<0>\u200b", _BREAK_AFTER.sub("\\1\u200b", match[0]))

    for element in root.iter():
        if element.tag in ("pre", "code"):
            continue
        if element.text:
            element.text = _LONG.sub(breakable, element.text)
        if element.tail and element is not root:
            element.tail = _LONG.sub(breakable, element.tail)


def _label_lists(root):
    """Print every numbered list item's label as text at the start of its first line: Word's
    (``data-label``, set by the reader: a number, or a bullet that means something, ☐ or ☒)
    or the list's own number (``98.``); and give every such list a gutter class as wide as its widest label (``labels-N``, N characters), so
    that no label runs into its text.  As text, a label is read back (and read aloud) with its
    item, in order."""
    from lxml.html import Element

    from assembler.readers.word_numbering import format_number

    kinds = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}
    for ol in root.iter("ol", "ul"):
        number = _int(ol.get("start"), 1) - 1
        widest = 1
        if ol.tag == "ul" and all(li.get("data-label") is None for li in ol.iterchildren("li")):
            continue  # bullets: the house style's own
        for li in ol.iterchildren("li"):
            number = _int(li.get("value"), number + 1)
            done = li.xpath("./span[@class='label']|./*[1]/span[@class='label']")
            if done:  # cleaned before
                widest = max(widest, len(done[0].text or ""))
                continue
            label = li.attrib.pop("data-label", None)
            if label is None:
                label = format_number(number, kinds.get(ol.get("type"), "decimal")) + "." if ol.tag == "ol" else "•"
            widest = max(widest, len(label))
            span = Element("span", {"class": "label"})
            span.text = label
            first = li[0] if len(li) and not (li.text or "").strip() else None
            holder = first if first is not None and first.tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6") else li
            span.tail = (" " if holder.text else "") + (holder.text or "").lstrip()
            holder.text = None
            holder.insert(0, span)
        ol.set("class", f"labels-{min(widest, 12)}")


def _int(text, default):
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


# A paragraph opening with a typed number of two to six parts, none with a leading zero
# ("3.1", "3.1.2.1."; not "1.05"), each of one to three digits (so never a date such as
# "12.3.2024"), then a space or tab: the word after it is judged by _is_paragraph_number.
_TYPED_START = re.compile(r"<p>\s*[1-9]\d{0,2}\.\d")
_TYPED_NUMBER = re.compile(r"\s*([1-9]\d{0,2}(?:\.(?:0|[1-9]\d{0,2})){1,5})(\.?)(\s+)(\S*)")
# what follows a figure, never a paragraph's text: "2.5 million people", "1.5 per cent", "10.30 am"
_QUANTITY_WORDS = {
    "thousand", "million", "millions", "billion", "billions", "trillion", "bn", "m", "k", "per", "percent",
    "pc", "hectare", "hectares", "ha", "acre", "acres", "km", "kilometres", "mile", "miles", "metre", "metres",
    "m2", "m²", "sq", "square", "cubic", "tonne", "tonnes", "kg", "litres", "mph", "hour", "hours", "hrs",
    "minutes", "mins", "days", "weeks", "months", "years", "yrs", "times", "x", "am", "pm", "fte", "points",
    "pence", "p", "degrees",
}


def _number_paragraphs(root):
    """Mark each paragraph that opens with a typed number (``3.1``, ``3.1.1.1.``: Word's
    numbering retyped, or a Markdown report's) with its level, its number apart, so that
    pack.css indents it under its parent as Word indents its own list levels.  Paragraphs in
    table cells are left alone (a cell is too narrow to indent).  Which numbers count is
    _is_paragraph_number's rule."""
    from lxml.html import Element

    found = []
    for p in root.iter("p"):
        match = _TYPED_NUMBER.match(p.text or "")
        if match and p.get("class") is None and not any(cell.tag in ("td", "th") for cell in p.iterancestors()):
            word = match[4]
            if not word and len(p):  # "3.1 <strong>Housing</strong>"
                word = ((p[0].text or "").split() or [""])[0]
            found.append((p, match, word))
    numbers = {tuple(match[1].split(".")) for _, match, word in found
               if word.strip(".,;:").lower() not in _QUANTITY_WORDS}
    for p, match, word in found:
        parts = tuple(match[1].split("."))
        if not _is_paragraph_number(parts, match[2], match[3], word, numbers):
            continue
        p.set("class", f"numbered level-{min(len(parts), 4)}")
        span = Element("span", {"class": "number"})
        span.text = match[1] + match[2]
        span.tail = " " + p.text[match.end(3):]
        p.text = None
        p.insert(0, span)


def _is_paragraph_number(parts, stop, space, word, numbers):
    """Whether a paragraph opening with the typed number ``parts`` (``("3", "1", "2")``) is a
    numbered paragraph, given its closing full stop (``"."`` or ``""``), the space after it,
    the word after that, and the numbers every paragraph of the paper opens with.

    A number is a paragraph's when it closes with a full stop (``3.1.2. not started``), when a
    tab follows it, or when a capital, a quotation mark or a bracket follows (``3.1 Housing``,
    ``3.2 (a)``).  Council reports carry on their sentences in lower case (``3.1.1 set the
    spatial strategy``, ``3.1.1.1 of which``), as a figure does (``2.5 million people``): a
    number followed by a small letter or a digit counts when the paper has its parent, a
    sibling or a child too (``3.1``, ``3.1.2``, ``3.1.1.1``), and never when a word of quantity
    follows it (``million``, ``per cent``, ``hectares``, ``am``)."""
    if stop or "\t" in space:
        return True
    if not word or word.strip(".,;:").lower() in _QUANTITY_WORDS:
        return False
    if word[0].isupper() or word[0] in "\"“‘'([":
        return True
    if word[0].islower() or word[0].isdigit():
        return any(other != parts and (other[:-1] == parts[:-1] or other == parts[:-1] or other[:-1] == parts)
                   for other in numbers)
    return False


_FIGURE = re.compile(r"\(?[£$€]?[-+−–]?[£$€]?\d[\d,]*(\.\d+)?\s?(%|[mk]|bn)?\)?")
_NOTHING = re.compile(r"[-–—]?|n/?a", re.I)


def parse_fragment(html):
    """A paper's HTML as one lxml element (a ``div``); a picture's data URL may run to many
    megabytes, which lxml's parser would otherwise cut off, with all that follows."""
    from lxml import html as lxml_html

    return lxml_html.fragment_fromstring(html, create_parent="div", parser=_huge_parser())


def inner_html(element):
    """The HTML inside ``element``."""
    from lxml import html as lxml_html

    return (element.text or "") + "".join(lxml_html.tostring(child, encoding="unicode") for child in element)


def _huge_parser():
    from lxml import html as lxml_html

    return lxml_html.HTMLParser(huge_tree=True)


def _align_figures(root):
    """Right-align the columns of figures in a table (every cell under the head a number,
    an amount, a percentage or a dash), as a reader of accounts expects, unless the paper
    aligned the table itself.  Tables with merged cells are left as they are."""
    for table in root.iter("table"):
        rows = [[cell for cell in row if cell.tag in ("td", "th")] for row in table.xpath("./tr|./*/tr")]
        cells = [cell for row in rows for cell in row]
        if (not rows or any(cell.get("colspan", "1") != "1" or cell.get("rowspan", "1") != "1" or cell.get("style")
                            for cell in cells) or len({len(row) for row in rows}) != 1):
            continue
        body = [row for row in rows if not all(cell.tag == "th" for cell in row)]
        if body and not any(_FIGURE.fullmatch(_cell_text(cell)) for cell in body[0]):
            body = body[1:]  # a first row of words is the table's head, marked so or not
        for column in range(len(rows[0])):
            texts = [_cell_text(row[column]) for row in body]
            if any(_FIGURE.fullmatch(text) for text in texts) and all(
                    _FIGURE.fullmatch(text) or _NOTHING.fullmatch(text) for text in texts):
                for row in rows:
                    row[column].set("style", "text-align: right")


def _mark_group_rows(root):
    """Mark each group heading row of a table (``class="group"``), which pack.css keeps on a
    page with the row under it: a row under the table's head whose first cell alone holds
    anything (``| **Fairfield ward** | | | |``), or whose one cell spans every column (Word's
    merged row).  A table of one column has none; a table's last row heads nothing."""
    for table in root.iter("table"):
        rows = [(row, [cell for cell in row if cell.tag in ("td", "th")]) for row in table.xpath("./tr|./*/tr")]
        rows = [(row, cells) for row, cells in rows if cells and row.getparent().tag != "thead"]
        width = max((sum(_int(cell.get("colspan"), 1) for cell in cells) for _, cells in rows), default=0)
        if width < 2:
            continue
        for row, cells in rows[:-1]:
            if not _holds_something(cells[0]):
                continue
            spans_all = len(cells) == 1 and _int(cells[0].get("colspan"), 1) >= width
            if spans_all or len(cells) > 1 and not any(_holds_something(cell) for cell in cells[1:]):
                row.set("class", "group")


def _holds_something(cell):
    return bool(_cell_text(cell)) or cell.find(".//img") is not None


_HIDING = {"display": {"none"}, "visibility": {"hidden", "collapse"}, "content-visibility": {"hidden"}}


def drop_hidden(html):
    """``html`` without the elements its author hid (the ``hidden`` attribute, a style of
    ``display: none``, ``visibility: hidden`` or ``collapse``, ``content-visibility:
    hidden``, however written: ``_hides``): the sanitiser drops those attributes, which
    would print the hidden text.  Returns the HTML and how many elements went."""
    if not re.search(r"hidden|style", html, re.I):
        return html, 0
    root = parse_fragment(html)
    doomed = [element for element in root.iter() if isinstance(element.tag, str) and element is not root
              and (element.get("hidden") is not None or _hides(element.get("style") or ""))]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()
    return inner_html(root), len(doomed)


def _hides(style):
    """Whether a ``style`` attribute hides its element, read as a browser reads it (CSS
    Syntax Level 3, by tinycss2: escapes, comments, case and spaces undone; of several
    declarations of a property the last valid one counts, an ``!important`` one before
    any other, CSS Cascade Level 4 §6.4)."""
    import tinycss2

    final = {}
    for declaration in tinycss2.parse_blocks_contents(style, skip_comments=True, skip_whitespace=True):
        name = getattr(declaration, "lower_name", None)
        if declaration.type != "declaration" or name not in _HIDING:
            continue
        words = [token for token in declaration.value if token.type not in ("whitespace", "comment")]
        if not words or any(token.type != "ident" for token in words):
            continue  # not a keyword: an invalid declaration, which a browser ignores
        if not final.get(name, (False,))[0] or declaration.important:
            final[name] = (declaration.important, " ".join(token.lower_value for token in words))
    return any(value in _HIDING[name] for name, (_, value) in final.items())


def outside_references(html):
    """Images and stylesheets a paper's raw HTML points at outside itself: the officer is told."""
    found = []
    for tag in re.findall(r"<(?:img|link)\b[^>]*>", html, re.I):
        source = re.search(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", tag, re.I)
        if source and _keep_attribute("img", "src", source[1]) is None or tag.lower().startswith("<link"):
            found.append(source[1] if source else tag)
    return found


def _keep_attribute(element, attribute, value):
    """An image comes from the paper itself (a relative path or data: URL), never from elsewhere."""
    if element == "img" and attribute == "src":
        local = value.startswith("data:image/") or not re.match(r"^([a-z][a-z0-9+.-]*:|//|/|\\)", value, re.I)
        return value if local else None
    return value


def images_without_alt(html):
    """Each image with no (or an empty) alt text: its source, or "picture N" for an embedded one."""
    missing = []
    for number, tag in enumerate(re.findall(r"<img\b[^>]*>", html), 1):
        if not re.search(r'\balt="[^"]*\S[^"]*"', tag):
            src = re.search(r'\bsrc="([^"]*)"', tag)
            embedded = not src or src[1].startswith("data:")
            missing.append(f"picture {number}" if embedded else src[1])
    return missing


def _cell_text(cell):
    return " ".join(cell.text_content().split())


def own_title(html):
    """A paper's own title, if its HTML starts with a top heading: (its HTML, the rest).

    The pack prints the agenda's title above every paper, and the paper's own
    only where it says more (see the ``repeats`` template filter).  A bookmark
    in the heading (``<a id>``, a table of contents' target) stays in the
    body; a heading with a picture, a link or a note in it is left alone.
    """
    match = re.match(r"\s*<h1>(.*?)</h1>", html, flags=re.S)
    if match is None:
        return None, html
    anchors = "".join(re.findall(r"<a id=\"[^\"]*\">\s*</a>", match[1]))
    inner = re.sub(r"<a id=\"[^\"]*\">\s*</a>", "", match[1]).strip()
    if not inner or re.search(r"<(?!/?(b|i|em|strong|u|span|sub|sup)\b)", inner):
        return None, html
    return inner, anchors + html[match.end():]
