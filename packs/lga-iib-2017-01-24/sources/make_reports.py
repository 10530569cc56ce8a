"""Write this pack's reports as Word files, the way officers send them.

The texts are kept as Markdown in sources/reports/ (front matter = the cover
block); this script sets each one in a Word document with python-docx: a
title, the cover block as bold labels with a contact table, Word headings,
paragraphs numbered by a real multi-level Word list (1., 2.1., 4.1.1.),
bullets, tables and bold/italic runs.  The assembler must then read them
back as a council's Word reports.  Run from the pack folder:

    ../../.venv/bin/python sources/make_reports.py
"""

import copy
import datetime
import re
import zipfile
from pathlib import Path

import docx
import yaml
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from markdown_it import MarkdownIt

PACK = Path(__file__).resolve().parent.parent
SOURCES = PACK / "sources" / "reports"
MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")
WRITTEN = datetime.datetime(2017, 1, 16, 9, 0, 0)
LITERAL_LABEL = re.compile(r"^(\d+(?:\.\d+)+)\.?\s+")


def titles():
    """Each paper's title, from the agenda of pack.yaml."""
    spec = yaml.safe_load((PACK / "pack.yaml").read_text())
    found = {}
    for item in spec["agenda"]:
        if isinstance(item.get("paper"), str):
            found[Path(item["paper"]).stem] = item["title"]
        for appendix in item.get("appendices", []):
            found[Path(appendix["file"]).stem] = appendix["title"]
    return found


class Numbering:
    """A multi-level decimal list (1. / 2.1. / 4.1.1.) in the document's numbering part."""

    def __init__(self, document):
        self.part = document.part.numbering_part.element
        self.abstract_id = self._add_abstract()
        self.counters = [0] * 4
        self.num_id = None

    def _add_abstract(self):
        ids = [int(a.get(qn("w:abstractNumId"))) for a in self.part.findall(qn("w:abstractNum"))]
        abstract_id = max(ids, default=0) + 1
        abstract = OxmlElement("w:abstractNum")
        abstract.set(qn("w:abstractNumId"), str(abstract_id))
        for level in range(4):
            lvl = OxmlElement("w:lvl")
            lvl.set(qn("w:ilvl"), str(level))
            for tag, value in (("w:start", "1"), ("w:numFmt", "decimal"),
                               ("w:lvlText", "".join(f"%{n + 1}." for n in range(level + 1)))):
                child = OxmlElement(tag)
                child.set(qn("w:val"), value)
                lvl.append(child)
            indent = OxmlElement("w:pPr")
            ind = OxmlElement("w:ind")
            ind.set(qn("w:left"), str(567 + 567 * level))
            ind.set(qn("w:hanging"), "567")
            indent.append(ind)
            lvl.append(indent)
            abstract.append(lvl)
        first_num = self.part.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self.part.append(abstract)
        return abstract_id

    def restart(self, start=1):
        """A new w:num over the same list, starting again at ``start`` (Word's "Restart at")."""
        ids = [int(n.get(qn("w:numId"))) for n in self.part.findall(qn("w:num"))]
        num = OxmlElement("w:num")
        self.num_id = max(ids, default=0) + 1
        num.set(qn("w:numId"), str(self.num_id))
        abstract = OxmlElement("w:abstractNumId")
        abstract.set(qn("w:val"), str(self.abstract_id))
        num.append(abstract)
        override = OxmlElement("w:lvlOverride")
        override.set(qn("w:ilvl"), "0")
        start_override = OxmlElement("w:startOverride")
        start_override.set(qn("w:val"), str(start))
        override.append(start_override)
        num.append(override)
        self.part.append(num)
        self.counters = [start - 1, 0, 0, 0]

    def next_label(self, level):
        counters = self.counters[:level] + [self.counters[level] + 1]
        return ".".join(str(n) for n in counters)

    def apply(self, paragraph, level):
        if self.num_id is None:
            self.restart()
        self.counters[level] += 1
        for deeper in range(level + 1, 4):
            self.counters[deeper] = 0
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level
        num_pr.get_or_add_numId().val = self.num_id


def add_inline(paragraph, children):
    """Markdown inline tokens as runs: bold, italic, links (as text), superscript, line breaks, pictures."""
    bold = italic = sup = False
    for token in children or []:
        kind = token.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind == "html_inline":
            sup = token.content.lower() == "<sup>" or (sup and token.content.lower() != "</sup>")
        elif kind in ("text", "code_inline"):
            run = paragraph.add_run(token.content)
            run.bold, run.italic = bold or None, italic or None
            run.font.superscript = sup or None
        elif kind == "softbreak":
            paragraph.add_run(" ")
        elif kind == "hardbreak":
            paragraph.add_run().add_break()
        elif kind == "image":  # a picture kept in sources/, with its alt text
            shape = paragraph.add_run().add_picture(str(PACK / "sources" / token.attrs["src"]), width=Cm(15))
            shape._inline.docPr.set("descr", token.content)


def strip_label(children, label):
    """Drop a literal "2.1. " from the first text token when Word will print it."""
    children = [copy.copy(token) for token in children]
    for token in children:
        if token.type == "text":
            token.content = LITERAL_LABEL.sub("", token.content, count=1) if label else token.content
            break
    return children


def write_blocks(document, tokens, numbering):
    """Body Markdown tokens as Word paragraphs, lists and tables."""
    stack = []  # ("ol" | "ul", level)
    paragraphs_in_item = []  # per open list item: paragraphs written so far
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind == "heading_open":
            level = int(token.tag[1])
            heading = document.add_heading(level=min(level, 3))
            add_inline(heading, tokens[index + 1].children)
            index += 3
            continue
        if kind == "ordered_list_open":
            start = int(token.attrs.get("start", 1) or 1)
            if not stack and (numbering.num_id is None or start != numbering.counters[0] + 1):
                numbering.restart(start)
            stack.append(("ol", len([s for s in stack if s[0] == "ol"])))
        elif kind == "bullet_list_open":
            stack.append(("ul", len(stack)))
        elif kind in ("ordered_list_close", "bullet_list_close"):
            stack.pop()
        elif kind == "list_item_open":
            paragraphs_in_item.append(0)
        elif kind == "list_item_close":
            paragraphs_in_item.pop()
        elif kind == "paragraph_open":
            inline = tokens[index + 1]
            text = inline.content
            if stack and paragraphs_in_item and paragraphs_in_item[-1] > 0:
                # a second paragraph of one numbered paragraph: no number of its own
                paragraph = document.add_paragraph(style="List Paragraph")
                add_inline(paragraph, inline.children)
            elif stack:
                list_kind, _ = stack[-1]
                depth = len(stack) - 1
                literal = LITERAL_LABEL.match(text)
                if list_kind == "ol" or (literal and depth < 4 and literal[1] == numbering.next_label(depth)):
                    paragraph = document.add_paragraph()
                    numbering.apply(paragraph, depth)
                    add_inline(paragraph, strip_label(inline.children, literal))
                elif literal:  # a label Word would not print: keep it as written
                    paragraph = document.add_paragraph(style="List Paragraph")
                    paragraph.paragraph_format.left_indent = Pt(28 + 28 * depth)
                    add_inline(paragraph, inline.children)
                else:
                    paragraph = document.add_paragraph(style="List Bullet 2" if depth > 0 else "List Bullet")
                    add_inline(paragraph, inline.children)
            else:
                add_inline(document.add_paragraph(), inline.children)
            if paragraphs_in_item:
                paragraphs_in_item[-1] += 1
            index += 3
            continue
        elif kind == "table_open":
            index = write_table(document, tokens, index)
            continue
        index += 1


def write_table(document, tokens, index):
    rows, row, header_rows = [], None, 0
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            rows.append(row)
        elif token.type in ("th_open", "td_open"):
            row.append((tokens[index + 1].children, token.type == "th_open"))
        index += 1
    header_rows = sum(1 for r in rows if r and r[0][1])
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    table.style = "Table Grid"
    for r, cells in enumerate(rows):
        for c, (children, is_header) in enumerate(cells):
            paragraph = table.cell(r, c).paragraphs[0]
            add_inline(paragraph, children)
            if is_header:
                for run in paragraph.runs:
                    run.bold = True
    if header_rows:  # mark the header row as Word's "repeat as header row"
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:tblHeader"))
    return index + 1


def write_cover(document, front, numbering):
    def label(text):
        document.add_paragraph().add_run(text).bold = True

    def markdown_paragraphs(text):
        tokens = MARKDOWN.parse(str(text))
        for n, token in enumerate(tokens):
            if token.type == "inline":
                add_inline(document.add_paragraph(), token.children)

    label("Purpose")
    markdown_paragraphs(front["purpose"])
    label("Summary")
    markdown_paragraphs(front["summary"])
    recommendations = front.get("recommendations") or []
    label("Recommendations" if len(recommendations) != 1 else "Recommendation")
    if front.get("recommendations_intro"):
        document.add_paragraph(front["recommendations_intro"])
    if len(recommendations) == 1:
        markdown_paragraphs(recommendations[0])
    else:
        numbering.restart(1)
        for text in recommendations:
            paragraph = document.add_paragraph()
            numbering.apply(paragraph, 0)
            add_inline(paragraph, MARKDOWN.parseInline(str(text))[0].children)
    label("Action")
    markdown_paragraphs(front["action"])
    contacts = front.get("contact") or []
    contacts = [contacts] if isinstance(contacts, dict) else contacts
    fields = [("Contact officer:" if len(contacts) == 1 else "Contact officers:", "name"),
              ("Position:", "position"), ("Phone no:", "phone"), ("Email:", "email")]
    table = document.add_table(rows=len(fields), cols=1 + len(contacts))
    for r, (heading, key) in enumerate(fields):
        table.cell(r, 0).paragraphs[0].add_run(heading).bold = True
        for c, contact in enumerate(contacts, 1):
            table.cell(r, c).text = str(contact.get(key) or "")
    numbering.num_id = None  # the body's paragraphs are numbered from 1 again
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def make(source, title):
    text = source.read_text(encoding="utf-8")
    front = {}
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if match:
        front, text = yaml.safe_load(match[1]), text[match.end():]
    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = "Local Government Association"
    document.core_properties.created = document.core_properties.modified = WRITTEN
    document.add_heading(title, 1)
    numbering = Numbering(document)
    if front:
        write_cover(document, front, numbering)
    write_blocks(document, MARKDOWN.parse(text), numbering)
    target = PACK / "papers" / f"{source.stem}.docx"
    document.save(target)
    _fix_timestamps(target)
    return target


def _fix_timestamps(path):
    """Same text in, same bytes out: zip entries dated as the papers were written."""
    with zipfile.ZipFile(path) as package:
        entries = [(info.filename, package.read(info)) for info in package.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries:
            package.writestr(zipfile.ZipInfo(name, date_time=WRITTEN.timetuple()[:6]), data,
                             compress_type=zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    names = titles()
    for source in sorted(SOURCES.glob("*.md")):
        print("wrote", make(source, names[source.stem]).relative_to(PACK))
