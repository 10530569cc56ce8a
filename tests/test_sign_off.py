"""What a monitoring officer checks before signing a pack off, read back from the
built editions with pdfium: the Part 2 marking (a legible band on every private
page, clear of the printed number; a boxed statement opening each private paper and
appendix), finished PDFs' numbers and item labels in a band of their own, and the
attendance appendix's groups kept with their heading."""

import re

import ctypes

import pikepdf
import pypdfium2
import pytest
from weasyprint import HTML

from tests.conftest import long_markdown, write_files
from tests.test_spec import MINIMAL

REASON = "Paragraph 3 of Schedule 12A, Local Government Act 1972"
SPEC = f"""\
meeting:
  body: Licensing Committee
  date: 2025-06-04
  time: "10:00"
  venue: Civic Hall, Bank Street, Ayton
previous_note: papers/note.txt
agenda:
  - title: Note of the last meeting
    paper: previous_note
  - title: Taxi fares
    paper: papers/fares.md
    appendices:
      - {{title: Appendix A - Slides, file: papers/slides.pdf}}
      - {{title: Appendix B - Tariff, file: papers/tariff.md}}
      - {{title: Appendix C - Plan, file: papers/plan.pdf}}
      - {{title: Appendix D - Poster, file: papers/poster.pdf}}
  - title: Premises review
    paper: papers/premises.md
    private: true
    exempt_reason: "{REASON}"
    appendices:
      - {{title: Appendix A - Valuation, file: papers/valuation.pdf}}
      - {{title: Appendix B - Site plan, file: papers/site.pdf}}
"""
# role groups of many sizes, so that without care some heading would end a page
GROUP_SIZES = [1] * 24 + [3, 1, 2] * 8
ROLES = [f"Role group {n}" for n in range(len(GROUP_SIZES))]


def note_export():
    """The committee system's tagged export: two items and a long attendance appendix."""
    items = "".join(f"<AI{n}>\n\n\t{n}  \n\tItem {n} title\n\n\t\n\tThe committee noted item {n}.\n\n</AI{n}>\n"
                    for n in (1, 2))
    people = []
    for group, (role, size) in enumerate(zip(ROLES, GROUP_SIZES)):
        for n in range(size):
            people.append((f"\t{role}\n" if n == 0 else "") + f"\tCllr Person {group}-{n}\n\tAuthority {group}-{n}\n\n")
    return ("Note of last Licensing Committee meeting\n\tTitle:\n\tLicensing Committee\n\n\tDate:\n\tMonday 3 March 2025\n"
            + items + "<TRAILER_SECTION>\n\nAppendix A - Attendance\n\n\tPosition/Role\n\tCouncillor\n\tAuthority\n\n"
            + "".join(people))


def numbered_pdf(path, pages, size):
    """A finished PDF with its own page number at the foot of each page, as slides have."""
    body = "".join(f'<section style="break-after: page"><h1>{text}</h1></section>' for text in pages)
    style = f"@page {{ size: {size}; margin: 20mm; @bottom-center {{ content: counter(page); font: 12pt sans-serif }} }}"
    HTML(string=f"<html><style>{style}</style>{body}</html>").write_pdf(path)


def edge_pdf(path, names, size):
    """A finished PDF drawn to its edges, as posters and slides are: a tinted background and
    a word against each corner, its own page number against the foot's middle."""
    corners = {"TL": "top: 0; left: 0", "TR": "top: 0; right: 0", "BL": "bottom: 0; left: 0",
               "BR": "bottom: 0; right: 0", "NUMBER": "bottom: 0; left: 48%"}
    body = "".join(f'<section style="position: relative; height: 100%; break-after: page">'
                   + "".join(f'<p style="position: absolute; margin: 0; {where}">{name}-{corner if corner != "NUMBER" else ""}'
                             f'{n if corner == "NUMBER" else ""}</p>' for corner, where in corners.items())
                   + "</section>" for n, name in enumerate(names, 1))
    style = f"@page {{ size: {size}; margin: 0; background: #c8dce6 }} html, body {{ height: 100%; margin: 0 }} p {{ font: 14pt sans-serif }}"
    HTML(string=f"<html><style>{style}</style>{body}</html>").write_pdf(path)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sign-off")
    write_files(folder, {
        "pack.yaml": SPEC,
        "papers/note.txt": note_export(),
        "papers/fares.md": long_markdown("fares", 3),
        "papers/tariff.md": long_markdown("tariff", 14),
        "papers/premises.md": long_markdown("premises", 14, "purpose: For decision."),
    })
    numbered_pdf(folder / "papers/slides.pdf", ["SLIDE-1", "SLIDE-2", "SLIDE-3"], "A4 landscape")
    numbered_pdf(folder / "papers/valuation.pdf", ["VALUATION-1", "VALUATION-2"], "A4")
    numbered_pdf(folder / "papers/plan.pdf", ["PLAN-1", "PLAN-2"], "A4")
    edge_pdf(folder / "papers/poster.pdf", ["POSTER1", "POSTER2"], "A4 landscape")
    edge_pdf(folder / "papers/site.pdf", ["SITE1", "SITE2", "SITE3"], "A4")  # its marking set up on page 2, kept on 3
    with pikepdf.open(folder / "papers/plan.pdf", allow_overwriting_input=True) as plan:
        plan.pages[0].Rotate, plan.pages[1].Rotate = 90, 270  # shown landscape, drawn portrait
        plan.save(folder / "papers/plan.pdf")
    from assembler.cli import main

    assert main([str(folder / "pack.yaml"), "-o", str(folder / "out"), "-q"]) == 0
    from tests.pdfs import read_edition

    return {name: read_edition(next((folder / "out").glob(f"*-{name}.pdf"))) for name in ("members", "public")}


def chars(edition, index):
    """Every character of page ``index``: [(char, (left, bottom, right, top), font size)], in
    points on the page as it shows (pdfium gives boxes before the page's /Rotate)."""
    document = pypdfium2.PdfDocument(str(edition.path))
    page = document[index]
    textpage = page.get_textpage()
    x0, y0, x1, y1 = page.get_cropbox()
    turn = {0: lambda x, y: (x - x0, y - y0), 90: lambda x, y: (y - y0, x1 - x),
            180: lambda x, y: (x1 - x, y1 - y), 270: lambda x, y: (y1 - y, x - x0)}[page.get_rotation()]
    found = []
    for n in range(textpage.count_chars()):
        char = textpage.get_text_range(n, 1)
        if char.strip():
            left, bottom, right, top = textpage.get_charbox(n)
            (a, b), (c, d) = turn(left, bottom), turn(right, top)
            box = (min(a, c), min(b, d), max(a, c), max(b, d))
            found.append((char, box, pypdfium2.raw.FPDFText_GetFontSize(textpage.raw, n)))
    return found


def runs(found, text, whole=False):
    """The characters of every occurrence of ``text`` (spaces aside) in reading order;
    ``whole``: only where no letter or digit stands next to it on its line."""
    letters = "".join(char for char, _, _ in found)
    needle = text.replace(" ", "")

    def alone(start, end):  # no letter or digit within 1.5 points on either side
        first, last = found[start][1], found[end - 1][1]
        before = found[start - 1] if start else None
        after = found[end] if end < len(found) else None
        return not ((before and before[0].isalnum() and abs(before[1][1] - first[1]) < 2
                     and first[0] - before[1][2] < 1.5) or
                    (after and after[0].isalnum() and abs(after[1][1] - last[1]) < 2 and after[1][0] - last[2] < 1.5))

    starts = [m.start() for m in re.finditer(re.escape(needle), letters)]
    return [found[start:start + len(needle)] for start in starts if not whole or alone(start, start + len(needle))]


def box(run):
    return (min(b[0] for _, b, _ in run), min(b[1] for _, b, _ in run),
            max(b[2] for _, b, _ in run), max(b[3] for _, b, _ in run))


def printed_number(edition, index, found):
    """The characters of the pack's number on page ``index``: its label, at the foot."""
    label = edition.reader.page_labels[index]
    (number,) = [run for run in runs(found, label, whole=True) if box(run)[3] < 70]
    return number


def private_pages(members):
    return list(range(members.pages_with("START-premises")[0], members.pages_with("SITE3")[0] + 1))


def test_every_private_page_carries_a_legible_band_clear_of_the_number(built):
    members = built["members"]
    pages = private_pages(members)
    assert len(pages) >= 4  # the report's pages and its finished appendix's
    for index in pages:
        found = chars(members, index)
        bands = runs(found, "NOT FOR PUBLICATION")
        assert bands, index
        assert min(size for run in bands for _, _, size in run) >= 9, index
        assert runs(found, REASON), index  # the exempt information, on every page
        left, bottom, right, top = box(printed_number(members, index, found))
        near = [char for char, (l, b, r, t), _ in found
                if l < right + 3 and r > left - 3 and b < top + 3 and t > bottom - 3 and not char.isdigit()]
        assert near == [], (index, near)  # nothing touches the printed number


def test_each_private_paper_and_appendix_opens_with_the_boxed_statement(built):
    members = built["members"]
    statement = "must not be published"
    firsts = [members.pages_with("START-premises")[0], members.pages_with("VALUATION-1")[0],
              members.pages_with("SITE1")[0]]
    for index in private_pages(members):
        text = re.sub(r"\s+", " ", members.texts[index])
        if index in firsts:
            assert statement in text and f"Exempt information: {REASON}" in text, index
        else:
            assert statement not in text, index
    assert not built["public"].pages_with(statement)


PRINTABLE = 8 / 25.4 * 72  # points: office printers leave 4-6 mm at each edge unprinted
FINISHED = {"SLIDE-": "Agenda Item 2 · Appendix A", "PLAN-": "Agenda Item 2 · Appendix C",
            "POSTER": "Agenda Item 2 · Appendix D", "VALUATION-": "Agenda Item 3 · Appendix A",
            "SITE": "Agenda Item 3 · Appendix B"}
MARKING = ["NOT FOR PUBLICATION", f"Exempt information: {REASON}", "This appendix is for members of the meeting only. "
           "It must not be published, copied or shared, and its contents must not be discussed in public."]


def furniture(edition, index, found, label):
    """The pack's furniture among the characters ``found`` on a finished PDF's page ``index``:
    (its characters, the page's own ones).  The furniture is the item label, the printed
    number and, on a private page, the Part 2 marking."""
    ours = set()
    for text in [label, *MARKING]:
        ours.update(id(char) for run in runs(found, text) for char in run)
    ours.update(id(char) for char in printed_number(edition, index, found))
    return [char for char in found if id(char) in ours], [char for char in found if id(char) not in ours]


def finished_pages(members):
    return [(index, label) for needle, label in FINISHED.items() for index in members.pages_with(needle)]


@pytest.mark.parametrize("edition, count", [("members", 12), ("public", 7)])
def test_a_finished_pages_furniture_prints_inside_the_printable_area_where_rendered_pages_have_it(built, edition, count):
    members = built[edition]
    rendered = members.pages_with("START-fares")[0]
    expected = box(printed_number(members, rendered, chars(members, rendered)))
    pages = finished_pages(members)
    assert len(pages) == count
    for index, label in pages:
        width, height = members.sizes[index]
        found = chars(members, index)
        ours, _ = furniture(members, index, found, label)
        assert runs(ours, label), index  # the item label on every page of an appendix
        for char, (left, bottom, right, top), _ in ours:
            assert left >= PRINTABLE and bottom >= PRINTABLE, (index, char)
            assert right <= width - PRINTABLE and top <= height - PRINTABLE, (index, char)
        left, bottom, right, top = box(printed_number(members, index, found))
        assert bottom == pytest.approx(expected[1], abs=0.5), index  # as far up as on a rendered page
        assert (left + right) / 2 == pytest.approx(width / 2, abs=1), index
        (label_run,) = runs(ours, label)
        assert box(label_run)[0] == pytest.approx(20 / 25.4 * 72, abs=1), index  # at rendered pages' margin
        assert box(label_run)[1] < top and box(label_run)[3] > bottom, index  # on the number's line


@pytest.mark.parametrize("edition, names", [("members", ["POSTER1", "POSTER2", "SITE1", "SITE2", "SITE3"]),
                                           ("public", ["POSTER1", "POSTER2"])])
def test_a_finished_pages_own_text_is_never_under_the_packs_furniture_and_stays_on_the_page(built, edition, names):
    """Slides with their own number at the foot, a page drawn to its edges (landscape and, in a
    private appendix, portrait), a page shown rotated: the page's own characters are all
    there, on the page, and none within 2 points of the furniture's; its own number is
    clearly apart from the pack's (3 mm)."""
    shown = built[edition]
    for index, label in finished_pages(shown):
        width, height = shown.sizes[index]
        found = chars(shown, index)
        ours, own = furniture(shown, index, found, label)
        for char, (l, b, r, t), _ in own:
            assert 0 <= l and r <= width and 0 <= b and t <= height, (index, char)
            near = [c for c, (l2, b2, r2, t2), _ in ours if l < r2 + 2 and r > l2 - 2 and b < t2 + 2 and t > b2 - 2]
            assert near == [], (index, char, near)
        number_top = box(printed_number(shown, index, found))[3]
        assert min(b for _, (_, b, _, _), _ in own) >= number_top + 3 / 25.4 * 72, index
    text = " ".join(shown.texts[index] for index, _ in finished_pages(shown))
    for corner in ("TL", "TR", "BL", "BR"):
        assert all(f"{name}-{corner}" in text for name in names)


def styles(edition, index, text):
    """(font name, size in points as drawn, fill colour) of the first character of each
    occurrence of ``text`` on page ``index``."""
    document = pypdfium2.PdfDocument(str(edition.path))
    textpage = document[index].get_textpage()
    found = []
    letters = [textpage.get_text_range(n, 1) for n in range(textpage.count_chars())]
    needle = text.replace(" ", "")
    kept = [n for n, char in enumerate(letters) if char.strip()]
    joined = "".join(letters[n] for n in kept)
    for match in re.finditer(re.escape(needle), joined):
        n = kept[match.start()]
        name = ctypes.create_string_buffer(200)
        pypdfium2.raw.FPDFText_GetFontInfo(textpage.raw, n, name, 200, None)
        matrix = pypdfium2.raw.FS_MATRIX()
        pypdfium2.raw.FPDFText_GetMatrix(textpage.raw, n, matrix)
        size = pypdfium2.raw.FPDFText_GetFontSize(textpage.raw, n) * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        colour = [ctypes.c_uint() for _ in range(4)]
        pypdfium2.raw.FPDFText_GetFillColor(textpage.raw, n, *colour)
        found.append((name.value.split(b"+")[-1].decode(), round(size, 1), tuple(c.value for c in colour[:3])))
    return sorted(found)


def test_a_private_finished_pdf_carries_the_marking_of_rendered_pages(built):
    """The band (at least 9 pt) on every page and the boxed statement's heading on the first
    are drawn in the font, size and colour of a rendered private paper's."""
    members = built["members"]
    report = members.pages_with("START-premises")[0]
    opening = styles(members, report, "NOT FOR PUBLICATION")  # the band, then the statement's heading
    band = styles(members, report + 1, "NOT FOR PUBLICATION")
    assert len(opening) == 2 and len(band) == 1 and band[0] in opening
    assert band[0][1] >= 9 and "Bold" in band[0][0]
    for needle in ("VALUATION-", "SITE"):
        first, *others = members.pages_with(needle)
        assert styles(members, first, "NOT FOR PUBLICATION") == opening, needle
        assert "must not be published" in members.texts[first]
        for index in others:
            assert styles(members, index, "NOT FOR PUBLICATION") == band, index
            assert REASON in re.sub(r"\s+", " ", members.texts[index]) and "must not be published" not in members.texts[index]


def test_an_appendix_carries_its_item_label_on_every_page(built):
    members = built["members"]
    pages = range(members.pages_with("START-tariff")[0], members.pages_with("END-tariff")[0] + 1)
    assert len(pages) >= 2
    for index in pages:
        assert "Agenda Item 2 · Appendix B" in members.texts[index], index


def test_an_attendance_group_heading_never_ends_a_page_and_the_columns_head_every_page(built):
    members = built["members"]
    pages = list(range(members.pages_with("Appendix A - Attendance")[0], members.pages_with(f"Person {len(ROLES) - 1}-")[-1] + 1))
    assert len(pages) >= 3
    document = pypdfium2.PdfDocument(str(members.path))
    for index in pages:
        page = document[index]
        width, height = page.get_size()
        body = page.get_textpage().get_text_bounded(0, 62, width, height - 68)  # inside the page margins
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        if index != pages[0]:  # a continued table repeats its column headings
            assert "Councillor" in lines[0] or "Councillor" in lines[1], index
        assert lines[-1] not in ROLES, (index, lines[-1])
    text = " ".join(members.texts[index] for index in pages)
    assert all(role in text for role in ROLES)
    # the export asks for no page break before its appendix: it follows the last item
    assert members.pages_with("The committee noted item 2.")[0] == pages[0]


LAYOUT_SPEC = MINIMAL.replace("  - title: Apologies\n", """\
  - title: Word report
    paper: papers/word.docx
  - title: Markdown report
    paper: papers/markdown.md
""")
MARKDOWN_REPORT = """\
Opening paragraph.

3. We propose TOP-M that:

3.1 The programme PARENT-M uses sector-led improvement to develop:

3.1.1.1. Resilience CHILD-M in adult social care

3.1.1.2. Effective care SIBLING-M and health systems

2.5 million people MONEY-M live here.

4.1 Housing applications LOWER-1 are assessed against policies H1 to H9 of the local plan and the neighbourhood plans of the three parishes, which:

4.1.1 set the spatial LOWER-2 strategy;

4.1.2 require affordable LOWER-3 housing, at:

4.1.2.1 30% on greenfield LOWER-4 sites;

4.1.2.2 "previously developed" QUOTED-M land; and

4.1.3	once a tab LOWER-5 follows, at any case.

5.1 **Heritage** BOLD-M applications are assessed under sections 66 and 72.

12.3.2024 was the DATE-M day of the count.

7.5 people PEOPLE-M live in each house, on 4.5 hectares.

1.5m was spent MILLIONS-M on repairs.

| Region | Count |
| --- | --- |
| MROW-1 | 1 |
| MROW-2 | 2 |
| MROW-3 | 3 |
"""


def word_report(path):
    """Word's own two-level numbering (1. and 1.1.), a typed number a level deeper, and a table."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_paragraph("Opening paragraph.")
    levels = "".join(f'<w:lvl w:ilvl="{n}"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="{text}"/>'
                     f'<w:pPr><w:ind w:left="{567 * (n + 1)}" w:hanging="567"/></w:pPr></w:lvl>'
                     for n, text in enumerate(["%1.", "%1.%2."]))
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{levels}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for level, text in ((0, "We propose PARENT-W that:"), (1, "The programme CHILD-W will develop:")):
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    document.add_paragraph("1.1.1.1. Resilience TYPED-W in adult social care")
    for text in ("3.1 Sites with WLOW-1 detailed permission:", "3.1.1 under WLOW-2 construction;",
                 "3.1.1.1 of which WLOW-3 twelve are on brownfield land;", "3.1.2. not WLOW-4 started.",
                 "3.2 million FIGURE-W homes were started.", "3.1.3\tOnce a tab TAB-W follows."):
        document.add_paragraph(text)
    table = document.add_table(rows=5, cols=2)
    table.style = "Table Grid"
    for row, (name, count) in enumerate([("Region", "Count"), ("WROW-1", "1"), ("WROW-2", "2"), ("WROW-3", "3"),
                                         ("3.1.1 In a CELL-W", "4")]):
        table.cell(row, 0).text, table.cell(row, 1).text = name, count
    document.save(path)


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layout")
    write_files(folder, {"pack.yaml": LAYOUT_SPEC, "papers/markdown.md": MARKDOWN_REPORT})
    word_report(folder / "papers/word.docx")
    from assembler.cli import main

    assert main([str(folder / "pack.yaml"), "-o", str(folder / "out"), "-q"]) == 0
    from tests.pdfs import read_edition

    return read_edition(next((folder / "out").glob("*-members.pdf")))


def line_of(edition, needle):
    """(left of the line's first character, bottom of the needle) in points, on the page
    that holds ``needle``: where its line (its number, if it has one) starts."""
    index = edition.pages_with(needle)[0]
    found = chars(edition, index)
    (run,) = runs(found, needle)
    start = found.index(run[0])
    bottom = run[0][1][1]
    while start and found[start - 1][1][1] < found[start][1][3] and found[start - 1][1][3] > found[start][1][1] \
            and found[start - 1][1][2] <= found[start][1][0] + 1:  # the character before, on the same line
        start -= 1
    return found[start][1][0], bottom


@pytest.mark.parametrize("parent, child", [
    ("PARENT-W", "CHILD-W"), ("CHILD-W", "TYPED-W"),  # Word's numbering, then a typed number under it
    ("TOP-M", "PARENT-M"), ("PARENT-M", "CHILD-M"),  # a Markdown list, then typed numbers
    # typed numbers whose sentences go on in lower case ("3.1.1 set the …", "3.1.1.1 of which …")
    ("LOWER-1", "LOWER-2"), ("LOWER-3", "LOWER-4"), ("WLOW-1", "WLOW-2"), ("WLOW-2", "WLOW-3"),
])
def test_each_level_of_numbered_paragraphs_is_indented_under_its_parent(layout, parent, child):
    assert line_of(layout, child)[0] > line_of(layout, parent)[0] + 10


@pytest.mark.parametrize("first, second", [
    ("CHILD-M", "SIBLING-M"), ("LOWER-2", "LOWER-3"), ("LOWER-3", "LOWER-5"), ("LOWER-4", "QUOTED-M"), ("LOWER-1", "BOLD-M"),
    ("WLOW-2", "WLOW-4"), ("WLOW-2", "TAB-W"),  # with and without a closing full stop, after a tab
])
def test_typed_numbers_of_one_level_line_up(layout, first, second):
    assert line_of(layout, first)[0] == pytest.approx(line_of(layout, second)[0], abs=0.5)


@pytest.mark.parametrize("needle", ["MONEY-M", "DATE-M", "PEOPLE-M", "MILLIONS-M", "FIGURE-W"])
def test_a_figure_or_a_date_opening_a_paragraph_is_not_a_number(layout, needle):
    """"2.5 million", "12.3.2024", "7.5 people" (no paragraph 7.4 or 7.5.1 beside it), "1.5m"."""
    assert line_of(layout, needle)[0] == pytest.approx(line_of(layout, "Opening")[0], abs=0.5)


def test_a_typed_number_in_a_table_cell_is_left_in_its_cell(layout):
    assert line_of(layout, "CELL-W")[0] == pytest.approx(line_of(layout, "WROW-1")[0], abs=0.5)


def test_the_text_of_a_numbered_paragraph_hangs_level_with_its_first_line(layout):
    """The lines after the first start where the first line's text starts, right of the number."""
    (first,) = runs(chars(layout, layout.pages_with("LOWER-1")[0]), "Housing")
    wrapped_start, wrapped_bottom = line_of(layout, "parishes")
    assert wrapped_bottom < line_of(layout, "LOWER-1")[1] - 5  # the paragraph wraps
    assert wrapped_start == pytest.approx(first[0][1][0], abs=0.5)


def test_a_word_tables_rows_are_as_tall_as_their_text(layout):
    """Word puts each cell's text in a paragraph; a row is no taller than the same row of a
    Markdown table, whose cells hold bare text."""
    word = [line_of(layout, f"WROW-{n}")[1] for n in (1, 2, 3)]
    markdown = [line_of(layout, f"MROW-{n}")[1] for n in (1, 2, 3)]
    assert word[0] - word[1] == pytest.approx(markdown[0] - markdown[1], abs=0.5)
    assert word[1] - word[2] == pytest.approx(markdown[1] - markdown[2], abs=0.5)


def test_a_paper_never_ends_on_a_page_of_a_few_lines(tmp_path, assemble):
    """A report a few lines too long for its pages is set a little closer instead."""

    write_files(tmp_path, {"pack.yaml": MINIMAL + "  - title: Long report\n    paper: report.md\n",
                           "report.md": long_markdown("report", 8)})
    built = assemble(tmp_path / "pack.yaml", "-q")
    assert built.code == 0, built.stderr
    members = built.edition("members")
    pages = range(members.pages_with("START-report")[0], members.pages_with("END-report")[0] + 1)
    width, height = members.sizes[pages[-1]]
    text_top, text_bottom = height - 68, 62  # the page's text area, in points from its foot
    lowest = min(bottom for char, (_, bottom, _, top), _ in chars(members, pages[-1]) if text_bottom < bottom < text_top)
    assert len(pages) == 1 or (text_top - lowest) / (text_top - text_bottom) >= 0.2



GROUP_HEADING = re.compile(r"Ward \d+-\d+")


def grouped_rows(variant):
    """(group heading, [rows]) for a table of delegated decisions by ward: groups of one to
    five rows, in a different order for each variant."""
    sizes = [(group * 3 + variant * 2) % 5 + 1 for group in range(14)]
    return [(f"Ward {variant}-{group}", [(f"25/0{variant}{group:02}{n}/HOU", f"{n + 1} Mill Lane", "Rear extension", "Granted")
                                         for n in range(size)]) for group, size in enumerate(sizes)]


def grouped_markdown(variant):
    """A report whose table's group headings are rows with only their first cell filled, the
    table starting a few lines further down the page in each variant."""
    lines = ["Opening paragraph of the report."] + [f"Paragraph {n} before the table." for n in range(variant)]
    lines.append("| Reference | Address | Proposal | Decision |\n| --- | --- | --- | --- |")
    for heading, rows in grouped_rows(variant):
        lines[-1] += f"\n| **{heading}** | | | |" + "".join(f"\n| {' | '.join(row)} |" for row in rows)
    return "\n\n".join(lines) + "\n"


def grouped_word(path, variant):
    """A Word report whose table's group headings are rows merged across the table."""
    import docx

    document = docx.Document()
    for n in range(variant):
        document.add_paragraph(f"Paragraph {n} before the table.")
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Reference", "Address", "Proposal", "Decision")):
        cell.text = text
    for heading, rows in grouped_rows(variant):
        merged = table.add_row().cells
        merged[0].merge(merged[3]).text = heading
        for row in rows:
            for cell, text in zip(table.add_row().cells, row):
                cell.text = text
    document.save(path)


def test_a_group_heading_row_never_ends_a_page_of_a_reports_table(tmp_path, assemble):
    markdown, word = range(6), range(6, 9)
    agenda = "".join(f"  - title: Decisions {v}\n    paper: papers/decisions-{v}.md\n" for v in markdown)
    agenda += "".join(f"  - title: Decisions {v}\n    paper: papers/decisions-{v}.docx\n" for v in word)
    write_files(tmp_path, {"pack.yaml": MINIMAL + agenda}
                | {f"papers/decisions-{v}.md": grouped_markdown(v) for v in markdown})
    for v in word:
        grouped_word(tmp_path / f"papers/decisions-{v}.docx", v)
    built = assemble(tmp_path / "pack.yaml", "-q")
    assert built.code == 0, built.stderr
    members = built.edition("members")
    document = pypdfium2.PdfDocument(str(members.path))
    for v in [*markdown, *word]:
        pages = members.pages_with(f"Ward {v}-0")[0], members.pages_with(f"Ward {v}-13")[0]
        assert pages[1] > pages[0], v  # the table breaks
        for index in range(pages[0], pages[1] + 1):
            page = document[index]
            width, height = page.get_size()
            body = page.get_textpage().get_text_bounded(0, 62, width, height - 68)  # inside the page margins
            lines = [line.strip() for line in body.splitlines() if line.strip()]
            assert not GROUP_HEADING.fullmatch(lines[-1]), (v, index, lines[-1])
