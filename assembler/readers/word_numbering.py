"""List numbers as Word shows them.

mammoth turns numbered paragraphs into ``<ol>`` lists but starts each new
list at 1, so a list interrupted by a bullet list or a table restarts, and
multi-level labels such as ``2.1.`` are lost.  Here we follow Word's own
rules over ``word/document.xml`` and ``word/numbering.xml``: counters belong
to the abstract numbering, a ``w:num`` with a start override restarts it the
first time it is used, a level restarts when a higher level advances, and
each label is built from the level's ``lvlText`` (``%1.%2.``) and format.
"""

from dataclasses import dataclass

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
_MAX_LEVELS = 9


@dataclass(frozen=True)
class Level:
    start: int
    fmt: str
    text: str
    restart: int | None = None  # w:lvlRestart: restart after this (1-based) level; 0 = never
    font: str | None = None  # the level's own font (w:rPr/w:rFonts), for a bullet set in a symbol font


@dataclass(frozen=True)
class NumberedParagraph:
    label: str | None  # None for a bullet
    ordered: bool
    heading: bool  # mammoth makes it a heading, not a list item (unnumbered headings are listed too)


def parse_xml(data):
    return etree.fromstring(data, _PARSER)


def numbered_paragraphs(document_xml, numbering_xml, styles_xml=None):
    """Every paragraph that Word numbers, in document order, with its label."""
    if numbering_xml is None:
        return []
    abstract_levels, num_to_abstract, overrides = _read_numbering(parse_xml(numbering_xml))
    style_numbering, heading_styles = _read_styles(parse_xml(styles_xml)) if styles_xml else ({}, set())
    counters = {}
    started_nums = set()
    found = []
    body = parse_xml(document_xml).find(f"{W}body")
    if body is None:
        return []
    for paragraph in body.iter(f"{W}p"):
        if _deleted(paragraph):
            continue
        style = _style_id(paragraph)
        heading = style.lower().replace(" ", "") in heading_styles if style else False
        num_id, level = _numbering_of(paragraph, style, style_numbering)
        abstract = num_to_abstract.get(num_id) if num_id not in (None, "0") else None
        levels = abstract_levels.get(abstract, {})
        if abstract is None or level not in levels:
            if heading:
                found.append(NumberedParagraph(None, False, True))
            continue
        counter = counters.setdefault(abstract, [None] * _MAX_LEVELS)
        if num_id not in started_nums:
            started_nums.add(num_id)
            for overridden in overrides.get(num_id, {}):
                counter[overridden] = None
        start = overrides.get(num_id, {}).get(level, levels[level].start)
        counter[level] = start if counter[level] is None else counter[level] + 1
        for deeper in range(level + 1, _MAX_LEVELS):
            rule = levels.get(deeper)
            if rule is None or rule.restart != 0:
                counter[deeper] = None
        ordered = levels[level].fmt != "bullet"
        label = _label(levels, counter, level) if ordered else _bullet_mark(levels[level])
        found.append(NumberedParagraph(label, ordered, heading))
    return found


def _deleted(paragraph):
    return any(ancestor.tag == f"{W}del" for ancestor in paragraph.iterancestors())


def _style_id(paragraph):
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return style.get(f"{W}val") if style is not None else None


def _numbering_of(paragraph, style, style_numbering):
    num_pr = paragraph.find(f"{W}pPr/{W}numPr")
    if num_pr is not None:
        num_id = _val(num_pr.find(f"{W}numId"))
        level = _val(num_pr.find(f"{W}ilvl"))
        if num_id is not None:
            return num_id, _int(level, 0)
    if style in style_numbering:
        return style_numbering[style]
    return None, 0


def _read_numbering(root):
    abstract_levels = {}
    for abstract in root.iter(f"{W}abstractNum"):
        levels = {}
        for level in abstract.iter(f"{W}lvl"):
            index = _int(level.get(f"{W}ilvl"), 0)
            restart = level.find(f"{W}lvlRestart")
            levels[index] = Level(
                start=_int(_val(level.find(f"{W}start")), 1),
                fmt=_val(level.find(f"{W}numFmt")) or "decimal",
                text=_val(level.find(f"{W}lvlText")) or "",
                restart=_int(_val(restart), None) if restart is not None else None,
                font=_font(level.find(f"{W}rPr/{W}rFonts")),
            )
        abstract_levels[abstract.get(f"{W}abstractNumId")] = levels
    num_to_abstract, overrides = {}, {}
    for num in root.iter(f"{W}num"):
        num_id = num.get(f"{W}numId")
        num_to_abstract[num_id] = _val(num.find(f"{W}abstractNumId"))
        for override in num.iter(f"{W}lvlOverride"):
            start = override.find(f"{W}startOverride")
            if start is not None:
                overrides.setdefault(num_id, {})[_int(override.get(f"{W}ilvl"), 0)] = _int(_val(start), 1)
    return abstract_levels, num_to_abstract, overrides


def _read_styles(root):
    numbering, headings = {}, set()
    for style in root.iter(f"{W}style"):
        style_id = style.get(f"{W}styleId")
        name = _val(style.find(f"{W}name")) or ""
        if name.lower().replace(" ", "") in {f"heading{n}" for n in range(1, 7)} | {"title"}:  # mammoth's h1-h6
            headings.add(style_id.lower())
        num_pr = style.find(f"{W}pPr/{W}numPr")
        if num_pr is not None and _val(num_pr.find(f"{W}numId")) is not None:
            numbering[style_id] = (_val(num_pr.find(f"{W}numId")), _int(_val(num_pr.find(f"{W}ilvl")), 0))
    headings |= {f"heading{n}" for n in range(1, 7)}
    return numbering, headings


def _font(fonts):
    return fonts.get(f"{W}ascii") or fonts.get(f"{W}hAnsi") if fonts is not None else None


def _bullet_mark(level):
    """A bullet that means something (a task list's ☐ or ☒, a tick), as the mark it shows;
    "" for a blank one (Word shows none); None for an ordinary bullet, which the house style
    draws as its own."""
    import unicodedata

    from assembler.readers.symbols import is_symbol_font, symbol_character

    text = level.text.strip()
    if not text:
        return ""
    if level.font and is_symbol_font(level.font):
        text = "".join(symbol_character(level.font, ord(c)) or c for c in text)
    meaningful = text and all(any(word in unicodedata.name(c, "") for word in ("BALLOT", "CHECK MARK", "MULTIPLICATION X"))
                              for c in text)
    return text if meaningful else None


def _label(levels, counter, level):
    text = levels[level].text
    for index in range(level, -1, -1):
        value = counter[index] if counter[index] is not None else levels.get(index, Level(1, "decimal", "")).start
        fmt = levels.get(index, Level(1, "decimal", "")).fmt
        text = text.replace(f"%{index + 1}", format_number(value, fmt))
    return text.strip() or None


def format_number(value, fmt):
    """``value`` (an int) written in Word's number format ``fmt`` (decimal, lowerLetter, upperRoman ...)."""
    if fmt in ("lowerLetter", "upperLetter"):
        letters = ""
        while value > 0:
            value, rest = divmod(value - 1, 26)
            letters = chr(97 + rest) + letters
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _roman(value):
    numerals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    result = ""
    for number, numeral in numerals:
        while value >= number:
            result += numeral
            value -= number
    return result


def _val(element):
    return element.get(f"{W}val") if element is not None else None


def _int(text, default):
    try:
        return int(text)
    except (TypeError, ValueError):
        return default
