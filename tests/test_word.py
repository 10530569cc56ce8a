"""Word reports: content re-set in the house style, numbering as Word shows it, corpus files built or refused."""

import io
import re
import shutil

import docx
import pytest
from docx.enum.text import WD_BREAK
from PIL import Image

from tests.conftest import CORPUS, corpus_files, needs_corpus, write_files

SPEC = """\
meeting:
  body: Scrutiny Board
  date: 2025-10-15
  time: "14:00"
  venue: Guildhall, Castle Street, Burton
agenda:
  - title: Housing repairs performance
    paper: papers/housing.docx
  - title: Confidential staffing matter
    paper: papers/staffing.docx
    private: true
    exempt_reason: Paragraph 1 of Schedule 12A
"""


def _image_bytes():
    stream = io.BytesIO()
    Image.new("RGB", (120, 60), "#2a6").save(stream, "PNG")
    stream.seek(0)
    return stream


def _set_alt(document, text):
    """python-docx has no API for alt text: set the picture's docPr/@descr."""
    doc_pr = document.inline_shapes[-1]._inline.docPr
    doc_pr.set("descr", text)


def make_report(path, token="HOUSING"):
    document = docx.Document()
    document.core_properties.title = f"{token}-DOCPROPS-TITLE"
    document.core_properties.author = f"{token}-DOCPROPS-AUTHOR"
    document.add_heading("Housing repairs", 1)
    for label, text in [("Purpose", "For scrutiny."), ("Summary", f"{token}-SUMMARY repairs are improving.")]:
        document.add_paragraph().add_run(label).bold = True
        document.add_paragraph(text)
    document.add_paragraph().add_run("Recommendations").bold = True
    document.add_paragraph("That the board:")
    document.add_paragraph("Notes the report.", style="List Number")
    document.add_paragraph().add_run("Action").bold = True
    document.add_paragraph("Officers to act.")
    document.add_paragraph("Contact officer: Jo Repairs")
    document.add_paragraph("Email: jo@burton.example")
    document.add_heading("Background", 2)
    for n in range(1, 5):
        para = document.add_paragraph(style="List Number")
        para.add_run(f"Paragraph {token}-P{n} ")
        para.add_run(f"with bold {token}-BOLD{n}").bold = True
    document.add_paragraph(f"Bullet {token}-B1", style="List Bullet")
    document.add_paragraph(f"Bullet {token}-B2", style="List Bullet")
    for n in range(5, 8):
        document.add_paragraph(f"Paragraph {token}-P{n}", style="List Number")
    table = document.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    for r in range(3):
        for c in range(3):
            table.cell(r, c).text = f"{token}-CELL{r}{c}"
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = f"{token}-MERGED"
    for n in range(8, 11):
        document.add_paragraph(f"Paragraph {token}-P{n}", style="List Number")
    document.add_heading("A picture", 2)
    document.add_picture(_image_bytes())
    _set_alt(document, f"{token}-ALT chart of repairs")
    run = document.add_paragraph().add_run(f"{token}-UNDERLINED")
    run.underline = True
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph(f"{token}-LAST")
    document.save(path)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from assembler.cli import main
    from tests.pdfs import read_edition

    folder = tmp_path_factory.mktemp("word")
    write_files(folder, {"pack.yaml": SPEC})
    (folder / "papers").mkdir()
    make_report(folder / "papers/housing.docx")
    make_report(folder / "papers/staffing.docx", token="STAFF")
    assert main([str(folder / "pack.yaml"), "-o", str(folder / "out"), "-q"]) == 0
    return read_edition(next((folder / "out").glob("*-members.pdf"))), read_edition(next((folder / "out").glob("*-public.pdf")))


def flat(edition):
    return re.sub(r"\s+", " ", " ".join(edition.texts))


def test_every_paragraph_cell_and_bold_run_is_present(built):
    text = flat(built[0])
    for needle in [f"HOUSING-P{n}" for n in range(1, 11)] + [f"HOUSING-BOLD{n}" for n in range(1, 5)] + \
                  ["HOUSING-B1", "HOUSING-B2", "HOUSING-MERGED", "HOUSING-UNDERLINED", "HOUSING-LAST"] + \
                  [f"HOUSING-CELL{r}{c}" for r in range(2) for c in range(3)]:
        assert needle in text, needle


def test_numbering_continues_as_word_shows_it(built):
    text = flat(built[0])
    # the recommendation is item 1 of the same Word list, so Background starts at 2
    numbers = [int(m[1]) for m in re.finditer(r"(\d+)\. Paragraph HOUSING-P\d+", text)]
    assert numbers == list(range(2, 12))
    order = [text.index(f"HOUSING-P{n} ") if f"HOUSING-P{n} " in text else text.index(f"HOUSING-P{n}") for n in range(1, 11)]
    assert order == sorted(order)


def test_the_cover_block_is_lifted(built):
    members = built[0]
    first = members.pages_with("HOUSING-SUMMARY")[0]
    page = members.texts[first]
    for needle in ["Purpose", "For scrutiny.", "Recommendation", "Notes the report.", "Action", "Officers to act.",
                   "Contact officer:", "Jo Repairs", "jo@burton.example"]:
        assert needle in page, needle
    assert "HOUSING-P1" not in page  # the body starts on the next page, as in the seed pack


def test_alt_text_reaches_the_tagged_pdf(built):
    from tests.pdfs import all_strings

    assert b"HOUSING-ALT chart of repairs" in all_strings(built[0].path)


def test_word_properties_and_private_content_never_reach_the_public_edition(built):
    from tests.pdfs import all_strings

    members, public = built
    public_blob = all_strings(public.path)
    for token in [b"STAFF-", b"HOUSING-DOCPROPS", b"STAFF-ALT"]:
        assert token not in public_blob
    assert "STAFF-" not in flat(public)
    assert "STAFF-P3" in flat(members)
    assert b"HOUSING-DOCPROPS" not in all_strings(members.path)


@needs_corpus
@pytest.mark.parametrize("source", corpus_files("docx"), ids=lambda path: path.name)
def test_every_corpus_word_file_builds_or_is_refused_clearly(tmp_path, assemble, source):
    shutil.copy(source, tmp_path / source.name)
    write_files(tmp_path, {"pack.yaml": SPEC.split("  - title: Confidential")[0].replace("papers/housing.docx", source.name)})
    built = assemble(tmp_path / "pack.yaml", "-q")
    assert "Traceback" not in built.stderr
    if built.code == 2:
        (line,) = built.stderr.strip().splitlines()
        assert source.name in line
    else:
        assert built.code == 0, built.stderr
        assert len(list(built.out.glob("*.pdf"))) == 2


@needs_corpus
def test_a_linked_picture_is_never_fetched_and_is_reported(tmp_path, assemble):
    source = CORPUS / "docx" / "mammoth-external-picture.docx"
    shutil.copy(source, tmp_path / "external.docx")
    write_files(tmp_path, {"pack.yaml": SPEC.split("  - title: Confidential")[0].replace("papers/housing.docx", "external.docx"),
                           "tiny-picture.png": b"\x89PNG-would-be-read"})
    built = assemble(tmp_path / "pack.yaml")
    if built.code == 0:
        assert "linked picture tiny-picture.png not included" in built.stderr
    else:
        assert built.code == 2 and "external.docx: holds only a linked picture (tiny-picture.png)" in built.stderr


@needs_corpus
def test_underline_footnotes_and_links_from_real_files(tmp_path, assemble):
    for name in ["mammoth-underline.docx", "mammoth-footnote-hyperlink.docx", "mammoth-footnotes.docx"]:
        shutil.copy(CORPUS / "docx" / name, tmp_path / name)
    spec = SPEC.split("  - title: Housing")[0] + "".join(
        f"  - title: Paper {n}\n    paper: {name}\n" for n, name in enumerate(
            ["mammoth-underline.docx", "mammoth-footnote-hyperlink.docx", "mammoth-footnotes.docx"]))
    write_files(tmp_path, {"pack.yaml": spec})
    built = assemble(tmp_path / "pack.yaml", "-q")
    assert built.code == 0, built.stderr
    text = flat(built.edition("members"))
    assert "The Sunset Tree" in text and "A tachyon walks into a bar." in text and "Example" in text


def _one_paper_pack(folder, assemble, paper):
    """Build a pack of one public item, ``paper`` (a file in ``folder``): its members' edition."""
    spec = SPEC.split("  - title: Confidential")[0].replace("papers/housing.docx", paper)
    write_files(folder, {"pack.yaml": spec})
    built = assemble(folder / "pack.yaml", "-q")
    assert built.code == 0, built.stderr
    return built.edition("members")


@pytest.mark.parametrize("first, printed", [
    ("Introduction", True),  # a section, not a title: it must not be lost
    ("HOUSING REPAIRS PERFORMANCE.", False),  # the agenda title again, as officers write it
    ("Housing repairs performance, 2025/26", True),  # it says more than the agenda
], ids=["section heading", "repeated title", "fuller title"])
@pytest.mark.parametrize("kind", ["docx", "md"])
def test_a_papers_own_title_is_printed_only_where_it_says_more(tmp_path, assemble, first, printed, kind):
    if kind == "docx":
        document = docx.Document()
        document.add_heading(first, 1)
        document.add_paragraph("OWN-TITLE-BODY first paragraph.")
        document.add_heading("Later section", 1)
        document.save(tmp_path / "housing.docx")
    else:
        (tmp_path / "housing.md").write_text(f"# {first}\n\nOWN-TITLE-BODY first paragraph.\n\n# Later section\n")
    members = _one_paper_pack(tmp_path, assemble, f"housing.{kind}")
    text = members.texts[members.pages_with("OWN-TITLE-BODY")[0]]
    assert (first in text) == printed, text
    assert text.lower().count("housing repairs performance") == (2 if printed and "Housing" in first else 1)
    assert "Later section" in text


def test_headings_numbered_by_word_keep_their_numbers(tmp_path, assemble):
    """Word numbers headings through their style's list (1. Introduction, 2. Background):
    the numbers are part of what the reader sees, and cross-references depend on them."""
    import copy

    from docx.oxml.ns import qn

    document = docx.Document()
    numbering = document.styles["List Number"]._element.find(qn("w:pPr")).find(qn("w:numPr"))
    document.styles["Heading 1"]._element.find(qn("w:pPr")).append(copy.deepcopy(numbering))
    document.add_heading("Housing repairs performance", 0)  # the Title style: not numbered
    for heading in ("Introduction", "Background", "Proposals"):
        document.add_heading(heading, 1)
        document.add_paragraph(f"NUMBERED-HEADINGS text under {heading}.")
    document.save(tmp_path / "housing.docx")
    members = _one_paper_pack(tmp_path, assemble, "housing.docx")
    text = members.texts[members.pages_with("NUMBERED-HEADINGS")[0]]
    assert re.search(r"1\. Introduction\s+NUMBERED-HEADINGS text under Introduction", text), text
    assert "2. Background" in text and "3. Proposals" in text


def _edges(path, page, needle):
    """(left, right) in points of the first ``needle`` on ``page``."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        text = document[page].get_textpage()
        found = text.search(needle).get_next()
        assert found, needle
        start, count = found
        return round(text.get_charbox(start)[0], 1), round(text.get_charbox(start + count - 1)[2], 1)
    finally:
        document.close()


def test_columns_of_figures_are_right_aligned(tmp_path, assemble):
    document = docx.Document()
    document.add_paragraph("FIGURES-TABLE below.")
    rows = [("Service", "Budget £m", "Variance"), ("People", "69.60", "+5.20"), ("Resources", "1,117.40", "—"),
            ("Place (see note)", "£25.20", "(0.85)")]
    table = document.add_table(rows=len(rows), cols=3)
    for cells, values in zip(table.rows, rows):
        for cell, value in zip(cells.cells, values):
            cell.text = value
    document.save(tmp_path / "housing.docx")
    members = _one_paper_pack(tmp_path, assemble, "housing.docx")
    page = members.pages_with("FIGURES-TABLE")[0]
    budget = [_edges(members.path, page, figure) for figure in ("69.60", "1,117.40", "£25.20")]
    assert len({right for _, right in budget}) == 1 and len({left for left, _ in budget}) == 3, budget
    names = [_edges(members.path, page, name) for name in ("People", "Resources")]
    assert names[0][0] == names[1][0]  # words stay left-aligned


def test_a_leading_heading_with_a_picture_in_it_is_kept_whole(tmp_path, assemble):
    import base64

    from tests.test_print import structure_elements

    picture = base64.b64encode(_image_bytes().getvalue()).decode()
    (tmp_path / "housing.md").write_text(f"# ![Council crest](data:image/png;base64,{picture}) Housing repairs "
                                         "performance\n\nLEADING-PICTURE text.\n")
    members = _one_paper_pack(tmp_path, assemble, "housing.md")
    assert any(role == "/Figure" and alt == "Council crest" for role, alt, _ in structure_elements(members.reader))


def test_a_bookmarked_title_that_repeats_the_agenda_is_printed_once(tmp_path, assemble):
    """A table of contents bookmarks the headings (``<a id>`` in them): that is no reason to keep a title."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    heading = document.add_heading("Housing repairs performance", 1)
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), "0"), start.set(qn("w:name"), "_Toc1"), end.set(qn("w:id"), "0")
    heading._p.insert(1, start), heading._p.append(end)
    document.add_paragraph("BOOKMARKED-TITLE text.")
    document.save(tmp_path / "housing.docx")
    members = _one_paper_pack(tmp_path, assemble, "housing.docx")
    text = members.texts[members.pages_with("BOOKMARKED-TITLE")[0]]
    assert text.lower().count("housing repairs performance") == 1, text


def test_word_numbers_go_to_the_numbered_heading_of_the_same_words(tmp_path, assemble):
    import copy

    from docx.oxml.ns import qn

    document = docx.Document()
    numbering = document.styles["List Number"]._element.find(qn("w:pPr")).find(qn("w:numPr"))
    document.styles["Heading 1"]._element.find(qn("w:pPr")).append(copy.deepcopy(numbering))
    document.add_heading("Background", 2)  # not numbered, and first
    document.add_paragraph("SAME-WORDS summary.")
    document.add_heading("Background", 1)
    document.add_paragraph("SAME-WORDS detail.")
    document.save(tmp_path / "housing.docx")
    members = _one_paper_pack(tmp_path, assemble, "housing.docx")
    text = members.texts[members.pages_with("SAME-WORDS")[0]]
    assert re.search(r"(?<!\d\. )Background\s+SAME-WORDS summary.*1\. Background\s+SAME-WORDS detail", text, re.S), text


def test_a_fuller_title_over_a_cover_block_and_a_title_in_another_script_are_printed(tmp_path, assemble):
    document = docx.Document()
    document.add_heading("Housing repairs performance, quarter 3", 1)
    for label, value in [("Purpose", "For scrutiny."), ("Summary", "COVERED-TITLE summary.")]:
        document.add_paragraph().add_run(label).bold = True
        document.add_paragraph(value)
    document.add_heading("Background", 2)
    document.add_paragraph("COVERED-TITLE body.")
    document.save(tmp_path / "housing.docx")
    members = _one_paper_pack(tmp_path, assemble, "housing.docx")
    assert "Housing repairs performance, quarter 3" in " ".join(members.texts)
    (tmp_path / "land.md").write_text("# Продаж землі\n\nOTHER-SCRIPT body.\n")
    members = _one_paper_pack(tmp_path, assemble, "land.md")
    assert "Продаж землі" in members.texts[members.pages_with("OTHER-SCRIPT")[0]]


def test_a_picture_of_many_megabytes_keeps_what_follows_it(tmp_path):
    """lxml cuts an attribute over ten million characters, and everything after it: a
    picture's data URL of about 7.5 MB is that long."""
    import os

    from assembler.readers import read_paper

    stream = io.BytesIO()
    Image.frombytes("RGB", (1800, 1700), os.urandom(1800 * 1700 * 3)).save(stream, "PNG")
    stream.seek(0)
    document = docx.Document()
    document.add_paragraph("Before the picture.")
    document.add_picture(stream)
    _set_alt(document, "Site photograph")
    document.add_paragraph("AFTER-PICTURE text.")
    table = document.add_table(rows=2, cols=2)
    table.rows[1].cells[1].text = "42.0"
    document.save(tmp_path / "big.docx")
    report = read_paper(tmp_path / "big.docx")
    assert "AFTER-PICTURE text." in report.body_html and "42.0" in report.body_html
    assert len(re.search(r'src="([^"]*)"', report.body_html)[1]) > 10_000_000


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _footnoted_report(path):
    """A Word report with two footnotes and an endnote, written as Word writes them (python-docx
    has no notes): the references in the text, the notes in parts of their own."""
    import zipfile

    from docx.oxml import parse_xml

    document = docx.Document()
    for text, kind, number in [("Land supply stands at 4.6 years", "footnote", 1),
                               ("The tilted balance applies", "footnote", 2), ("Costs are a risk", "endnote", 1)]:
        paragraph = document.add_paragraph(text)
        paragraph._p.append(parse_xml(f'<w:r xmlns:w="{W_NS}"><w:{kind}Reference w:id="{number}"/></w:r>'))
        paragraph.add_run(".")
    stream = io.BytesIO()
    document.save(stream)

    def notes(kind, texts):
        separators = "".join(f'<w:{kind} w:type="{kind_}" w:id="{n}"><w:p><w:r><w:{kind_}/></w:r></w:p></w:{kind}>'
                             for n, kind_ in ((-1, "separator"), (0, "continuationSeparator")))
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind}s xmlns:w="{W_NS}">{separators}'
                + "".join(f'<w:{kind} w:id="{n}"><w:p><w:r><w:{kind}Ref/></w:r><w:r><w:t xml:space="preserve"> {text}'
                          f'</w:t></w:r></w:p></w:{kind}>' for n, text in enumerate(texts, 1)) + f"</w:{kind}s>")

    parts = {"word/footnotes.xml": notes("footnote", ["Position statement NOTE-ONE.", "Framework paragraph 11(d) NOTE-TWO."]),
             "word/endnotes.xml": notes("endnote", ["Appeal costs NOTE-THREE."])}
    officedocument = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(stream) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info).decode() if info.filename.endswith((".rels", ".xml")) else source.read(info)
            if info.filename == "word/_rels/document.xml.rels":
                data = data.replace("</Relationships>", "".join(
                    f'<Relationship Id="rIdNotes{kind}" Type="{officedocument}/{kind}s" Target="{kind}s.xml"/>'
                    for kind in ("footnote", "endnote")) + "</Relationships>")
            elif info.filename == "[Content_Types].xml":
                data = data.replace("</Types>", "".join(
                    f'<Override PartName="/word/{kind}s.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                    f'wordprocessingml.{kind}s+xml"/>' for kind in ("footnote", "endnote")) + "</Types>")
            target.writestr(info, data)
        for name, xml in parts.items():
            target.writestr(name, xml)


def test_footnotes_and_endnotes_print_numbered_as_their_references_without_back_links(tmp_path, assemble):
    """mammoth ends each note with a "↑" link back to its reference: on paper only an arrow, so
    it goes; each note keeps the number its reference prints ([1] … 1.), under a rule."""
    _footnoted_report(write_files(tmp_path, {}) / "report.docx")
    members = _one_paper_pack(tmp_path, assemble, "report.docx")
    (page,) = members.pages_with("NOTE-ONE")
    text = re.sub(r"\s+", " ", members.texts[page])
    assert "↑" not in text
    assert all(reference in text for reference in ("4.6 years[1]", "applies[2]", "risk[3]"))
    assert "1. Position statement NOTE-ONE. 2. Framework paragraph 11(d) NOTE-TWO. 3. Appeal costs NOTE-THREE." in text
