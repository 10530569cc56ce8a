"""Write one edition: join the rendered parts, lay imported pages under their
carrier pages, label the pages, and return the PDF bytes.

The parts are joined as one WeasyPrint document before writing, so the
edition has a single structure tree and every link and bookmark resolves
across parts.  pypdf then works on that file in place (cloning keeps the
structure tree): it only adds content under carrier pages and page labels.
"""

import io
from dataclasses import dataclass, field

from pypdf import PdfReader, PdfWriter

from assembler.bind.imported import lay_under
from assembler.render import PDF_VARIANT


@dataclass
class Imported:
    """A finished PDF's pages to lay under carrier pages ``first..``."""

    path: object
    first: int  # index of the first carrier page in the edition


@dataclass
class Label:
    """A page-label range: from page index ``first``, in ``style`` ("/D" or "/r") or a prefix."""

    first: int
    style: str | None = None
    prefix: str | None = None
    start: int = 1


@dataclass
class Edition:
    documents: list  # WeasyPrint Documents, in page order
    imported: list[Imported] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)


def write_edition(edition):
    """The PDF bytes of ``edition``."""
    first, *_ = edition.documents
    pages = [page for document in edition.documents for page in document.pages]
    rendered = first.copy(pages).write_pdf(pdf_variant=PDF_VARIANT)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(rendered)))
    writer.pdf_header = b"%PDF-1.7"  # as WeasyPrint wrote it for PDF/UA-1; pypdf would say 1.3
    for imported in edition.imported:
        lay_under(writer, imported.path, imported.first)
    _label(writer, edition.labels)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _label(writer, labels):
    count = len(writer.pages)
    for label, following in zip(labels, labels[1:] + [None]):
        last = (following.first if following else count) - 1
        if last < label.first:
            continue
        writer.set_page_label(label.first, last, style=label.style, prefix=label.prefix, start=label.start)
