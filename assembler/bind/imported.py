"""Finished PDFs laid under their carrier pages, printing what they print and nothing more.

Only a page's drawing comes across: its content streams and the resources
they use.  The source's catalog (JavaScript name tree, /OpenAction, embedded
files, outlines, metadata) is never copied, and its annotations are dropped
after the printable ones (filled form fields, stamps) are drawn into the page
("flattened"), so links, launch and JavaScript actions, attachments and form
interactivity all stay behind.
"""

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, StreamObject

_HIDDEN, _PRINT = 2, 4
_NOT_DRAWN = {"/Link", "/Popup", "/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"}


def lay_under(writer, path, first_page):
    """Place every page of ``path`` beneath ``writer``'s carrier pages from ``first_page``."""
    reader = PdfReader(path)
    source = PdfWriter(clone_from=reader)
    values = _text_field_values(reader)
    for offset, page in enumerate(source.pages):
        if values:
            _give_fields_appearances(source, page, values)
        _flatten_annotations(source, page)
        page.transfer_rotation_to_content()
        box = page.cropbox
        carrier = writer.pages[first_page + offset]
        move = Transformation().translate(-float(box.left), -float(box.bottom))
        carrier.merge_transformed_page(page, move, over=False)


def _text_field_values(reader):
    """{field name: value} of the filled text fields (which may lack an appearance)."""
    try:
        fields = reader.get_fields() or {}
    except Exception:  # a damaged form only loses its values
        return {}
    return {name: str(field["/V"]) for name, field in fields.items()
            if field.get("/FT") == "/Tx" and field.get("/V") not in (None, "")}


def _give_fields_appearances(writer, page, values):
    """A form saved with /NeedAppearances shows its values only in a viewer: draw them."""
    widgets = [a.get_object() for a in page.get("/Annots") or []]
    if all("/AP" in widget for widget in widgets if widget.get("/Subtype") == "/Widget"):
        return
    try:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    except Exception:  # pypdf cannot draw this form: its values do not print
        return


def _flatten_annotations(writer, page):
    """Draw each printable annotation's appearance into the page, then drop all annotations."""
    annotations = page.get("/Annots")
    if annotations is None:
        return
    drawing = []
    xobjects = None
    for number, reference in enumerate(annotations.get_object()):
        annotation = reference.get_object()
        appearance = _appearance(annotation)
        if appearance is None:
            continue
        if xobjects is None:
            resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
            xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
        name = f"/PackFlat{number}"
        xobjects[NameObject(name)] = writer._add_object(_plain_stream(appearance))
        a, b, c, d, e, f = _placement(annotation, appearance)
        drawing.append(f"q {a:.4f} {b:.4f} {c:.4f} {d:.4f} {e:.4f} {f:.4f} cm {name} Do Q")
    del page[NameObject("/Annots")]
    if drawing:
        stream = DecodedStreamObject()
        stream.set_data("\n".join(drawing).encode("ascii"))
        contents = page.get("/Contents")
        existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([*[c for c in existing if c is not None],
                                                    writer._add_object(stream)])


def _plain_stream(stream):
    """A plain copy of an appearance stream.

    pypdf 7 re-creates the appearances it generates (``TextStreamAppearance``)
    empty when it clones them into another file; a plain stream copies as it is.
    """
    copy = DecodedStreamObject()
    for key, value in stream.items():
        if key not in ("/Filter", "/DecodeParms", "/Length"):
            copy[NameObject(key)] = value
    copy.set_data(stream.get_data())
    return copy


def _appearance(annotation):
    """The normal appearance stream that prints for ``annotation``, if any."""
    if annotation.get("/Subtype") in _NOT_DRAWN:
        return None
    flags = int(annotation.get("/F", 0) or 0)
    if flags & _HIDDEN or not flags & _PRINT:
        return None
    appearances = annotation.get("/AP")
    if appearances is None:
        return None
    normal = appearances.get_object().get("/N")
    if normal is None:
        return None
    normal = normal.get_object()
    if not isinstance(normal, StreamObject):  # one stream per state (check boxes): the current one
        state = annotation.get("/AS")
        normal = normal.get(state).get_object() if state is not None and state in normal else None
    if not isinstance(normal, StreamObject) or "/BBox" not in normal:
        return None
    return normal


def _placement(annotation, appearance):
    """The matrix that maps the appearance's box onto the annotation's rectangle (PDF 32000, 12.5.5)."""
    x1, y1, x2, y2 = (float(v) for v in annotation["/Rect"])
    rx1, rx2, ry1, ry2 = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    bx1, by1, bx2, by2 = (float(v) for v in appearance["/BBox"])
    m = [float(v) for v in appearance.get("/Matrix", [1, 0, 0, 1, 0, 0])]
    corners = [(x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
               for x, y in ((bx1, by1), (bx2, by1), (bx1, by2), (bx2, by2))]
    tx1, tx2 = min(x for x, _ in corners), max(x for x, _ in corners)
    ty1, ty2 = min(y for _, y in corners), max(y for _, y in corners)
    sx = (rx2 - rx1) / (tx2 - tx1) if tx2 > tx1 else 1.0
    sy = (ry2 - ry1) / (ty2 - ty1) if ty2 > ty1 else 1.0
    return sx, 0.0, 0.0, sy, rx1 - tx1 * sx, ry1 - ty1 * sy
