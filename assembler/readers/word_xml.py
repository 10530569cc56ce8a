"""A Word part (document, footnotes, endnotes) as Word shows it, for every reader of it.

mammoth and the numbering pass (``word_numbering``) read the rewritten part,
so they see the same paragraphs in the same order.  The rules, from ECMA-376
Part 1 (17.13 tracked changes, 17.3.3.30 ``w:sym``, 17.3.2.41 ``w:vanish``)
and Markup Compatibility (Part 3, ``mc:AlternateContent``):

* every tracked change accepted: deleted text (``w:del``) and the old place
  of a move (``w:moveFrom``) go, insertions and the new place stay; a
  deleted paragraph mark (``w:pPr/w:rPr/w:del``) joins its paragraph to the
  next, which keeps its own properties; a deleted table row
  (``w:trPr/w:del``) goes; a drop cap joins its paragraph;
* comment marks go (hidden text went before: ``word_hidden``);
* content stored twice (``mc:AlternateContent``) is read as Word shows it:
  the first choice Word understands, else the fallback, never both
  (``choose_alternatives``); a DrawingML text box is put in the VML form
  mammoth reads, and the pictures of a DrawingML group or canvas (which
  mammoth does not look into) each become a picture of their own;
* a symbol (``w:sym``) and a character typed in a symbol font (Symbol,
  Wingdings, Webdings) become the Unicode mark the font draws (``symbols``);
* an equation (OMML, ``m:oMath``), which mammoth drops, becomes a run of its
  linear text in its place (``(a+b)/(2c)``, ``x^(2)``, ``√(x)``), in italic;
* a SmartArt graphic, of which mammoth draws nothing, becomes its text as a
  nested list (``smartart_outlines``).
"""

import posixpath
import re

from lxml import etree

from assembler.readers.symbols import is_symbol_font, symbol_character
from assembler.readers.word_numbering import W, parse_xml

MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
V = "{urn:schemas-microsoft-com:vml}"
O = "{urn:schemas-microsoft-com:office:office}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
CX = "{http://schemas.microsoft.com/office/drawing/2014/chartex}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PIC = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
_EMU_PER_PX = 9525  # 914,400 EMU an inch, 96 CSS px an inch


# ISO/IEC 29500 Strict namespaces (and relationship types, which begin with one), and the
# transitional ones every reader here (and mammoth) reads
_STRICT = {
    b"http://purl.oclc.org/ooxml/" + strict: b"http://schemas.openxmlformats.org/" + usual
    for strict, usual in ((b"wordprocessingml/main", b"wordprocessingml/2006/main"),
                          (b"officeDocument/relationships", b"officeDocument/2006/relationships"),
                          (b"officeDocument/math", b"officeDocument/2006/math"),
                          (b"officeDocument/sharedTypes", b"officeDocument/2006/sharedTypes"),
                          (b"drawingml/main", b"drawingml/2006/main"),
                          (b"drawingml/wordprocessingDrawing", b"drawingml/2006/wordprocessingDrawing"),
                          (b"drawingml/picture", b"drawingml/2006/picture"),
                          (b"drawingml/chart", b"drawingml/2006/chart"),
                          (b"drawingml/diagram", b"drawingml/2006/diagram"))}


def transitional(xml):
    """A part (bytes) of a Strict Open XML file with the transitional namespaces (and
    relationship types) in place of the Strict ones, so that what Word hides, deletes or
    stores twice is found in it as in any other file; a transitional part comes back as it was."""
    for strict, usual in _STRICT.items():
        xml = xml.replace(strict, usual)
    return xml


def as_word_shows(xml):
    """The part ``xml`` (bytes) rewritten as Word shows it with every change accepted (bytes).

    Raises lxml's ``XMLSyntaxError`` for a part that is not well-formed.
    """
    root = parse_xml(xml)
    choose_alternatives(root)
    _text_boxes(root)
    doomed = [row for row in root.iter(f"{W}tr") if row.find(f"{W}trPr/{W}del") is not None]
    doomed += list(root.iter(f"{W}del", f"{W}moveFrom", f"{W}commentRangeStart", f"{W}commentRangeEnd"))
    doomed += [run for run in root.iter(f"{W}r") if run.find(f"{W}commentReference") is not None]
    for element in doomed:
        if element.tag == f"{W}del" and element.getparent() is not None and element.getparent().tag in (
                f"{W}rPr", f"{W}trPr"):
            continue  # a mark on a paragraph or row, handled below
        _remove(element)
    _join_deleted_marks(root)
    _symbols(root)
    _equations(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _remove(element):
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


# The namespaces Word 2010 and later understands, of those a Choice may require (Office's
# extensions to WordprocessingML and DrawingML, [MS-DOCX] 2.1 and [MS-ODRAWXML] 2.1).
UNDERSTOOD = frozenset({
    "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://schemas.microsoft.com/office/word/2010/wordml",  # w14
    "http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing",  # wp14
    "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",  # wps
    "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup",  # wpg
    "http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas",  # wpc
    "http://schemas.microsoft.com/office/word/2010/wordprocessingInk",  # wpi
    "http://schemas.microsoft.com/office/word/2012/wordml",  # w15
    "http://schemas.microsoft.com/office/word/2015/wordml/symex",  # w16se
    "http://schemas.microsoft.com/office/word/2016/wordml/cid",  # w16cid
    "http://schemas.microsoft.com/office/word/2018/wordml",  # w16
    "http://schemas.microsoft.com/office/word/2018/wordml/cex",  # w16cex
    "http://schemas.microsoft.com/office/word/2020/wordml/sdtdatahash",  # w16sdtdh
    "http://schemas.microsoft.com/office/drawing/2010/main",  # a14
    "http://schemas.microsoft.com/office/drawing/2014/chartex",  # cx
    "http://schemas.microsoft.com/office/drawing/2015/9/8/chartex",  # cx1
    "http://schemas.microsoft.com/office/drawing/2015/10/21/chartex",  # cx2
    "http://schemas.microsoft.com/office/drawing/2016/5/9/chartex",  # cx3
    "http://schemas.microsoft.com/office/drawing/2016/5/10/chartex",  # cx4
    "http://schemas.microsoft.com/office/drawing/2016/5/11/chartex",  # cx5
    "http://schemas.microsoft.com/office/drawing/2016/5/12/chartex",  # cx6
    "http://schemas.microsoft.com/office/drawing/2016/5/13/chartex",  # cx7
    "http://schemas.microsoft.com/office/drawing/2016/5/14/chartex",  # cx8
    "http://schemas.microsoft.com/office/drawing/2016/ink",  # aink
    "http://schemas.microsoft.com/office/drawing/2017/model3d",  # am3d
    "http://schemas.microsoft.com/office/drawing/2016/SVG/main",  # asvg
})


def choose_alternatives(root):
    """Each ``mc:AlternateContent`` of ``root`` replaced by what Word shows of it: the first
    ``mc:Choice`` all of whose ``Requires`` prefixes name namespaces Word understands
    (``UNDERSTOOD``), else the ``mc:Fallback``, else nothing (ECMA-376 Part 3, 10.2).  A
    branch not chosen is never read, whatever it holds."""
    for alternate in list(root.iter(f"{MC}AlternateContent")):
        if alternate is not root and root not in alternate.iterancestors():
            continue  # inside a branch already dropped
        kept = next((choice for choice in alternate.iterchildren(f"{MC}Choice") if _understood(choice)),
                    alternate.find(f"{MC}Fallback"))
        parent, index = alternate.getparent(), alternate.getparent().index(alternate)
        parent.remove(alternate)
        for offset, child in enumerate(list(kept) if kept is not None else []):
            parent.insert(index + offset, child)


def _understood(choice):
    prefixes = (choice.get("Requires") or "").split()
    return bool(prefixes) and all(choice.nsmap.get(prefix) in UNDERSTOOD for prefix in prefixes)


def _text_boxes(root):
    """A DrawingML drawing that mammoth would not read, in the forms it reads, in its place:
    its text boxes (``wps:txbx``) as a VML text box (``w:pict/v:shape/v:textbox``), and the
    pictures of a group or canvas (``wpg``, ``wpc``: a ``pic:pic`` below the drawing's own
    graphic) each as a drawing of its own, sized as the picture is in the group."""
    for drawing in list(root.iter(f"{W}drawing")):
        contents = list(drawing.iter(f"{W}txbxContent"))
        nested = [picture for picture in drawing.iter(f"{PIC}pic") if picture.getparent().tag != f"{A}graphicData"]
        if not contents and not nested:
            continue
        replacements = []
        if contents:
            picture = etree.Element(f"{W}pict")
            box = etree.SubElement(etree.SubElement(picture, f"{V}shape"), f"{V}textbox")
            for content in contents:
                box.append(content)
            replacements.append(picture)
        replacements += [_drawing_of(picture) for picture in nested]
        at = drawing.getparent().index(drawing)
        drawing.getparent()[at:at + 1] = replacements


def _drawing_of(picture):
    """A ``pic:pic`` found inside a group, as an inline drawing of its own (``w:drawing``)."""
    drawing = etree.Element(f"{W}drawing")
    inline = etree.SubElement(drawing, f"{WP}inline")
    size = picture.find(f"{PIC}spPr/{A}xfrm/{A}ext")
    etree.SubElement(inline, f"{WP}extent", cx=size.get("cx", "0") if size is not None else "0",
                     cy=size.get("cy", "0") if size is not None else "0")
    named = picture.find(f"{PIC}nvPicPr/{PIC}cNvPr")
    etree.SubElement(inline, f"{WP}docPr", id="0", name=named.get("name", "") if named is not None else "",
                     descr=named.get("descr", "") if named is not None else "")
    data = etree.SubElement(etree.SubElement(inline, f"{A}graphic"), f"{A}graphicData",
                            uri="http://schemas.openxmlformats.org/drawingml/2006/picture")
    data.append(picture)
    return drawing


def _join_deleted_marks(root):
    """A paragraph whose mark was deleted runs on into the next paragraph (which keeps its
    own properties), and so does a drop cap (a frame of its own, ``w:framePr/@w:dropCap``,
    holding the paragraph's first letter); the last paragraph of a cell or the body has
    nothing to join."""
    for paragraph in reversed(list(root.iter(f"{W}p"))):
        mark = paragraph.find(f"{W}pPr/{W}rPr/{W}del")
        frame = paragraph.find(f"{W}pPr/{W}framePr")
        drop_cap = frame is not None and frame.get(f"{W}dropCap") in ("drop", "margin")
        following = paragraph.getnext()
        if mark is None and not drop_cap or following is None or following.tag != f"{W}p":
            continue
        content = [child for child in paragraph if child.tag != f"{W}pPr"]
        properties = following.find(f"{W}pPr")
        at = following.index(properties) + 1 if properties is not None else 0
        for offset, child in enumerate(content):
            following.insert(at + offset, child)
        paragraph.getparent().remove(paragraph)


def _symbols(root):
    for symbol in list(root.iter(f"{W}sym")):
        try:
            code = int(symbol.get(f"{W}char", ""), 16)
        except ValueError:
            continue
        text = etree.Element(f"{W}t")  # an unknown one as it is stored: named as undrawable, never dropped
        text.text = symbol_character(symbol.get(f"{W}font"), code) or (
            chr(code) if 0x20 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd")
        symbol.getparent().replace(symbol, text)
    for run in root.iter(f"{W}r"):
        fonts = run.find(f"{W}rPr/{W}rFonts")
        font = fonts is not None and (fonts.get(f"{W}ascii") or fonts.get(f"{W}hAnsi"))
        if not font or not is_symbol_font(font):
            continue
        for text in run.iter(f"{W}t"):
            text.text = "".join(symbol_character(font, ord(c)) or c for c in text.text or "")


def picture_sizes(xml):
    """The size the author gave each picture of a part (bytes, as rewritten), in the order
    mammoth draws them: ``(width, height)`` in CSS px (1/96 in), from a DrawingML picture's
    ``wp:extent`` (EMU) or a VML picture's ``style`` (pt)."""
    sizes = []
    for element in parse_xml(xml).iter(f"{WP}inline", f"{WP}anchor", f"{V}imagedata"):
        if element.tag == f"{V}imagedata":
            style = element.getparent().get("style", "")
            found = {key: float(value) * {"pt": 96 / 72, "in": 96, "px": 1, "cm": 96 / 2.54, "mm": 96 / 25.4}[unit]
                     for key, value, unit in re.findall(r"(width|height):\s*(\d+(?:\.\d+)?)(pt|in|px|cm|mm)", style)}
            size = (found.get("width", 0), found.get("height", 0))
        elif element.find(f".//{A}blip") is not None:
            extent = element.find(f"{WP}extent")
            size = tuple(int(extent.get(key, 0)) / _EMU_PER_PX for key in ("cx", "cy")) if extent is not None else (0, 0)
        else:
            continue  # a chart, a shape, SmartArt: no picture
        sizes.append(tuple(max(1, round(value)) for value in size))
    return sizes


def source_content(xml, relationships=None):
    """What a part (bytes, as rewritten) holds to be printed: its text, a paragraph a line
    (runs' text, equations' text, text boxes, content controls), and its pictures, each
    named by its alt text or, without one, its name (embedded pictures and charts; a linked
    picture is the reader's own warning); a Windows metafile (EMF, WMF: found through the
    part's ``relationships``), which cannot be drawn here, says so."""
    root = parse_xml(xml)
    targets = _targets(relationships)
    lines = [" ".join(t.text or "" for t in paragraph.iter(f"{W}t", f"{M}t") if not _inner_paragraph(t, paragraph))
             for paragraph in root.iter(f"{W}p")]
    pictures = []
    for drawing in root.iter(f"{WP}inline", f"{WP}anchor", f"{V}imagedata"):
        if drawing.tag == f"{V}imagedata":
            shape = drawing.getparent()
            name = shape.get("alt") or drawing.get(f"{O}title") or shape.get("id") or "a picture"
            target = targets.get(drawing.get(f"{R}id"), "")
        else:
            blip = drawing.find(f".//{A}blip")
            chart = next((found for found in drawing.iter(f"{C}chart", f"{CX}chart")), None)
            if (blip is None or blip.get(f"{R}embed") is None) and chart is None:
                continue
            properties = drawing.find(f"{WP}docPr")
            name = properties is not None and (properties.get("descr") or properties.get("name")) or "a picture"
            target = targets.get(blip.get(f"{R}embed"), "") if blip is not None else ""
        kind = posixpath.splitext(target)[1].lower().lstrip(".")
        metafile = f" (a Windows metafile, {kind.upper()}, which the pack cannot draw: insert it as PNG)" if kind in (
            "emf", "wmf") else ""
        pictures.append(name.strip() + metafile)
    return "\n".join(line for line in lines if line.strip()), pictures


def _inner_paragraph(text, paragraph):
    """Text of a text box's own paragraph, inside ``paragraph``: counted with its own."""
    return next(ancestor for ancestor in text.iterancestors(f"{W}p")) is not paragraph


# OMML structures (ECMA-376 Part 1, 22.1) as linear text: element -> (before, between parts, after)
_LINEAR = {"f": ("(", ")/(", ")"), "sSup": ("", "^(", ")"), "sSub": ("", "_(", ")"), "rad": ("√(", "", ")"),
           "d": ("(", ", ", ")")}


def _equations(root):
    for equation in list(root.iter(f"{M}oMathPara", f"{M}oMath")):
        parent = equation.getparent()
        if parent is None or parent.tag == f"{M}oMathPara":
            continue
        run = etree.Element(f"{W}r")
        etree.SubElement(etree.SubElement(run, f"{W}rPr"), f"{W}i")
        text = etree.SubElement(run, f"{W}t")
        text.text = " ".join(_linear(math) for math in ([equation] if equation.tag == f"{M}oMath"
                                                        else equation.iter(f"{M}oMath")))
        text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        parent.replace(equation, run)


def _linear(element):
    """An OMML element's linear text."""
    name = etree.QName(element).localname
    if name == "t":
        return element.text or ""
    if name == "nary":
        sign = element.find(f"{M}naryPr/{M}chr")
        parts = [_linear(element.find(f"{M}{part}")) if element.find(f"{M}{part}") is not None else ""
                 for part in ("sub", "sup", "e")]
        return (sign.get(f"{M}val") if sign is not None else "∫") + (f"_({parts[0]})" if parts[0] else "") + (
            f"^({parts[1]})" if parts[1] else "") + " " + parts[2]
    children = [child for child in element if not etree.QName(child).localname.endswith("Pr")]
    if name == "sSubSup" and len(children) == 3:
        return "{}_({})^({})".format(*map(_linear, children))
    if name in _LINEAR:
        before, between, after = _LINEAR[name]
        inner = [_linear(child) for child in children]
        if name == "rad" and len(inner) == 2:  # a degree, then the radicand
            inner = [inner[1]] if not inner[0] else [f"{inner[0]}", inner[1]]
        return before + between.join(inner) + after if len(inner) > 1 or name in ("rad", "d") else "".join(inner)
    return "".join(_linear(child) for child in children)


DGM = "{http://schemas.openxmlformats.org/drawingml/2006/diagram}"


def _targets(relationships):
    """{relationship id: target} of a part's .rels (bytes, or None)."""
    found = {}
    for tag in re.findall(rb"<Relationship\b[^>]*>", relationships or b""):
        key, target = re.search(rb'\bId="([^"]+)"', tag), re.search(rb'\bTarget="([^"]+)"', tag)
        if key and target:
            found[key[1].decode()] = target[1].decode()
    return found


def smartart_outlines(xml, relationships, entries):
    """Each SmartArt graphic of the part ``xml`` (bytes) replaced by a marker run, with its
    text as an outline: (the part rewritten, {marker: [(level, text), ...]}).

    mammoth draws nothing of SmartArt; its text lives in the diagram's data part
    (``dgm:dataModel``, found through ``relationships``, the part's .rels, in ``entries``),
    as points joined parent to child (``dgm:cxn``, ECMA-376 Part 1, 21.4).  Unreadable
    diagrams keep no marker (and the completeness check names what is lost)."""
    root = parse_xml(xml)
    targets = _targets(relationships)
    outlines = {}
    for ids in list(root.iter(f"{DGM}relIds")):
        target = targets.get(ids.get(f"{R}dm") or "")
        name = target and posixpath.normpath(posixpath.join("word", target)).lstrip("/")
        try:
            outline = _outline(parse_xml(entries[name])) if name in entries else []
        except etree.XMLSyntaxError:
            outline = []
        run = next(ids.iterancestors(f"{W}r"), None)
        if not outline or run is None:
            continue
        marker = f"\ue000{chr(0xE100 + len(outlines))}\ue000"
        outlines[marker] = outline
        for child in list(run):
            if child.tag != f"{W}rPr":
                run.remove(child)
        etree.SubElement(run, f"{W}t").text = marker
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), outlines


def _outline(data):
    """A diagram data part's text, as (level, text) in reading order."""
    points = {point.get("modelId"): point for point in data.iter(f"{DGM}pt")}
    children = {}
    for link in data.iter(f"{DGM}cxn"):
        if link.get("type", "parOf") == "parOf":
            order = link.get("srcOrd", "0")
            children.setdefault(link.get("srcId"), []).append((int(order) if order.isdigit() else 0, link.get("destId")))
    roots = [key for key, point in points.items() if point.get("type") == "doc"]
    found = []

    def walk(key, level, seen):
        for _, child in sorted(children.get(key, [])):
            point = points.get(child)
            if point is None or child in seen or point.get("type", "node") not in ("node", "asst"):
                continue
            text = " ".join("".join(t.text or "" for t in paragraph.iter(f"{A}t"))
                            for paragraph in point.iter(f"{A}p")).strip()
            if text:
                found.append((level, text))
            walk(child, level + 1 if text else level, seen | {child})

    for key in roots:
        walk(key, 0, {key})
    return found


def outline_html(outline):
    """An outline [(level, text)] as nested ``<ul>`` HTML."""
    from html import escape

    html, depth = "", -1
    for level, text in outline:
        level = min(level, depth + 1)
        if level > depth:
            html += "<ul>" * (level - depth)
        else:
            html += "</li>" + "</ul></li>" * (depth - level)
        html += f"<li>{escape(text)}"
        depth = level
    return html + "</li>" + "</ul></li>" * depth + "</ul>" if outline else ""
