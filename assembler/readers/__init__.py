"""Readers: one module per input format, each turning a file into the document model.

``read_paper`` picks the reader by the file's ending; readers know nothing of
PDF output, templates or the spec.
"""

from assembler.errors import PaperError
from assembler.readers.docx import read_docx, read_note_docx
from assembler.readers.markdown import read_markdown
from assembler.readers.note_export import read_note_export
from assembler.readers.pdf import read_pdf

READERS = {
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".pdf": read_pdf,
    ".docx": read_docx,
}
NOTE_READERS = {
    ".md": lambda path: read_markdown(path, as_note=True),
    ".markdown": lambda path: read_markdown(path, as_note=True),
    ".txt": read_note_export,
    ".docx": read_note_docx,
}


def read_paper(path, as_note=False, id_prefix="paper"):
    """The document model of the paper at ``path``.

    ``id_prefix`` keeps the paper's own link targets (footnotes) apart from
    every other paper's once they share one PDF.
    """
    readers = NOTE_READERS if as_note else READERS
    reader = readers.get(path.suffix.lower())
    if reader is None:
        kinds = ", ".join(sorted(readers))
        what = "a note of a meeting" if as_note else "a paper"
        raise PaperError(path, f"{path.suffix or 'a file with no ending'} is not supported as {what} (use {kinds})")
    if reader in (read_docx, read_note_docx):
        return reader(path, id_prefix=id_prefix)
    return reader(path)
