"""Finished PDF papers: we read only what binding needs (page sizes, outline).

The pages themselves are placed by the binder; this reader checks that the
file can be opened and measured, so that a damaged or locked file is refused
before any rendering starts.
"""

import logging

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject

from assembler.errors import PaperError
from assembler.model import FinishedPdf, PageBox

MAX_PAGES = 2000
MAX_SIDE = 14400  # points: 200 inches, the PDF spec's limit for a page side

logger = logging.getLogger(__name__)


def open_pdf(path):
    """A ``PdfReader`` for ``path``, or ``PaperError`` saying why not."""
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PaperError(path, "is password-protected; ask for an unlocked copy")
        len(reader.pages)
        return reader
    except PaperError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise PaperError(path, f"is not a readable PDF (damaged or truncated: {error})") from None
    except NotImplementedError as error:
        raise PaperError(path, f"uses a PDF feature we cannot read ({error})") from None
    except OSError as error:
        raise PaperError(path, f"cannot be read ({error.strerror or error})") from None


def page_box(page):
    """The visible size of ``page`` in points, with its /Rotate applied."""
    box = page.cropbox
    width, height = float(box.width), float(box.height)
    if int(page.get("/Rotate", 0) or 0) % 180 == 90:
        width, height = height, width
    return PageBox(abs(width), abs(height))


def read_pdf(path):
    reader = open_pdf(path)
    try:
        count = len(reader.pages)
        if count == 0:
            raise PaperError(path, "has no pages")
        if count > MAX_PAGES:
            raise PaperError(path, f"has {count} pages; a paper may have at most {MAX_PAGES}")
        pages = [page_box(page) for page in reader.pages]
        tagged = _tagged(reader.trailer["/Root"])
    except PaperError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise PaperError(path, f"is not a readable PDF (damaged: {error})") from None
    for number, box in enumerate(pages, 1):
        if not (1 <= box.width <= MAX_SIDE and 1 <= box.height <= MAX_SIDE):
            raise PaperError(path, f"page {number} has an impossible size ({box.width:.0f} x {box.height:.0f} pt)")
    try:
        fonts = unembedded_fonts(reader)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        fonts = ["(unreadable font resources)"]
    return FinishedPdf(source=path, pages=pages, outline=_outline(reader), tagged=tagged, unembedded_fonts=fonts)


def unembedded_fonts(reader):
    """Names of the fonts a PDF's pages use without carrying the font program."""
    found = set()

    def check(resources, depth=0):
        if resources is None or depth > 8:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type3":
                continue
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                found.add(str(font.get("/BaseFont", "(unnamed)")).lstrip("/"))
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                check(xobject.get("/Resources"), depth + 1)

    for page in reader.pages:
        check(page.get("/Resources"))
    return sorted(found)


def _outline(reader):
    """The file's own bookmarks as (level, title, page index), if readable."""
    found = []

    def walk(entries, level):
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, level + 1)
                continue
            try:
                found.append((level, str(entry.title or "").strip(), reader.get_destination_page_number(entry)))
            except Exception:  # a broken bookmark only loses that bookmark
                logger.debug("skipped an unreadable bookmark in %s", reader.stream)

    try:
        walk(reader.outline, 1)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return []
    return [entry for entry in found if entry[1] and entry[2] is not None and entry[2] >= 0]


def _tagged(catalog):
    """Whether a PDF has a structure tree to bring into the pack: a ParentTree and elements."""
    def resolved(value):
        return value.get_object() if value is not None else None

    tree = resolved(catalog.get("/StructTreeRoot"))
    if not isinstance(tree, DictionaryObject) or not isinstance(resolved(tree.get("/ParentTree")), DictionaryObject):
        return False
    kids = resolved(tree.get("/K"))
    kids = kids if isinstance(kids, ArrayObject) else [kids]
    return any(isinstance(resolved(kid), DictionaryObject) and "/S" in resolved(kid) for kid in kids if kid is not None)
