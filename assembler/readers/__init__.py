"""Readers: one module per input format, each turning a file into the document model.

``read_paper`` picks the reader by the file's ending; readers know nothing of
PDF output, templates or the spec.
"""

from assembler.errors import PaperError
from assembler.readers.markdown import read_markdown
from assembler.readers.pdf import read_pdf

READERS = {
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".pdf": read_pdf,
}
NOTE_READERS = {
    ".md": lambda path: read_markdown(path, as_note=True),
    ".markdown": lambda path: read_markdown(path, as_note=True),
}


def read_paper(path, as_note=False):
    """The document model of the paper at ``path``."""
    readers = NOTE_READERS if as_note else READERS
    reader = readers.get(path.suffix.lower())
    if reader is None:
        kinds = ", ".join(sorted(readers))
        what = "a note of a meeting" if as_note else "a paper"
        raise PaperError(path, f"{path.suffix or 'a file with no ending'} is not supported as {what} (use {kinds})")
    return reader(path)
