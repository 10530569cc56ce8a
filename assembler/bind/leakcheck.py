"""After writing, before publishing: is anything of a private paper in the public edition?

The public edition is built without the private papers, so this should never
find anything; it is the second lock on the door.  Every private paper is
reduced to fingerprints: runs of six words of its text, and its short
strings (alt texts, document properties, bookmark titles, form values).  The
public edition is reduced the same way: the text of every page, and every
string in its objects (metadata, bookmarks, link targets, structure tags,
attachments), read in the process that bound it, from the objects its bytes
were written from (every object there, reachable or not).  A fingerprint
found there is a leak, unless the same words also stand on the members'
edition's public pages (an item title, a heading such as "Financial
implications").

Reading every page's text is the costly part.  A page's text is a function of
its content streams and the resources they draw with, so each page gets a
digest of those (object numbers aside), and a rebuild reads again only the
pages whose digest the last scan of the same pack did not see.
"""

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass

import pikepdf
from lxml import etree

from assembler.model import FinishedPdf, Note, Report

RUN = 6  # words in a fingerprint of running text
# Strings every PDF carries that say nothing of its content (and match between any two files)
_TOOL_KEYS = {"/Producer", "/Creator", "/CreationDate", "/ModDate", "/PTEX.Fullbanner", "/ID", "/Lang", "/Type",
              "/FontDescriptor", "/DescendantFonts", "/CIDSystemInfo", "/FontFamily", "/ToUnicode", "/Encoding"}
_WORD = re.compile(r"[\w@/](?:[\w@.'’/:-]*[\w@/])?")  # inner . ' ’ : - kept: e-mail, 10:30, o'clock
_REFERENCE = re.compile(rb"(\d+) (\d+) R\b")
_TOOL_XMP = re.compile(r"<(pdf:Producer|xmp:CreatorTool|xmp:\w*Date|xmpMM:\w+|pdfaid:\w+|pdfuaid:\w+)\b.*?</\1>", re.S)


@dataclass
class Leak:
    paper: str
    words: str


def scan(pdf, data, known):
    """Where a leak could hide in a PDF: the text of each page, and every string in its objects.

    ``pdf``: the objects (pikepdf) that ``data`` (bytes) was written from, read
    where they were bound, without parsing the bytes again.  ``known``: {page
    digest: text} from an earlier scan: a page drawn exactly as one of those
    (the same content streams and resources, byte for byte) has that text and
    is not read again; the others are read from ``data``.  Returns the page
    texts, the strings, and {page digest: text} for this PDF.
    """
    digests = _page_digests(pdf)
    strings = _object_strings(pdf)
    texts = [known.get(digest) if digest else None for digest in digests]
    unread = [index for index, text in enumerate(texts) if text is None]
    for index, text in zip(unread, page_texts(data, unread)):
        texts[index] = text
    return texts, strings, {digest: text for digest, text in zip(digests, texts) if digest}


@dataclass
class Suspects:
    """What to look for in a public edition: each private paper's fingerprints, and the
    words it may carry all the same."""

    papers: list  # (file name, fingerprints)
    allowed: str

    @classmethod
    def of(cls, private_papers, allowed_texts):
        """``allowed_texts``: the text of the parts the public edition is meant to carry
        (front matter, public papers, restricted pages) and the spec's own words (house
        name, item titles, exempt reasons), which it carries by design."""
        return cls([(paper.source.name, _fingerprints(paper_texts(paper))) for paper in private_papers],
                   " ".join(_words(text) for text in allowed_texts))

    def allowing(self, texts):
        """These suspects, with more words that may stand in a public file (a per-item PDF's title)."""
        return Suspects(self.papers, self.allowed + " " + " ".join(_words(text) for text in texts))


def find_leaks(public_texts, suspects):
    """Leaks of the ``suspects`` (private papers) into a public edition, given its texts."""
    public = _fingerprints(public_texts)
    leaks = []
    for name, fingerprints in suspects.papers:
        found = sorted(words for words in fingerprints & public if words not in suspects.allowed)
        if found:
            leaks.append(Leak(name, found[0]))
    return leaks


def paper_texts(paper):
    """Every text of a paper that must not be published: what it prints and what it carries."""
    if isinstance(paper, FinishedPdf):
        return pdf_texts(paper.data)
    texts = []
    if isinstance(paper, Report):
        texts += [paper.body_html, paper.title or ""]
        if paper.cover:
            cover = paper.cover
            texts += [cover.purpose or "", cover.summary_html or "", cover.action or "", *cover.recommendations_html]
            texts += [f"{c.name} {c.position or ''} {c.phone or ''} {c.email or ''}" for c in cover.contacts]
    elif isinstance(paper, Note):
        texts += [paper.body_html] + [f"{item.title} {item.body_html} {item.action_html}" for item in paper.items]
        texts += [f"{name} {authority}" for row in paper.attendance for name, authority in row.people]
    texts += re.findall(r'\balt="([^"]+)"', "".join(texts))
    texts += re.findall(r'\bhref="([^"]+)"', "".join(texts))
    if paper.source.suffix.lower() == ".docx":
        texts += _docx_properties(paper.source)
    return [_html_text(text) for text in texts]


def _html_text(html):
    return re.sub(r"<[^>]+>", " ", html).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def _words(text):
    """Lower-case words, punctuation off their ends: the form fingerprints are compared in
    (zero-width spaces, the break opportunities the readers put in long strings, aside)."""
    return " ".join(_WORD.findall(text.lower().replace("\u200b", "")))


def _fingerprints(texts):
    found = set()
    for text in texts:
        words = _words(text).split()
        if 2 <= len(words) < RUN and len(" ".join(words)) >= 12:
            found.add(" ".join(words))  # a short string: an alt text, a title, a value
        for start in range(0, max(len(words) - RUN + 1, 0)):
            found.add(" ".join(words[start:start + RUN]))
    return found


def pdf_texts(data):
    """Every text of a PDF (bytes) where a leak could hide: its pages', and its objects' strings."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        strings = _object_strings(pdf)
    return page_texts(data) + strings


def page_texts(data, indices=None):
    """The text of each page of a PDF (bytes), or of the pages at ``indices``."""
    import pypdfium2  # loaded where pages are read
    document = pypdfium2.PdfDocument(data)
    try:
        pages = range(len(document)) if indices is None else indices
        return [document[index].get_textpage().get_text_range() for index in pages]
    finally:
        document.close()


class _Cycle(Exception):
    """An object that contains itself: its digest would not cover all it holds."""


def _page_digests(pdf):
    """For each page, a digest of all that its text is read from: its content streams and
    its resources (fonts, forms, …) followed to the end, object numbers left out; None
    for a page that inherits any of them, or whose resources loop back on themselves
    (those pages are always read)."""
    memo = {}

    def of(value, trail):
        if not isinstance(value, pikepdf.Object):  # a number or boolean, as Python gives it
            return hashlib.sha256(repr((type(value).__name__, value)).encode()).digest()
        key = value.objgen if value.is_indirect else None
        if key in memo:
            return memo[key]
        if key is not None:
            if key in trail:
                raise _Cycle
            trail = trail | {key}
        if isinstance(value, pikepdf.Stream):
            found = hashlib.sha256(b"stream" + of(value.stream_dict, trail) + value.read_raw_bytes()).digest()
        elif isinstance(value, (pikepdf.Dictionary, pikepdf.Array)):
            written = value.unparse(resolved=True)
            if not _REFERENCE.search(written):  # it holds no other object: as written, it is whole
                found = hashlib.sha256(b"whole" + written).digest()
            elif isinstance(value, pikepdf.Array):
                found = hashlib.sha256(b"array" + b"".join(of(item, trail) for item in value)).digest()
            else:
                found = hashlib.sha256(b"dict" + b"".join(
                    str(name).encode() + b"\0" + of(value.get(name), trail) for name in sorted(value.keys()))).digest()
        else:
            found = hashlib.sha256(b"value" + value.unparse(resolved=True)).digest()
        if key is not None:
            memo[key] = found
        return found

    digests = []
    for page in pdf.pages:
        try:
            digests.append((of(page.Contents, frozenset()) + of(page.Resources, frozenset())).hex()
                           if "/Contents" in page and "/Resources" in page else None)
        except _Cycle:
            digests.append(None)
    return digests


def _object_strings(pdf):
    """Every text string in a PDF's objects, and its XMP metadata and attachments: not the page drawings."""
    found = []

    def visit(value, depth=0):
        """``value``: a dictionary, stream or array with a string somewhere in it."""
        if depth > 60:
            return
        if isinstance(value, pikepdf.Array):
            items = iter(value)
        else:
            items = (value.get(key) for key in value.keys() if key not in _TOOL_KEYS)
        for item in items:  # indirect ones are visited on their own; a font's widths hold no string
            if isinstance(item, pikepdf.String):
                found.append(str(item))
            elif isinstance(item, (pikepdf.Dictionary, pikepdf.Array)) and not item.is_indirect and _holds_string(item):
                visit(item, depth + 1)

    for obj in pdf.objects:
        is_stream = isinstance(obj, pikepdf.Stream)
        if is_stream and obj.get("/Type") in (pikepdf.Name.Metadata, pikepdf.Name.EmbeddedFile):
            found.append(_TOOL_XMP.sub(" ", obj.read_bytes().decode("utf-8", "replace")))
        if isinstance(obj, pikepdf.String):
            found.append(str(obj))
        elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)) and _holds_string(
                obj.stream_dict if is_stream else obj):
            visit(obj)
    visit(pdf.trailer)
    return [re.sub(r"<[^>]+>", " ", text) for text in found]


def _holds_string(value):
    """Whether an object, written out, has a string in it: ``(…)`` or ``<…>`` (not ``<<``)."""
    written = value.unparse(resolved=True)
    return b"(" in written or b"<" in written.replace(b"<<", b"")


def _docx_properties(path):
    """The title, author, subject … a Word file carries in docProps."""
    try:
        with zipfile.ZipFile(path) as package:
            names = [name for name in package.namelist() if name.startswith("docProps/") and name.endswith(".xml")]
            texts = []
            for name in names:
                root = etree.fromstring(package.read(name), etree.XMLParser(resolve_entities=False, no_network=True))
                texts += [text.strip() for text in root.itertext() if text.strip()]
            return texts
    except (zipfile.BadZipFile, etree.XMLSyntaxError, OSError):
        return []
