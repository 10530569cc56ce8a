"""No paper loses a word, a mark or a picture without the officer being told: Word read as
Word shows it, sizes and breaks that fit the page, and the completeness and overflow checks."""

import io
import zipfile

import docx
import pypdfium2
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm
from PIL import Image, ImageDraw

from tests.conftest import write_files

SPEC = """\
meeting:
  body: Test Committee
  date: 2026-12-15
  time: "18:30"
  dispatch: 2026-12-01
  venue: Town Hall, High Street, Anytown, AT1 1AA
agenda:
  - title: Apologies for absence
"""

A4_TEXT_AREA = (20 / 25.4 * 72, 22 / 25.4 * 72, (210 - 20) / 25.4 * 72, (297 - 24) / 25.4 * 72)  # pt: l, b, r, t


def _pack(tmp_path, papers, extra="", files=None):
    """A pack with one item per paper ({file name: content}) and other ``files`` beside them;
    returns the spec's path."""
    items = "".join(f"  - title: Item {name}\n    paper: papers/{name}\n" for name in papers)
    files = {f"papers/{n}": c for n, c in {**papers, **(files or {})}.items()}
    write_files(tmp_path, {"pack.yaml": SPEC + items + extra, **files})
    return tmp_path / "pack.yaml"


def _docx(body_xml, build=None):
    """A Word file whose body is ``body_xml`` (WordprocessingML, w: prefix), as bytes."""
    document = docx.Document()
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("sectPr"):
            body.remove(child)
    for element in parse_xml(f"<w:body {nsdecls('w', 'wp', 'a', 'pic', 'r')} "
                             f"xmlns:m='http://schemas.openxmlformats.org/officeDocument/2006/math' "
                             f"xmlns:w14='http://schemas.microsoft.com/office/word/2010/wordml'>{body_xml}</w:body>"):
        body.insert(len(body) - 1, element)
    if build:
        build(document)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def _p(text):
    return f"<w:p><w:r><w:t xml:space='preserve'>{text}</w:t></w:r></w:p>"


def _paper_text(built, marker):
    edition = built.edition("members")
    return "\n".join(text for text in edition.texts if marker in text or "Item" in text)


TRACKED = """
<w:p><w:pPr><w:rPr><w:del w:id='1' w:author='A' w:date='2026-11-01T10:00:00Z'/></w:rPr></w:pPr>
  <w:r><w:t xml:space='preserve'>Charges will rise by 5 per cent</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space='preserve'> from 1 April 2027.</w:t></w:r></w:p>
<w:p><w:moveFrom w:id='2' w:author='A'><w:r><w:t xml:space='preserve'>Blue badge holders park free. </w:t></w:r></w:moveFrom>
  <w:r><w:t>Season tickets are unchanged.</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space='preserve'>Evening charges end at 8pm. </w:t></w:r>
  <w:moveTo w:id='3' w:author='A'><w:r><w:t xml:space='preserve'>Blue badge holders park free.</w:t></w:r></w:moveTo></w:p>
<w:p><w:r><w:t xml:space='preserve'>The review </w:t></w:r>
  <w:ins w:id='4' w:author='A'><w:r><w:t xml:space='preserve'>was consulted on and </w:t></w:r></w:ins>
  <w:del w:id='5' w:author='A'><w:r><w:delText>never </w:delText></w:r></w:del>
  <w:r><w:t>drew 312 responses.</w:t></w:r></w:p>
<w:tbl><w:tblGrid><w:gridCol w:w='3000'/><w:gridCol w:w='3000'/></w:tblGrid>
  <w:tr><w:tc><w:p><w:r><w:t>Resident permit</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>60.00</w:t></w:r></w:p></w:tc></w:tr>
  <w:tr><w:trPr><w:del w:id='6' w:author='A'/></w:trPr>
    <w:tc><w:p><w:del w:id='7' w:author='A'><w:r><w:delText>Overnight permit</w:delText></w:r></w:del></w:p></w:tc>
    <w:tc><w:p><w:del w:id='8' w:author='A'><w:r><w:delText>25.00</w:delText></w:r></w:del></w:p></w:tc></w:tr>
  <w:tr><w:tc><w:p><w:r><w:t>Visitor scratchcard</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>3.50</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>
"""


def test_tracked_changes_read_as_word_shows_them_all_accepted(tmp_path, assemble):
    built = assemble(_pack(tmp_path, {"parking.docx": _docx(TRACKED)}))
    assert built.code == 0, built.stderr
    text = _paper_text(built, "Charges")
    assert "Charges will rise by 5 per cent from 1 April 2027." in text  # one paragraph, not two
    assert text.count("Blue badge holders park free.") == 1
    assert "Evening charges end at 8pm. Blue badge holders park free." in text
    assert "The review was consulted on and drew 312 responses." in text
    assert "never" not in text and "Overnight" not in text
    edition = built.edition("members")
    page = edition.texts[edition.pages_with("Resident permit")[0]]
    rows = [line for line in page.splitlines() if line.strip()]
    assert rows[rows.index(next(r for r in rows if "60.00" in r)) + 1].startswith("Visitor")  # no empty row left
    assert "warning" not in built.stderr


SYMBOLS = """
<w:p><w:r><w:t xml:space='preserve'>Affordable </w:t></w:r><w:r><w:sym w:font='Wingdings' w:char='F0FC'/></w:r>
  <w:r><w:t xml:space='preserve'> deliverable </w:t></w:r><w:r><w:sym w:font='Wingdings' w:char='F0FB'/></w:r>
  <w:r><w:t xml:space='preserve'> carbon </w:t></w:r><w:r><w:rPr><w:rFonts w:ascii='Wingdings' w:hAnsi='Wingdings'/></w:rPr><w:t>ü</w:t></w:r>
  <w:r><w:t xml:space='preserve'> boxes </w:t></w:r><w:r><w:sym w:font='Wingdings' w:char='F0FD'/></w:r></w:p>
<w:p><w:r><w:t xml:space='preserve'>Option A </w:t></w:r><w:r><w:sym w:font='Symbol' w:char='F0AE'/></w:r>
  <w:r><w:t xml:space='preserve'> recommended.</w:t></w:r></w:p>
"""


def test_symbol_font_marks_print_as_word_shows_them_from_a_shipped_font(tmp_path, assemble):
    built = assemble(_pack(tmp_path, {"options.docx": _docx(SYMBOLS)}))
    assert built.code == 0, built.stderr
    text = _paper_text(built, "Affordable")
    assert "Affordable ✓ deliverable ✘ carbon ✓ boxes ☒" in text
    assert "Option A → recommended." in text
    assert "ü" not in text and "warning" not in built.stderr
    fonts = set()
    for page in built.edition("members").reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert "Pack-Symbols" in fonts  # the shipped DejaVu Sans, never the machine's fonts


def test_a_character_no_shipped_font_draws_is_named(tmp_path, assemble):
    built = assemble(_pack(tmp_path, {"music.md": "The anthem opens on 𝄞 and ends.\n"}))
    assert built.code == 0, built.stderr
    assert "music.md" in built.stderr and "U+1D11E" in built.stderr


def test_tick_boxes_equations_drop_caps_and_an_unusual_main_part_are_kept(tmp_path, assemble):
    boxes = """
<w:p><w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val='1'/></w14:checkbox></w:sdtPr>
  <w:sdtContent><w:r><w:t>X</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t xml:space='preserve'> Consulted ward members</w:t></w:r></w:p>
<w:p><w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val='0'/></w14:checkbox></w:sdtPr>
  <w:sdtContent><w:r><w:t>O</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t xml:space='preserve'> Equality impact assessed</w:t></w:r></w:p>
<w:p><w:pPr><w:framePr w:dropCap='drop' w:lines='3'/></w:pPr><w:r><w:t>T</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space='preserve'>he council consulted widely.</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space='preserve'>Growth is </w:t></w:r><m:oMath><m:f><m:num><m:r><m:t>a+b</m:t></m:r></m:num>
  <m:den><m:r><m:t>2c</m:t></m:r></m:den></m:f></m:oMath><w:r><w:t xml:space='preserve'> a year.</w:t></w:r></w:p>
"""
    data = _docx(boxes)
    moved = io.BytesIO()  # the main part at word/main.xml, found through the relationships, as Word does
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(moved, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            name = {"word/document.xml": "word/main.xml", "word/_rels/document.xml.rels": "word/_rels/main.xml.rels"}.get(
                info.filename, info.filename)
            if info.filename in ("_rels/.rels", "[Content_Types].xml"):
                body = body.replace(b"word/document.xml", b"word/main.xml")
            target.writestr(name, body)
    built = assemble(_pack(tmp_path, {"form.docx": moved.getvalue()}))
    assert built.code == 0, built.stderr
    text = _paper_text(built, "Consulted")
    assert "☒ Consulted ward members" in text and "☐ Equality impact assessed" in text
    assert "Growth is (a+b)/(2c) a year." in text
    assert "The council consulted widely." in text  # the drop cap joined to its paragraph
    assert "warning" not in built.stderr


def _infographic(width=700, height=2600):
    picture = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    for band in range(10):
        draw.rectangle([0, band * height // 10, width, (band + 1) * height // 10 - 8], fill=(30 + band * 20, 90, 160))
    stream = io.BytesIO()
    picture.save(stream, "PNG")
    return stream.getvalue()


def _image_boxes(path):
    """(left, bottom, right, top) in pt of every picture drawn in the PDF at ``path``, by page index."""
    document = pypdfium2.PdfDocument(path)
    found = {}
    for index in range(len(document)):
        for image in document[index].get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE], max_depth=3):
            found.setdefault(index, []).append(image.get_bounds())
    document.close()
    return found


def test_a_tall_picture_is_drawn_whole_inside_the_text_area(tmp_path, assemble):
    picture = _infographic()

    def add_picture(document):
        document.add_picture(io.BytesIO(picture), width=Cm(6.2), height=Cm(23))
        document.inline_shapes[-1]._inline.docPr.set("descr", "Ten crime figures")

    built = assemble(_pack(tmp_path, {
        "survey.md": "Headline results are below.\n\n![Ten survey results](infographic.png)\n\nThe rest is in the library.\n",
        "safety.docx": _docx(_p("Crime figures are below."), add_picture),
    }, files={"infographic.png": picture}))
    assert built.code == 0, built.stderr
    assert "warning" not in built.stderr
    (path,) = built.out.glob("*-members.pdf")
    boxes = [box for page in _image_boxes(path).values() for box in page]
    assert len(boxes) == 2
    left, bottom, right, top = A4_TEXT_AREA
    for box in boxes:
        assert box[0] >= left - 1 and box[1] >= bottom - 1 and box[2] <= right + 1 and box[3] <= top + 1
    word = max(boxes, key=lambda box: box[0])  # the Word picture: at its author's size, 6.2 x 23 cm
    assert abs((word[2] - word[0]) - 6.2 / 2.54 * 72) < 2 and abs((word[3] - word[1]) - 23 / 2.54 * 72) < 2


def test_a_long_table_starts_at_once_and_repeats_its_header(tmp_path, assemble):
    rows = "".join(f"| NNDR-{40000 + n} | Company dissolved | {250 + 13 * n}.00 |\n" for n in range(1, 46))
    paper = f"Accounts recommended for write-off:\n\n| Account | Reason | Amount £ |\n| --- | --- | ---: |\n{rows}"
    built = assemble(_pack(tmp_path, {"writeoffs.md": paper}))
    assert built.code == 0, built.stderr
    edition = built.edition("members")
    pages = edition.pages_with("NNDR-")
    assert len(pages) == 2
    first = edition.texts[pages[0]]
    assert "Item writeoffs.md" in first and "Accounts recommended" in first and "NNDR-40001" in first
    assert all("Account" in edition.texts[page] and "Reason" in edition.texts[page] for page in pages)


def _char_box(page, needle):
    text = page.get_textpage()
    searcher = text.search(needle, match_case=True, match_whole_word=False)
    index, count = searcher.get_next()
    return text.get_charbox(index), text.get_charbox(index + count - 1)


def test_list_labels_are_printed_whole_and_clear_of_their_text(tmp_path, assemble):
    items = "".join(f"{n}. Carried forward item {n}\n" for n in range(98, 110))
    numbering = """<w:numbering xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'>
<w:abstractNum w:abstractNumId='0'>
<w:lvl w:ilvl='0'><w:start w:val='10'/><w:numFmt w:val='decimal'/><w:lvlText w:val='%1.'/></w:lvl>
<w:lvl w:ilvl='1'><w:start w:val='1'/><w:numFmt w:val='decimal'/><w:lvlText w:val='%1.%2.'/></w:lvl>
<w:lvl w:ilvl='2'><w:start w:val='1'/><w:numFmt w:val='decimal'/><w:lvlText w:val='%1.%2.%3.'/></w:lvl>
</w:abstractNum><w:num w:numId='1'><w:abstractNumId w:val='0'/></w:num></w:numbering>"""

    def numbered(level, text):
        return (f"<w:p><w:pPr><w:pStyle w:val='ListParagraph'/><w:numPr><w:ilvl w:val='{level}'/><w:numId w:val='1'/>"
                f"</w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>")

    body = numbered(0, "Procedure rules") + "".join(numbered(1, f"Rule {n} as amended") for n in range(1, 13))
    body += numbered(2, "Questions from the public")
    data = _docx(body)
    with_numbering = _with_part(data, "word/numbering.xml", numbering)
    built = assemble(_pack(tmp_path, {"programme.md": items, "constitution.docx": with_numbering}))
    assert built.code == 0, built.stderr
    assert "warning" not in built.stderr
    (path,) = built.out.glob("*-members.pdf")
    document = pypdfium2.PdfDocument(path)
    try:
        pages = {needle: next(document[i] for i in range(len(document)) if needle in document[i].get_textpage().get_text_range())
                 for needle in ("109.", "10.12.1.")}
        for label, text in (("109.", "Carried forward item 109"), ("10.12.1.", "Questions"), ("10.12.", "Rule 12")):
            page = pages["109." if label == "109." else "10.12.1."]
            label_box, _ = _char_box(page, label)
            _, label_end = _char_box(page, label)
            text_start, _ = _char_box(page, text)
            assert label_end[2] < text_start[0]  # the label ends before its text starts
            assert label_box[0] >= A4_TEXT_AREA[0] - 1  # and starts inside the text area
    finally:
        document.close()


def test_a_markdown_note_may_carry_the_report_keys(tmp_path, assemble):
    write_files(tmp_path, {"note.md": "---\nmeeting: Test Committee\ndate: 2026-11-10\npurpose: For approval.\n---\n"
                                      "The committee met and agreed the budget.\n"})
    spec = _pack(tmp_path, {}, extra="previous_note: note.md\n")
    spec.write_text(spec.read_text().replace("  - title: Apologies for absence\n",
                                             "  - title: Apologies for absence\n  - title: Minutes\n    paper: previous_note\n"))
    built = assemble(spec)
    assert built.code == 0, built.stderr
    text = "\n".join(built.edition("members").texts)
    assert "For approval." in text and "agreed the budget" in text


BROKEN = {
    "cut.css": ".prose p:nth-of-type(2) { display: none; }",
    "overflow.css": ".prose table { width: 320mm; }",
}


@pytest.mark.parametrize("sheet", sorted(BROKEN))
def test_a_broken_renderer_is_caught_and_strict_refuses(tmp_path, assemble, sheet):
    paper = ("The first paragraph is printed.\n\nSecond paragraph with distinctive wording about reservoirs.\n\n"
             "| Ward | Households |\n| --- | ---: |\n| Riverside | 1200 |\n")
    write_files(tmp_path, {"house.css": BROKEN[sheet]})
    spec = _pack(tmp_path, {"report.md": paper}, extra="house:\n  stylesheet: house.css\n")
    built = assemble(spec)
    assert built.code == 0, built.stderr
    if sheet == "cut.css":
        assert 'report.md): 6 words of the paper not printed, from page 1: "Second paragraph with distinctive wording about reservoirs"' in built.stderr
    else:
        assert "report.md): drawn outside the page's text area on page 1" in built.stderr
    before = {path: path.read_bytes() for path in built.out.glob("*.pdf")}
    refused = assemble(spec, "--strict")
    assert refused.code == 2 and "refused (strict)" in refused.stderr and "report.md" in refused.stderr
    assert {path: path.read_bytes() for path in built.out.glob("*.pdf")} == before  # nothing written
    spec.write_text(spec.read_text() + "strict: true\n")
    assert assemble(spec).code == 2


def test_a_sound_pack_has_no_completeness_warnings(tmp_path, assemble):
    def add_note(document):
        paragraph = document.add_paragraph("A footnoted sentence about libraries.")
        paragraph.add_run(" Closing words of the report.")

    built = assemble(_pack(tmp_path, {
        "plain.docx": _docx(TRACKED + SYMBOLS, add_note),
        "paths.md": "See \\\\fileserver01\\committee-papers\\2026\\december\\appendices\\final-version-approved.xlsx "
                    "or write to democratic.services.team@anytown-district-council.gov.uk.\n\n"
                    "| File | Where |\n| --- | --- |\n| report | https://www.anytown-district-council.gov.uk/"
                    "committees/documents/s12345/a-very-long-document-name-without-any-breaks.pdf |\n",
    }), "--strict")
    assert built.code == 0, built.stderr


SMARTART_RUN = """<w:p><w:r><w:t xml:space='preserve'>The partnership is organised as follows.</w:t></w:r></w:p>
<w:p><w:r><w:drawing><wp:inline><wp:extent cx='5486400' cy='3200400'/><wp:docPr id='1' name='Diagram 1'/>
  <a:graphic><a:graphicData uri='http://schemas.openxmlformats.org/drawingml/2006/diagram'>
  <dgm:relIds xmlns:dgm='http://schemas.openxmlformats.org/drawingml/2006/diagram' r:dm='rIdDiagram' r:lo='rIdX'
   r:qs='rIdY' r:cs='rIdZ'/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"""

SMARTART_DATA = """<?xml version='1.0' encoding='UTF-8' standalone='yes'?>
<dgm:dataModel xmlns:dgm='http://schemas.openxmlformats.org/drawingml/2006/diagram'
  xmlns:a='http://schemas.openxmlformats.org/drawingml/2006/main'><dgm:ptLst>
<dgm:pt modelId='0' type='doc'><dgm:t><a:p><a:r><a:t></a:t></a:r></a:p></dgm:t></dgm:pt>
<dgm:pt modelId='1'><dgm:t><a:p><a:r><a:t>Safer Streets Board</a:t></a:r></a:p></dgm:t></dgm:pt>
<dgm:pt modelId='2'><dgm:t><a:p><a:r><a:t>Youth Panel</a:t></a:r></a:p></dgm:t></dgm:pt>
<dgm:pt modelId='3'><dgm:t><a:p><a:r><a:t>Neighbourhood Watch Forum</a:t></a:r></a:p></dgm:t></dgm:pt>
<dgm:pt modelId='9' type='pres'><dgm:t><a:p><a:r><a:t>never shown</a:t></a:r></a:p></dgm:t></dgm:pt>
</dgm:ptLst><dgm:cxnLst>
<dgm:cxn modelId='10' srcId='0' destId='1' srcOrd='0'/>
<dgm:cxn modelId='11' srcId='1' destId='3' srcOrd='1'/>
<dgm:cxn modelId='12' srcId='1' destId='2' srcOrd='0'/>
<dgm:cxn modelId='13' type='presOf' srcId='1' destId='9' srcOrd='0'/>
</dgm:cxnLst></dgm:dataModel>"""


def test_smartart_text_is_kept_as_a_nested_list(tmp_path, assemble):
    data = _docx(SMARTART_RUN)
    with_diagram = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(with_diagram, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "word/_rels/document.xml.rels":
                body = body.replace(b"</Relationships>", b'<Relationship Id="rIdDiagram" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/diagramData" '
                                    b'Target="diagrams/data1.xml"/></Relationships>')
            target.writestr(info, body)
        target.writestr("word/diagrams/data1.xml", SMARTART_DATA)
    built = assemble(_pack(tmp_path, {"safety.docx": with_diagram.getvalue()}), "--strict")
    assert built.code == 0, built.stderr
    text = _paper_text(built, "partnership")
    assert "Safer Streets Board" in text and "never shown" not in text
    assert text.index("Safer Streets Board") < text.index("Youth Panel") < text.index("Neighbourhood Watch Forum")


TEXT_BOXES = """<w:p><w:r><w:t>Before the boxes.</w:t></w:r></w:p>
<w:p><w:r><mc:AlternateContent xmlns:mc='http://schemas.openxmlformats.org/markup-compatibility/2006'
  xmlns:wps='http://schemas.microsoft.com/office/word/2010/wordprocessingShape'>
<mc:Choice Requires='wps'><w:drawing><wp:anchor><wp:extent cx='100' cy='100'/><wp:docPr id='1' name='Text Box 1'/>
  <a:graphic><a:graphicData uri='http://schemas.microsoft.com/office/word/2010/wordprocessingShape'><wps:wsp><wps:txbx>
  <w:txbxContent><w:p><w:r><w:t>Call-out stored twice</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp>
  </a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>
<mc:Fallback><w:pict><v:shape xmlns:v='urn:schemas-microsoft-com:vml'><v:textbox><w:txbxContent><w:p><w:r>
  <w:t>Call-out stored twice</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>
</mc:AlternateContent></w:r></w:p>
<w:p><w:r><w:drawing><wp:anchor><wp:extent cx='100' cy='100'/><wp:docPr id='2' name='Text Box 2'/>
  <a:graphic><a:graphicData uri='http://schemas.microsoft.com/office/word/2010/wordprocessingShape'>
  <wps:wsp xmlns:wps='http://schemas.microsoft.com/office/word/2010/wordprocessingShape'><wps:txbx>
  <w:txbxContent><w:p><w:r><w:t>Call-out with no fallback</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp>
  </a:graphicData></a:graphic></wp:anchor></w:drawing></w:r></w:p>"""


def test_text_boxes_are_read_once_and_a_list_may_open_at_its_second_level(tmp_path, assemble):
    numbering = """<w:numbering xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'>
<w:abstractNum w:abstractNumId='0'>
<w:lvl w:ilvl='0'><w:start w:val='1'/><w:numFmt w:val='decimal'/><w:lvlText w:val='%1.'/></w:lvl>
<w:lvl w:ilvl='1'><w:start w:val='1'/><w:numFmt w:val='lowerLetter'/><w:lvlText w:val='(%2)'/></w:lvl>
</w:abstractNum><w:num w:numId='1'><w:abstractNumId w:val='0'/></w:num></w:numbering>"""

    def numbered(text):
        return (f"<w:p><w:pPr><w:numPr><w:ilvl w:val='1'/><w:numId w:val='1'/></w:numPr></w:pPr>"
                f"<w:r><w:t>{text}</w:t></w:r></w:p>")

    data = _docx(TEXT_BOXES + _p("The board resolved:") + numbered("to note the report") + numbered("to approve it"))
    with_numbering = _with_part(data, "word/numbering.xml", numbering)
    built = assemble(_pack(tmp_path, {"boxes.docx": with_numbering}), "--strict")
    assert built.code == 0, built.stderr
    text = _paper_text(built, "Before the boxes")
    assert text.count("Call-out stored twice") == 1 and "Call-out with no fallback" in text
    assert "(a) to note the report" in text and "(b) to approve it" in text


def test_a_metafile_picture_that_cannot_be_drawn_is_named(tmp_path, assemble):
    def add_picture(document):
        document.add_picture(io.BytesIO(_infographic(40, 200)))
        document.inline_shapes[-1]._inline.docPr.set("descr", "Organisation chart")

    data = _docx(_p("The structure is shown below."), add_picture)
    as_emf = io.BytesIO()  # the same picture part, renamed as Word stores a pasted Windows metafile
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(as_emf, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.startswith("word/media/"):
                target.writestr("word/media/image1.emf", b"\x01\x00\x00\x00" + b"\x00" * 84 + b" EMF" + b"\x00" * 40)
                continue
            if info.filename in ("word/_rels/document.xml.rels", "[Content_Types].xml"):
                body = body.replace(b"media/image1.png", b"media/image1.emf").replace(
                    b'Extension="png" ContentType="image/png"', b'Extension="emf" ContentType="image/x-emf"')
            target.writestr(info, body)
    built = assemble(_pack(tmp_path, {"structure.docx": as_emf.getvalue()}))
    assert built.code == 0, built.stderr
    assert ("structure.docx): 1 picture not printed: Organisation chart (a Windows metafile, EMF, which the pack "
            "cannot draw: insert it as PNG)") in built.stderr


def test_a_row_taller_than_a_page_starts_at_once_and_the_header_repeats(tmp_path, assemble):
    cell = " ".join(f"Line {n} of the officers' comments on the application." for n in range(300))
    paper = f"Intro.\n\n| Ward | Comments |\n| --- | --- |\n| Riverside | Short. |\n| Castle | {cell} |\n| Abbey | End. |\n"
    built = assemble(_pack(tmp_path, {"comments.md": paper}), "--strict")
    assert built.code == 0, built.stderr
    edition = built.edition("members")
    pages = edition.pages_with("officers' comments")
    first = edition.texts[pages[0]]
    assert "Intro." in first and "Riverside" in first and "Line 0 of" in first  # no page left nearly empty
    assert all("Ward" in edition.texts[page] and "Comments" in edition.texts[page] for page in pages)


def test_a_task_lists_boxes_print_as_they_stand(tmp_path, assemble):
    numbering = """<w:numbering xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'>
<w:abstractNum w:abstractNumId='0'><w:lvl w:ilvl='0'><w:numFmt w:val='bullet'/><w:lvlText w:val='☐'/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId='1'><w:lvl w:ilvl='0'><w:numFmt w:val='bullet'/><w:lvlText w:val='&#xF0FE;'/>
  <w:rPr><w:rFonts w:ascii='Wingdings' w:hAnsi='Wingdings'/></w:rPr></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId='2'><w:lvl w:ilvl='0'><w:numFmt w:val='bullet'/><w:lvlText w:val='•'/></w:lvl></w:abstractNum>
<w:num w:numId='1'><w:abstractNumId w:val='0'/></w:num><w:num w:numId='2'><w:abstractNumId w:val='1'/></w:num>
<w:num w:numId='3'><w:abstractNumId w:val='2'/></w:num></w:numbering>"""

    def item(number, text):
        return (f"<w:p><w:pPr><w:numPr><w:ilvl w:val='0'/><w:numId w:val='{number}'/></w:numPr></w:pPr>"
                f"<w:r><w:t>{text}</w:t></w:r></w:p>")

    data = _docx(_p("Actions:") + item(1, "Consult the ward members") + item(2, "Publish the notice")
                 + _p("Notes:") + item(3, "An ordinary bullet"))
    with_numbering = _with_part(data, "word/numbering.xml", numbering)
    built = assemble(_pack(tmp_path, {"actions.docx": with_numbering}), "--strict")
    assert built.code == 0, built.stderr
    text = _paper_text(built, "Actions:")
    assert "☐ Consult the ward members" in text and "☑ Publish the notice" in text
    assert "☐ An ordinary" not in text and "An ordinary bullet" in text


def _with_part(data, name, content):
    """A Word file (bytes) with its part ``name`` replaced by ``content``."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
        target.writestr(name, content)
    return output.getvalue()


def test_the_pictures_and_text_box_of_a_drawing_group_are_printed_and_its_fallback_is_not(tmp_path, assemble):
    """A DrawingML group (``wpg``, what Word 2010 and later shows) holding a picture and a
    text box: both printed; the VML fallback stored beside it for older readers never."""
    def grouped(document):
        document.add_picture(io.BytesIO(_infographic(100, 200)))
        inline = document.inline_shapes[-1]._inline
        rid = inline.graphic.graphicData.pic.blipFill.blip.embed
        paragraph = inline.getparent().getparent().getparent()
        group = parse_xml(f"""<w:p {nsdecls('w', 'wp', 'a', 'pic', 'r')}
  xmlns:mc='http://schemas.openxmlformats.org/markup-compatibility/2006'
  xmlns:wpg='http://schemas.microsoft.com/office/word/2010/wordprocessingGroup'
  xmlns:wps='http://schemas.microsoft.com/office/word/2010/wordprocessingShape'
  xmlns:v='urn:schemas-microsoft-com:vml' xmlns:o='urn:schemas-microsoft-com:office:office'><w:r><mc:AlternateContent>
<mc:Choice Requires='wpg'><w:drawing><wp:inline><wp:extent cx='1828800' cy='914400'/><wp:docPr id='7' name='Group 7'/>
  <a:graphic><a:graphicData uri='http://schemas.microsoft.com/office/word/2010/wordprocessingGroup'><wpg:wgp>
  <wpg:cNvGrpSpPr/><wpg:grpSpPr/>
  <pic:pic><pic:nvPicPr><pic:cNvPr id='8' name='Picture 8' descr='Ward boundary map'/><pic:cNvPicPr/></pic:nvPicPr>
    <pic:blipFill><a:blip r:embed='{rid}'/></pic:blipFill>
    <pic:spPr><a:xfrm><a:off x='0' y='0'/><a:ext cx='914400' cy='914400'/></a:xfrm></pic:spPr></pic:pic>
  <wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>Map of the ward as consulted on.</w:t></w:r></w:p></w:txbxContent>
  </wps:txbx></wps:wsp></wpg:wgp></a:graphicData></a:graphic></wp:inline></w:drawing></mc:Choice>
<mc:Fallback><w:pict><v:group><v:shape><v:imagedata r:id='{rid}' o:title='Older map'/></v:shape>
  <v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>Stale caption for older readers.</w:t></w:r></w:p></w:txbxContent>
  </v:textbox></v:shape></v:group></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>""")
        paragraph.getparent().replace(paragraph, group)

    built = assemble(_pack(tmp_path, {"ward.docx": _docx(_p("The ward map follows."), grouped)}), "--strict")
    assert built.code == 0, built.stderr
    text = _paper_text(built, "ward map")
    assert text.count("Map of the ward as consulted on.") == 1 and "Stale caption" not in text
    (path,) = built.out.glob("*-members.pdf")
    document = pypdfium2.PdfDocument(path)
    pictures = [item for page in document for item in page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_IMAGE,))]
    assert len(pictures) == 1
