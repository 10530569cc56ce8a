"""Notes exported by the committee system: both seed forms, and the variations the system produces."""

import re

import pytest

from assembler.errors import PaperError
from assembler.readers.note_export import read_note_export
from tests.conftest import DATA, write_files

FLATTENED = DATA / "note-export-flattened.txt"  # the shared seeds 000 and 001
TAGGED = DATA / "note-export-tagged.txt"


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_flattened_seed():
    note = read_note_export(FLATTENED)
    assert (note.meeting, note.date) == ("Improvement & Innovation Board", "Tuesday 29 November 2016")
    assert note.venue == "South Room, 5th Floor, Layden House, 76-86 Turnmill Street, London, EC1M 5LG"
    assert [item.number for item in note.items] == [str(n) for n in range(1, 12)]
    assert [item.title for item in note.items][:4] == [
        "Declarations of Interest", "Updated Terms of Reference, Membership and Meeting Dates",
        "Priorities, Portfolios and Regional Ambassadors",
        "Performance Report - for the period April 2016 to end of September 2016"]
    assert note.items[0].body_html.strip() == "<p>No declarations of interest were made.</p>"
    second = note.items[1].body_html
    assert "<strong>Decisions</strong>" in second and second.count("<li") == 3
    assert "Officers to proceed as directed." in second
    roles = {row.role: row.people for row in note.attendance}
    assert roles["Chairman"] == [("Cllr William Nunn", "Breckland Council")]
    assert ("Mr Philip Sellwood", "Energy Saving Trust (EST)") in roles["Members"]
    assert len(roles["Members"]) == 20 and len(roles["Regional Lead Member Peers"]) == 7
    assert note.attendance_title == "Appendix A - Attendance"


def test_the_tagged_seed():
    note = read_note_export(TAGGED)
    assert (note.meeting, note.date, note.venue) == ("Improvement & Innovation Board", "Thursday 17 December 2020",
                                                     "Online via Zoom")
    assert len(note.items) == 9
    assert note.items[4].title == "Update on Remote Peer Support and Rough Sleeping Peer Support"
    assert "<li>" in note.items[2].body_html  # the "·" bullets became a list
    roles = {row.role: row.people for row in note.attendance}
    assert roles["Deputy-Chair"] == [("Cllr Judi Billing MBE", "Hertfordshire County Council"),
                                     ("Cllr Neil Prior", "Pembrokeshire County Council")]
    assert len(roles["Members"]) == 15 and len(roles["Apologies"]) == 5


@pytest.mark.parametrize("seed", [FLATTENED, TAGGED], ids=["flattened", "tagged"])
def test_every_line_of_the_seed_survives_and_no_markup_does(seed):
    note = read_note_export(seed)
    rendered = " ".join([note.meeting, note.date, note.venue or "", note.attendance_title] +
                        [f"{item.number} {item.title} {text_of(item.body_html)} {text_of(item.action_html)}" for item in note.items] +
                        [f"{row.role} {name} {authority}" for row in note.attendance for name, authority in row.people])
    rendered = re.sub(r"\s+", " ", rendered.replace("&amp;", "&"))
    printed_by_the_template = ("Note of last", "An attendance list", "Item", "Position/Role", "Appendix A -", "Councillor", "Authority", "Decisions and actions", "Action")
    in_appendix = False
    for line in seed.read_text(encoding="utf-8").split("\n"):
        in_appendix = in_appendix or bool(re.match(r"\s*(<TRAILER_SECTION>|Appendix A)", line))
        if line.strip().startswith(printed_by_the_template):
            continue
        for cell in line.split("\t"):
            words = re.sub(r"<[^>]+>|\*\*|^[·\-\d.\s]+", " ", cell).split()
            if in_appendix:  # names and authorities run together: each word must be there
                assert all(word in rendered for word in words), cell
            elif len(words) >= 4:
                assert " ".join(words[-4:]).rstrip(".") in rendered, cell
    assert not re.search(r"<AI|TRAILER_SECTION|&[a-z]+;|&#\d+;", rendered)


TAGGED_VARIANT = """\
 Note of last Licensing Committee meeting
\tTitle:\n\n\n\tLicensing Committee\n\n\tDate:\n\n\n\tMonday 3 March 2025\n\n\tVenue:\n\tCommittee Room 1\n
Attendance
\tItem\n\tDecisions and actions\n\tAction\n
<AI1>\n\n\t1  \n\tApologies &amp; substitutions\n \n\t\n\n\t\n\tApologies were received from Cllr A &lt;Smith&gt;.\n\n\t\n\n\n</AI1>
</AI1>
<TRAILER_SECTION>\n\nAppendix A -Attendance \n\n\tPosition/Role\n\tCouncillor\n\tAuthority\n\n\tChair\n\t Cllr Bea Bold\n\tNorth Council\n\n
<AI2>\n\n\t2  \n\t<b>Exclusion of the press and public</b>\n \n\t\n\tThis item is restricted.&nbsp;\n\n
<AI3>\n\n\t3  \n\tAny other business\n\n\t\n\tNone.\n\n</AI3>
"""


def test_a_tagged_note_with_the_usual_variations(tmp_path):
    path = write_files(tmp_path, {"note.txt": TAGGED_VARIANT}) / "note.txt"
    note = read_note_export(path)
    assert [(item.number, item.title) for item in note.items] == [
        ("1", "Apologies & substitutions"), ("2", "Exclusion of the press and public"), ("3", "Any other business")]
    assert text_of(note.items[0].body_html) == "Apologies were received from Cllr A &lt;Smith&gt;."
    assert text_of(note.items[1].body_html) == "This item is restricted."
    assert [(row.role, row.people) for row in note.attendance] == [("Chair", [("Cllr Bea Bold", "North Council")])]


def test_a_note_without_an_appendix(tmp_path):
    path = write_files(tmp_path, {"note.txt": TAGGED_VARIANT.split("<TRAILER_SECTION>")[0]}) / "note.txt"
    note = read_note_export(path)
    assert len(note.items) == 1 and note.attendance == []


def test_a_file_that_is_not_a_note_is_refused(tmp_path):
    path = write_files(tmp_path, {"note.txt": "Just some words.\nNothing numbered here.\n"}) / "note.txt"
    with pytest.raises(PaperError, match="has no items"):
        read_note_export(path)
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(PaperError, match="is not a text file"):
        read_note_export(tmp_path / "bin.txt")


def test_a_pack_carries_the_exported_note_set_in_the_house_style(tmp_path, assemble):
    spec = """\
    meeting:
      body: Improvement and Innovation Board
      date: 2017-01-24
      time: "11:00"
      venue: Layden House, 76-86 Turnmill Street, London, EC1M 5LG
    previous_note: note.txt
    agenda:
      - title: Note of the Previous Meeting
        paper: previous_note
    """
    write_files(tmp_path, {"pack.yaml": spec, "note.txt": FLATTENED.read_bytes()})
    built = assemble(tmp_path / "pack.yaml", "-q")
    assert built.code == 0, built.stderr
    members = built.edition("members")
    note_pages = [index for index, label in enumerate(members.reader.page_labels) if label.isdigit()]
    text = re.sub(r"\s+", " ", " ".join(members.texts[index] for index in note_pages))
    for needle in ["Note of last Improvement & Innovation Board meeting", "Tuesday 29 November 2016",
                   "Updated Terms of Reference, Membership and Meeting Dates", "No declarations of interest were made.",
                   "Appendix A - Attendance", "Cllr Helen Holland", "Bristol City Council", "Regional Lead Member Peers"]:
        assert needle in text, needle
    assert not re.search(r"<AI|TRAILER|&amp;|<b>", text)


TAGGED_WITH_ACTIONS = TAGGED_VARIANT.split("<AI1>")[0] + """\
<AI1>\n\n\t1  \n\tLand north of Mill Lane\n \n\t\n\n\t\n\tThe officer introduced the report.\n
Decision:\n\u00b7 The committee resolved to grant DECISION-1 permission.\n\n\tHead of Planning to issue ACTION-1 the decision.\n
Once the agreement is signed LATER-1.\n\n\n</AI1>
<AI2>\n\n\t2  \n\tAppeals update\n \n\t\n\n\t\n\tMembers noted the appeals NOTED-2.\n\n\t\n\n\n</AI2>
"""
FLATTENED_WITH_ACTIONS = """\
Note of last Planning Committee meeting\n\nTitle:\tPlanning Committee\nDate:\tWednesday 6 August 2025\n
Item\tDecisions and actions\tAction
1\tApologies No apologies NOTED-1 were received.\t
2\tLand north of Mill Lane The committee resolved to grant DECISION-2 permission.\tHead of Planning to issue ACTION-2 the decision.
"""


@pytest.mark.parametrize("export, item", [(TAGGED_WITH_ACTIONS, 0), (FLATTENED_WITH_ACTIONS, 1)],
                         ids=["tagged", "flattened"])
def test_the_action_column_is_read_apart_from_the_decisions(tmp_path, export, item):
    """The export's third column, Action, is the item's action, never run into its decisions."""
    note = read_note_export(write_files(tmp_path, {"note.txt": export}) / "note.txt")
    action = text_of(note.items[item].action_html)
    assert action.startswith("Head of Planning to issue ACTION-") and "ACTION" not in text_of(note.items[item].body_html)
    assert "DECISION-" in text_of(note.items[item].body_html)
    assert note.items[1 - item].action_html == ""
    if export is TAGGED_WITH_ACTIONS:  # a cell's further paragraphs stay in it
        assert action.endswith("LATER-1.")


def test_a_notes_action_column_prints_as_a_column_of_its_own(tmp_path, assemble):
    from tests.test_sign_off import line_of
    from tests.test_spec import MINIMAL

    write_files(tmp_path, {"pack.yaml": MINIMAL.replace("agenda:\n", "previous_note: note.txt\nagenda:\n  - title: Note\n    paper: previous_note\n"),
                           "note.txt": TAGGED_WITH_ACTIONS})
    built = assemble(tmp_path / "pack.yaml", "-q")
    assert built.code == 0, built.stderr
    members = built.edition("members")
    (page,) = members.pages_with("ACTION-1")
    assert "Decisions and actions Action" in re.sub(r"\s+", " ", members.texts[page])
    decisions, action, heading = (line_of(members, needle) for needle in ("DECISION-1", "ACTION-1", "Mill Lane"))
    assert action[0] > decisions[0] + 200  # in the column to the right, level with the item
    assert heading[1] > action[1] > decisions[1]
