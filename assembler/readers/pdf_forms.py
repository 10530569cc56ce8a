"""The values of a filled form's text fields, drawn into the page in a font the pack embeds.

A form filled in by the public often carries its values without an
appearance (``/NeedAppearances``, PDF 1.7 §12.7.2): the viewer is to draw
them.  qpdf and pdfium both draw such a value in the form's own font, which
is usually Helvetica with WinAnsi encoding and unembedded: "Tŷ Newydd"
prints as "T? Newydd".  So the values are set here with WeasyPrint, in the
shipped Liberation Sans (embedded, subset, any character it has), one
overlay per page laid over the page's drawing; the fields themselves are
left empty, to be drawn (border and background) and flattened as usual.
"""

import html
import io
import re

import pikepdf
from pikepdf import Array, Dictionary, Name

from assembler.render import ASSETS

MULTILINE = 1 << 12  # field flag bit 13 (PDF 1.7 table 228)
PASSWORD = 1 << 13  # bit 14
HIDDEN, PRINT = 1 << 1, 1 << 2  # annotation flags (PDF 1.7 table 165)
_INHERITED = ("/FT", "/V", "/DA", "/Q", "/Ff")


def draw_field_values(pdf):
    """Draw every text field value that the file leaves its viewer to draw into its page;
    returns how many were drawn.  Only fields that print are drawn (as on paper)."""
    form = pdf.Root.get("/AcroForm")
    if not isinstance(form, Dictionary):
        return 0
    asks_viewer = bool(form.get("/NeedAppearances", False))
    defaults = {"/DA": form.get("/DA"), "/Q": form.get("/Q")}
    drawn, owners = 0, []
    for page in pdf.pages:
        fields = []
        for widget in page.obj.get("/Annots", []):
            if not isinstance(widget, Dictionary) or widget.get("/Subtype") != Name.Widget:
                continue
            field = _field(widget, defaults)
            value = field.get("/V")
            flags = int(widget.get("/F", 0)) if isinstance(widget.get("/F", 0), int) else 0
            if (field.get("/FT") != Name.Tx or not isinstance(value, pikepdf.String) or not str(value).strip()
                    or flags & HIDDEN or not flags & PRINT or not (asks_viewer or "/AP" not in widget)
                    or _rect(widget) is None):
                continue
            fields.append((widget, field))
        if fields:
            _overlay(pdf, page, fields)
            drawn += len(fields)
            owners += [widget for widget, _ in fields]
    for widget in owners:  # once every page is drawn: a value may show on several pages
        _owner(widget).V = pikepdf.String("")  # its drawn value is ours now
        if "/AP" in widget:
            del widget.AP  # a stale appearance would draw the value again
    return drawn


def _field(widget, defaults):
    """The field's inheritable entries (PDF 1.7 §12.7.3.1): the widget's own, else its parents'."""
    found, node, depth = {}, widget, 0
    while isinstance(node, Dictionary) and depth < 32:
        for key in _INHERITED:
            if key not in found and key in node:
                found[key] = node[key]
        node, depth = node.get("/Parent"), depth + 1
    for key, value in defaults.items():
        found.setdefault(key, value)
    return found


def _rect(widget):
    """The widget's /Rect as [x1, y1, x2, y2] (x1 < x2, y1 < y2), or None if it is not four numbers."""
    rect = widget.get("/Rect")
    try:
        x1, y1, x2, y2 = [float(value) for value in rect] if isinstance(rect, Array) and len(rect) == 4 else [0] * 5
    except (TypeError, ValueError):
        return None
    return [min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)]


def _owner(widget):
    """The dictionary that holds the field's value: the widget, or the parent it inherits /V from."""
    node, depth = widget, 0
    while isinstance(node, Dictionary) and "/V" not in node and depth < 32:
        node, depth = node.get("/Parent"), depth + 1
    return node if isinstance(node, Dictionary) else widget


def _overlay(pdf, page, fields):
    """Set ``fields``' values on a WeasyPrint page the size of ``page``'s media box; draw it over the page."""
    from assembler.render import load_weasyprint

    load_weasyprint()
    from weasyprint import HTML

    x0, y0, x1, y1 = [float(value) for value in page.mediabox]
    boxes = "".join(_box(field, widget, x0, y1) for widget, field in fields)
    font = (ASSETS / "fonts" / "LiberationSans-Regular.ttf").as_uri()
    document = (f"<style>@font-face {{ font-family: Field; src: url({font}) }}"
                f"@page {{ size: {x1 - x0}pt {y1 - y0}pt; margin: 0 }} body {{ margin: 0 }}"
                "div { position: absolute; overflow: hidden; box-sizing: border-box; padding: 0 2pt;"
                " font-family: Field, sans-serif; display: flex; align-items: center }"
                "div.lines { display: block; white-space: pre-wrap; padding-top: 2pt }</style>" + boxes)
    overlay = pikepdf.open(io.BytesIO(HTML(string=document).write_pdf()))
    form = pdf.copy_foreign(overlay.pages[0].as_form_xobject())
    resources = page.obj.get("/Resources")
    if not isinstance(resources, Dictionary):
        resources = page.obj.Resources = Dictionary()
    if not isinstance(resources.get("/XObject"), Dictionary):
        resources.XObject = Dictionary()
    name = next(f"/Fields{n}" for n in range(len(resources.XObject) + 1) if f"/Fields{n}" not in resources.XObject)
    resources.XObject[name] = form
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(f"\nQ q 1 0 0 1 {x0:.4f} {y0:.4f} cm {name} Do Q\n".encode())


def _box(field, widget, left, top):
    """One field's value as a positioned HTML box (points, from the media box's top left)."""
    x1, y1, x2, y2 = _rect(widget)
    width, height = x2 - x1, y2 - y1
    flags = field.get("/Ff", 0)
    flags = int(flags) if isinstance(flags, int) else 0
    text = str(field["/V"])
    if flags & PASSWORD:
        text = "•" * len(text)
    appearance = str(field.get("/DA") or "")
    size = re.search(r"(\d*\.?\d+)\s+Tf", appearance)  # a damaged /DA ("1.2.3 Tf") gives what it can
    size = float(size.group(1)) if size else 0.0
    if size <= 0:  # "auto": as viewers do, fit the box's height
        size = 10.0 if flags & MULTILINE else max(4.0, min(12.0, height * 0.7))
    colour = re.search(r"(\d*\.?\d+)\s+(\d*\.?\d+)\s+(\d*\.?\d+)\s+rg", appearance)
    grey = re.search(r"(\d*\.?\d+)\s+g\b", appearance)
    rgb = ([float(c) for c in colour.groups()] if colour else [float(grey.group(1))] * 3 if grey else [0, 0, 0])
    quadding = field.get("/Q", 0)
    align = {1: "center", 2: "right"}.get(int(quadding) if isinstance(quadding, int) else 0, "left")
    justify = {"left": "flex-start", "center": "center", "right": "flex-end"}[align]
    colour = ", ".join(f"{255 * min(max(c, 0), 1):.0f}" for c in rgb)
    style = (f"left: {x1 - left:.2f}pt; top: {top - y2:.2f}pt; width: {width:.2f}pt; height: {height:.2f}pt; "
             f"font-size: {size:.2f}pt; color: rgb({colour}); text-align: {align}; justify-content: {justify}")
    kind = ' class="lines"' if flags & MULTILINE else ""
    return f'<div{kind} style="{style}">{html.escape(text)}</div>'
