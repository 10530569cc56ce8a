"""No near-empty page (issue 19, point 6): every page of both editions carries at least a quarter of
its text area, unless the source breaks there.  Fullness is read back with pdfium (tests.pdfs.page_fills):
how far down the text area the page's content reaches, the running header, printed number and bands left
out."""

import re
import shutil

import pypdfium2
import pytest
import yaml

from tests.conftest import ROOT, run_command, write_files
from tests.pdfs import TEXT_AREA, page_fills, read_edition

NEARLY_EMPTY = 0.25  # the "no page under 25 % full"


def parts(edition):
    """[(title, first page index, last page index)] of an edition's parts, in order: every front-matter
    section, paper and appendix begins a page of its own and has a bookmark (depth 0 or 1; deeper ones are a
    finished PDF's own)."""
    starts = {}
    for depth, title, index in edition.outline():
        if depth <= 1:
            starts.setdefault(index, title)
    firsts = sorted(starts)
    return [(starts[first], first, (firsts[n + 1] if n + 1 < len(firsts) else edition.page_count) - 1)
            for n, first in enumerate(firsts)]


def finished_titles(spec):
    """Titles of the papers and appendices the spec at ``spec`` names as finished PDFs."""
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    titles = []
    for item in data["agenda"]:
        if str(item.get("paper", "")).lower().endswith(".pdf"):
            titles.append(item["title"])
        titles += [appendix["title"] for appendix in item.get("appendices") or []
                   if str(appendix["file"]).lower().endswith(".pdf")]
    return titles


def top_line(path, index):
    """The first line of text in the text area of page ``index`` of the PDF at ``path``."""
    left, _, right, top = TEXT_AREA
    document = pypdfium2.PdfDocument(str(path))
    try:
        text = document[index].get_textpage().get_text_bounded(left, top - 40, right, top)
    finally:
        document.close()
    return " ".join(text.split("\n")[0].split())


def near_empty_pages(path, spec):
    """Pages of the edition at ``path`` (built from the spec at ``spec``) under NEARLY_EMPTY full where the
    source does not break, as ["page label (index): fill, its first words"].

    "The source breaks there" means the source, not our layout, decided both where the page begins and where
    it ends, so nothing could be moved onto it.  Exactly these pages are exempt:

    * a part of one page: a front-matter section (cover, guidance notes, notice, membership, agenda), a
      paper or appendix of one page, the back cover (each part starts a page of its own);
    * a report's last page that begins right after its cover block (the house style breaks the page after
      the cover block, ``.cover-block { break-after: page }``): the page starts with the report's title
      printed again and is the last of its part;
    * a restricted page of the public edition and a blank verso (``--duplex``): drawn that way;
    * a finished PDF's own pages: any page not A4 portrait, and every page of a part the spec names as a
      ``.pdf``: their layout is their author's.
    """
    edition = read_edition(path)
    fills = page_fills(path)
    finished = finished_titles(spec)
    found = []
    for title, first, last in parts(edition):
        if first == last or any(title.endswith(name) for name in finished):
            continue
        for index in range(first, last + 1):
            fill = fills[index]
            if fill is None or fill >= NEARLY_EMPTY:
                continue
            text = edition.texts[index]
            if "Document is Restricted" in text or "intentionally left blank" in text:
                continue
            after_cover_block = index == last == first + 1 and title.endswith(top_line(path, index))
            if after_cover_block:
                continue
            label = edition.reader.page_labels[index]
            found.append(f"page {label} ({index}): {fill:.0%}, {' '.join(text.split())[:60]}")
    return found


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    """Both editions of every example pack in packs/, built with the real command: [(edition path, spec)]."""
    built = []
    for pack in sorted(path.parent for path in (ROOT / "packs").glob("*/pack.yaml")):
        folder = tmp_path_factory.mktemp("fill") / pack.name
        shutil.copytree(pack, folder)
        result = run_command(folder / "pack.yaml", "-o", folder / "out", "-q")
        assert result.returncode == 0, result.stderr
        built += [(path, folder / "pack.yaml") for path in sorted((folder / "out").glob("*.pdf"))]
    return built


def test_no_example_page_is_near_empty_unless_the_source_breaks_there(examples):
    assert len(examples) == 4
    for path, spec in examples:
        assert near_empty_pages(path, spec) == [], path.name


def test_the_harbourside_note_ends_on_a_page_a_quarter_full_or_more(examples):
    """Its last page held two short items' few lines (17 %); it now takes the item before along with its
    heading, and the page before keeps the rest."""
    (members, _), = [(path, spec) for path, spec in examples if path.name.startswith("audit") and "members" in path.name]
    fills = page_fills(members)
    (first, last), = [(first, last) for title, first, last in parts(read_edition(members))
                      if title.endswith("Minutes of the meeting held on 16 July 2025")]
    assert last == first + 1
    assert fills[first] >= NEARLY_EMPTY and fills[last] >= NEARLY_EMPTY, (fills[first], fills[last])
    assert top_line(members, last).startswith("5 Draft statement of accounts")  # a section, with its heading


SPEC = """\
meeting:
  body: Planning Committee
  date: 2025-06-04
  time: "10:00"
  venue: Civic Hall, Bank Street, Ayton
agenda:
  - title: Local plan review
    paper: papers/local-plan.md
  - title: Short update
    paper: papers/update.md
"""
SENTENCE = "The council consulted residents on the draft policies and the responses were considered by officers. "


def build(folder):
    """Build the pack in ``folder`` with the real command (no warning allowed); returns its members'
    edition's path, the edition, its page fills and {part title: (first, last page index)}."""
    result = run_command(folder / "pack.yaml", "-o", folder / "out", "-q")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    (members,) = (folder / "out").glob("*-members.pdf")
    edition = read_edition(members)
    return members, edition, page_fills(members), {title: (first, last) for title, first, last in parts(edition)}


def report(sections, closing=0):
    """A Markdown report of ``sections`` numbered sections, each a heading and two paragraphs, and with
    ``closing`` a last section of that many sentences."""
    body = [f"## Section {n}\n\n{n}.1 {SENTENCE * 4}\n\n{n}.2 {SENTENCE * 3}" for n in range(1, sections + 1)]
    return "\n\n".join(body + ([f"## Next steps\n\n{SENTENCE * closing}"] if closing else []))


def test_a_report_just_over_a_page_does_not_leave_a_few_lines_alone(tmp_path):
    """A report running a few lines past its first page (more than setting it closer saves) is balanced:
    its second page begins with a whole paragraph or section (a heading never left at the foot of the
    first), and both pages are a quarter full or more;
    every word is printed (no warning).  A short paper of one page is left as it is."""
    # unbalanced, its last page held the closing section alone: 20 % of the text area
    write_files(tmp_path, {"pack.yaml": SPEC, "papers/local-plan.md": report(4, 2), "papers/update.md": report(1)})
    members, edition, fills, ranges = build(tmp_path)
    first, last = ranges["1. Local plan review"]
    assert last == first + 1
    assert fills[first] >= NEARLY_EMPTY and fills[last] >= NEARLY_EMPTY, (fills[first], fills[last])
    assert re.match(r"Section \d$|\d\.\d The council", top_line(members, last)), top_line(members, last)
    assert "Next steps" in edition.texts[last]
    assert ranges["2. Short update"][0] == ranges["2. Short update"][1]  # the one-page paper stays one page
    assert near_empty_pages(members, tmp_path / "pack.yaml") == []


FRONT_SPEC = """\
meeting:
  body: Planning Committee
  date: 2025-06-04
  time: "10:00"
  venue:
    name: Civic Hall
    address: Bank Street, Ayton
    guidance: venue/guidance.md
agenda:
  - title: Survey results
    paper: papers/survey.md
"""
NOTE = "Visitors are asked to follow the directions of the staff on duty, who will help with anything needed during the visit. "


def test_front_matter_and_a_tall_picture_leave_no_page_nearly_empty(tmp_path):
    """Guidance notes running a few lines onto a second page (16 % of it) are balanced, two notes carried over
    with their headings; a picture taller than the room left under a report's first lines, which used to move
    to a page of its own leaving the title alone (6 %) and its last line on a third page, is scaled down a
    little (it is at its natural size) and the report fits its first page.  Every word and the picture are
    printed (no warning)."""
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (700, 2600), "#369").save(picture, "PNG")
    write_files(tmp_path, {
        "pack.yaml": FRONT_SPEC,
        "venue/guidance.md": "\n\n".join(f"### Note {n}\n\n{NOTE * 3}" for n in range(1, 10)),
        "papers/survey.md": "Headline results are in the infographic below.\n\n![Ten survey results](tall.png)\n\n"
                            "The full results are in the library.\n",
        "papers/tall.png": picture.getvalue(),
    })
    members, edition, fills, ranges = build(tmp_path)
    first, last = ranges["Guidance notes for members and visitors"]
    assert last == first + 1 and min(fills[first], fills[last]) >= NEARLY_EMPTY, fills[first:last + 1]
    assert re.fullmatch(r"Note \d", top_line(members, last)), top_line(members, last)
    first, last = ranges["1. Survey results"]
    assert first == last, "the report fits its first page"
    assert "Headline results" in edition.texts[first] and "The full results are in the library" in edition.texts[first]
    document = pypdfium2.PdfDocument(str(members))
    try:
        (image,) = document[first].get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE], max_depth=3)
        left, bottom, right, top = image.get_bounds()
    finally:
        document.close()
    area_left, area_bottom, area_right, area_top = TEXT_AREA
    assert bottom >= area_bottom - 1 and top <= area_top + 1
    assert top - bottom > 0.6 * (area_top - area_bottom)  # scaled down a little, not to a thumbnail
    assert near_empty_pages(members, tmp_path / "pack.yaml") == []


def test_a_subheading_typed_in_bold_never_ends_a_page(tmp_path):
    """A short paragraph all in bold is a subheading as authors type them (and as the committee system's
    note export gives "Discussion", "Decisions"): it goes over with the text it heads, never left alone as a
    page's last line."""
    body = "\n\n".join(f"**Subheading {n}**\n\n{SENTENCE * (n % 4 + 1)}" for n in range(1, 41))
    write_files(tmp_path, {"pack.yaml": SPEC, "papers/local-plan.md": body, "papers/update.md": "A short update."})
    members, _, _, ranges = build(tmp_path)
    first, last = ranges["1. Local plan review"]
    assert last - first >= 3
    left, bottom, right, top = TEXT_AREA
    document = pypdfium2.PdfDocument(str(members))
    try:
        ends = [document[index].get_textpage().get_text_bounded(left, bottom, right, top).strip().splitlines()[-1]
                for index in range(first, last + 1)]
    finally:
        document.close()
    assert not [end for end in ends if end.startswith("Subheading")], ends
