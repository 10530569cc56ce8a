"""Words in a finished PDF that a reader cannot see but a machine can read.

The page is drawn (pdfium) and every character of its text layer is looked
at where it is drawn: a character in whose box (its edge pixels aside)
nothing changes, no two neighbouring pixels differing by more than ``FLAT``,
is not visible, whatever hides it.  This is the test the Free Law Project's
x-ray makes for court filings (a box over words is a bad redaction when the
area renders as one colour), made for every character rather than only
under rectangles, so that white text, invisible text (render mode 3) and
clipped text are found by the same rule.  Only then is the cause named,
from the page's objects in drawing order and its annotations: a filled box
or a picture drawn later over the character, invisible text, text the
colour of what is behind it, a layer switched off (optional content), or
else clipping or transparency.  A character
whose centre lies outside the page's visible box (its crop box), or in a
line under ``TINY_POINTS`` high, is hidden too.

Not a redaction: a glyph inked edge to edge (a bold l, a dash) whose line
shows more than its colour; text over a picture that shows more than one
colour, and invisible text over any picture (the OCR layer of a scanned
page); text under such a picture (the same layer under its scan); a form
field's own text (under its value); a run without a letter or digit, or of
one character repeated (``XXXX``, leader dots), as x-ray also skips; text
off the page of a page where no text is seen (a picture converter's label).
"""

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import ImageChops

from assembler.redaction.found import OUTSIDE_THE_PAGE, Covered

FLAT = 12  # the least difference (of 255, in grey) between neighbouring pixels that a reader sees
DPI = 108  # a page is drawn at this resolution, or less when it is larger than A3
MAX_PIXELS = 3_500_000
INVISIBLE = 3  # text render mode 3: neither filled nor stroked (ISO 32000-1, 9.3.6)
TINY_POINTS = 1.0  # text whose line is less high (and wide) than this is not there for a reader (a plan's
# smallest lettering, meant to be zoomed into, is larger)
SMALLEST = 3  # pixels: a character drawn smaller than this (both ways) cannot be judged, and is not


def covered_in_pdf(source):
    """Every run of hidden words in a PDF (a path or bytes), page by page.

    Returns a list of ``Covered`` (page numbers from 1).  Raises
    ``pypdfium2.PdfiumError`` if pdfium cannot open the file (the reader has
    already refused such a file).
    """
    pdf = pdfium.PdfDocument(source)
    try:
        found = []
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                found += _page(page, index + 1)
            finally:
                page.close()
        return found
    finally:
        pdf.close()


def _page(page, number):
    textpage = page.get_textpage()
    count = textpage.count_chars()
    if count <= 0:
        return []
    width, height = page.get_size()
    scale = min(DPI / 72, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
    bitmap = page.render(scale=scale, draw_annots=True, may_draw_forms=True, rev_byteorder=True)
    drawn = _Drawn(page, bitmap)
    visible_box, (fields, drawn.comments) = page.get_bbox(), _annotations(page)
    marks = []  # per character in text order: [index, char, why or its flat grey] hidden; None a space; False seen
    for index in range(count):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage, index))
        if char.isspace() or pdfium_c.FPDFText_IsGenerated(textpage, index) == 1 or not char.isprintable():
            marks.append(None)
            continue
        box = textpage.get_charbox(index)
        if box[2] - box[0] <= 0 or box[3] - box[1] <= 0:
            continue  # no box: nothing to tell
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        left, bottom, right, top = (textpage.get_charbox(index, loose=True)  # the room it takes in its line
                                    if max(box[2] - box[0], box[3] - box[1]) < TINY_POINTS else box)
        if fields and any(_inside(centre, field) for field in fields):
            marks.append(False)  # a form field's own text, under its value
        elif not _inside(centre, visible_box):
            marks.append([index, char, OUTSIDE_THE_PAGE])
        elif max(right - left, top - bottom) < TINY_POINTS:
            marks.append([index, char, f"in text too small to read ({top - bottom:.1f} pt)"])
        else:  # seen, unless nothing changes inside its box (its edge pixels aside, where a box drawn
            grey = drawn.flat(drawn.pixels(box), inset=True)  # tight over the words may begin)
            marks.append(False if grey is None else [index, char, grey])
    if False not in marks:  # a picture's page, its text all off it: a converter's label, not words
        marks = [mark for mark in marks if not (mark and mark[2] == OUTSIDE_THE_PAGE)]
    found = []
    for run in _runs(marks):
        reasons = [why if isinstance(why, str) else _why(textpage, drawn, index, why)
                   for index, char, why in run if char]
        words = "".join(char or " " for _, char, _ in run).strip()
        shown = [reason for reason in reasons if reason]
        if shown and _is_words(words):
            found.append(Covered(words, max(set(shown), key=shown.count), number))
    return found


class _Drawn:
    """A drawn page: where its pixels change, and its objects in drawing order (form
    XObjects opened, read when first needed)."""

    def __init__(self, page, bitmap):
        self.page, self.image = page, bitmap.to_pil()
        convert = bitmap.get_posconv(page).to_bitmap  # an affine map: three points give it
        (x, y), (xw, yw), (xh, yh) = convert(0, 0), convert(1000, 0), convert(0, 1000)
        self.matrix = ((xw - x) / 1000, (xh - x) / 1000, x, (yw - y) / 1000, (yh - y) / 1000, y)
        edges = ImageChops.lighter(_steps(self.image, 1, 0), _steps(self.image, 0, 1)).point(
            lambda step: 255 if step > FLAT else 0)
        self.edges, self.nothing = edges.tobytes(), bytes(edges.width)  # a row of it, as bytes; a row of no change
        self._objects = self._order = None
        self.comments = []  # the boxes of annotations drawn over the page (not form fields)

    def pixels(self, box):
        """A box on the page (points) in pixels: (x0, y0, x1, y1), inclusive."""
        a, b, c, d, e, f = self.matrix
        left, bottom, right, top = box
        x0, x1 = a * left + b * bottom + c, a * right + b * top + c
        y0, y1 = d * left + e * bottom + f, d * right + e * top + f
        return int(min(x0, x1)), int(min(y0, y1)), int(max(x0, x1)), int(max(y0, y1))

    def flat(self, box, inset=False):
        """The grey (0-255) of the one colour a box (pixels, inclusive) shows: nowhere in it do
        neighbouring pixels differ by more than ``FLAT``.  None if it shows more, or is too
        small to tell.  ``inset``: its edge pixels aside."""
        left, top, right, bottom = box
        if right - left < SMALLEST and bottom - top < SMALLEST:
            return None
        if inset:
            left, right = (left + 1, right - 1) if right - left > SMALLEST else (left, right)
            top, bottom = (top + 1, bottom - 1) if bottom - top > SMALLEST else (top, bottom)
        width = self.image.width
        box = (max(left, 0), max(top, 0), min(right + 1, width), min(bottom + 1, self.image.height))
        if box[2] <= box[0] or box[3] <= box[1]:
            return None
        nothing = self.nothing[:box[2] - box[0]]
        for row in range(box[1] * width, box[3] * width, width):
            if self.edges[row + box[0]:row + box[2]] != nothing:
                return None
        red, green, blue = self.image.getpixel(((box[0] + box[2] - 1) // 2, (box[1] + box[3] - 1) // 2))[:3]
        return 0.299 * red + 0.587 * green + 0.114 * blue

    def objects(self):
        if self._objects is None:
            self._objects = list(self.page.get_objects())
            self._order = {ctypes.cast(obj.raw, ctypes.c_void_p).value: n for n, obj in enumerate(self._objects)}
        return self._objects

    def place(self, raw_object):
        self.objects()
        return self._order.get(ctypes.cast(raw_object, ctypes.c_void_p).value)

    def has_content(self, obj):
        """Whether a picture shows more than one flat colour where it is drawn (a scan, a photo)."""
        left, top, right, bottom = self.pixels(obj.get_bounds())
        low, high = self.image.crop((max(left, 0), max(top, 0), right + 1, bottom + 1)).convert("L").getextrema()
        return high - low > 3 * FLAT


def _steps(image, across, down):
    """How much each pixel differs from the one ``across`` to its left and ``down`` above it, in grey."""
    shifted = image.crop((-across, -down, image.width - across, image.height - down))
    return ImageChops.difference(image, shifted).convert("L")


def _annotations(page):
    """The boxes of the page's annotations: (form fields, the others: comments, stamps …)."""
    fields, others = [], []
    for index in range(pdfium_c.FPDFPage_GetAnnotCount(page)):
        annotation = pdfium_c.FPDFPage_GetAnnot(page, index)
        try:
            rect = pdfium_c.FS_RECTF()
            if pdfium_c.FPDFAnnot_GetRect(annotation, rect):
                box = (min(rect.left, rect.right), min(rect.bottom, rect.top),
                       max(rect.left, rect.right), max(rect.bottom, rect.top))
                widget = pdfium_c.FPDFAnnot_GetSubtype(annotation) == pdfium_c.FPDF_ANNOT_WIDGET
                (fields if widget else others).append(box)
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annotation)
    return fields, others


def _inside(point, box):
    left, bottom, right, top = box
    return left <= point[0] <= right and bottom <= point[1] <= top


def _runs(marks):
    """Runs of hidden characters (with the spaces between them), split by a seen one."""
    runs, current = [], []
    for mark in marks + [False]:
        if mark is False:
            if current:
                runs.append(current)
            current = []
        elif mark is None:
            if current:
                current.append((None, None, None))
        else:
            current.append(tuple(mark))
    return runs


def _is_words(text):
    """A redaction hides words or figures: not leader dots, rules or ``XXXX``."""
    letters = [c for c in text if not c.isspace()]
    return any(c.isalnum() for c in letters) and len(set(letters)) > 1


def _why(textpage, drawn, index, grey):
    """Why a character whose box shows one flat colour (``grey``) is not seen, as a message
    says it; None when it is the text layer of a scanned page."""
    left, bottom, right, top = textpage.get_charbox(index)
    centre = ((left + right) / 2, (bottom + top) / 2)
    text_object = pdfium_c.FPDFText_GetTextObject(textpage, index)
    objects = drawn.objects()
    if text_object and pdfium_c.FPDFTextObj_GetTextRenderMode(text_object) == INVISIBLE:
        if any(obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE and _inside(centre, obj.get_bounds()) for obj in objects):
            return None  # the OCR layer of a scanned page
        return "in invisible text"
    place = drawn.place(text_object) if text_object else None
    for obj in objects[place + 1:] if place is not None else []:
        if _inside(centre, obj.get_bounds()):
            if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                return None if drawn.has_content(obj) else "under a picture"
            if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH and _filled(obj):
                return f"under a {_colour_name(grey)} box"
            if obj.type == pdfium_c.FPDF_PAGEOBJ_SHADING:
                return "under a shaded area"
    if any(_inside(centre, comment) for comment in drawn.comments):
        return f"under a {_colour_name(grey)} box (an annotation)"
    if any(obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE and _inside(centre, obj.get_bounds()) and drawn.has_content(obj)
           for obj in objects[:place]):
        return None  # a scan's text layer made see-through some other way than render mode 3
    text_grey = _text_grey(textpage, index)
    if text_grey is not None and abs(text_grey - grey) <= 3 * FLAT:
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        trim = (top - bottom) / 6  # a font's box is taller than the line a highlight colours
        if drawn.flat(drawn.pixels((left, bottom + trim, right, top - trim))) is None:
            return None  # a glyph inked edge to edge (a bold l, a dash), seen against what is around it
        return f"in {_colour_name(grey)} text on {_colour_name(grey)}"
    if text_object and "OC" in _marks(text_object):
        return "in a layer that is switched off"
    return "clipped away or see-through"


def _marks(page_object):
    """The names of the marked content a page object is in (``OC``: an optional content layer)."""
    names = []
    for index in range(pdfium_c.FPDFPageObj_CountMarks(page_object)):
        mark = pdfium_c.FPDFPageObj_GetMark(page_object, index)
        name, length = (ctypes.c_ushort * 64)(), ctypes.c_ulong()
        if mark and pdfium_c.FPDFPageObjMark_GetName(mark, name, ctypes.sizeof(name), ctypes.byref(length)):
            names.append(bytes(name)[:length.value].decode("utf-16-le").rstrip("\0"))
    return names


def _filled(obj):
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    return bool(pdfium_c.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill), ctypes.byref(stroke))) and fill.value != 0


def _text_grey(textpage, index):
    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
    if not pdfium_c.FPDFText_GetFillColor(textpage, index, red, green, blue, alpha):
        return None
    return 0.299 * red.value + 0.587 * green.value + 0.114 * blue.value


def _colour_name(grey):
    return "black" if grey < 40 else "white" if grey > 235 else "dark" if grey < 128 else "light"
