"""A finished PDF made ready for binding: what it shows, and nothing that a viewer could run.

``prepare`` works on the file as qpdf opened it (decrypted, repaired) and
gives back a new, plain PDF:

* **Annotations that show something** (highlights, underlines, strike-outs,
  squares, circles, ink, free text, stamps, filled form fields) are drawn
  into the page.  pdfium writes an appearance stream for the markup kinds
  that have none when it draws a page with its annotations, and
  ``FPDFPage_Flatten`` then draws every printable annotation into the page
  (pdfium's behaviour, pypdfium2 5).  Form fields get qpdf's appearance
  first (its ``generate_appearance_streams``, for forms that ask viewers to
  make their own).
* **Comments** (sticky notes, and the popup text of markup annotations) are
  left out, and counted for a warning: they often hold private remarks.
* **Links** to the file's own pages stay as jumps to those pages; http,
  https and mailto links stay as web links.  No other action survives.
* **Every page printable**: an impossible media box becomes US Letter (what
  viewers assume); ``/UserUnit`` (PDF 1.7 §14.11.2) is folded into the page,
  so a page is measured in points like any other; a page under 5 cm on a
  side is enlarged, so the pack's number can be printed on it legibly.
* **Nothing damaged goes out**: a stream that does not decode is replaced
  by what decodes of it, a content stream that does not parse by what
  parses; a file still not clean by ``qpdf --check``'s measure is refused.
* Of the catalog only the page tree and the structure tree remain (the
  binder takes what of the structure describes the printed pages).
"""

import io
import logging
import math
import re
import warnings
import zlib
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

from assembler.errors import PaperError, Problem
from assembler.model import PageBox
from assembler.readers.pdf_forms import draw_field_values

logger = logging.getLogger(__name__)

LETTER = (0.0, 0.0, 612.0, 792.0)  # what PDF viewers (pdfium, pdf.js) assume for a page without a size
MIN_SIDE = 5 / 2.54 * 72  # points: under 5 cm the pack's page number cannot be printed legibly
MAX_SIDE = 14400  # points: 200 inches, the PDF limit for a page side (PDF 1.7 Annex C)
WEB_SCHEMES = ("http:", "https:", "mailto:")
PAGE_KEYS = {"/Type", "/Parent", "/Resources", "/Contents", "/MediaBox", "/CropBox", "/Rotate", "/Group",
             "/StructParents", "/Annots", "/Tabs"}
COMMENTS = {"/Text", "/Popup"}  # sticky notes and the windows that show markup annotations' text
MARKUP = {"/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine", "/Highlight", "/Underline",
          "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink", "/FileAttachment", "/Sound", "/Redact"}


@dataclass
class Prepared:
    data: bytes  # the new PDF
    pages: list  # PageBox of each page: its size in points as it shows, rotation applied
    tagged: bool
    unembedded_fonts: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    outline: list = field(default_factory=list)  # (level, title, page index), set by the reader


@dataclass
class _Link:
    rect: list  # [x1, y1, x2, y2] in the page's default user space
    uri: str | None = None  # a web or mail link
    page: int | None = None  # a jump to this page index of the same file
    at: list | None = None  # [left, top] of the jump's view, if it gives one


def prepare(pdf, path):
    """``pdf`` (opened by ``open_pdf``) made ready for binding: a ``Prepared``.

    Raises ``PaperError`` for a page that cannot be drawn or a file whose
    streams stay damaged after repair; pikepdf's own errors for a file too
    broken to follow (the caller refuses it).
    """
    from assembler.readers.pdf_fonts import embed_missing_fonts

    notes = []
    _push_inherited(pdf)
    for index, page in enumerate(pdf.pages):
        media = _numbers(page.obj.get("/MediaBox"), 4)
        if media is None or not _area(media):
            page.obj.MediaBox = Array(LETTER)
            notes.append(f"page {index + 1} has no usable size; laid out at US Letter size, as PDF viewers do")
        _keep_drawing_only(page.obj, set())
    links, comments = _take_annotations(pdf)
    if comments:
        notes.append(f"{comments} comment{'s' if comments != 1 else ''} (sticky notes, popup text) left out: "
                        "comments often hold private remarks; if one must be read, ask for it in the paper's text")
    if any("/Annots" in page for page in pdf.pages):
        pdf = _flattened(pdf)
    pages = []
    for index, page in enumerate(pdf.pages):
        size, note = _normalise(pdf, page, index, links.get(index, []), path)
        pages.append(PageBox(*size))
        if note:
            notes.append(note)
    _clean_catalog(pdf)
    fonts = embed_missing_fonts(pdf)
    if fonts.substituted:
        notes.append("does not carry all its fonts; the pack embeds shipped ones of the same widths in their "
                     f"place: {'; '.join(sorted(fonts.substituted)[:3])}{' …' if len(fonts.substituted) > 3 else ''}")
    data = _save(pdf)
    if _problems(data):  # what qpdf --check finds: only then is every stream read and parsed again
        repaired = _repair_streams(pdf, path)
        if repaired:
            notes.append(f"{repaired} damaged stream{'s' if repaired != 1 else ''} repaired (what could be read "
                         "of them is kept); check its pages")
        data = _save(pdf)
        problems = _problems(data)
        if problems:
            raise PaperError(path, Problem("is damaged in a way that cannot be repaired; ask for a fresh export",
                                           "; ".join(problems[:3])))
    return Prepared(data, pages, _tagged(pdf), fonts.left, notes)


def _push_inherited(pdf):
    """Give every page its own /MediaBox, /CropBox, /Rotate and /Resources, which it
    may inherit from the page tree (PDF 1.7 §7.7.3.4): a page copied alone keeps them."""
    for page in pdf.pages:
        for key in ("/MediaBox", "/CropBox", "/Rotate", "/Resources"):
            if key in page.obj:
                continue
            node, depth = page.obj.get("/Parent"), 0
            while isinstance(node, Dictionary) and depth < 64:
                if key in node:
                    page.obj[key] = node[key]
                    break
                node, depth = node.get("/Parent"), depth + 1


RESOURCE_KEYS = {"/ExtGState", "/ColorSpace", "/Pattern", "/Shading", "/XObject", "/Font", "/ProcSet", "/Properties"}


def _keep_drawing_only(holder, seen, depth=0):
    """Keep of a page's (or form's) /Contents only streams, and of its resources only the
    kinds a content stream can name (PDF 1.7 §7.8.3, Table 33), in it and in the forms it
    draws: nothing else of the file can ride along with the page."""
    contents = holder.get("/Contents")
    if isinstance(contents, Array):
        holder.Contents = Array([item for item in contents if isinstance(item, pikepdf.Stream)])
    elif contents is not None and not isinstance(contents, pikepdf.Stream):
        del holder.Contents
    resources = holder.get("/Resources")
    if not isinstance(resources, Dictionary) or depth > 32:
        return
    if resources.is_indirect:
        if resources.objgen in seen:
            return
        seen.add(resources.objgen)
    for key in list(resources.keys()):
        if key not in RESOURCE_KEYS:
            del resources[key]
    xobjects = resources.get("/XObject")
    for form in xobjects.values() if isinstance(xobjects, Dictionary) else []:
        if isinstance(form, pikepdf.Stream) and form.get("/Subtype") == Name.Form:
            _keep_drawing_only(form, seen, depth + 1)


def _take_annotations(pdf):
    """Every page's links (as ``_Link``s, by page index) and the number of comments,
    both taken off the pages; form fields are given an appearance to be drawn."""
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    links, comments = {}, 0
    for index, page in enumerate(pdf.pages):
        annotations = page.obj.get("/Annots")
        if not isinstance(annotations, Array):
            if "/Annots" in page.obj:
                del page.obj.Annots
            continue
        kept = Array()
        for annotation in annotations:
            if not isinstance(annotation, Dictionary):
                continue
            kind = annotation.get("/Subtype")
            if kind == Name.Link:
                link = _link(pdf, annotation, pages)
                if link is not None:
                    links.setdefault(index, []).append(link)
            elif kind in COMMENTS:
                comments += 1 if kind == Name.Text else 0
            else:
                if kind in MARKUP and kind != Name.FreeText and str(annotation.get("/Contents", "")).strip():
                    comments += 1  # its popup text goes; its mark is drawn
                if kind in (Name.Line, Name.Polygon, Name.PolyLine) and "/AP" not in annotation:
                    _draw_shape(pdf, annotation)  # pdfium makes no appearance for these kinds
                kept.append(annotation)
        if kept:
            page.obj.Annots = kept
        else:
            del page.obj.Annots
    if "/AcroForm" in pdf.Root:
        draw_field_values(pdf)
        try:
            pdf.generate_appearance_streams()
        except pikepdf.PdfError:  # a form qpdf cannot draw: its fields print as their own appearance says
            logger.debug("qpdf could not draw the form fields", exc_info=True)
    return links, comments


def _draw_shape(pdf, annotation):
    """Give a Line, Polygon or PolyLine annotation without one an appearance stream (PDF 1.7
    §12.5.5, §12.5.6.7-9): its points stroked in its colour (/C) at its border width
    (/BS /W, else /Border's third number, else 1 point), a polygon filled with /IC."""
    points = annotation.get("/L") if annotation.Subtype == Name.Line else annotation.get("/Vertices")
    points = [_number(value) for value in points] if isinstance(points, Array) else []
    rect = _numbers(annotation.get("/Rect"), 4)
    stroke = _colour(annotation.get("/C"), "RG G K")
    if len(points) < 4 or len(points) % 2 or None in points or rect is None or stroke is None:
        return  # no points, no place or no colour: nothing a viewer would draw either
    border = annotation.get("/BS")
    width = _number(border.get("/W")) if isinstance(border, Dictionary) else None
    if width is None and isinstance(annotation.get("/Border"), Array) and len(annotation.Border) >= 3:
        width = _number(annotation.Border[2])
    width = 1.0 if width is None else width
    path = " ".join(f"{x:.3f} {y:.3f} {'m' if n == 0 else 'l'}" for n, (x, y) in enumerate(zip(points[::2], points[1::2])))
    fill = _colour(annotation.get("/IC"), "rg g k") if annotation.Subtype == Name.Polygon else None
    close = annotation.Subtype == Name.Polygon
    paint = ("b" if fill else "s") if close else "S"
    content = f"q {width:.3f} w 1 J 1 j {stroke} {fill or ''} {path} {paint} Q"
    annotation.AP = Dictionary(N=pdf.make_stream(content.encode(), Type=Name.XObject, Subtype=Name.Form,
                                                 BBox=Array(rect), Resources=Dictionary()))


def _colour(value, operators):
    """A colour array (1, 3 or 4 numbers: grey, RGB, CMYK) as a colour operator, or None."""
    numbers = [_number(item) for item in value] if isinstance(value, Array) else []
    operator = {1: operators.split()[1], 3: operators.split()[0], 4: operators.split()[2]}.get(len(numbers))
    if operator is None or None in numbers:
        return None
    return " ".join(f"{number:.3f}" for number in numbers) + f" {operator}"


def _link(pdf, annotation, pages):
    """A link annotation as a ``_Link``, or None if it is not a web link or a jump to a page of the file."""
    rect = _numbers(annotation.get("/Rect"), 4)
    if rect is None:
        return None
    action = annotation.get("/A")
    target = annotation.get("/Dest")
    if isinstance(action, Dictionary):
        if action.get("/S") == Name.URI:
            uri = action.get("/URI")
            uri = bytes(uri).decode("latin-1").strip() if isinstance(uri, pikepdf.String) else ""
            return _Link(rect, uri=uri) if uri.lower().startswith(WEB_SCHEMES) else None
        if action.get("/S") != Name.GoTo:
            return None  # JavaScript, launch, remote go-to, submit-form, ...: never
        target = action.get("/D")
    page, at = _destination(pdf, target, pages)
    return _Link(rect, page=page, at=at) if page is not None else None


def _destination(pdf, target, pages, depth=0):
    """(page index, [left, top] or None) of an explicit or named destination (PDF 1.7 §12.3.2)."""
    if depth > 4 or target is None:
        return None, None
    if isinstance(target, (pikepdf.String, Name)):
        return _destination(pdf, _named(pdf, target), pages, depth + 1)
    if isinstance(target, Dictionary):
        return _destination(pdf, target.get("/D"), pages, depth + 1)
    if not isinstance(target, Array) or len(target) == 0 or not isinstance(target[0], Dictionary):
        return None, None
    page = pages.get(target[0].objgen)
    at = None
    if len(target) >= 4 and target[1] == Name.XYZ:
        at = [_number(target[2]), _number(target[3])]
    return page, at


def _named(pdf, name):
    """The destination named ``name``: in the /Dests name tree, or the old /Dests dictionary."""
    try:
        if isinstance(name, pikepdf.String) and "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
            tree = pikepdf.NameTree(pdf.Root.Names.Dests)
            key = bytes(name).decode("latin-1")
            if key in tree:
                return tree[key]
        old = pdf.Root.get("/Dests")
        if isinstance(old, Dictionary):
            return old.get("/" + str(name).lstrip("/"))
    except (pikepdf.PdfError, ValueError, TypeError, KeyError, RecursionError):
        pass
    return None


def _flattened(pdf):
    """The file with its printable annotations drawn into its pages by pdfium (see the module)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(_save(pdf))
    try:
        for index in range(len(document)):
            page = document[index]
            if raw.FPDFPage_GetAnnotCount(page.raw) > 0:
                page.render(scale=0.05, draw_annots=True, may_draw_forms=False)  # writes missing appearances
                raw.FPDFPage_Flatten(page.raw, raw.FLAT_PRINT)
            page.close()
        buffer = io.BytesIO()
        document.save(buffer)
    finally:
        document.close()
    flat = pikepdf.open(io.BytesIO(buffer.getvalue()))
    for page in flat.pages:
        if "/Annots" in page.obj:
            del page.obj.Annots  # what pdfium left is not printed (hidden, no-print) or could not be drawn
    return flat


def _normalise(pdf, page, index, links, path):
    """Give ``page`` a printable size in points, and its links; return ((width, height), note or None)."""
    note = None
    media = _numbers(page.obj.get("/MediaBox"), 4)  # made usable by prepare
    crop = _numbers(page.obj.get("/CropBox"), 4)
    crop = _intersection(crop, media) if crop is not None else None
    box = crop if crop is not None and _area(crop) else media
    unit = _number(page.obj.get("/UserUnit")) or 1.0
    unit = unit if unit > 0 else 1.0
    rotate = _number(page.obj.get("/Rotate")) or 0
    rotate = int(rotate) // 90 * 90 % 360
    width, height = (box[2] - box[0]) * unit, (box[3] - box[1]) * unit
    scale = unit
    if min(width, height) < MIN_SIDE:
        enlarge = MIN_SIDE / min(width, height)
        note = (f"page {index + 1} is {_cm(width)} x {_cm(height)} cm, too small to carry the pack's page "
                f"number; enlarged to {_cm(width * enlarge)} x {_cm(height * enlarge)} cm")
        scale, width, height = scale * enlarge, width * enlarge, height * enlarge
    if max(width, height) > MAX_SIDE:
        raise PaperError(path, f"page {index + 1} is {_cm(width)} x {_cm(height)} cm, too large to print "
                               f"(at most {_cm(MAX_SIDE)} cm a side)")
    for key in ("/UserUnit", "/TrimBox", "/BleedBox", "/ArtBox"):
        if key in page.obj:
            del page.obj[key]
    page.obj.MediaBox = Array([round(value * scale, 4) for value in media])
    if crop is not None and crop != media and _area(crop):
        page.obj.CropBox = Array([round(value * scale, 4) for value in crop])
    elif "/CropBox" in page.obj:
        del page.obj.CropBox
    page.obj.Rotate = rotate
    if scale != 1.0:
        page.contents_add(f"q {scale:.6f} 0 0 {scale:.6f} 0 0 cm\n".encode(), prepend=True)
        page.contents_add(b"\nQ\n")
    if links:
        page.obj.Annots = Array([pdf.make_indirect(_link_annotation(link, scale)) for link in links])
    for key in list(page.obj.keys()):
        if key not in PAGE_KEYS:
            del page.obj[key]
    size = (width, height) if rotate % 180 == 0 else (height, width)
    return size, note


def _link_annotation(link, scale):
    """A plain link annotation: a web link, or a jump whose /Dest names its page by index
    (an integer: the binder makes it a page reference when it lays the pages in)."""
    annotation = Dictionary(Type=Name.Annot, Subtype=Name.Link, F=4, Border=Array([0, 0, 0]),
                            Rect=Array([round(value * scale, 4) for value in link.rect]))
    if link.uri is not None:
        annotation.A = Dictionary(S=Name.URI, URI=pikepdf.String(link.uri))
        annotation.Contents = pikepdf.String(link.uri)
    elif link.at is not None and None not in link.at:
        annotation.Dest = Array([link.page, Name.XYZ, link.at[0] * scale, link.at[1] * scale, None])
    else:
        annotation.Dest = Array([link.page, Name.Fit])
    return annotation


def _clean_catalog(pdf):
    """Keep of the catalog only the page tree, the structure tree and what says the file is tagged."""
    for key in list(pdf.Root.keys()):
        if key not in ("/Type", "/Pages", "/StructTreeRoot", "/MarkInfo", "/Lang"):
            del pdf.Root[key]
    for key in list(pdf.trailer.keys()):
        if key not in ("/Root", "/Size", "/ID"):
            del pdf.trailer[key]
    pdf.trailer.Size = len(pdf.objects) + 1  # qpdf writes its own count only over one that is there


def _repair_streams(pdf, path):
    """Rewrite every stream that does not decode cleanly with what decodes of it, and every
    content stream that does not parse with what parses; the number rewritten.  Raises
    ``PaperError`` for a stream of which nothing can be read."""
    pdf.get_warnings()  # clear qpdf's notes so far
    repaired = 0
    for thing in pdf.objects:
        if not isinstance(thing, pikepdf.Stream):
            continue
        filters = thing.get("/Filter")
        filters = list(filters) if isinstance(filters, Array) else [filters] if filters is not None else []
        if any(name not in _GENERAL_FILTERS for name in filters):
            continue  # images in JPEG, JBIG2, JPEG 2000 or fax: qpdf --check does not decode them either
        salvaged = False
        try:
            data = thing.read_bytes()
        except pikepdf.PdfError as error:
            data = _inflated(thing) if filters == [Name.FlateDecode] and "/DecodeParms" not in thing else b""
            if not data:
                raise PaperError(path, Problem("is damaged beyond repair (a stream cannot be read); "
                                               "ask for a fresh export", str(error))) from None
            salvaged = True
        if pdf.get_warnings() or salvaged:
            thing.write(data)
            repaired += 1
    for page in pdf.pages:
        try:
            instructions = pikepdf.parse_content_stream(page)
        except pikepdf.PdfError:
            instructions = []
        if pdf.get_warnings():
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
            repaired += 1
    return repaired


_GENERAL_FILTERS = {Name.FlateDecode, Name.LZWDecode, Name.ASCII85Decode, Name.ASCIIHexDecode, Name.RunLengthDecode,
                    Name.Fl, Name.LZW, Name.A85, Name.AHx, Name.RL}


def _inflated(stream):
    """What zlib can inflate of a damaged Flate stream, up to the damage."""
    inflater, out, raw = zlib.decompressobj(), [], stream.read_raw_bytes()
    for start in range(0, len(raw), 16):
        try:
            out.append(inflater.decompress(raw[start:start + 16]))
        except zlib.error:
            break
    return b"".join(out)


def _save(pdf):
    output = io.BytesIO()
    with warnings.catch_warnings():  # pikepdf's advice on forms is for copying pages, which we do not
        warnings.simplefilter("ignore")
        pdf.save(output, encryption=False, compress_streams=True, deterministic_id=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return output.getvalue()


def _problems(data):
    """What ``qpdf --check`` would find in ``data`` (pikepdf's ``check_pdf_syntax``)."""
    with pikepdf.open(io.BytesIO(data)) as written, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "missing some specialized decoders": qpdf --check does not use them either
        problems = [str(problem) for problem in written.check_pdf_syntax()]
    # pikepdf also decodes pictures (JPEG, JPEG 2000, JBIG2), which qpdf --check does not: a picture's
    # own damage is drawn as well as viewers can, and is no fault of the file's structure
    kept, picture = [], False
    for problem in problems:
        if re.search(r": Pl_(DCT|JPX|JBIG2)", problem) or picture and "re-processed without filtering" in problem:
            picture = True
            continue
        picture = False
        kept.append(problem)
    return kept


def _tagged(pdf):
    """Whether the file has a structure tree to bring into the pack: a ParentTree and elements."""
    tree = pdf.Root.get("/StructTreeRoot")
    if not isinstance(tree, Dictionary) or not isinstance(tree.get("/ParentTree"), Dictionary):
        return False
    kids = tree.get("/K")
    kids = list(kids) if isinstance(kids, Array) else [kids]
    return any(isinstance(kid, Dictionary) and "/S" in kid for kid in kids)


def outline(pdf):
    """The file's own bookmarks as (level, title, page index); a broken one loses only itself."""
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    found = []

    def walk(items, level, seen):
        for item in items:
            if id(item) in seen or len(found) > 5000:
                continue
            seen.add(id(item))
            try:
                target = item.destination if item.destination is not None else (
                    item.action.get("/D") if item.action is not None and item.action.get("/S") == Name.GoTo
                    else None)
                page, _ = _destination(pdf, target, pages)
            except (pikepdf.PdfError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
                page = None
            title = str(item.title or "").strip()
            if page is not None and title:
                found.append((level, title, page))
            if level < 20:
                walk(item.children, level + 1, seen)

    try:
        with pdf.open_outline() as tree:
            walk(tree.root, 1, set())
    except (pikepdf.PdfError, pikepdf.OutlineStructureError, ValueError, TypeError, KeyError, AttributeError,
            RecursionError):
        return found
    return found


def _number(value):
    try:
        number = float(value)
    except (TypeError, ValueError, pikepdf.PdfError):
        return None
    return number if math.isfinite(number) else None


def _numbers(value, count):
    if not isinstance(value, Array) or len(value) != count:
        return None
    numbers = [_number(item) for item in value]
    if None in numbers:
        return None
    x1, y1, x2, y2 = numbers
    return [min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)]


def _area(box):
    return (box[2] - box[0]) > 0.5 and (box[3] - box[1]) > 0.5


def _intersection(a, b):
    box = [max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])]
    return box if _area(box) else None


def _cm(points):
    return f"{points / 72 * 2.54:.1f}"
