"""Bad input never costs the officer anything: any input gives a result or a clear error; a
killed build never leaves a broken edition behind."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assembler.errors import InputError, PaperError
from assembler.readers.note_export import read_note_export
from assembler.spec import load_spec
from tests.conftest import ROOT, write_files

KEYS = ["meeting", "body", "date", "time", "venue", "agenda", "title", "paper", "private", "exempt_reason",
        "appendices", "file", "membership", "groups", "members", "name", "house", "logo", "notice", "room",
        "next_meeting", "contact", "previous_note", "role", "authority"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=20), st.sampled_from(["18:30", "2025-02-30", "2025-06-04", "11:00", "../x.md",
                                                           "/etc/passwd", "previous_note", "a.pdf", "~", "*", "&a"]))
VALUES = st.recursive(SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.sampled_from(KEYS), children, max_size=5)), max_leaves=25)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(data=st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6))
def test_any_spec_structure_loads_or_is_refused_clearly(tmp_path, data):
    (tmp_path / "pack.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    try:
        load_spec(tmp_path / "pack.yaml")
    except InputError as error:
        assert error.problems and all(line.startswith(str(tmp_path / "pack.yaml")) for line in error.problems)


@FAST
@given(text=st.text(max_size=400))
def test_any_text_as_a_spec_loads_or_is_refused_clearly(tmp_path, text):
    (tmp_path / "pack.yaml").write_text(text)
    try:
        load_spec(tmp_path / "pack.yaml")
    except InputError as error:
        assert error.problems


EXPORT_PIECES = st.sampled_from([
    "<AI1>", "</AI1>", "<AI2>", "<AI12>", "</AI2>", "<TRAILER_SECTION>", "<b>", "</b>", "&amp;", "&nbsp;", "&#233;",
    "\t", "\n", "\n\n", "1", "2  ", "12\t", "Title:", "Date:", "Venue:", "Decision", "Actions:", "· ", "- ",
    "Appendix A - Attendance", "Position/Role\tCouncillor\tAuthority", "Chairman\tCllr A\tX Council", "Cllr B C",
    "Members", "The Board noted the report.", "<ol style=\"x\">", "1. Agreed", "<", ">", "&", "**",
])


@FAST
@given(pieces=st.lists(st.one_of(EXPORT_PIECES, st.text(max_size=12)), max_size=60))
def test_any_note_export_reads_or_is_refused_clearly(tmp_path, pieces):
    path = tmp_path / "note.txt"
    path.write_text("".join(pieces), encoding="utf-8")
    try:
        note = read_note_export(path)
    except PaperError as error:
        assert str(path) in str(error)
        return
    rendered = " ".join([note.meeting or "", note.date or ""] + [item.title + item.body_html for item in note.items]
                        + [name + authority for row in note.attendance for name, authority in row.people])
    assert "<AI" not in rendered and "TRAILER_SECTION" not in rendered


SPEC = """\
meeting:
  body: Full Council
  date: 2026-04-22
  time: "19:00"
  venue: Council Chamber, Town Hall, Ridgeford
agenda:
""" + "".join(f"  - title: Report {n}\n    paper: papers/r{n}.md\n" for n in range(1, 13)) + """\
  - title: Staffing
    paper: papers/r13.md
    private: true
    exempt_reason: Paragraph 1 of Schedule 12A
"""


def test_a_killed_build_never_leaves_a_broken_edition(tmp_path):
    filler = "\n\n".join(["The council debated the motion at length and voted on each amendment."] * 40)
    write_files(tmp_path, {"pack.yaml": SPEC, **{f"papers/r{n}.md": f"Paper {n}.\n\n{filler}\n" for n in range(1, 14)}})
    out = tmp_path / "out"
    command = [sys.executable, "-m", "assembler", str(tmp_path / "pack.yaml"), "-o", str(out), "-q", "--no-cache"]
    assert subprocess.run(command, cwd=ROOT, timeout=300).returncode == 0
    editions = sorted(out.glob("*.pdf"))
    before = {path.name: path.read_bytes() for path in editions}
    for n in range(1, 14):  # the next build has different content
        (tmp_path / f"papers/r{n}.md").write_text(f"Paper {n}, revised.\n\n{filler}\n")
    for delay in (0.3, 0.8, 1.5, 2.5, 4.0):
        process = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        for path in editions:
            data = path.read_bytes()
            assert data == before[path.name] or _complete_pdf(data), (delay, path.name)
    finished = subprocess.run(command, cwd=ROOT, timeout=300)
    assert finished.returncode == 0
    assert sorted(path.name for path in out.iterdir()) == sorted(before)  # stray temporaries cleaned up


def _complete_pdf(data):
    import io

    from pypdf import PdfReader

    try:
        return len(PdfReader(io.BytesIO(data), strict=True).pages) > 0 and data.rstrip().endswith(b"%%EOF")
    except Exception:
        return False


BROKEN = [
    ("not a mapping", lambda p: (p / "pack.yaml").write_text("- a\n- b\n"), "pack.yaml"),
    ("bad yaml", lambda p: (p / "pack.yaml").write_text("meeting: {body: [\n"), "pack.yaml:"),
    ("not text", lambda p: (p / "pack.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00"), "pack.yaml"),
    ("no agenda", lambda p: (p / "pack.yaml").write_text(SPEC.split("agenda:")[0]), "agenda"),
    ("time 25:00", lambda p: (p / "pack.yaml").write_text(SPEC.replace('"19:00"', '"25:00"')), "meeting.time"),
    ("misspelt key", lambda p: (p / "pack.yaml").write_text(SPEC.replace("  venue:", "  venues:")), "did you mean"),
    ("truncated pdf", lambda p: ((p / "papers/r3.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog"),
                                 (p / "pack.yaml").write_text(SPEC.replace("papers/r3.md", "papers/r3.pdf"))),
     "r3.pdf: is not a readable PDF"),
    ("docx that is not", lambda p: ((p / "papers/r3.docx").write_bytes(b"PK\x03\x04 truncated"),
                                    (p / "pack.yaml").write_text(SPEC.replace("papers/r3.md", "papers/r3.docx"))),
     "r3.docx: is not a Word document"),
    ("bad logo", lambda p: ((p / "logo.png").write_bytes(b"not an image"),
                            (p / "pack.yaml").write_text(SPEC.replace("agenda:", "house: {logo: logo.png}\nagenda:"))),
     "logo.png: is not a picture"),
    ("missing paper", lambda p: (p / "papers/r5.md").unlink(), "papers/r5.md"),
    ("folder as paper", lambda p: (p / "pack.yaml").write_text(SPEC.replace("papers/r5.md", "papers")), "papers"),
]


@pytest.mark.parametrize("name, breakage, named", BROKEN, ids=[case[0] for case in BROKEN])
def test_broken_input_exits_2_in_a_few_lines_and_keeps_the_old_editions(tmp_path, assemble, name, breakage, named):
    write_files(tmp_path, {"pack.yaml": SPEC, **{f"papers/r{n}.md": f"Paper {n}.\n" for n in range(1, 14)}})
    first = assemble(tmp_path / "pack.yaml", "-q")
    assert first.code == 0
    before = {path.name: path.read_bytes() for path in first.out.iterdir()}
    breakage(tmp_path)
    second = assemble(tmp_path / "pack.yaml", "-q")
    assert second.code == 2, second.stderr
    lines = second.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 6 and "Traceback" not in second.stderr
    assert named in second.stderr
    assert {path.name: path.read_bytes() for path in first.out.iterdir()} == before


def test_a_part_that_renders_too_long_is_stopped_and_named(tmp_path, monkeypatch):
    filler = "\n\n".join(["A long paragraph of the report that takes its time to lay out on the page."] * 400)
    write_files(tmp_path, {"pack.yaml": SPEC, **{f"papers/r{n}.md": f"Paper {n}.\n\n{filler}\n" for n in range(1, 14)}})
    monkeypatch.setenv("ASSEMBLE_PART_SECONDS", "0.05")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "assembler", str(tmp_path / "pack.yaml"), "--no-cache"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "took more than 0.05 s to render and was stopped" in result.stderr
    assert re.search(r"\d+\. Report \d+ \(r\d+\.md\)|the cover|the guidance notes", result.stderr)
    assert time.monotonic() - started < 60
    assert list(tmp_path.glob("*.pdf")) == []
