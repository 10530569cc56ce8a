"""Finished PDF papers: one judgement of whether the pack can carry a file, made when it is read.

The reader opens the file with qpdf (pikepdf), as the binder does, so a file
the binder could not open is found here with every other bad file.  What
qpdf can repair is repaired (with a warning); a file qpdf cannot open at
all is rebuilt from what pypdf can read of it, or refused in one line.  The
file is then prepared for binding (``pdf_pages``): decrypted, its visible
annotations drawn into its pages, its links kept as plain jumps and web
links, every page given a printable size, damaged streams repaired, fonts
it does not carry embedded (``pdf_fonts``), and where each page draws
measured (``pdf_extent``), for the binder to keep the pack's furniture clear
of it.  The prepared bytes are what the binder lays into the pack and what
the leak check reads.
"""

import contextlib
import io
import logging
import os
import re
import sys

import pikepdf

from assembler.errors import PaperError, Problem
from assembler.model import FinishedPdf, PageBox
from assembler.opened import read_paper_file
from assembler.readers import pdf_pages
from assembler.readers.bounds import inflated_problem
from assembler.readers.pdf_extent import drawn_boxes

MAX_PAGES = 2000

logger = logging.getLogger(__name__)

# What a damaged or hostile file can make the libraries raise while we read it.
_DAMAGE = (pikepdf.PdfError, pikepdf.ForeignObjectError, ValueError, KeyError, TypeError, AttributeError,
           IndexError, RecursionError, NotImplementedError, OverflowError, ArithmeticError)


PASSWORD = "is password-protected; ask for a copy without a password"


def open_pdf(path, data):
    """The file at ``path`` (its bytes, ``data``) opened with qpdf: ``(pikepdf.Pdf, [repair notes])``.

    Encrypted files (RC4, AES-128, AES-256: PDF 1.7 §7.6, ISO 32000-2 §7.6.4)
    open when their user password is empty, as a viewer opens them.  qpdf
    repairs a damaged cross-reference table and page tree as it opens a file
    (its notes come back as repair notes); a file qpdf cannot open at all is
    rebuilt (``_rebuilt``).

    Raises ``PaperError`` naming the file: password-protected, unreadable.
    """
    try:
        with _quiet_stderr():
            pdf = pikepdf.open(io.BytesIO(data), password="")
    except (pikepdf.PasswordError, pikepdf.PdfError) as error:
        logger.debug("qpdf cannot open %s: %s", path, error)
        return _rebuilt(path, data, error)
    except OSError as error:
        raise PaperError(path, f"cannot be read ({error.strerror or error})") from None
    return pdf, [_short(str(warning).split(": ", 1)[-1]) for warning in pdf.get_warnings()]


def _rebuilt(path, data, qpdf_error):
    """A file qpdf cannot open (or prepare), saved afresh by pdfium, else rebuilt from the
    pages pypdf reads, then opened with qpdf: ``(pikepdf.Pdf, [repair notes])``.

    pdfium opens files whose only encryption guards their attachments (the
    /EFOpen auth event, PDF 1.7 §7.6.5) and files whose page tree loops, and
    saves them without their security handler; pypdf 7 finds a catalog that
    neither finds (a trailer without /Root).  Raises ``PaperError``.
    """
    errors = [f"qpdf: {qpdf_error}"]
    for name, rebuild in (("pdfium", _saved_by_pdfium), ("pypdf", _rebuilt_by_pypdf), ("pdfium", _pages_by_pdfium)):
        try:
            with _quiet_stderr():
                pdf = pikepdf.open(io.BytesIO(rebuild(data)))
            if len(pdf.pages) == 0:
                raise ValueError("no pages")
        except _PasswordNeeded:
            raise PaperError(path, PASSWORD) from None
        except Exception as error:  # noqa: BLE001 - any failure of a parser on a damaged file means: unreadable
            errors.append(f"{name}: {error!r}")
            continue
        return pdf, [f"{_said(qpdf_error)}; {name} saved it afresh"]
    if isinstance(qpdf_error, pikepdf.PasswordError):
        raise PaperError(path, PASSWORD)
    raise PaperError(path, Problem("is not a readable PDF (damaged or truncated); ask for a fresh export",
                                   "; ".join(errors))) from None


def _said(error):
    """What went wrong with qpdf's reading, for the officer."""
    if isinstance(error, _TextLost):
        return "qpdf could not read all its text"
    return f"qpdf could not open it ({str(error).rsplit(': ', 1)[-1]})"


class _TextLost(Exception):
    """The file as qpdf read it shows less of its text than pdfium reads in it."""


class _PasswordNeeded(Exception):
    """The file opens only with a password."""


def _saved_by_pdfium(data):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) == raw.FPDF_ERR_PASSWORD:
            raise _PasswordNeeded() from None
        raise
    try:
        output = io.BytesIO()
        document.save(output, flags=raw.FPDF_REMOVE_SECURITY)
        return output.getvalue()
    finally:
        document.close()


def _pages_by_pdfium(data):
    """Only the pages, imported by pdfium into a new document: a fresh page tree (one that
    looped is followed once), no catalog of the file's own."""
    import pypdfium2 as pdfium

    source, document = pdfium.PdfDocument(data), pdfium.PdfDocument.new()
    try:
        document.import_pages(source)
        output = io.BytesIO()
        document.save(output)
        return output.getvalue()
    finally:
        document.close()
        source.close()


def _rebuilt_by_pypdf(data):
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise _PasswordNeeded()
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


@contextlib.contextmanager
def _quiet_stderr():
    """Keep what libqpdf prints to the process's stderr itself ("Pages tree includes
    non-dictionary object") off the officer's screen: its notes come back as warnings."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "wb") as sink:
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def read_pdf(path, data=None):
    """A finished PDF paper (``data``: its bytes, read once; by default read from ``path``),
    judged and prepared for binding: a ``FinishedPdf``.

    Refuses (``PaperError``, one line naming the file) a file that cannot be
    opened, is password-protected, has no pages or more than ``MAX_PAGES``,
    or a page that cannot be drawn; ``--debug`` shows the libraries' own
    error.  What was repaired or left out comes back in ``warnings``, and
    so do words of the file's text layer (as pdfium reads it) that its
    prepared pages do not show, if any.
    """
    data = read_paper_file(path) if data is None else data
    pdf, repairs = open_pdf(path, data)
    try:
        prepared = _prepare(path, pdf)
    except _DAMAGE as error:  # qpdf opened it but cannot follow it: try it saved afresh
        pdf, repairs = _rebuilt(path, data, error)
        try:
            prepared = _prepare(path, pdf)
        except _DAMAGE as again:
            raise PaperError(path, Problem("is damaged beyond repair; ask for a fresh export",
                                           f"{error!r}; then {again!r}")) from None
    lost = _lost_words(data, prepared.data)
    if lost:
        try:
            again, notes = _rebuilt(path, data, _TextLost())
            better = _prepare(path, again)
        except (PaperError, *_DAMAGE):
            better = None
        if better is not None and len(better.pages) == len(prepared.pages):
            fewer = _lost_words(data, better.data)
            if len(fewer) < len(lost):
                prepared, repairs, lost = better, notes, fewer
    warnings = list(prepared.warnings)
    if repairs:
        more = f" and {len(repairs) - 1} more" if len(repairs) > 1 else ""
        warnings.insert(0, f"was damaged and has been repaired ({repairs[0]}{more}); check its pages")
    if lost:
        page, words = lost[0]
        warnings.append(f"some of its text could not be carried into the pack, from page {page}: "
                        f"\"{' '.join(words[:8])}{' …' if len(words) > 8 else ''}\"; ask for a fresh export")
    pages = [PageBox(page.width, page.height, box) for page, box in zip(prepared.pages, _drawn(prepared))]
    return FinishedPdf(source=path, pages=pages, data=prepared.data, outline=prepared.outline,
                       tagged=prepared.tagged, unembedded_fonts=prepared.unembedded_fonts, warnings=warnings)


def _prepare(path, pdf):
    """``pdf`` checked and prepared (``pdf_pages.prepare``), with its page sizes and outline.
    Raises ``PaperError``, or what the libraries raise on a file too broken to follow."""
    with pdf:
        count = len(pdf.pages)
        if count == 0:
            raise PaperError(path, "has no pages")
        if count > MAX_PAGES:
            raise PaperError(path, f"has {count} pages; a paper may have at most {MAX_PAGES}")
        if problem := inflated_problem(pdf):
            raise PaperError(path, problem)
        outline = [entry for entry in pdf_pages.outline(pdf) if entry[2] < count]
        prepared = pdf_pages.prepare(pdf, path)
    prepared.outline = outline
    return prepared


def _drawn(prepared):
    """Where each prepared page draws (``pdf_extent.drawn_boxes``); a page pdfium cannot draw
    counts as drawn to its edges, so nothing of the pack's is laid over it."""
    try:
        return drawn_boxes(prepared.data)
    except Exception:  # noqa: BLE001 - pdfium's own errors: the whole page is kept clear
        return [(0.0, 0.0, page.width, page.height) for page in prepared.pages]


def _lost_words(source, data):
    """[(page number, [words])] of the source's text layer (``source``: the file's bytes,
    as pdfium reads them) that the prepared pages (``data``) do not show; [] when pdfium
    cannot read the source."""
    from assembler.bind.leakcheck import page_texts

    try:
        before = page_texts(source)
    except Exception:  # noqa: BLE001 - pdfium cannot read it: nothing to compare with
        return []
    after = page_texts(data)
    lost = []
    for number, (source, shown) in enumerate(zip(before, after), 1):
        shown = "".join(re.findall(r"\w+", shown))  # where spaces fall is a reader's guess
        missing = [word for word in re.findall(r"\w+", source) if word not in shown]
        if missing:
            lost.append((number, missing))
    return lost


def _short(note, limit=90):
    return note if len(note) <= limit else note[:limit - 1] + "…"
