"""The spec: everything pack-format.md shows is accepted; mistakes are named with file, line and key."""

import datetime

import pytest

from assembler.errors import InputError
from assembler.spec import load_spec
from tests.conftest import DATA, make_pdf, write_files

MINIMAL = """\
meeting:
  body: Licensing Committee
  date: 2025-06-04
  time: "10:00"
  venue: Civic Hall, Bank Street, Ayton
agenda:
  - title: Apologies
"""


def pack_format_example(folder):
    """The spec block of pack-format.md (from shared/, in tests/data/), as written, with every file it names."""
    text = (DATA / "pack-format.md").read_text()
    spec = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    write_files(folder, {
        "pack.yaml": spec,
        "papers/note-2016-11-29.txt": "note",
        "papers/03-priorities.docx": b"PK",
        "papers/03a-terms-of-reference.docx": b"PK",
        "papers/08-chip.md": "# CHIP",
        "papers/10-reputation.docx": b"PK",
        "assets/lga-logo.png": b"\x89PNG",
        "house/house.css": "",
    })
    make_pdf(folder / "papers/08a-slides.pdf", ["slides"])
    return folder / "pack.yaml"


def test_the_pack_format_example_is_accepted_as_written(tmp_path):
    spec = load_spec(pack_format_example(tmp_path))
    assert spec.meeting.body == "Improvement and Innovation Board"
    assert spec.meeting.date == datetime.date(2017, 1, 24)
    assert spec.meeting.time == datetime.time(11, 0)
    assert spec.meeting.place.name == "Layden House"
    assert spec.meeting.place.address == "76-86 Turnmill Street, London, EC1M 5LG"
    assert spec.meeting.contact.phone == "0207 664 3166"
    assert spec.membership.groups[0].members[0].role == "Chairman"
    assert [item.title for item in spec.agenda][:2] == ["Declarations of Interest", "Note of the Previous Meeting"]
    assert spec.agenda[1].paper == "previous_note"
    assert spec.agenda[2].appendices[0].file == (tmp_path / "papers/03a-terms-of-reference.docx").resolve()
    assert spec.agenda[4].private and spec.agenda[4].exempt_reason == "Paragraph 3 of Schedule 12A"
    assert spec.house.templates == str((tmp_path / "house").resolve())


def test_unquoted_evening_time_is_read_as_a_clock_time(tmp_path):
    write_files(tmp_path, {"pack.yaml": MINIMAL.replace('"10:00"', "18:30")})
    assert load_spec(tmp_path / "pack.yaml").meeting.time == datetime.time(18, 30)


def problems_of(tmp_path, spec_text, files=None):
    write_files(tmp_path, {"pack.yaml": spec_text, **(files or {})})
    with pytest.raises(InputError) as raised:
        load_spec(tmp_path / "pack.yaml")
    return raised.value.problems


def test_an_impossible_date_names_its_line(tmp_path):
    problems = problems_of(tmp_path, MINIMAL.replace("2025-06-04", "2025-02-30"))
    assert problems == [f"{tmp_path}/pack.yaml:3: meeting.date: '2025-02-30' is not a real value "
                        "(day is out of range for month)"]


def test_a_misspelt_key_gets_a_did_you_mean(tmp_path):
    problems = problems_of(tmp_path, MINIMAL.replace("  venue:", "  venu:"))
    assert f"{tmp_path}/pack.yaml:5: meeting.venu: unknown key; did you mean 'venue'?" in problems
    assert len(problems) == 1


def test_all_problems_are_reported_at_once_in_line_order(tmp_path):
    spec = MINIMAL.replace('"10:00"', '"25:00"') + "  - title: Secret\n    private: true\n    paper: papers/none.md\n"
    problems = problems_of(tmp_path, spec)
    assert problems == [
        f"{tmp_path}/pack.yaml:4: meeting.time: '25:00' is not a time on the 24-hour clock, like \"18:30\"",
        f"{tmp_path}/pack.yaml:10: agenda[1].paper: file not found: papers/none.md",
    ]


def test_a_private_item_needs_a_reason(tmp_path):
    spec = MINIMAL + "  - title: Secret\n    private: true\n"
    assert problems_of(tmp_path, spec) == [
        f"{tmp_path}/pack.yaml:8: agenda[1]: a private item needs an exempt_reason "
        "(e.g. \"Paragraph 3 of Schedule 12A\")"
    ]


def test_previous_note_must_be_given_when_an_item_points_at_it(tmp_path):
    spec = MINIMAL + "  - title: Minutes\n    paper: previous_note\n"
    (problem,) = problems_of(tmp_path, spec)
    assert "no previous_note file" in problem


def test_an_empty_agenda_is_refused(tmp_path):
    spec = MINIMAL.split("agenda:")[0] + "agenda: []\n"
    assert problems_of(tmp_path, spec) == [f"{tmp_path}/pack.yaml:6: agenda: the agenda needs at least one item"]


@pytest.mark.parametrize("path, reason", [
    ("../outside.md", "leads outside the spec's folder"),
    ("/etc/hostname", "is an absolute path"),
    ("papers/link.md", "leads outside the spec's folder"),
])
def test_paths_that_leave_the_pack_are_refused(tmp_path, path, reason):
    pack = tmp_path / "pack"
    write_files(tmp_path, {"outside.md": "secret"})
    (pack / "papers").mkdir(parents=True)
    (pack / "papers/link.md").symlink_to(tmp_path / "outside.md")
    spec = MINIMAL + f"  - title: Report\n    paper: {path}\n"
    (problem,) = problems_of(pack, spec)
    assert problem.startswith(f"{pack}/pack.yaml:9: agenda[1].paper: ") and reason in problem


@pytest.mark.parametrize("text, message", [
    ("meeting: [", "not valid YAML"),
    ("- just\n- a list\n", "the spec must be a mapping"),
    ("meeting:\n  body: A\n  body: B\n", "meeting.body is given twice"),
])
def test_yaml_that_is_not_a_spec_is_refused(tmp_path, text, message):
    (problem,) = problems_of(tmp_path, text)
    assert message in problem


def test_a_binary_file_is_not_a_spec(tmp_path):
    (tmp_path / "pack.yaml").write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(InputError, match="is not a text file"):
        load_spec(tmp_path / "pack.yaml")
