"""The redaction check: words in a public paper that a reader cannot see but a machine can read.

An officer who "redacts" by drawing a black box over words, highlighting or
shading them black, colouring them white or shrinking them leaves the words
in the file for anyone who selects, copies or searches.  Before anything is
written, every public paper that carries its own drawing (a finished PDF, a
Word file) is looked at for such words (``pdf`` and ``word`` say how);
Markdown cannot hide words, as the sanitiser keeps no style that could; but
a house stylesheet can style a class it keeps, so with a house's own style
the public reports are looked at as drawn too.  A private paper is never
looked at (it is never published).

A finding stops the build (exit 2), naming the paper, the page and the
first few covered words; ``redaction_checked: true`` on the item (or the
appendix) lets an officer who has looked build anyway, with a warning naming
what was let through.
"""

import hashlib
from pathlib import Path

from assembler.errors import InputError
from assembler.redaction.found import OUTSIDE_THE_PAGE, Covered

NAMED = 3  # findings named for each paper; the rest counted
__all__ = ["Covered", "covered_in_paper", "refuse_covered_words", "refuse_covered_in_drawn"]


def covered_in_paper(path, data=None):
    """The hidden words of one paper (a path; ``data``: its bytes, as the reader read them,
    else read from ``path``): a list of ``Covered``; [] for a kind that cannot hide any."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        from assembler.redaction.pdf import covered_in_pdf

        return covered_in_pdf(path if data is None else data)
    if suffix == ".docx":
        from assembler.redaction.word import covered_in_docx

        return covered_in_docx(path if data is None else data)
    return []


def refuse_covered_words(slots, papers, contents, cache=None, workers=None):
    """Look at every public paper for words a reader cannot see.

    ``slots``: the pack's slots; ``papers``: their read models by anchor (each
    with its ``source`` file); ``contents``: the bytes each was read from, by
    anchor (the file is not read again); ``cache``: a ``PartCache`` that keeps what was
    found by the file's bytes; ``workers``: a pool to look in parallel.
    Raises ``InputError`` with one line for each paper with hidden words that
    is not marked ``redaction_checked`` (or that took longer to look at than a
    part may take to render); returns the warnings: what ``redaction_checked``
    let through, and the papers that could not be looked at.
    """
    looked = [slot for slot in slots
              if not slot.private and papers[slot.anchor].source.suffix.lower() in (".pdf", ".docx")]
    sources = [papers[slot.anchor].source for slot in looked]
    arguments = [(source, contents[slot.anchor], getattr(papers[slot.anchor], "data", b""))
                 for slot, source in zip(looked, sources)]
    names = [f"{slot.bookmark} ({source.name})" for slot, source in zip(looked, sources)]
    found = _found([contents[slot.anchor] for slot in looked], arguments, names, cache, workers)
    return _judged(looked, names, found, "Remove them from the source file (a box drawn over words hides nothing)")


def refuse_covered_in_drawn(slots, drawn, cache=None, workers=None):
    """Look at the public Word and Markdown reports as drawn in a house's own style (a house
    stylesheet can hide words: ``.redacted { color: black; background: black }`` on a
    ``<span class="redacted">``, which the sanitiser keeps).  ``drawn``: the rendered
    parts (each with its ``pdf`` bytes) by slot anchor; other slots are not looked at.  Raises and returns as
    ``refuse_covered_words`` does.  Words drawn off the page are left to the
    completeness check (``assembler.completeness``), which names an overflow.
    """
    looked = [slot for slot in slots if not slot.private and hasattr(drawn.get(slot.anchor), "pdf")]
    names = [f"{slot.bookmark}, as the house style draws it" for slot in looked]
    found = _found([drawn[slot.anchor].pdf for slot in looked], [(drawn[slot.anchor].pdf,) for slot in looked],
                   names, cache, workers)
    # words a style pushes off the page are the completeness check's (an overflow, warned of; refused if strict)
    found = [[c for c in covered if c.how != OUTSIDE_THE_PAGE] if isinstance(covered, list) else covered
             for covered in found]
    return _judged(looked, names, found, "Change the paper or the house stylesheet so that every word shows")


def _judged(looked, names, found, remedy):
    """The problems (raised together) and warnings of what was found in each slot's paper."""
    problems, warnings = [], []
    for slot, what, covered in zip(looked, names, found):
        if isinstance(covered, str):
            warnings.append(f"{what}: could not be looked at for hidden words ({covered}); look at it yourself")
            continue
        if not covered:
            continue
        listed = "; ".join(map(str, covered[:NAMED]))
        listed += f"; and {len(covered) - NAMED} more" if len(covered) > NAMED else ""
        if slot.redaction_checked:
            warnings.append(f"{what}: redaction_checked lets through words a reader cannot see: {listed}")
        else:
            where = "the item or this appendix" if slot.is_appendix else "the item"
            problems.append(f"{what}: words a reader cannot see are still in the file for anyone to copy: {listed}. "
                            f"{remedy}, or make the item private; if nothing is hidden there, set "
                            f"redaction_checked: true on {where}")
    if problems:
        raise InputError(problems)
    return warnings


def _look(source, data=None, prepared=b""):
    """``covered_in_paper`` of a file (``data``: its bytes; or ``covered_in_pdf`` of PDF bytes), or why it could not
    look (a file the readers took, but pdfium or the XML parser trips on part of it): never a
    traceback for an officer's file.

    A file is looked at as the officer made it (a form's hidden fields, say, are no
    words of its pages); a PDF that pdfium cannot open as it is, as the reader
    ``prepared`` it (repaired) for binding."""
    import zipfile

    from lxml import etree
    from pypdfium2 import PdfiumError

    from assembler.redaction.pdf import covered_in_pdf

    try:
        try:
            return covered_in_pdf(source) if isinstance(source, bytes) else covered_in_paper(source, data)
        except PdfiumError:
            if not prepared:
                raise
            return covered_in_pdf(prepared)
    except (PdfiumError, etree.LxmlError, zipfile.BadZipFile, KeyError, OSError) as error:
        return f"{type(error).__name__}: {error}"


def _found(contents, arguments, names, cache, workers):
    """What ``_look(*arguments)`` finds for each file, from the cache where it was found
    before in the same ``contents`` (bytes)."""
    from assembler.render.cache import VERSIONS
    from assembler.render.jobs import TooLong, part_seconds

    keys = [f"covered-{hashlib.sha256(content + repr(VERSIONS).encode()).hexdigest()}" for content in contents]
    found = [cache.get_paper(key) if cache else None for key in keys]  # kept as a read paper is
    missing = [index for index, value in enumerate(found) if value is None]
    wanted = [arguments[index] for index in missing]
    looked = workers.map(_look, wanted, part_seconds()) if workers else (_look(*a) for a in wanted)
    try:
        for index, covered in zip(missing, looked):
            found[index] = covered
            if cache and not isinstance(covered, str):
                cache.put_paper(keys[index], covered)
    except TooLong as error:
        raise InputError(error.message(names[missing[error.index]], "look at for hidden words")) from None
    return found
