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

import io

import pikepdf
from lxml import etree

from assembler.model import FinishedPdf, Note, Report

RUN = 6  # words in a fingerprint of running text
# Strings every PDF carries that say nothing of its content (and match between any two files)
_TOOL_KEYS = {"/Producer", "/Creator", "/CreationDate", "/ModDate", "/PTEX.Fullbanner", "/ID", "/Lang", "/Type",
              "/FontDescriptor", "/DescendantFonts", "/CIDSystemInfo", "/FontFamily", "/ToUnicode", "/Encoding"}
_TOOL_XMP = re.compile(r"<(pdf:Producer|xmp:CreatorTool|xmp:\w*Date|xmpMM:\w+|pdfaid:\w+|pdfuaid:\w+)\b.*?</\1>", re.S)


@dataclass
class Leak:
    paper: str
    words: str


def scan(pdf, what):
    """Where a leak could hide in a PDF (bytes): its ``"pages"`` texts, or its objects' ``"strings"``."""
    return page_texts(pdf) if what == "pages" else _strings(pdf)


def find_leaks(public_texts, allowed_texts, private_papers):
    """Leaks of ``private_papers`` into the public edition, given its ``public_texts``.

    Allowed: words that ``allowed_texts`` hold: the text of the parts the
    public edition is meant to carry (front matter, public papers, restricted
    pages) and the spec's own words (house name, item titles, exempt
    reasons), which the public edition carries by design.
    """
    public = _fingerprints(public_texts)
    allowed = " ".join(_words(text) for text in allowed_texts)
    leaks = []
    for paper in private_papers:
        found = sorted(words for words in _fingerprints(paper_texts(paper)) & public if words not in allowed)
        if found:
            leaks.append(Leak(paper.source.name, found[0]))
    return leaks


def paper_texts(paper):
    """Every text of a paper that must not be published: what it prints and what it carries."""
    if isinstance(paper, FinishedPdf):
        data = paper.source.read_bytes()
        return page_texts(data) + _strings(data)
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


def _words(text):
    """Lower-case words, punctuation off: the form fingerprints are compared in."""
    words = re.findall(r"[\w@.'’/:-]+", text.lower())
    return " ".join(word.strip(".'’:-") for word in words if word.strip(".'’:-"))


def _fingerprints(texts):
    found = set()
    for text in texts:
        words = _words(text).split()
        if 2 <= len(words) < RUN and len(" ".join(words)) >= 12:
            found.add(" ".join(words))  # a short string: an alt text, a title, a value
        for start in range(0, max(len(words) - RUN + 1, 0)):
            found.add(" ".join(words[start:start + RUN]))
    return found


def page_texts(data):
    """The text of each page of a PDF (bytes)."""
    import pypdfium2  # loaded where pages are read
    document = pypdfium2.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def _strings(data):
    """Every text string in a PDF's objects, and its XMP metadata and attachments: not the page drawings."""
    found = []

    def visit(value, depth=0):
        if depth > 60:
            return
        if isinstance(value, pikepdf.String):
            found.append(str(value))
        elif isinstance(value, pikepdf.Dictionary) or isinstance(value, pikepdf.Stream):
            for key in value.keys():
                if key not in _TOOL_KEYS:
                    item = value.get(key)
                    if not getattr(item, "is_indirect", False):  # indirect ones are visited on their own
                        visit(item, depth + 1)
        elif isinstance(value, pikepdf.Array):
            for item in value:
                if not getattr(item, "is_indirect", False):
                    visit(item, depth + 1)

    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/Type") in (pikepdf.Name.Metadata, pikepdf.Name.EmbeddedFile):
                found.append(_TOOL_XMP.sub(" ", obj.read_bytes().decode("utf-8", "replace")))
            visit(obj)
        visit(pdf.trailer)
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
