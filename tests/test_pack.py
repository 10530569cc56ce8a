"""A whole pack built through the command: order, numbers, ranges, bookmarks, editions."""

import re

import pytest

from tests.conftest import long_markdown, make_pdf, write_files
from tests.pdfs import agenda_ranges, all_strings

SPEC = """\
meeting:
  body: Planning Committee
  date: 2025-11-12
  time: 18:30
  venue:
    name: Westmoor Town Hall
    address: 1 Market Place, Westmoor, WM1 1AA
    guidance: venue/guidance.md
    travel: venue/travel.md
    map: venue/map.png
  room: Council Chamber
  contact: {name: Sam Clerk, phone: 01234 567890, email: sam.clerk@westmoor.example}
  next_meeting: {date: 2025-12-10, time: "18:30"}
house:
  name: Westmoor Borough Council
membership:
  term: 2025/26
  groups:
    - name: Independent
      members:
        - {name: Cllr Ada Lovelace, role: Chair, authority: North ward}
        - {name: Cllr Ben Jonson, authority: South ward}
      substitutes:
        - {name: Cllr Cy Twombly, authority: East ward}
  observers:
    - {name: Ms Dee Observer, authority: Parish Council}
previous_note: papers/note.md
agenda:
  - title: Apologies
  - title: Minutes
    paper: previous_note
  - title: Land at Mill Lane
    paper: papers/mill-lane.md
    private: true
    exempt_reason: Paragraph 3 of Schedule 12A
    appendices:
      - {title: Appendix A - Valuation, file: papers/valuation.pdf}
  - title: Enforcement update
    paper: papers/enforcement.md
    appendices:
      - {title: Appendix A - Site plan, file: papers/site-plan.pdf}
      - {title: Appendix B - Schedule, file: papers/schedule.md}
  - title: Appeals report
    paper: papers/appeals.md
"""

KEYS = ["note", "mill", "enforcement", "schedule", "appeals"]


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("westmoor")
    write_files(folder, {
        "pack.yaml": SPEC,
        "papers/note.md": "---\nmeeting: Planning Committee\ndate: Wednesday 8 October 2025\n---\n" + long_markdown("note", 4),
        "papers/mill-lane.md": long_markdown("mill", 12, "purpose: For decision. SECRET-PURPOSE-MILL")
                               + "\nSECRET-MILL-TOKEN\n",
        "papers/enforcement.md": long_markdown("enforcement", 16, "purpose: For information.\n"
                                               "recommendations: [Note the report]\n"
                                               "contact: {name: Pat Officer, email: pat@westmoor.example}"),
        "papers/schedule.md": long_markdown("schedule", 2),
        "papers/appeals.md": long_markdown("appeals", 3),
        "venue/guidance.md": "### Fire\n\nGUIDANCE-FIRE-TEXT\n",
        "venue/travel.md": "## Buses\n\nTRAVEL-BUS-TEXT\n",
    })
    make_pdf(folder / "papers/valuation.pdf", ["SECRET-VALUATION-1", "SECRET-VALUATION-2"])
    make_pdf(folder / "papers/site-plan.pdf", ["PLAN-1", "PLAN-2", "PLAN-3"], size="A3 landscape")
    from PIL import Image

    Image.new("RGB", (60, 40), "#4a8").save(folder / "venue/map.png")
    return folder


@pytest.fixture(scope="module")
def built(pack):
    from assembler.cli import main

    code = main([str(pack / "pack.yaml"), "-o", str(pack / "out"), "-q"])
    assert code == 0
    from tests.pdfs import read_edition

    (members,) = (pack / "out").glob("*-members.pdf")
    (public,) = (pack / "out").glob("*-public.pdf")
    return read_edition(members), read_edition(public)


def first_page_with(edition, needle):
    pages = edition.pages_with(needle)
    assert pages, f"{needle} is on no page"
    return pages[0]


def test_file_names_say_edition_and_meeting(built):
    members, public = built
    assert members.path.name == "planning-committee-2025-11-12-members.pdf"
    assert public.path.name == "planning-committee-2025-11-12-public.pdf"


def test_parts_come_in_the_order_of_pack_format(built):
    members, _ = built
    order = ["Westmoor Borough Council", "Guidance notes for members and visitors", "Notice of meeting",
             "Membership", "PART 1: PUBLIC", "START-note", "START-enforcement", "PLAN-1", "START-schedule",
             "START-appeals", "START-mill", "SECRET-VALUATION-1", "TRAVEL-BUS-TEXT"]
    pages = [first_page_with(members, needle) for needle in order]
    assert pages == sorted(pages)
    assert pages[-1] == members.page_count - 1


def test_items_are_numbered_public_first(built):
    members, _ = built
    agenda = members.texts[first_page_with(members, "PART 1: PUBLIC")]
    numbered = re.findall(r"(\d)\.\s+(Apologies|Minutes|Enforcement update|Appeals report|Land at Mill Lane)", agenda)
    assert numbered == [("1", "Apologies"), ("2", "Minutes"), ("3", "Enforcement update"),
                        ("4", "Appeals report"), ("5", "Land at Mill Lane")]
    assert agenda.index("PART 2: PRIVATE") < agenda.index("Land at Mill Lane")
    assert "Paragraph 3 of Schedule 12A" in agenda
    assert "Wednesday 10 December 2025, 6.30 pm" in re.sub(r"\s+", " ", agenda)


def test_agenda_ranges_are_the_printed_numbers(built):
    for edition in built:
        ranges = agenda_ranges(edition, ["Minutes", "Enforcement update", "Appendix A - Site plan",
                                         "Appendix B - Schedule", "Appeals report", "Land at Mill Lane",
                                         "Appendix A - Valuation"])
        assert len(ranges) == 7
        papers = {"Minutes": "note", "Enforcement update": "enforcement", "Appendix B - Schedule": "schedule",
                  "Appeals report": "appeals"}
        for title, key in papers.items():
            start, end = first_page_with(edition, f"START-{key}"), first_page_with(edition, f"END-{key}")
            assert ranges[title] == (edition.printed_number(start), edition.printed_number(end)), title
        plan = edition.pages_with("PLAN-")
        assert ranges["Appendix A - Site plan"] == (edition.printed_number(plan[0]), edition.printed_number(plan[-1]))
        assert ranges["Appendix A - Site plan"][1] - ranges["Appendix A - Site plan"][0] == 2
    members, public = built
    assert agenda_ranges(members, ["Land at Mill Lane"]) == agenda_ranges(public, ["Land at Mill Lane"])
    mill = agenda_ranges(members, ["Land at Mill Lane"])["Land at Mill Lane"]
    assert mill == (members.printed_number(first_page_with(members, "START-mill")),
                    members.printed_number(first_page_with(members, "END-mill")))
    assert mill[1] > mill[0], "the private paper should run to several pages"


def test_every_numbered_page_shows_its_number(built):
    for edition in built:
        first = first_page_with(edition, "START-note")
        back = first_page_with(edition, "TRAVEL-BUS-TEXT")
        printed = [edition.printed_number(index) for index in range(first, back)]
        assert printed == list(range(1, back - first + 1))
        assert all(edition.printed_number(index) is None for index in range(first))


def test_both_editions_match_page_for_page(built):
    members, public = built
    assert members.page_count == public.page_count
    assert members.numbers == public.numbers
    assert members.sizes == public.sizes


def test_finished_pdf_pages_keep_size_and_orientation(built):
    members, _ = built
    for index in members.pages_with("PLAN-"):
        assert members.sizes[index] == (1190.6, 841.9)  # A3 landscape
    report = first_page_with(members, "START-appeals")
    assert members.sizes[report] == (595.3, 841.9)  # A4


def test_bookmarks_name_every_part_item_and_appendix(built):
    members, public = built
    outline = members.outline()
    titles = [title for _, title, _ in outline]
    assert titles == ["Cover", "Guidance notes for members and visitors", "Meeting notice", "Membership", "Agenda",
                      "1. Apologies", "2. Minutes", "3. Enforcement update", "a) Appendix A - Site plan",
                      "b) Appendix B - Schedule", "4. Appeals report", "5. Land at Mill Lane",
                      "a) Appendix A - Valuation", "Back cover: travel and map"]
    depth = {title: d for d, title, _ in outline}
    assert depth["a) Appendix A - Site plan"] == 1 and depth["3. Enforcement update"] == 0
    page = {title: p for _, title, p in outline}
    assert page["3. Enforcement update"] == first_page_with(members, "START-enforcement")
    assert page["a) Appendix A - Site plan"] == first_page_with(members, "PLAN-1")
    public_titles = [title for _, title, _ in public.outline()]
    assert "5. Land at Mill Lane (restricted)" in public_titles


def test_agenda_links_lead_to_the_papers(built):
    members, _ = built
    agenda = first_page_with(members, "PART 1: PUBLIC")
    targets = members.link_targets(agenda)
    assert first_page_with(members, "PLAN-1") in targets
    assert first_page_with(members, "START-schedule") in targets
    assert first_page_with(members, "START-appeals") in targets


def test_links_describe_where_they_lead_for_screen_readers(built):
    """A link's description (read aloud) names the printed page it jumps to, never the
    placeholder address the parts were drawn with."""
    for edition in built:
        described = 0
        for index, page in enumerate(edition.reader.pages):
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                action = annotation.get("/A")
                if action is None or action.get("/S") != "/GoTo":
                    continue
                target = edition.reader.get_page_number(action["/D"][0].get_object())
                assert annotation["/Contents"] == f"Go to page {edition.printed_number(target)}", index
                described += 1
        assert described >= 3
        assert b"pack.invalid" not in all_strings(edition.path)


def test_members_edition_marks_every_private_page(built):
    members, _ = built
    start = first_page_with(members, "START-mill")
    end = members.pages_with("SECRET-VALUATION-")[-1]
    for index in range(start, end + 1):
        assert "NOT FOR PUBLICATION" in members.texts[index], index
        assert "Paragraph 3 of Schedule 12A" in members.texts[index]
    assert "NOT FOR PUBLICATION" not in members.texts[first_page_with(members, "START-appeals")]


def test_public_edition_restricts_every_private_page_and_leaks_nothing(built, pack):
    members, public = built
    start = first_page_with(members, "START-mill")
    end = members.pages_with("SECRET-VALUATION-")[-1]
    for index in range(start, end + 1):
        assert "Document is Restricted" in public.texts[index]
        assert public.printed_number(index) == members.printed_number(index)
    blob = all_strings(public.path)
    for token in [b"SECRET-MILL-TOKEN", b"SECRET-PURPOSE-MILL", b"SECRET-VALUATION", b"START-mill", b"END-mill"]:
        assert token not in blob
        assert token.decode() not in "".join(public.texts)
    assert "SECRET-MILL-TOKEN" in "".join(members.texts)


def test_page_labels_follow_the_printed_numbers(built):
    for edition in built:
        labels = edition.reader.page_labels
        first = first_page_with(edition, "START-note")
        assert labels[:first] == ["i", "ii", "iii", "iv", "v"][:first]
        for index in range(first, edition.page_count - 1):
            assert labels[index] == str(edition.printed_number(index))
        assert labels[-1] == "Back cover"


def test_report_pages_carry_the_running_header(built):
    members, _ = built
    for index in range(first_page_with(members, "START-appeals"), first_page_with(members, "END-appeals") + 1):
        assert "Planning Committee" in members.texts[index]
        assert "12 November 2025" in members.texts[index]
    assert "Agenda Item 4" in members.texts[first_page_with(members, "START-appeals")]


def test_front_matter_carries_the_meeting_facts(built):
    members, _ = built
    text = re.sub(r"\s+", " ", " ".join(members.texts[:first_page_with(members, "START-note")]))
    for fact in ["Wednesday 12 November 2025", "6.30 pm", "Council Chamber", "Westmoor Town Hall",
                 "GUIDANCE-FIRE-TEXT", "Sam Clerk", "01234 567890", "Independent ( 2 )", "Cllr Ada Lovelace (Chair)",
                 "Substitutes", "Cllr Cy Twombly", "Observers", "Ms Dee Observer", "Parish Council"]:
        assert fact in text, fact


def test_the_pdf_is_tagged_and_titled(built):
    for edition in built:
        root = edition.reader.trailer["/Root"]
        assert "/StructTreeRoot" in root
        assert root["/Lang"] == "en-GB"
        assert edition.reader.metadata.title == "Planning Committee, 12 November 2025"
