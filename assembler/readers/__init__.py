"""Readers: one module per input format, each turning a file into the document model.

``read_paper`` picks the reader by the file's ending; readers know nothing of
PDF output, templates or the spec.  Each reader module is imported only when
a file of its kind is read (a rebuild that finds every paper in the cache
loads none of them).
"""

from importlib import import_module

from assembler.errors import PaperError

READERS = {
    ".md": ("markdown", "read_markdown"),
    ".markdown": ("markdown", "read_markdown"),
    ".pdf": ("pdf", "read_pdf"),
    ".docx": ("docx", "read_docx"),
}
NOTE_READERS = {
    ".md": ("markdown", "read_markdown_note"),
    ".markdown": ("markdown", "read_markdown_note"),
    ".txt": ("note_export", "read_note_export"),
    ".docx": ("docx", "read_note_docx"),
}


def read_paper(path, data=None, as_note=False, id_prefix="paper"):
    """The document model of the paper at ``path``, from ``data``, its bytes (read once,
    through a descriptor, by ``opened.read_checked``; by default read here).

    ``id_prefix`` keeps the paper's own link targets (footnotes) apart from
    every other paper's once they share one PDF.  Raises ``PaperError`` naming the file
    for a paper that cannot be used (one nested too deep to lay out among them).
    """
    readers = NOTE_READERS if as_note else READERS
    found = readers.get(path.suffix.lower())
    if found is None:
        kinds = ", ".join(sorted(readers))
        what = "a note of a meeting" if as_note else "a paper"
        raise PaperError(path, f"{path.suffix or 'a file with no ending'} is not supported as {what} (use {kinds})")
    module, name = found
    reader = getattr(import_module(f"assembler.readers.{module}"), name)
    from assembler.readers.html_clean import TooDeep

    try:
        return reader(path, data, id_prefix=id_prefix) if module == "docx" else reader(path, data)
    except TooDeep as error:
        raise PaperError(path, str(error)) from None
