"""The officer's cycle: check, schema, scaffold report drafts, minutes skeleton, house style."""

import json
import re

import pytest

from assembler.cli import main
from tests.conftest import make_pdf, write_files

SPEC = """\
meeting:
  body: Overview and Scrutiny Committee
  date: 2025-10-15
  time: "18:00"
  dispatch: 2025-10-06
  venue: Civic Offices, Station Road, Melbury
  room: Committee Room 1
membership:
  groups:
    - name: Labour
      members:
        - {name: Cllr Ann Chair, role: Chair, authority: Melbury Town ward}
        - {name: Cllr Bob Member, authority: Riverside ward}
    - name: Green
      members:
        - {name: Cllr Cat Member, authority: Hilltop ward}
  observers:
    - {name: Mr Dan Observer, authority: Youth Council}
agenda:
  - title: Apologies
  - title: Parking strategy
    paper: papers/parking.docx
  - title: Leisure centre options
    paper: papers/leisure.docx
    appendices:
      - {title: Appendix A - Site plan, file: papers/site.pdf}
  - title: Existing report
    paper: papers/existing.md
"""


@pytest.fixture
def pack(tmp_path):
    write_files(tmp_path, {"pack.yaml": SPEC, "papers/existing.md": "An existing report.\n"})
    make_pdf(tmp_path / "papers/site.pdf", ["SITE-PLAN"])
    return tmp_path


def run(capsys, *args):
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def snapshot(folder):
    return {path.relative_to(folder): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_scaffold_writes_drafts_that_build(pack, capsys):
    before = snapshot(pack)
    code, out, _ = run(capsys, "scaffold", pack / "pack.yaml")
    assert code == 0
    assert out.count("wrote draft") == 2
    after = snapshot(pack)
    assert {path for path in after if path not in before} == {__import__("pathlib").Path("papers/parking.docx"),
                                                              __import__("pathlib").Path("papers/leisure.docx")}
    assert all(after[path] == data for path, data in before.items())  # existing files byte for byte
    import docx

    text = "\n".join(p.text for p in docx.Document(pack / "papers/parking.docx").paragraphs)
    for needle in ["Parking strategy", "Overview and Scrutiny Committee", "15 October 2025", "agenda item 2",
                   "Purpose", "Summary", "Recommendations", "Action", "Background", "Implications for Wales",
                   "Financial implications", "Next steps"]:
        assert needle in text, needle
    code, out, _ = run(capsys, "scaffold", pack / "pack.yaml")
    assert code == 0 and "nothing written" in out
    assert snapshot(pack) == after

    code, _, err = run(capsys, pack / "pack.yaml", "-o", pack / "out", "-q")
    assert code == 0, err
    from tests.pdfs import read_edition

    members = read_edition(next((pack / "out").glob("*-members.pdf")))
    whole = re.sub(r"\s+", " ", " ".join(members.texts))
    assert "Parking strategy" in whole and "Contact officer:" in whole and "SITE-PLAN" in whole


def test_check_passes_a_good_pack_and_writes_nothing(pack, capsys):
    run(capsys, "scaffold", pack / "pack.yaml")
    before = snapshot(pack)
    code, out, err = run(capsys, "check", pack / "pack.yaml")
    assert code == 0, err
    assert "the pack can be built: 4 items, 4 papers and appendices" in out
    assert err == ""
    assert snapshot(pack) == before


def test_check_reports_every_problem_with_its_line(pack, capsys):
    write_files(pack, {"pack.yaml": SPEC.replace("2025-10-15", "2025-10-32").replace("papers/site.pdf", "papers/gone.pdf")})
    code, out, err = run(capsys, "check", pack / "pack.yaml")
    assert code == 2 and out == ""
    assert re.search(r"pack\.yaml:3: meeting\.date: '2025-10-32' is not a real value", err)
    assert re.search(r"pack\.yaml:26: agenda\[2\]\.appendices\[0\]\.file: file not found: papers/gone\.pdf", err)


def test_check_names_every_bad_file(pack, capsys):
    write_files(pack, {"papers/parking.docx": "not a zip", "papers/leisure.docx": b"PK\x03\x04broken",
                       "papers/site.pdf": "%PDF-1.4 nothing"})
    code, _, err = run(capsys, "check", pack / "pack.yaml")
    assert code == 2
    for name in ["parking.docx", "leisure.docx", "site.pdf"]:
        assert name in err


def test_check_warns_about_late_dispatch_and_private_notice(pack, capsys):
    run(capsys, "scaffold", pack / "pack.yaml")
    spec = SPEC.replace("dispatch: 2025-10-06", "dispatch: 2025-10-12\n  private_notice: 2025-10-01") + (
        "  - title: Staffing\n    paper: papers/staffing.md\n    private: true\n    exempt_reason: Paragraph 1\n")
    write_files(pack, {"pack.yaml": spec, "papers/staffing.md": "The staffing report.\n"})
    code, out, err = run(capsys, "check", pack / "pack.yaml")
    assert code == 0
    assert "1 private" in out
    assert "2 clear days before the meeting on 15 October 2025; the law asks for 5" in err
    assert "13 clear days, where 28 are needed" in err


def test_schema_is_json_naming_meeting_and_agenda(capsys):
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert {"meeting", "agenda"} <= set(schema["properties"])
    assert schema["required"] == ["meeting", "agenda"]
    assert "Meeting" in schema["$defs"] and schema["$defs"]["Meeting"]["properties"]["time"]["type"] == "string"


def test_minutes_skeleton_flows_into_the_next_pack(pack, capsys):
    run(capsys, "scaffold", pack / "pack.yaml")
    code, out, _ = run(capsys, "minutes", pack / "pack.yaml", "-o", pack / "next/note.docx")
    assert code == 0 and "next/note.docx" in out
    code, _, err = run(capsys, "minutes", pack / "pack.yaml", "-o", pack / "next/note.docx")
    assert code == 2 and "already exists" in err
    write_files(pack / "next", {"pack.yaml": """\
        meeting:
          body: Overview and Scrutiny Committee
          date: 2025-12-03
          time: "18:00"
          venue: Civic Offices, Station Road, Melbury
        previous_note: note.docx
        agenda:
          - title: Minutes of the last meeting
            paper: previous_note
        """})
    code, _, err = run(capsys, pack / "next/pack.yaml", "-o", pack / "next/out", "-q")
    assert code == 0, err
    from tests.pdfs import read_edition

    members = read_edition(next((pack / "next/out").glob("*-members.pdf")))
    note = re.sub(r"\s+", " ", " ".join(members.texts[members.reader.page_labels.index("1"):-1]))
    for needle in ["Wednesday 15 October 2025", "Committee Room 1, Civic Offices", "1 Apologies", "2 Parking strategy",
                   "4 Existing report", "Cllr Ann Chair", "Melbury Town ward", "Cllr Cat Member", "Mr Dan Observer",
                   "Appendix A - Attendance", "Decisions"]:
        assert needle in note, needle


def test_help_of_every_command_has_an_example(capsys):
    for command in ["check", "schema", "scaffold", "minutes"]:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "example:" in capsys.readouterr().out


def test_a_house_overrides_templates_and_style(pack, capsys):
    run(capsys, "scaffold", pack / "pack.yaml")
    write_files(pack, {
        "pack.yaml": SPEC.replace("membership:", "house:\n  name: Melbury Council\n  templates: house\n"
                                  "  stylesheet: house/house.css\nmembership:"),
        "house/cover.html": '{% extends "base.html" %}{% block body %}<h1 class="bm1" data-bookmark="Cover">'
                            'HOUSE-COVER {{ meeting.body }}</h1>{% endblock %}',
        "house/house.css": ":root { --accent: #6a1b9a; }",
    })
    code, _, err = run(capsys, pack / "pack.yaml", "-o", pack / "out", "-q")
    assert code == 0, err
    from tests.pdfs import read_edition

    members = read_edition(next((pack / "out").glob("*-members.pdf")))
    assert "HOUSE-COVER Overview and Scrutiny Committee" in members.texts[0]
    import pypdfium2

    page = pypdfium2.PdfDocument(str(members.path))[1].render(scale=1).to_pil().convert("RGB")
    assert (0x6A, 0x1B, 0x9A) in {colour for _, colour in page.getcolors(100000)}
