"""The example packs in packs/, built with the real command: every fact a member looks for is there."""

import re

import pytest

from tests.conftest import run_command
from tests.pdfs import agenda_ranges, all_strings, read_edition


@pytest.fixture(scope="module")
def lga(tmp_path_factory):
    import shutil

    from tests.conftest import ROOT

    folder = tmp_path_factory.mktemp("lga") / "pack"
    shutil.copytree(ROOT / "packs" / "lga-iib-2017-01-24", folder)
    result = run_command(folder / "pack.yaml", "-o", folder / "out")
    assert result.returncode == 0 and result.stderr == "", result.stderr  # no warnings: the slides are tagged
    members = read_edition(folder / "out" / "improvement-and-innovation-board-2017-01-24-members.pdf")
    public = read_edition(folder / "out" / "improvement-and-innovation-board-2017-01-24-public.pdf")
    return members, public


def text(edition, pages=None):
    pages = range(edition.page_count) if pages is None else pages
    return re.sub(r"\s+", " ", " ".join(edition.texts[index] for index in pages))


FRONT_FACTS = [
    # cover and notice
    "Improvement and Innovation Board", "Tuesday 24 January 2017", "11.00 am", "Rooms A&B, Ground Floor",
    "Layden House, 76-86 Turnmill Street, London, EC1M 5LG", "Named officers for briefing purposes",
    "A sandwich lunch will be available at 1.00pm", "sign the attendance register",
    "The group meetings will take place from 10.00 - 11.00am", "020 7664 3223", "lgaconservatives@local.gov.uk",
    "020 7664 3334", "020 7664 3224", "020 7664 3235", "libdem@local.gov.uk", "Joseph Ling", "0207 664 3166",
    "Carer's Allowance of up to £6.70 per hour", "#lgaib", "printed on the back cover",
    # guidance notes
    "Welcome", "Security", "Fire instructions", "DO NOT USE THE LIFTS", "Soft Seating Area", "Toilets",
    "Accessibility", "Guest WiFi", "Further help", "Why have the LGA", "Turks Head Yard",
    # membership
    "Membership 2016/2017", "Conservative ( 8 )", "Labour ( 8 )", "Independent ( 3 )", "Liberal Democrat ( 3 )",
    "Cllr William Nunn (Chairman)", "Cllr Judi Billing MBE (Deputy Chair)", "Cllr Ron Woodley (Deputy Chair)",
    "Mayor Dave Hodgson MBE (Vice-Chair)", "Cllr Glen Sanderson JP (Observer)", "Sir Stephen Houghton CBE (Observer)",
    "Cllr David Finch", "Cllr David Neighbour", "Hart District Council", "Mr Richard Priestman", "Energy Saving Trust",
    # agenda
    "PART 1: PUBLIC", "PART 2: PRIVATE", "Date of Next Meeting: Wednesday 8 March 2017, 11.00 am",
]

ITEMS = ["Declarations of Interest", "Note of the Previous Meeting", "Improvement and Innovation Board: Priorities",
         "Independent evaluation of the LGA Corporate Peer Challenge programme",
         "Highlighting Leadership offer: 2016/17", "Managing member peers",
         "#NewConversations: Engaging effectively with communities",
         "Care and Health Improvement Programme (CHIP) 2017/18 and beyond", "LGA Boards' improvement activity",
         "Local Government Reputation campaign"]
APPENDICES = ["Appendix A - Updated Terms of Reference", "Appendix A - SLI for Care and Health 2017/18 to 2019/20",
              "Appendix A - Summary of improvement activity"]


def test_the_front_matter_carries_every_fact_of_the_seed(lga):
    members, _ = lga
    front = text(members, range(members.reader.page_labels.index("1")))
    for fact in FRONT_FACTS:
        assert fact in front, fact
    for number, item in enumerate(ITEMS, 1):
        assert f"{number}. {item}" in front, item


def test_the_agenda_ranges_of_all_items_and_appendices_are_true(lga):
    members, public = lga
    titles = ITEMS[1:] + APPENDICES
    ranges = agenda_ranges(members, titles)
    assert sorted(ranges) == sorted(titles)
    assert agenda_ranges(public, titles) == ranges
    outline = {title: page for _, title, page in members.outline()}
    first = members.reader.page_labels.index("1")
    for number, item in enumerate(ITEMS[1:], 2):
        page = outline[f"{number}. {item}"]
        assert members.printed_number(page) == ranges[item][0], item
    starts = sorted(first_page for first_page, _ in ranges.values())
    assert starts[0] == 1 and ranges["Note of the Previous Meeting"][0] == 1
    ends = sorted(last for _, last in ranges.values())
    assert ends[-1] == members.printed_number(members.page_count - 2)  # the last paper ends before the back cover
    assert members.printed_number(first) == 1


def test_the_note_of_29_november_2016_with_decisions_and_attendance(lga):
    members, _ = lga
    first, last = agenda_ranges(members, ["Note of the Previous Meeting"])["Note of the Previous Meeting"]
    labels = members.reader.page_labels
    note = text(members, range(labels.index(str(first)), labels.index(str(last)) + 1))
    for fact in ["Note of last Improvement & Innovation Board meeting", "Tuesday 29 November 2016",
                 "South Room, 5th Floor", "No declarations of interest were made.",
                 "Agreed the terms of reference be amended", "Directed that Innovation be added as a priority",
                 "Agreed the delivery of two one-day pilot workshops", "Brexit Update",
                 "Appendix A - Attendance", "Deputy-chairman", "Cllr Ron Woodley", "Edwina Grant OBE",
                 "Regional Lead Member Peers", "Cllr Helen Holland", "Bristol City Council"]:
        assert fact in note, fact


def test_reports_keep_their_cover_blocks_and_numbered_paragraphs(lga):
    members, _ = lga
    whole = text(members)
    for fact in ["For discussion and decision.", "Agree the Board priorities at para 2 and member leads.",
                 "Dennis Skinner", "Head of Improvement", "Nick.easton@local.gov.uk",
                 "2.1. Leadership: Cllr Judy Billing MBE", "20. To pursue in the light of members' guidance",
                 "Implications for Wales", "Quorum is one third of the members", "Cohort 19",
                 "Sector-Led Improvement for Care and Health"]:
        assert fact in whole, fact


def test_the_restricted_item_and_the_back_cover(lga):
    members, public = lga
    first, last = agenda_ranges(members, ["Local Government Reputation campaign"])["Local Government Reputation campaign"]
    labels = members.reader.page_labels
    pages = range(labels.index(str(first)), labels.index(str(last)) + 1)
    assert all("Document is Restricted" in public.texts[index] for index in pages)
    assert all("NOT FOR PUBLICATION" in members.texts[index] for index in pages)
    assert "LGA/COMMS/2017/041" in text(members)
    assert "LGA/COMMS/2017/041" not in text(public) and b"LGA/COMMS/2017/041" not in all_strings(public.path)
    back = members.texts[-1]
    for fact in ["Layden House", "Farringdon", "Bus routes", "Santander Cycle Hire", "Smithfield Car Park"]:
        assert fact in re.sub(r"\s+", " ", back), fact
    assert members.reader.page_labels[-1] == "Back cover"


def test_the_slides_appendix_keeps_its_landscape_pages(lga):
    members, _ = lga
    slides = agenda_ranges(members, [APPENDICES[1]])[APPENDICES[1]]
    labels = members.reader.page_labels
    for printed in range(slides[0], slides[1] + 1):
        width, height = members.sizes[labels.index(str(printed))]
        assert width > height


def test_the_lga_pack_reads_as_the_real_one(lga):
    """Nothing that talks about the example; every figure of the seed there, pictures as
    pictures; the abbreviations one to a row; '&' where the seed's headings have it."""
    members, public = lga
    whole = text(members)
    for draft in ["not reproduced", "example pack", "Figure:", "in this copy"]:
        assert draft not in whole and draft not in text(public), draft
    for heading in ["Improvement & Innovation Board – Membership 2016/2017", "AGENDA Improvement & Innovation Board"]:
        assert heading in whole, heading
    assert "Improvement & Innovation Board 24 January 2017" in text(members, [members.pages_with("Background")[0]])
    first = members.pages_with("Abbreviation")[0]
    legend = (members.texts[first] + "\n" + members.texts[first + 1]).splitlines()  # a table may break
    for line in ["LA Leadership Academy", "LE Leadership Essentials", "LEAD Leaders Programme", "LEDGE Leading Edge"]:
        assert line in [row.strip() for row in legend], line
    total = members.pages_with("Total: 105 369 89 9 63 14 649")[0]  # the table by party breaks: never a total alone
    assert "Independent 20 20 12 0 14 1 67" in members.texts[total]
    assert len(members.pages_with("Leading Edge")) == 1 or "NXG Next Generation" in members.texts[first + 1]
    cloud = members.pages_with("The size of the word reflects")[0]
    pictures = [page for page in (cloud, cloud + 1) if any(
        xobject.get_object().get("/Subtype") == "/Image" and xobject.get_object()["/Width"] > 400
        for xobject in members.reader.pages[page]["/Resources"].get("/XObject", {}).values())]
    assert pictures, "the word cloud is not drawn"
    assert b"Word cloud of the words councillors used" in all_strings(members.path)  # its alt text


HIDE_SUBSETTER = """\
import cffi

_dlopen = cffi.FFI.dlopen


def dlopen(self, name, *args, **kwargs):
    if "harfbuzz-subset" in str(name):
        raise OSError(f"{name}: hidden by the test")
    return _dlopen(self, name, *args, **kwargs)


cffi.FFI.dlopen = dlopen
"""


def test_no_cache_builds_give_the_same_bytes_without_harfbuzz_subsetter(tmp_path):
    """Without Debian's libharfbuzz-subset0, WeasyPrint subsets fonts with fontTools,
    which stamps them with the time: two builds must still give the same bytes."""
    import os
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT

    (tmp_path / "hide").mkdir()
    (tmp_path / "hide" / "sitecustomize.py").write_text(HIDE_SUBSETTER)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "hide")}
    probe = subprocess.run([sys.executable, "-c", "from weasyprint.text import ffi; print(ffi.harfbuzz_subset)"],
                           env=env, capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "None"  # WeasyPrint falls back to fontTools
    pack = shutil.copytree(ROOT / "packs" / "harbourside-audit-2025-10-15", tmp_path / "pack")
    editions = []
    for out in ("first", "second"):
        built = subprocess.run([sys.executable, "-m", "assembler", "pack.yaml", "-o", out, "--no-cache", "-q"],
                               cwd=pack, env=env, capture_output=True, text=True, timeout=300)
        assert built.returncode == 0 and built.stderr == "", built.stderr  # no warnings: the appendices are tagged
        editions.append({path.name: path.read_bytes() for path in sorted((pack / out).glob("*.pdf"))})
    assert len(editions[0]) == 2 and editions[0] == editions[1]
