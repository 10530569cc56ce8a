"""Print-ready and accessible: tags that survive binding, labels, fonts, A4, duplex."""

import re
import shutil
import subprocess

import pytest

from tests.conftest import long_markdown, make_pdf, make_tagged_pdf, write_files
from tests.pdfs import agenda_ranges, read_edition, structure_problems, unembedded_fonts
from tests.test_word import make_report

SPEC = """\
meeting:
  body: Environment Scrutiny Panel
  date: 2026-02-11
  time: "09:30"
  venue: County Hall, Lewes Road, Ashcombe
  language: {language}
agenda:
  - title: Minutes
    paper: papers/minutes.md
  - title: Flood resilience
    paper: papers/flood.docx
    appendices:
      - {{title: Appendix A - Flood map, file: papers/map.pdf}}
      - {{title: Appendix B - Gauges, file: papers/gauges.md}}
  - title: Depot lease
    paper: papers/lease.md
    private: true
    exempt_reason: Paragraph 3 of Schedule 12A
"""

A4 = (595.3, 841.9)


def make_pack(folder, language="en-GB"):
    write_files(folder, {
        "pack.yaml": SPEC.format(language=language),
        "papers/minutes.md": long_markdown("minutes", 3),
        "papers/gauges.md": long_markdown("gauges", 1) + "\n![](gauge.png)\n",
        "papers/lease.md": long_markdown("lease", 7),
    })
    make_report(folder / "papers/flood.docx", token="FLOOD")
    make_pdf(folder / "papers/map.pdf", ["MAP-1", "MAP-2", "MAP-3"], size="A3 landscape")
    from PIL import Image

    Image.new("RGB", (40, 30), "#369").save(folder / "papers/gauge.png")
    return folder / "pack.yaml"


@pytest.fixture(scope="module", params=[False, True], ids=["simplex", "duplex"])
def built(request, tmp_path_factory):
    from assembler.cli import main

    folder = tmp_path_factory.mktemp("print")
    spec = make_pack(folder)
    args = [str(spec), "-o", str(folder / "out")] + (["--duplex"] if request.param else [])
    assert main(args) == 0
    editions = [read_edition(next((folder / "out").glob(f"*-{name}.pdf"))) for name in ("members", "public")]
    return request.param, editions


def test_tagged_titled_and_in_its_language(built):
    for edition in built[1]:
        root = edition.reader.trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
        assert root["/Lang"] == "en-GB"
        assert root["/ViewerPreferences"]["/DisplayDocTitle"]
        assert edition.reader.metadata.title == "Environment Scrutiny Panel, 11 February 2026"
        assert edition.reader.metadata.subject and edition.reader.metadata["/Keywords"]
        assert edition.reader.pdf_header >= "%PDF-1.7"


def test_every_page_belongs_to_the_one_structure_tree(built):
    for edition in built[1]:
        assert structure_problems(edition.reader) == []
        tagged = [page for page in edition.reader.pages if "/StructParents" in page]
        assert len(tagged) >= edition.page_count - 3  # all but the imported map's own content


def test_headings_lists_tables_and_alt_text_are_tagged(built):
    members = built[1][0]
    roles = set()

    def walk(node, depth=0):
        node = node.get_object()
        if depth > 200 or not hasattr(node, "get"):
            return
        if "/S" in node:
            roles.add(str(node["/S"]))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                walk(kid, depth + 1)

    walk(members.reader.trailer["/Root"]["/StructTreeRoot"])
    assert {"/H1", "/H2", "/L", "/LI", "/Table", "/TH", "/TD", "/Figure", "/Link"} <= roles


def test_labels_match_printed_numbers_and_front_matter_is_labelled_apart(built):
    for edition in built[1]:
        labels = edition.reader.page_labels
        first = labels.index("1")
        assert all(re.fullmatch(r"[ivxl]+", label) for label in labels[:first])
        for index in range(first, edition.page_count - 1):
            assert labels[index] == str(edition.printed_number(index)), index
        assert labels[-1] == "Back cover"


def test_fonts_are_embedded_and_rendered_pages_are_a4(built):
    for edition in built[1]:
        assert unembedded_fonts(edition.path) == []
        for index, size in enumerate(edition.sizes):
            if "MAP-" not in edition.texts[index]:
                assert size == A4, index
        assert [edition.sizes[i] for i in edition.pages_with("MAP-")] == [(1190.6, 841.9)] * 3


@pytest.mark.skipif(not shutil.which("qpdf"), reason="qpdf is not installed (Debian: qpdf)")
def test_qpdf_finds_no_damage(built):
    for edition in built[1]:
        result = subprocess.run(["qpdf", "--check", str(edition.path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No syntax or stream encoding errors found" in result.stdout


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="pdfinfo is not installed (Debian: poppler-utils)")
def test_pdfinfo_sees_a_tagged_titled_a4_file(built):
    for edition in built[1]:
        info = subprocess.run(["pdfinfo", str(edition.path)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Tagged:\s+yes", info)
        assert re.search(r"Title:\s+Environment Scrutiny Panel, 11 February 2026", info)
        assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)


def test_duplex_starts_every_paper_on_a_right_hand_page(built):
    duplex, editions = built
    titles = ["Minutes", "Flood resilience", "Appendix A - Flood map", "Appendix B - Gauges", "Depot lease"]
    for edition in editions:
        ranges = agenda_ranges(edition, titles)
        assert len(ranges) == 5
        starts = {"Minutes": "START-minutes", "Appendix B - Gauges": "START-gauges"}
        for title, mark in starts.items():
            index = edition.pages_with(mark)[0]
            assert ranges[title][0] == edition.printed_number(index)
        if not duplex:
            continue
        first = edition.reader.page_labels.index("1")
        assert first % 2 == 0  # page 1 is the front of a sheet (0-based index even)
        assert edition.page_count % 2 == 0
        for title, (start, _) in ranges.items():
            assert start % 2 == 1, title
        blanks = edition.pages_with("This page is intentionally left blank")
        assert blanks, "some paper ends on a right-hand page here"
        for index in blanks:
            assert index == first - 1 or edition.printed_number(index) is not None


def test_the_language_can_be_set(tmp_path, assemble):
    spec = make_pack(tmp_path, language="cy")
    built = assemble(spec, "-q")
    assert built.code == 0
    assert built.edition("public").reader.trailer["/Root"]["/Lang"] == "cy"


def test_inaccessible_parts_are_named_in_warnings(tmp_path, assemble):
    built = assemble(make_pack(tmp_path))
    assert built.code == 0
    assert "a) Appendix A - Flood map (map.pdf): not accessible" in built.stderr
    assert "b) Appendix B - Gauges (gauges.md): image gauge.png has no alt text" in built.stderr


def structure_elements(reader):
    """(role, alt text, page index or None) of every structure element in the tree."""
    pages = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}
    found, stack = [], [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if "/S" in node:
            page = node.get("/Pg")
            found.append((str(node["/S"]), str(node.get("/Alt", "")), pages.get(page.idnum) if page else None))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get") and "/S" in kid.get_object():
                stack.append(kid)
    return found


def test_a_tagged_finished_pdf_brings_its_structure_into_the_pack(tmp_path, assemble):
    spec = SPEC.format(language="en-GB").replace("papers/map.pdf", "papers/plan.pdf")
    make_pack(tmp_path)
    (tmp_path / "pack.yaml").write_text(spec)
    make_tagged_pdf(tmp_path / "papers/plan.pdf", "APPX-HEADING Flood plan", "APPX-ALT aerial view of the river")
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    assert "plan.pdf): not accessible" not in built.stderr
    for name in ("members", "public"):
        edition = built.edition(name)
        assert structure_problems(edition.reader) == []
        page = edition.pages_with("APPX-HEADING")[0]
        elements = structure_elements(edition.reader)
        assert ("/H1", "", page) in elements
        assert any(role == "/Figure" and alt == "APPX-ALT aerial view of the river" for role, alt, _ in elements)


def test_a_pack_is_light(built):
    for edition in built[1]:
        per_page = edition.path.stat().st_size / edition.page_count
        assert per_page < 40_000, per_page
