"""Finished PDF papers: one judgement of whether the pack can carry a file, made when it is read.

The reader opens the file with qpdf (pikepdf), as the binder does, so a file
the binder could not open is found here with every other bad file.  What
qpdf can repair is repaired (with a warning); a file qpdf cannot open at
all is rebuilt from what pypdf can read of it, or refused in one line.  The
file is then prepared for binding (``pdf_pages``): decrypted, its visible
annotations drawn into its pages, its links kept as plain jumps and web
links, every page given a printable size, damaged streams repaired, fonts
it does not carry embedded (``pdf_fonts``).  The prepared bytes are what the
binder lays into the pack and what the leak check reads.
"""

import io
import logging

import pikepdf

from assembler.errors import PaperError, Problem
from assembler.model import FinishedPdf, PageBox
from assembler.readers import pdf_pages

MAX_PAGES = 2000

logger = logging.getLogger(__name__)

# What a damaged or hostile file can make the libraries raise while we read it.
_DAMAGE = (pikepdf.PdfError, pikepdf.ForeignObjectError, ValueError, KeyError, TypeError, AttributeError,
           IndexError, RecursionError, NotImplementedError, OverflowError, ArithmeticError)


def open_pdf(path):
    """The file at ``path`` opened with qpdf: ``(pikepdf.Pdf, [repair notes])``.

    Encrypted files (RC4, AES-128, AES-256: PDF 1.7 §7.6, ISO 32000-2 §7.6.4)
    open when their user password is empty, as a viewer opens them.  qpdf
    repairs a damaged cross-reference table and page tree as it opens a file
    (its notes come back as repair notes); a file qpdf cannot open at all
    (no /Root, say) is rebuilt page by page from what pypdf reads of it.

    Raises ``PaperError`` naming the file: password-protected, unreadable.
    """
    try:
        pdf = pikepdf.open(path, password="")
    except pikepdf.PasswordError:
        raise PaperError(path, "is password-protected; ask for a copy without a password") from None
    except pikepdf.PdfError as error:
        logger.debug("qpdf cannot open %s: %s", path, error)
        return _rebuilt(path, error)
    except OSError as error:
        raise PaperError(path, f"cannot be read ({error.strerror or error})") from None
    return pdf, [str(warning) for warning in pdf.get_warnings()]


def _rebuilt(path, qpdf_error):
    """A file qpdf cannot open, rebuilt from the pages pypdf can read (pypdf 7 reads
    some files whose trailer or /Root qpdf cannot find)."""
    from pypdf import PdfReader, PdfWriter

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PaperError(path, "is password-protected; ask for a copy without a password")
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        data = io.BytesIO()
        writer.write(data)
        pdf = pikepdf.open(io.BytesIO(data.getvalue()))
        if len(pdf.pages) == 0:
            raise ValueError("no pages")
    except PaperError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure of a parser on a damaged file means: unreadable
        if "password" in str(qpdf_error).lower() or "decrypt" in str(error).lower():
            raise PaperError(path, "is password-protected; ask for a copy without a password") from None
        raise PaperError(path, Problem("is not a readable PDF (damaged or truncated); ask for a fresh export",
                                       f"qpdf: {qpdf_error}; pypdf: {error!r}")) from None
    return pdf, [f"rebuilt from its pages: {str(qpdf_error).rsplit(': ', 1)[-1]}"]


def read_pdf(path):
    """A finished PDF paper, judged and prepared for binding: a ``FinishedPdf``.

    Refuses (``PaperError``, one line naming the file) a file that cannot be
    opened, is password-protected, has no pages or more than ``MAX_PAGES``,
    or a page that cannot be drawn; ``--debug`` shows the libraries' own
    error.  What was repaired or left out comes back in ``warnings``.
    """
    pdf, repairs = open_pdf(path)
    try:
        with pdf:
            count = len(pdf.pages)
            if count == 0:
                raise PaperError(path, "has no pages")
            if count > MAX_PAGES:
                raise PaperError(path, f"has {count} pages; a paper may have at most {MAX_PAGES}")
            outline = pdf_pages.outline(pdf)
            prepared = pdf_pages.prepare(pdf, path)
    except PaperError:
        raise
    except _DAMAGE as error:
        raise PaperError(path, Problem("is damaged beyond repair; ask for a fresh export", repr(error))) from None
    warnings = list(prepared.warnings)
    if repairs:
        warnings.insert(0, f"was damaged and has been repaired ({len(repairs)} problem"
                           f"{'s' if len(repairs) != 1 else ''}, e.g. {_short(repairs[0])}); check its pages")
    return FinishedPdf(source=path, pages=[PageBox(w, h) for w, h in prepared.sizes], data=prepared.data,
                       outline=[entry for entry in outline if entry[2] < count], tagged=prepared.tagged,
                       unembedded_fonts=prepared.unembedded_fonts, warnings=warnings)


def _short(note, limit=90):
    note = note.split(": ", 1)[-1] if note.count(": ") else note
    return note if len(note) <= limit else note[:limit - 1] + "…"
