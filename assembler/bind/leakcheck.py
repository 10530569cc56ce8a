"""After writing, before publishing: is anything of a private paper in the public edition?

The public edition is built without the private papers, so this should never
find anything; it is the second lock on the door.  Every private paper is
reduced to fingerprints: runs of six words of its text, and its short
strings (alt texts, document properties, bookmark titles, form values).  The
public edition is reduced the same way: the text of every page, and every
string in its objects (metadata, bookmarks, link targets, structure tags,
attachments).  A fingerprint found there is a leak, unless the same words
also stand on the members' edition's public pages (an item title, a heading
such as "Financial implications").
"""

import re
import zipfile
from dataclasses import dataclass

import pypdfium2
from lxml import etree
from pypdf import PdfReader
from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, StreamObject, TextStringObject

from assembler.model import FinishedPdf, Note, Report

RUN = 6  # words in a fingerprint of running text
# Strings every PDF carries that say nothing of its content (and match between any two files)
_TOOL_KEYS = {"/Producer", "/Creator", "/CreationDate", "/ModDate", "/PTEX.Fullbanner", "/ID", "/Lang", "/Type"}
_TOOL_XMP = re.compile(r"<(pdf:Producer|xmp:CreatorTool|xmp:\w*Date|xmpMM:\w+|pdfaid:\w+|pdfuaid:\w+)\b.*?</\1>", re.S)


@dataclass
class Leak:
    paper: str
    words: str


def find_leaks(public_pdf, members_pdf, private_pages, private_papers, public_texts=()):
    """Leaks of ``private_papers`` into ``public_pdf`` (bytes).

    Allowed: what the members' edition prints on its pages that are not in
    ``private_pages``, and ``public_texts`` (the spec's own words: house name,
    item titles, exempt reasons), which the public edition carries by design.
    """
    public = _fingerprints(_page_texts(public_pdf) + _strings(public_pdf))
    members = _page_texts(members_pdf)
    allowed = _fingerprints([text for index, text in enumerate(members) if index not in private_pages])
    allowed |= _fingerprints(list(public_texts))
    leaks = []
    for paper in private_papers:
        found = (_fingerprints(paper_texts(paper)) & public) - allowed
        if found:
            leaks.append(Leak(paper.source.name, sorted(found)[0]))
    return leaks


def paper_texts(paper):
    """Every text of a paper that must not be published: what it prints and what it carries."""
    if isinstance(paper, FinishedPdf):
        data = paper.source.read_bytes()
        return _page_texts(data) + _strings(data)
    texts = []
    if isinstance(paper, Report):
        texts.append(paper.body_html)
        if paper.cover:
            cover = paper.cover
            texts += [cover.purpose or "", cover.summary_html or "", cover.action or "", *cover.recommendations_html]
            texts += [f"{c.name} {c.position or ''} {c.phone or ''} {c.email or ''}" for c in cover.contacts]
    elif isinstance(paper, Note):
        texts += [paper.body_html] + [f"{item.title} {item.body_html}" for item in paper.items]
        texts += [f"{name} {authority}" for row in paper.attendance for name, authority in row.people]
    texts += re.findall(r'\balt="([^"]+)"', "".join(texts))
    texts += re.findall(r'\bhref="([^"]+)"', "".join(texts))
    if paper.source.suffix.lower() == ".docx":
        texts += _docx_properties(paper.source)
    return [_html_text(text) for text in texts]


def _html_text(html):
    return re.sub(r"<[^>]+>", " ", html).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def _fingerprints(texts):
    found = set()
    for text in texts:
        words = re.findall(r"[\w@.'’/:-]+", text.lower())
        words = [word.strip(".'’:-") for word in words if word.strip(".'’:-")]
        if 2 <= len(words) < RUN and len(" ".join(words)) >= 12:
            found.add(" ".join(words))  # a short string: an alt text, a title, a value
        for start in range(0, max(len(words) - RUN + 1, 0)):
            found.add(" ".join(words[start:start + RUN]))
    return found


def _page_texts(data):
    document = pypdfium2.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def _strings(data):
    """Every text string in a PDF's objects, and its XMP metadata: not the page drawings."""
    import io

    reader = PdfReader(io.BytesIO(data))
    found, seen = [], set()

    def visit(value, depth=0):
        if depth > 60:
            return
        if isinstance(value, (TextStringObject, ByteStringObject)):
            found.append(str(value) if isinstance(value, TextStringObject) else value.decode("latin-1"))
        elif isinstance(value, DictionaryObject):
            if isinstance(value, StreamObject) and value.get("/Type") in ("/Metadata", "/EmbeddedFile"):
                found.append(_TOOL_XMP.sub(" ", value.get_data().decode("utf-8", "replace")))
            for key, item in value.items():
                if key not in ("/Parent", "/P", "/Pg", "/Contents") and key not in _TOOL_KEYS:
                    visit_reference(item, depth + 1)
        elif isinstance(value, ArrayObject):
            for item in value:
                visit_reference(item, depth + 1)

    def visit_reference(item, depth):
        reference = getattr(item, "indirect_reference", None)
        if hasattr(item, "idnum"):  # an IndirectObject
            if item.idnum in seen:
                return
            seen.add(item.idnum)
            item = item.get_object()
        elif reference is not None:
            if reference.idnum in seen:
                return
            seen.add(reference.idnum)
        visit(item, depth)

    visit_reference(reader.trailer, 0)
    return [re.sub(r"<[^>]+>", " ", text) for text in found]


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
