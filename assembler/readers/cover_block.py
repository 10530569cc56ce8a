"""Find the house cover block at the start of a report converted to HTML.

A council report opens with labelled sections: Purpose, Summary,
Recommendation(s), Action, then the contact officer's name, position, phone
and email.  Word authors write the labels as headings or as bold paragraphs,
and the contact details as paragraphs or a small table.  When a document
opens that way we lift those sections into a ``CoverBlock`` so the report
gets the same first page as a Markdown report; otherwise it is left alone.
"""

import re

from lxml import html as lxml_html

from assembler.model import Contact, CoverBlock
from assembler.readers.html_clean import clean_html, inner_html, parse_fragment

_SECTIONS = {"purpose": "purpose", "summary": "summary", "recommendation": "recommendations",
             "recommendations": "recommendations", "action": "action", "actions": "action"}
_CONTACT_FIELDS = {"contact officer": "name", "contact officers": "name", "contact": "name", "name": "name",
                   "position": "position", "job title": "position", "phone": "phone", "phone no": "phone",
                   "telephone": "phone", "tel": "phone", "email": "email", "e-mail": "email"}


def split_cover_block(html):
    """(CoverBlock or None, the rest of the HTML)."""
    if not html.strip():
        return None, html
    root = parse_fragment(html)
    blocks = list(root)
    start = 1 if blocks and blocks[0].tag in ("h1", "h2") and _label(blocks[0]) != "purpose" else 0
    if len(blocks) <= start or _label(blocks[start]) != "purpose":
        return None, html
    sections, contacts, index = {}, {}, start
    current = None
    while index < len(blocks):
        block = blocks[index]
        label = _label(block)
        field, inline_value = _contact_label(block)
        if label in _SECTIONS:
            current = _SECTIONS[label]
            sections.setdefault(current, [])
        elif field:
            current = ("contact", field)
            if inline_value:
                contacts.setdefault(field, []).append(inline_value)
        elif block.tag == "table" and _contact_table(block, contacts):
            current = None
        elif label is not None or block.tag in ("h1", "h2", "h3") or current is None:
            break  # the report's body starts here
        elif isinstance(current, tuple):
            contacts.setdefault(current[1], []).extend(_lines(block))
        else:
            sections[current].append(block)
        index += 1
    if "summary" not in sections and "recommendations" not in sections:
        return None, html
    body = "".join(lxml_html.tostring(block, encoding="unicode") for block in blocks[index:])
    return _cover(sections, contacts), body


def _text(element):
    return re.sub(r"\s+", " ", element.text_content()).strip()


def _label(block):
    """The section name a block announces, if it is a heading or a wholly bold paragraph."""
    text = _text(block).rstrip(":").strip().lower()
    if not text or len(text) > 40:
        return None
    if block.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return text
    bold = "".join(_text(b) for b in block.iter("strong", "b")).rstrip(":").strip().lower()
    return text if block.tag == "p" and bold == text else None


def _contact_label(block):
    """("name", "Paul Clarke") for a paragraph "Contact officer: Paul Clarke"."""
    if block.tag not in ("p", "h2", "h3", "h4", "h5", "h6"):
        return None, None
    text = _text(block)
    match = re.match(r"([A-Za-z -]{2,20}?)\s*:\s*(.*)$", text)
    if not match or match[1].lower() not in _CONTACT_FIELDS:
        return None, None
    return _CONTACT_FIELDS[match[1].lower()], match[2].strip() or None


def _contact_table(table, contacts):
    rows = [[_text(cell) for cell in row.iter("td", "th")] for row in table.iter("tr")]
    labelled = [(row[0].rstrip(":").strip().lower(), row[1:]) for row in rows if row]
    if not labelled or not all(label in _CONTACT_FIELDS for label, _ in labelled):
        return False
    for label, values in labelled:
        contacts.setdefault(_CONTACT_FIELDS[label], []).extend(value for value in values if value)
    return True


def _lines(block):
    return [line.strip() for line in block.text_content().splitlines() if line.strip()]


def _html(blocks):
    return clean_html("".join(lxml_html.tostring(block, encoding="unicode") for block in blocks))


def _plain(blocks):
    return " ".join(_text(block) for block in blocks) or None


def _cover(sections, contacts):
    recommendations = sections.get("recommendations", [])
    items = [li for block in recommendations for li in block.iter("li")]
    intro = [block for block in recommendations if block.tag == "p"]
    if items:
        recommendations_html = [clean_html(inner_html(li)) for li in items]
    else:
        recommendations_html = [clean_html(inner_html(block)) for block in intro]
        intro = []
    names = contacts.get("name", [])
    people = [
        Contact(name=name, **{key: _nth(contacts.get(key, []), n) for key in ("position", "phone", "email")})
        for n, name in enumerate(names)
    ]
    return CoverBlock(
        purpose=_plain(sections.get("purpose", [])),
        summary_html=_html(sections["summary"]) if sections.get("summary") else None,
        recommendations_html=recommendations_html,
        recommendations_intro=_plain(intro),
        action=_plain(sections.get("action", [])),
        contacts=people,
    )


def _nth(values, n):
    return values[n] if n < len(values) else None
