"""Words in a Word file that a reader of the document cannot see.

Read from the package's XML (the body, footnotes and endnotes: what the pack
prints), with each run's properties as Word resolves them: document defaults,
then the paragraph's style, the run's character style (each with the styles
it is based on), then the run's own (ECMA-376 Part 1, 17.7.2).  A run is
hidden when

* it is highlighted (``w:highlight``) or shaded (``w:shd``) in a dark colour
  and its own colour is not set light, or highlighted or shaded in its own
  colour;
* its colour is that of what is behind it: its highlight or shading, its
  paragraph's (or its style's), table cell's or table's shading, its text
  box's fill, or the page (``w:background``, white unless set); in a table
  whose style shades cells (a heading row, bands), what is behind is left to
  Word, and no colour is an alarm;
* it is set under 2 pt (``w:sz`` under 4 half-points);
* a filled shape floats in front of it (a ``wp:anchor`` not behind the text,
  wrapping none, with a solid fill; or a filled VML rectangle positioned
  over the text): the words of the paragraph the shape is anchored to are
  named, as where it lies is Word's layout to decide.

Hidden text (``w:vanish``, resolved as ``word_hidden`` does) is not a finding:
the Word reader leaves it out of the pack; of content stored twice
(``mc:AlternateContent``) only what Word shows is read, as the reader does.  A Strict Open XML file is read as a transitional one.
"""

import io
import re
import zipfile

from assembler.readers.word_hidden import Hiding
from assembler.readers.word_numbering import W, parse_xml
from assembler.readers.word_xml import choose_alternatives, transitional
from assembler.redaction.found import Covered

TINY_HALF_POINTS = 4  # 2 pt
CLOSE = 60  # colours nearer than this (summed over red, green and blue, of 3 × 255) look the same
HIGHLIGHTS = {  # w:highlight names (ECMA-376 Part 1, 17.18.40)
    "black": "000000", "blue": "0000FF", "cyan": "00FFFF", "green": "00FF00", "magenta": "FF00FF", "red": "FF0000",
    "yellow": "FFFF00", "white": "FFFFFF", "darkBlue": "000080", "darkCyan": "008080", "darkGreen": "008000",
    "darkMagenta": "800080", "darkRed": "800000", "darkYellow": "808000", "darkGray": "808080",
    "lightGray": "C0C0C0",
}
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
WPS = "{http://schemas.microsoft.com/office/word/2010/wordprocessingShape}"
V = "{urn:schemas-microsoft-com:vml}"
BY_THE_TEXT = {"character", "column", "paragraph", "line", "char"}  # where a box over words is placed from
RULE_POINTS = 4  # a shape thinner than this is a rule, not a box (as x-ray also skips)
UNKNOWN = "unknown"  # what is behind text whose table's style decides its cell's shading


def covered_in_docx(source):
    """Every run of hidden words in a Word file (a path, or its bytes), in document order,
    as ``Covered`` (no page).

    The file has already been opened by the Word reader (which refuses a damaged
    one, or one that carries a DOCTYPE or unpacks too large).
    """
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as package:
        parts = _parts(package)
        styles_root = _read(package, parts["styles"]) if "styles" in parts else None
        styles, hiding = _Styles(styles_root), Hiding(styles_root)
        return [covered for kind in ("document", "footnotes", "endnotes") if kind in parts
                for covered in _covered_in_part(_read(package, parts[kind]), styles, hiding)]


def _read(package, name):
    """A part's XML, a Strict Open XML file's names made the usual (transitional) ones."""
    return parse_xml(transitional(package.read(name)))


def _parts(package):
    """{kind: part name} of the main document and its styles, footnotes and endnotes, found
    through the package's relationships (the main part is not always word/document.xml)."""
    names = set(package.namelist())
    main = next((target for kind, target in _relationships(package, "_rels/.rels", "")
                 if kind == "officeDocument"), "word/document.xml")
    parts = {"document": main} if main in names else {}
    folder, _, file = main.rpartition("/")
    for kind, target in _relationships(package, f"{folder}/_rels/{file}.rels", folder):
        if kind in ("styles", "footnotes", "endnotes") and target in names:
            parts[kind] = target
    return parts


def _relationships(package, name, folder):
    """(type's last word, part name) of each relationship in the ``.rels`` part ``name``."""
    if name not in package.namelist():
        return []
    found = []
    for relationship in parse_xml(package.read(name)):
        target = relationship.get("Target") or ""
        target = target.lstrip("/") if target.startswith("/") else (f"{folder}/{target}" if folder else target)
        found.append(((relationship.get("Type") or "").rsplit("/", 1)[-1], target))
    return found


class _Styles:
    """Run properties by style id, each style's own over those of the style it is based on."""

    def __init__(self, root):
        self.styles = {}
        self.defaults = {}
        self.default_paragraph = None
        self.shading_tables = set()  # table styles that shade some of their cells (a heading row, bands)
        if root is None:
            return
        defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.defaults = _properties(defaults)
        for style in root.iter(f"{W}style"):
            style_id = style.get(f"{W}styleId")
            based = style.find(f"{W}basedOn")
            own = _properties(style.find(f"{W}rPr"))
            shading = style.find(f"{W}pPr/{W}shd")
            if shading is not None:  # a paragraph style's shading: what its runs stand on
                own["paragraph shading"] = _shading(shading)
            self.styles[style_id] = (based.get(f"{W}val") if based is not None else None, own)
            if style.get(f"{W}type") == "paragraph" and style.get(f"{W}default") in ("1", "true"):
                self.default_paragraph = style_id
            if style.get(f"{W}type") == "table" and any(_shading(shd) for shd in style.iter(f"{W}shd")):
                self.shading_tables.add(style_id)

    def shades(self, table_style, seen=()):
        """Whether a table style (or one it is based on) shades any cells."""
        if table_style in self.shading_tables:
            return True
        based = self.styles.get(table_style, (None,))[0]
        return based is not None and based not in seen and self.shades(based, seen + (table_style,))

    def of(self, style_id, seen=()):
        if style_id not in self.styles or style_id in seen:
            return {}
        based, own = self.styles[style_id]
        return {**self.of(based, seen + (style_id,)), **own}


def _properties(rpr):
    """The run properties that decide whether a run is seen: colour, highlight, shading, size."""
    found = {}
    if rpr is None:
        return found
    colour = rpr.find(f"{W}color")
    if colour is not None:
        found["color"] = _hex(colour.get(f"{W}val"))
    highlight = rpr.find(f"{W}highlight")
    if highlight is not None:
        found["highlight"] = HIGHLIGHTS.get(highlight.get(f"{W}val"))
    shading = rpr.find(f"{W}shd")
    if shading is not None:
        found["shading"] = _shading(shading)
    size = rpr.find(f"{W}sz")
    if size is not None and (size.get(f"{W}val") or "").isdigit():
        found["size"] = int(size.get(f"{W}val"))
    return found


def _hex(value):
    """A colour as RRGGBB, or None for "auto" (Word's automatic colour) or anything else."""
    return value.upper() if value and re.fullmatch(r"[0-9A-Fa-f]{6}", value) else None


def _shading(shd):
    """The colour a ``w:shd`` paints: its pattern colour when solid, else its fill (None: none)."""
    if shd is None or shd.get(f"{W}val") == "nil":
        return None
    if shd.get(f"{W}val") == "solid":
        return _hex(shd.get(f"{W}color")) or "000000"
    return _hex(shd.get(f"{W}fill"))


def _covered_in_part(root, styles, hiding):
    choose_alternatives(root)  # what Word shows of content stored twice, as the reader prints it
    hidden = set(hiding.hidden(root))
    page = root.find(f"{W}background")
    page = _hex(page.get(f"{W}color")) if page is not None else None
    found = []
    for paragraph in root.iter(f"{W}p"):
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        style_id = style.get(f"{W}val") if style is not None else styles.default_paragraph
        base = {**styles.defaults, **styles.of(style_id)}
        own_shading = paragraph.find(f"{W}pPr/{W}shd")
        behind = (_shading(own_shading) if own_shading is not None else base.get("paragraph shading")) or (
            _cell_shading(paragraph, styles) or _box_fill(paragraph) or page or "FFFFFF")
        runs = []
        for run in paragraph.iter(f"{W}r"):
            if _in_text_box(run, paragraph):
                continue
            text = "".join(t.text or "" for t in run.iter(f"{W}t"))
            if run in hidden:
                continue  # hidden text: the Word reader leaves it out
            rpr = run.find(f"{W}rPr")
            character = rpr.find(f"{W}rStyle") if rpr is not None else None
            properties = {**base, **(styles.of(character.get(f"{W}val")) if character is not None else {}),
                          **_properties(rpr)}
            runs.append((text, _why(properties, behind)))
        found += _joined(runs)
        shape = _shape_over(paragraph)
        words = "".join(text for text, _ in runs).strip()
        if shape and words:
            found.append(Covered(words, shape))
    return found


def _in_text_box(element, within=None):
    parent = element.getparent()
    while parent is not None and parent is not within:
        if parent.tag == f"{W}txbxContent":
            return True
        parent = parent.getparent()
    return False


def _box_fill(paragraph):
    """The solid fill of the text box a paragraph is in, if it is in one that has one."""
    for ancestor in paragraph.iterancestors(f"{WPS}wsp", f"{V}shape", f"{V}rect"):
        if ancestor.tag == f"{WPS}wsp":
            colour = ancestor.find(f"{WPS}spPr/{A}solidFill/{A}srgbClr")
            return _hex(colour.get("val")) if colour is not None else None
        return _hex((ancestor.get("fillcolor") or "").lstrip("#"))
    return None


def _cell_shading(paragraph, styles):
    """What a paragraph in a table stands on: its cell's shading, else its table's; None
    outside a table, or where the table's style shades cells (which ones is the style's
    conditional formatting to decide: a dark heading row, say): "unknown", never alarmed at."""
    cell = next(paragraph.iterancestors(f"{W}tc"), None)
    if cell is None:
        return None
    table = next(cell.iterancestors(f"{W}tbl"), None)
    table_style = table.find(f"{W}tblPr/{W}tblStyle") if table is not None else None
    shading = _shading(cell.find(f"{W}tcPr/{W}shd")) or (
        _shading(table.find(f"{W}tblPr/{W}shd")) if table is not None else None)
    if shading is None and table_style is not None and styles.shades(table_style.get(f"{W}val")):
        return UNKNOWN
    return shading


def _why(properties, behind):
    """Why a run with ``properties`` on ``behind`` (RRGGBB) is not seen; None if it is."""
    colour = properties.get("color")
    fill = properties.get("highlight") or properties.get("shading")  # a highlight is drawn over shading
    if fill:
        if (_dark(fill) and not (colour and _light(colour))) or (colour and _close(colour, fill)):
            return f"{'highlighted' if properties.get('highlight') else 'shaded'} in {_name(fill)}"
        behind = fill
    if colour and behind != UNKNOWN and _close(colour, behind):
        return f"in {_name(colour)} text on {_name(behind)}"
    if properties.get("size", TINY_HALF_POINTS) < TINY_HALF_POINTS:
        return f"in text too small to read ({properties['size'] / 2:g} pt)"
    return None


def _joined(runs):
    """Neighbouring hidden runs with the same cause (and the spaces between) as one ``Covered``."""
    found, words, how = [], "", None
    for text, why in runs + [("end", None)]:
        if why is None and not text.strip():
            words += text if how else ""
            continue
        if why != how:
            if how and any(c.isalnum() for c in words):
                found.append(Covered(words.strip(), how))
            words, how = "", why
        words += text if why else ""
    return found


def _shape_over(paragraph):
    """How a filled shape anchored in ``paragraph`` lies in front of its text, or None.

    Only a box placed by the text (not by the page or its margins, as a
    template's banner is) and at least ``RULE_POINTS`` each way (not a rule) counts."""
    for anchor in paragraph.iter(f"{WP}anchor"):
        if anchor.get("behindDoc") in ("1", "true") or anchor.find(f"{WP}wrapNone") is None:
            continue
        placed = [anchor.find(f"{WP}{axis}") for axis in ("positionH", "positionV")]
        extent = anchor.find(f"{WP}extent")
        if (any(place is not None and place.get("relativeFrom") not in BY_THE_TEXT for place in placed)
                or extent is None or min(_emu(extent.get("cx")), _emu(extent.get("cy"))) < RULE_POINTS):
            continue
        for shape in anchor.iter(f"{WPS}wsp"):
            fill = shape.find(f"{WPS}spPr/{A}solidFill")
            if fill is not None and shape.find(f"{WPS}txbx") is None:
                colour = fill.find(f"{A}srgbClr")
                return f"in a paragraph under a {_name(_hex(colour.get('val')) if colour is not None else None)} shape"
    for shape in list(paragraph.iter(f"{V}rect")) + list(paragraph.iter(f"{V}shape")):
        style = dict(part.split(":", 1) for part in (shape.get("style") or "").replace(" ", "").split(";")
                     if ":" in part)
        if (style.get("position") == "absolute" and not style.get("z-index", "0").startswith("-")
                and style.get("mso-position-horizontal-relative", "text") in BY_THE_TEXT | {"text"}
                and style.get("mso-position-vertical-relative", "text") in BY_THE_TEXT | {"text"}
                and min(_points(style.get("width")), _points(style.get("height"))) >= RULE_POINTS
                and shape.get("filled") not in ("f", "false") and shape.get("fillcolor")
                and shape.find(f"{V}textbox") is None and shape.find(f"{V}imagedata") is None):
            return f"in a paragraph under a {_name(_hex(shape.get('fillcolor').lstrip('#')) or '000000')} shape"
    return None


def _emu(value):
    """English Metric Units (12,700 a point) as points; 0 if not a number."""
    return int(value) / 12700 if value and value.isdigit() else 0


def _points(length):
    """A VML length (``150pt``, ``2in``, ``5cm``, ``40px``) in points; 0 if not one."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(pt|in|cm|mm|px)?", length or "")
    if not match:
        return 0
    return float(match[1]) * {"pt": 1, "in": 72, "cm": 72 / 2.54, "mm": 72 / 25.4, "px": 0.75, None: 0.75}[match[2]]


def _rgb(colour):
    return [int(colour[i:i + 2], 16) for i in (0, 2, 4)]


def _grey(colour):
    red, green, blue = _rgb(colour)
    return 0.299 * red + 0.587 * green + 0.114 * blue


def _dark(colour):
    return _grey(colour) < 64


def _light(colour):
    return _grey(colour) > 160


def _close(first, second):
    return sum(abs(a - b) for a, b in zip(_rgb(first), _rgb(second))) < CLOSE


def _name(colour):
    """A colour as a message says it: a highlight's name (dark blue), else black, white, dark or light."""
    if colour is None:
        return "filled"
    named = next((name for name, value in HIGHLIGHTS.items() if value == colour), None)
    if named:
        return re.sub(r"([A-Z])", lambda capital: " " + capital[1].lower(), named)
    grey = _grey(colour)
    return "black" if grey < 40 else "white" if grey > 235 else "dark" if grey < 128 else "light"
