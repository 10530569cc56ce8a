"""The files a private paper uses, and the rule that none of them reaches the public edition.

A private (Part 2) paper *uses* its own file, every local file its source
names in any syntax (an HTML attribute, a CSS ``url()`` or ``@import``, a
Markdown link, image or reference, a Word relationship), even where the
sanitiser drops the name, and every file those name in turn (an SVG that
draws another).  Two locks keep them out of the public edition:

* by path (``used_by_private_papers``): the renderer's URL fetcher serves none
  of them to any other part; the public part draws nothing there, with a warning;
* by content (``refuse_shared_content``), after every part is drawn: no file a
  public part read (a public paper, the front and back matter, the restricted
  pages, the page numbers, through their house templates and stylesheets), no
  house template, no public paper's or venue text's own file may hold the same
  bytes as a file a private paper uses or its own part read.  A hard link or a
  copy under another name is refused, naming both (``InputError``), before
  anything is written.  (Issue 15, points 3 and 8.)
"""

import hashlib
import io
import re
import zipfile
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from assembler.errors import InputError
from assembler.model import FinishedPdf
from assembler.opened import checked_digest, read_checked

MAX_SCANNED_BYTES = 2 * 1024 * 1024  # a file larger than this is a picture, not a text that names files
MAX_FILES = 1000  # files followed from one private paper, at most

_NAMED = re.compile(r"""
    [\w:.-]+\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>`=]+))     # an HTML or XML attribute's value
  | url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)           # CSS url()
  | @import\s+(?:"([^"]*)"|'([^']*)')                         # CSS @import
  | \]\(\s*<?([^)\s>]+)                                       # a Markdown link or image
  | ^[ ]{0,3}\[[^\]]+\]:\s*<?([^\s>]+)                        # a Markdown link reference
  | <([a-zA-Z][\w+.-]*:[^\s<>]*)>                             # a Markdown autolink
""", re.X | re.M | re.I)


def used_by_private_papers(slots, papers, contents, root, public_sources=()):
    """The files private papers use: {resolved path: the private paper's description},
    each private paper's and appendix's own file first; of the files they name, only
    those inside ``root`` (the pack's folder: nothing outside it is read, and the
    fetcher serves nothing outside it but the shipped templates and assets).
    ``contents``: {slot anchor: the bytes its file was read from}; ``public_sources``:
    resolved paths of the public papers, which a private paper may link to without
    making them private (the link jumps to the paper).  Every other file is read once,
    through ``opened.read_checked``, and only its first 2 MB."""
    used = {}
    for slot in slots:
        if not slot.private:
            continue
        paper = papers[slot.anchor]
        owner = f"{slot.bookmark} ({Path(paper.source).name})"
        source = Path(paper.source).resolve()
        used.setdefault(str(source), owner)
        texts = [] if isinstance(paper, FinishedPdf) else [repr(paper)]  # its body, cover block and title
        texts += _source_texts(source, contents[slot.anchor])
        for path in _named_files(texts, source.parent, Path(root).resolve(), set(public_sources)):
            used.setdefault(path, owner)
    return used


def refuse_shared_content(private, parts, private_parts, public_files, known, root, stylesheets="the stylesheets"):
    """Raise ``InputError`` if a public part draws, or a public file is, a private paper's file
    under another name (a hard link, a copy).

    ``private``: {path: owner} (``used_by_private_papers``); ``parts``: {what: Part} of every
    part of the public edition, their ``reads`` {path: sha256} what their URL fetcher served
    (the stylesheets' among every part's); ``private_parts``: {owner: Part} of the private
    papers' own parts; ``public_files``: {what: path} of files printed in the public edition
    as they are (public papers, venue texts, house templates); ``known``: {resolved path:
    sha256} of the files already read (the papers).  Paths are named relative to
    ``root`` (the pack's folder); a file every part read is named as read by ``stylesheets``.
    """
    everywhere = set.intersection(*(set(part.reads.items()) for part in parts.values())) if parts else set()
    drawn_publicly = {path for part in parts.values() for path in part.reads}
    secret = {}  # sha256 -> (path, owner)
    for path, owner in private.items():
        if (digest := known.get(path) or checked_digest(path)) is not None:
            secret.setdefault(digest, (path, owner))
    for owner, part in private_parts.items():  # what its own part read that no public part reads there
        for path, digest in part.reads.items():
            if digest is not None and path not in drawn_publicly:
                secret.setdefault(digest, (path, owner))
    secret.pop(hashlib.sha256(b"").hexdigest(), None)  # an empty file carries nothing
    found = [(what, path, digest) for what, part in parts.items() for path, digest in part.reads.items()]
    found = [(stylesheets if (path, digest) in everywhere else what, path, digest) for what, path, digest in found]
    found += [(what, str(path), known.get(str(path)) or checked_digest(path)) for what, path in public_files.items()]
    for what, path, digest in found:
        if digest in secret:
            original, owner = secret[digest]
            same = "is" if path == original else f"has the same content as {_shown(original, root)},"
            raise InputError(f"{what}: {_shown(path, root)} {same} a file of the private paper {owner}; a private "
                             "paper's files never go into the public edition, under any name: refused")


def _source_texts(source, data):
    """What a paper's file (its ``data``) says, as text, for the names in it: a Word
    file's relationships, a text file's own words; nothing of a PDF (it draws no other file)."""
    if source.suffix.lower() == ".pdf":
        return []
    if source.suffix.lower() != ".docx":
        return [data[:MAX_SCANNED_BYTES].decode("utf-8", "replace")]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [archive.open(info).read(MAX_SCANNED_BYTES).decode("utf-8", "replace")
                    for info in archive.infolist() if info.filename.endswith(".rels")]
    except (OSError, zipfile.BadZipFile, RuntimeError):
        return []


def _named_files(texts, folder, root, public_sources):
    """Every existing file inside ``root`` the ``texts`` (read in ``folder``) name, and those they name in turn."""
    found, waiting = [], [(text, folder) for text in texts]
    while waiting and len(found) < MAX_FILES:
        text, base = waiting.pop()
        for name in _names(text):
            path = _resolve(name, base)
            if path is None or path in found or path in public_sources or not Path(path).is_relative_to(root):
                continue
            try:
                if not Path(path).is_file():
                    continue
            except OSError:  # not a name a file could have (too long, say)
                continue
            found.append(path)
            waiting.append((_small_text(Path(path)), Path(path).parent))
    return found


def _names(text):
    """Every name a text gives in a syntax that can draw a file, entities and CSS escapes undone."""
    for match in _NAMED.finditer(text):
        value = next(group for group in match.groups() if group is not None)
        value = unescape(value).strip()
        yield value
        if "\\" in value:
            yield re.sub(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", lambda m: chr(int(m[1], 16)) if m[1] else m[2], value)


def _resolve(name, folder):
    """The resolved path a local name leads to from ``folder`` (as the fetcher resolves it), or None."""
    parts = urlsplit(name)
    if parts.scheme and parts.scheme.lower() != "file" and len(parts.scheme) > 1 or name.startswith("//"):
        return None
    try:
        return str((folder / url2pathname(unquote(parts.path))).resolve()) if parts.path else None
    except (OSError, ValueError):
        return None


def _shown(path, root):
    return str(Path(path).relative_to(root)) if Path(path).is_relative_to(root) else str(path)


def _small_text(path):
    try:
        return read_checked(path, MAX_SCANNED_BYTES)[:MAX_SCANNED_BYTES].decode("utf-8", "replace")
    except OSError:
        return ""
