"""Two promises checked on every build, after the parts are drawn: no paper loses a word or
a picture without the officer being told, and nothing is drawn outside the page.

* Completeness: every word of a paper's source (a Word paper's: body, tables,
  notes, text boxes, content controls, equations' text, as ``word_xml``
  reads them; a Markdown paper's or a note's: its rendered text) is looked
  for, in order, in the text of the paper's drawn pages, and every picture
  the source holds is looked for among the pictures drawn.  Words are
  compared letters and digits only, case aside, so a word wrapped across two
  lines, or set in small capitals, is still found.
* Overflow: the pages on which the renderer laid a box outside the page's
  text area (found in WeasyPrint's layout, where the page furniture's own
  boxes are told apart from the paper's).

Both give warnings naming the paper and its printed page; ``--strict``
turns every warning of a build into a refusal (``build``).  The cost is one
walk over each part's layout in the worker that draws it (its text boxes,
pictures and tables), kept with the part in the cache, and a pass over the
paper's words.
"""

import re

from assembler.model import Note, Report

_SHOWN = 8  # words of a missing stretch quoted in a warning
_WORD = re.compile(r"\w+")


def paper_warnings(what, paper, part, first_page, prefix=""):
    """The warnings for one drawn paper: words or pictures of its source missing from its
    pages, and pages where it runs outside the text area.

    ``what`` names the paper; ``paper`` is its ``Report`` or ``Note``; ``part`` its drawn
    ``Part`` (with the text, pictures and overflowing pages of its layout: ``layout_findings``);
    ``first_page`` the printed number of its first page (``prefix`` before it: "S" in a
    supplement).
    """
    warnings = []
    missing = missing_words(source_words(paper), part.texts)
    if missing:
        page, words, count = missing
        warnings.append(f"{what}: {count} word{'s' if count != 1 else ''} of the paper not printed, from page "
                        f"{prefix}{first_page + page}: \"{' '.join(words)}\"")
    lost = pictures_lost(paper, part.images)
    if lost:
        warnings.append(f"{what}: {len(lost)} picture{'s' if len(lost) != 1 else ''} not printed: {', '.join(lost[:4])}")
    for page in part.overflow:
        warnings.append(f"{what}: drawn outside the page's text area on page {prefix}{first_page + page - 1}")
    return warnings


def source_words(paper):
    """The words a paper's source holds, in order (the reader's ``source_text`` when it
    keeps one, else the text of its HTML)."""
    if isinstance(paper, Report):
        text = paper.source_text or " ".join([_cover_text(paper.cover), paper.title or "", paper.body_html])
    elif isinstance(paper, Note):  # in the order the note prints them
        text = " ".join([paper.meeting or "", paper.date or "", paper.venue or ""]
                        + [f"{i.number} {i.title} {i.body_html} {i.action_html}" for i in paper.items] + [paper.body_html]
                        + [f"{row.role} " + " ".join(f"{name} {authority}" for name, authority in row.people)
                           for row in paper.attendance])
    else:
        return []
    return _WORD.findall(_html_text(text))


def _cover_text(cover):
    if cover is None:
        return ""
    people = [f"{c.name} {c.position or ''} {c.phone or ''} {c.email or ''}" for c in cover.contacts]
    return " ".join([cover.purpose or "", cover.summary_html or "", cover.recommendations_intro or "",
                     cover.action or "", *cover.recommendations_html, *people])


def _html_text(html):
    from assembler.readers.html_clean import parse_fragment

    return parse_fragment(html).text_content() if "<" in html else html


def missing_words(words, page_texts):
    """The first stretch of ``words`` not found in ``page_texts``, as (index of the page where
    it should be, its first words, how many words are missing in all); None if all are found.

    Each word is looked for from where the last one was found, then anywhere (a cover block,
    a label or a note may print elsewhere than in source order); the stretch quoted runs from
    the first missing word to the next word found in order.
    """
    pages = [_plain(text) for text in page_texts]
    drawn = "".join(pages)
    ends, total = [], 0
    for text in pages:
        total += len(text)
        ends.append(total)
    at, first, count, stretch, closed = 0, None, 0, [], False
    for word in words:
        key = word.casefold().replace("_", "")
        if not key:
            continue
        found = drawn.find(key, at)
        if found >= 0:
            at, closed = found + len(key), bool(stretch)
            continue
        if not closed and stretch and len(stretch) < _SHOWN:
            stretch.append(word)  # inside the first missing stretch, quoted whether found elsewhere or not
        if drawn.find(key) >= 0:
            continue  # printed out of source order (a cover block, a label)
        count += 1
        if first is None:
            first = next((index for index, end in enumerate(ends) if at < end), max(len(pages) - 1, 0))
            stretch.append(word)
    return (first, stretch, count) if count else None


def _plain(text):
    return "".join(_WORD.findall(text.casefold())).replace("_", "")


def pictures_lost(paper, drawn):
    """The pictures of a paper's source that are not drawn (``drawn``: how many its pages
    hold), each named by its alt text or name: first those its HTML lost, then the last."""
    if not isinstance(paper, Report):
        return []
    shown = [_alt(tag) for tag in re.findall(r"<img\b[^>]*>", paper.body_html)]
    pictures = list(paper.source_pictures) or [alt or f"picture {n}" for n, alt in enumerate(shown, 1)]
    if drawn >= len(pictures):
        return []
    lost = [picture for picture in pictures if picture not in shown]
    return (lost + [picture for picture in reversed(pictures) if picture not in lost])[:len(pictures) - drawn]


def _alt(tag):
    found = re.search(r'\balt="([^"]*)"', tag)
    return found[1] if found else ""


def layout_findings(document):
    """What a WeasyPrint ``document``'s layout shows, before it is written: the pages (1-based)
    on which a text, picture or table of the paper lies outside the page's text area (the
    page's content box; its margin boxes, the running header and band, aside), how many
    pictures its pages hold, and the text drawn on each page (its visible text boxes, in
    order).  Returns (pages, pictures, texts)."""
    from weasyprint.formatting_structure.boxes import MarginBox, ReplacedBox, TableBox, TextBox

    pages, pictures, texts = [], 0, []
    for number, page in enumerate(document.pages, 1):
        box = page._page_box
        left, top = box.content_box_x(), box.content_box_y()
        right, bottom = left + box.width, top + box.height
        outside, drawn = False, []
        for child in box.children:
            if isinstance(child, MarginBox):
                continue
            for found in child.descendants():
                if isinstance(found, TextBox):
                    if not found.text.strip() or found.style["visibility"] != "visible":
                        continue
                    drawn.append(found.text)
                elif isinstance(found, ReplacedBox):
                    pictures += 1
                elif not isinstance(found, TableBox):
                    continue
                x, y = found.border_box_x(), found.border_box_y()
                outside = outside or (x < left - _SLACK or y < top - _SLACK or x + found.border_width() > right + _SLACK
                                      or y + found.border_height() > bottom + _SLACK)
        if outside:
            pages.append(number)
        texts.append(" ".join(drawn))
    return pages, pictures, texts


def split_rows(document):
    """Table rows of a WeasyPrint ``document`` that its layout splits across pages, though kept
    together (``break-inside: avoid``): rows taller than a page, which were moved to a page of
    their own first, leaving the page before nearly empty.  Each is marked to break where it
    falls (its element's style), for a second layout; returns how many."""
    from weasyprint.formatting_structure.boxes import TableRowBox

    seen, split = set(), {}
    for page in document.pages:
        here = {id(box.element): box.element for box in page._page_box.descendants()
                if isinstance(box, TableRowBox) and box.element is not None}
        split.update({key: element for key, element in here.items() if key in seen})
        seen.update(here)
    marked = [element for element in split.values() if "break-inside" not in (element.get("style") or "")]
    for element in marked:
        element.set("style", (element.get("style") or "") + ";break-inside:auto")
    return len(marked)


_SLACK = 1.5  # CSS px: rounding, and a glyph's overhang
