"""Nothing private is published by any route around the papers: stale files, interrupted
or failing commands, the cache, house templates, slips in the spec."""

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import write_files
from tests.pdfs import all_strings, read_edition
from tests.test_spec import MINIMAL

CANARY = "CANARY-PRIVATE-7Q2"

SPEC = MINIMAL + """\
  - title: Street trading policy
    paper: papers/street.md
  - title: Review of a premises licence
    paper: papers/premises.md
"""
PRIVATE = "    private: true\n    exempt_reason: Paragraph 7 of Schedule 12A\n"


def a_pack(folder, private=False, extra=""):
    """Two papers; the second carries the canary, and is private when ``private``."""
    return write_files(folder, {"pack.yaml": SPEC + (PRIVATE if private else "") + extra,
                                "papers/street.md": "The street trading policy.\n",
                                "papers/premises.md": f"The premises review. {CANARY}\n"})


def carriers(paths, token=CANARY):
    """The files among ``paths`` that carry ``token``: in their bytes, their decoded
    objects and streams, or (PDFs) their pages' text."""
    found = []
    for path in paths:
        data = path.read_bytes()
        if path.suffix == ".pdf" and data.startswith(b"%PDF"):
            data += all_strings(path) + " ".join(read_edition(path).texts).encode()
        if token.encode() in data:
            found.append(path.name)
    return found


def files_under(folder):
    return sorted(path for path in Path(folder).rglob("*") if path.is_file())


def publish(spec, out):
    from assembler.cli import main

    return main(["publish", str(spec), "-o", str(out)])


def test_publish_leaves_nothing_of_an_item_made_private_since(tmp_path, capsys):
    a_pack(tmp_path)
    assert publish(tmp_path / "pack.yaml", tmp_path / "site") == 0
    assert carriers(files_under(tmp_path / "site/public"))  # the paper was public then
    a_pack(tmp_path, private=True)
    assert publish(tmp_path / "pack.yaml", tmp_path / "site") == 0
    public = files_under(tmp_path / "site/public")
    assert not [path for path in public if "item-03" in path.name]
    assert carriers(public) == []
    facts = json.loads((tmp_path / "site/public/meeting.json").read_text())
    assert sorted([entry["name"] for entry in facts["files"]] + ["index.html", "meeting.json"]) == sorted(
        path.name for path in public)


@pytest.mark.parametrize("out, message", [("site", "holds files this command did not write (notes.txt)"),
                                          (".", "pack.yaml: the output would be written over it")])
def test_publish_refuses_a_folder_holding_other_files(tmp_path, capsys, out, message):
    a_pack(tmp_path)
    write_files(tmp_path, {"site/notes.txt": "The officer's own notes.\n"})
    before = {path: path.read_bytes() for path in files_under(tmp_path)}
    assert publish(tmp_path / "pack.yaml", tmp_path / out) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and message in error[0], error
    assert {path: path.read_bytes() for path in files_under(tmp_path)} == before


@pytest.mark.parametrize("command", ["build", "publish"])
def test_a_full_disk_is_one_line_and_earlier_outputs_stay(tmp_path, capsys, monkeypatch, command):
    import errno

    import assembler.bind.output
    from assembler.cli import main

    a_pack(tmp_path)
    args = ([] if command == "build" else ["publish"]) + [str(tmp_path / "pack.yaml"), "-o", str(tmp_path / "out")]
    assert main(args) == 0
    before = {path: path.read_bytes() for path in files_under(tmp_path / "out")}
    a_pack(tmp_path, private=True)
    written = []

    def full(path, data):
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path)
        path.write_bytes(data)

    monkeypatch.setattr(assembler.bind.output, "_write_file", full)
    capsys.readouterr()
    assert main(args) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "cannot write the output there (the disk is full)" in error[0], error
    assert {path: path.read_bytes() for path in files_under(tmp_path / "out")} == before
    assert not [path for path in tmp_path.rglob("*") if ".assemble-" in path.name]


KILLER = """
import os, signal, sys
import assembler.bind.output as output

limit, calls = int(os.environ["KILL_AT"]), [0]

def step(function):
    def run(*args):
        calls[0] += 1
        if calls[0] == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        result = function(*args)
        if -calls[0] == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return run

for name in ("_write_file", "_rename", "_exchange", "_remove"):
    setattr(output, name, step(getattr(output, name)))
from assembler.cli import main
code = main(sys.argv[1:])
print("STEPS", calls[0])
sys.stdout.flush()
os._exit(code)
"""


def _killed_at(step, args, mark):
    """Run the command, killed (SIGKILL) before its ``step``-th write or rename
    (after the ``-step``-th when negative); return its output if it finished."""
    import tempfile

    environment = {**os.environ, "KILL_AT": str(step), "TEST_MARK": mark}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:  # not pipes a survivor holds
        done = subprocess.run([sys.executable, "-c", KILLER, *map(str, args)], stdout=out, stderr=err,
                              env=environment, timeout=300)
        out.seek(0), err.seek(0)
        done.stdout, done.stderr = out.read(), err.read()
    return done


def _survivors(mark):
    """Processes that carry ``mark`` in their environment (the command's, its workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and f"TEST_MARK={mark}".encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def _gone(mark):
    import time

    for _ in range(100):  # the kernel kills the workers as their parent dies; reaping takes a moment
        if not _survivors(mark):
            return True
        time.sleep(0.05)
    for pid in _survivors(mark):  # this test's own
        os.kill(pid, signal.SIGKILL)
    return False


def _snapshot(folder):
    return {str(path.relative_to(folder)): path.read_bytes() for path in files_under(folder)}


def test_publish_killed_at_any_write_or_rename_leaves_the_old_set_or_the_new(tmp_path):
    a_pack(tmp_path)
    spec, site = tmp_path / "pack.yaml", tmp_path / "site"
    mark = uuid.uuid4().hex
    first = _killed_at(0, ["publish", spec, "-o", site], mark)
    assert first.returncode == 0, first.stderr
    old = _snapshot(site)
    a_pack(tmp_path, private=True)
    steps = int(_killed_at(0, ["publish", spec, "-o", tmp_path / "fresh"], mark).stdout.split("STEPS")[1])
    new = _snapshot(tmp_path / "fresh")
    assert steps >= 7 and new != old
    for step in [*range(1, steps + 1), -steps]:
        killed = _killed_at(step, ["publish", spec, "-o", site], mark)
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr)
        assert _gone(mark), f"a process of the command outlived it (killed at step {step})"
        now = _snapshot(site)
        assert now in (old, new), f"killed at step {step}: {sorted(now)}"
        assert not [name for name in now if ".assemble-" in name]
        facts = json.loads(now["public/meeting.json"])
        for entry in facts["files"]:
            assert hashlib.sha256(now[f"public/{entry['name']}"]).hexdigest() == entry["sha256"]
        if now == new:
            assert carriers(files_under(site / "public")) == []
    finished = _killed_at(0, ["publish", spec, "-o", site], mark)
    assert finished.returncode == 0 and _snapshot(site) == new
    assert not [path for path in tmp_path.iterdir() if ".assemble-" in path.name]


@pytest.mark.parametrize("spec, message", [
    (SPEC + "    exempt_reason: Paragraph 7 of Schedule 12A\n",
     r"pack\.yaml:12: agenda\[2\]\.exempt_reason: the item has an exempt reason but is not private"),
    (SPEC + "    private: false\n    exempt_reason: Paragraph 7 of Schedule 12A\n",
     r"pack\.yaml:13: agenda\[2\]\.exempt_reason: the item has an exempt reason but is not private"),
    (SPEC + PRIVATE + "notice:\n  notes: papers/premises.md\n",
     r"pack\.yaml:15: notice\.notes: premises\.md is private: it is agenda\[2\]\.paper"),
    (SPEC + PRIVATE + "notice:\n  notes: papers/./hardlink.md\n",
     r"pack\.yaml:15: notice\.notes: hardlink\.md is private"),
    (SPEC.replace("venue: Civic Hall, Bank Street, Ayton",
                  "venue: {name: Civic Hall, guidance: papers/premises.md}") + PRIVATE,
     r"pack\.yaml:5: meeting\.venue\.guidance: premises\.md is private"),
    (SPEC.replace("paper: papers/street.md", "paper: papers/street.md\n    appendices:\n"
                  "      - {title: Appendix A, file: papers/premises.md}") + PRIVATE,
     r"pack\.yaml:11: agenda\[1\]\.appendices\[0\]\.file: premises\.md is private"),
], ids=["reason without private", "reason with private false", "notice notes", "a hard link to it",
        "venue guidance", "a public item's appendix"])
def test_a_slip_in_the_spec_that_would_publish_a_private_paper_is_refused(tmp_path, assemble, capsys, spec, message):
    from assembler.cli import main

    a_pack(tmp_path)
    os.link(tmp_path / "papers/premises.md", tmp_path / "papers/hardlink.md")
    (tmp_path / "pack.yaml").write_text(spec)
    assert main(["check", str(tmp_path / "pack.yaml")]) == 2
    checked = capsys.readouterr().err.strip().splitlines()
    assert len(checked) == 1 and re.search(message, checked[0]), checked
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 2 and built.stderr.strip().splitlines() == checked and not built.out.exists()


def _house_pack(folder, notice, extra_files=None):
    """The canary paper private, the pack's own folder as the house's templates (as an
    officer might write it), and ``notice`` as the house's notice.html."""
    a_pack(folder, private=True, extra="house:\n  templates: .\n")
    write_files(folder, {"notice.html": '{% extends "base.html" %}{% block body %}<h1>Notice</h1>\n'
                                        + notice + "\n{% endblock %}\n", **(extra_files or {})})
    return folder / "pack.yaml"


@pytest.mark.parametrize("notice, message", [
    ('{% include "papers/premises.md" %}', r"notice\.html:2: template not found: papers/premises\.md"),
    ('{% include "outside.html" %}', r"notice\.html:2: template not found: outside\.html"),
    ("{{ lipsum.__globals__ }}", r"notice\.html:2: 'lipsum' is undefined"),
    ("{{ meeting.__class__.__init__.__globals__ }}", r"notice\.html:2: access to attribute .* is unsafe"),
    ("{{ cycler.__init__.__globals__.os.popen('touch RAN').read() }}", r"notice\.html:2: access to attribute '__init__' .* is unsafe"),
    ('{% include "missing.html" %}', r"notice\.html:2: template not found: missing\.html"),
    ("{% if %}", r"notice\.html:2: Expected an expression"),
], ids=["a private paper", "a symlink out of the folder", "lipsum globals", "a model's globals", "a shell command",
        "a missing include", "bad syntax"])
def test_a_house_template_runs_sandboxed_and_fails_in_one_line(tmp_path, assemble, notice, message):
    outside = tmp_path.parent / f"{tmp_path.name}-outside.html"
    outside.write_text(CANARY)
    spec = _house_pack(tmp_path / "pack", notice)
    (tmp_path / "pack/outside.html").symlink_to(outside)
    built = assemble(spec)
    lines = built.stderr.strip().splitlines()
    assert built.code == 2 and len(lines) == 1 and re.search(message, lines[0]), built.stderr
    assert not built.out.exists() and not (tmp_path / "pack/RAN").exists()


def test_a_house_template_attaches_and_draws_nothing_private(tmp_path, assemble):
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text y="20">{CANARY}</text></svg>'
    notice = ('<link rel="attachment" href="papers/premises.md"><a rel="attachment" href="papers/chart.svg">a</a>'
              '<img src="papers/chart.svg" alt="chart"><img src="papers/premises.md" alt="paper">')
    spec = _house_pack(tmp_path, notice, {"papers/chart.svg": svg})
    (tmp_path / "papers/premises.md").write_text(f"The premises review. {CANARY}\n\n![chart](chart.svg)\n")
    built = assemble(spec)
    assert built.code == 0, built.stderr
    assert "a private paper's file" in built.stderr
    assert carriers(built.out.glob("*-public.pdf")) == []
    assert b"/EmbeddedFile" not in all_strings(next(built.out.glob("*-public.pdf")))
    assert carriers(built.out.glob("*-members.pdf"))  # the private paper itself still draws its chart


def _svg(text):
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40"><text y="20">{text}</text></svg>'


def test_the_cache_never_serves_a_replaced_picture(tmp_path, assemble):
    """Every file a part draws is in its cache entry, however its name is written: with a
    space, an ampersand or an accent, percent-encoded or escaped, the logo, a picture an
    SVG draws, a picture the house stylesheet names in url()."""
    spec = MINIMAL.replace("agenda:", "house:\n  logo: logo é.svg\n  stylesheet: house.css\nagenda:") + (
        "  - title: Street trading policy\n    paper: papers/street.md\n")
    paper = ("The policy.\n\n![first](a%20picture%20%26%20%C3%A9.svg)\n\n"
             '<img src="second &amp; é.svg" alt="second">\n\n![framed](frame.svg)\n')
    frame = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="300" '
             'height="40"><image xlink:href="inner%20one.svg" width="300" height="40"/></svg>')
    names = ["logo é.svg", "papers/a picture & é.svg", "papers/second & é.svg", "papers/inner one.svg",
             "house back é.svg"]
    write_files(tmp_path, {"pack.yaml": spec, "papers/street.md": paper, "papers/frame.svg": frame,
                           "house.css": '.cover { background: url("house%20back%20%C3%A9.svg") no-repeat; }\n',
                           **{name: _svg(f"OLD-PICTURE-{n}") for n, name in enumerate(names)}})
    first = assemble(tmp_path / "pack.yaml")
    assert first.code == 0, first.stderr
    public = next(first.out.glob("*-public.pdf"))
    assert all(carriers([public], f"OLD-PICTURE-{n}") for n in range(len(names))), first.stderr
    write_files(tmp_path, {name: _svg(f"NEW-PICTURE-{n}") for n, name in enumerate(names)})
    second = assemble(tmp_path / "pack.yaml")
    assert second.code == 0, second.stderr
    for n in range(len(names)):
        assert not carriers([public], f"OLD-PICTURE-{n}") and carriers([public], f"NEW-PICTURE-{n}"), names[n]


def test_a_private_finished_pdfs_stand_in_pages_are_plain_restricted_pages(tmp_path, assemble):
    from tests.conftest import make_pdf

    write_files(tmp_path, {"pack.yaml": SPEC.replace("premises.md", "premises.pdf") + PRIVATE,
                           "papers/street.md": "The street trading policy.\n"})
    make_pdf(tmp_path / "papers/premises.pdf", [CANARY, "Second page"], size="A3 landscape")
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    public, members = built.edition("public"), built.edition("members")
    stand_ins = public.pages_with("Document is Restricted")
    assert len(stand_ins) == 2 and stand_ins == members.pages_with("NOT FOR PUBLICATION")
    for index in stand_ins:
        box = public.reader.pages[index].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)
        assert "NOT FOR PUBLICATION" not in public.texts[index] and "Exempt:" not in public.texts[index]
    assert carriers([next(built.out.glob("*-public.pdf"))]) == []


def _word_with_link(path, target):
    """A Word paper whose one paragraph links to ``target`` as written (a relative link)."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml.ns import qn
    from docx.oxml import OxmlElement

    document = docx.Document()
    paragraph = document.add_paragraph("See ")
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), document.part.relate_to(target, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "the Word link"
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def test_relative_links_jump_within_the_pack_or_are_left_out(tmp_path, assemble):
    import pikepdf

    from tests.conftest import make_pdf

    spec = MINIMAL + ("  - title: Street trading policy\n    paper: papers/street.md\n    appendices:\n"
                      "      - {title: Appendix A - Map, file: papers/map.pdf}\n"
                      "  - title: Fees\n    paper: papers/fees.docx\n")
    write_files(tmp_path, {"pack.yaml": spec, "papers/street.md": (
        "See [the map](map.pdf), [the fees](fees.docx#part), [old notes](../private%20folder/notes.pdf), "
        "[a sibling](other.md) and [the web](https://example.org/policy).\n")})
    make_pdf(tmp_path / "papers/map.pdf", ["The map"])
    _word_with_link(tmp_path / "papers/fees.docx", "../../officer-home/budget.xlsx")
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    assert "private%20folder/notes.pdf" in built.stderr and "other.md" in built.stderr
    assert "budget.xlsx" in built.stderr and "is not a paper of the pack" in built.stderr
    for path in built.out.glob("*.pdf"):
        blob = all_strings(path)
        assert b"file:" not in blob and str(tmp_path).encode() not in blob, path.name
        with pikepdf.open(path) as pdf:
            uris = [str(annotation.A.URI) for page in pdf.pages for annotation in page.get("/Annots", [])
                    if "/A" in annotation and "/URI" in annotation.A]
            jumps = [annotation for page in pdf.pages for annotation in page.get("/Annots", [])
                     if "/A" in annotation and annotation.A.get("/S") == "/GoTo"
                     and str(annotation.get("/Contents", "")).startswith("Go to page")]
        assert uris == ["https://example.org/policy"], uris
        assert len(jumps) >= 2 + 3  # the agenda's ranges, and the paper's two links into the pack


@pytest.mark.parametrize("where", ["an appendix named like the public edition", "a paper inside the publish folder"])
def test_no_output_is_written_over_a_file_the_spec_names(tmp_path, assemble, capsys, where):
    from tests.conftest import make_pdf

    from assembler.cli import main

    if where.startswith("an appendix"):
        name = "licensing-committee-2025-06-04-public.pdf"
        write_files(tmp_path, {"pack.yaml": SPEC.replace("paper: papers/street.md", "paper: papers/street.md\n"
                               f"    appendices:\n      - {{title: Appendix A, file: {name}}}"),
                               "papers/street.md": "The policy.\n", "papers/premises.md": "The review.\n"})
        make_pdf(tmp_path / name, ["The appendix"])
        before = (tmp_path / name).read_bytes()
        built = assemble(tmp_path / "pack.yaml", out=tmp_path)
        code, error, kept = built.code, built.stderr, tmp_path / name
    else:
        write_files(tmp_path, {"pack.yaml": SPEC.replace("papers/premises.md", "site/public/premises.md"),
                               "papers/street.md": "The policy.\n", "site/public/premises.md": "The review.\n"})
        kept = tmp_path / "site/public/premises.md"
        before = kept.read_bytes()
        code = main(["publish", str(tmp_path / "pack.yaml"), "-o", str(tmp_path / "site")])
        error = capsys.readouterr().err
    lines = error.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "the output would be written over it" in lines[0], error
    assert kept.read_bytes() == before


def test_a_meeting_name_with_control_characters_keeps_the_running_header_and_band(tmp_path, assemble):
    write_files(tmp_path, {"pack.yaml": SPEC.replace("body: Licensing Committee",
                                                     'body: "Licensing\\fCommittee\\rNorth"') + PRIVATE,
                           "papers/street.md": "The street trading policy.\n",
                           "papers/premises.md": "The premises review.\n"})
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    members = built.edition("members")
    private = members.pages_with("The premises review.")
    assert private and all("NOT FOR PUBLICATION" in members.texts[index] for index in private)
    assert all("North" in members.texts[index] for index in private)


def test_a_public_paper_cannot_draw_a_private_papers_picture(tmp_path, assemble):
    write_files(tmp_path, {"pack.yaml": SPEC + PRIVATE, "papers/chart.svg": _svg(CANARY),
                           "papers/street.md": "The policy.\n\n![the chart](chart.svg)\n",
                           "papers/premises.md": "The review.\n\n![the chart](./chart.svg)\n"})
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    assert "chart.svg (a private paper's file, which no public part may show)" in built.stderr
    assert carriers(built.out.glob("*-public.pdf")) == []
    assert len(built.edition("members").pages_with(CANARY)) == 1  # the private paper's own page


BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))


@pytest.mark.parametrize("spec, paper, message", [
    (SPEC + "x-bomb:\n" + "".join("  " + line + "\n" for line in BOMB.splitlines()), "The review.\n",
     r"pack\.yaml: more than 100,000 values"),
    (SPEC.replace("time:", "cc: " + "[" * 1000 + "]" * 1000 + "\n  time:"), "The review.\n",
     r"pack\.yaml: nested too deeply"),
    (SPEC, f"---\n{BOMB}---\nThe review.\n", r"premises\.md: more than 100,000 values"),
    (SPEC, "---\npurpose: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n---\nThe review.\n", r"premises\.md: nested too"),
], ids=["alias bomb in the spec", "deep spec", "alias bomb in front matter", "deep front matter"])
def test_a_hostile_yaml_file_is_refused_in_one_line(tmp_path, assemble, spec, paper, message):
    write_files(tmp_path, {"pack.yaml": spec, "papers/street.md": "The policy.\n", "papers/premises.md": paper})
    built = assemble(tmp_path / "pack.yaml")
    lines = built.stderr.strip().splitlines()
    assert built.code == 2 and len(lines) == 1 and re.search(message, lines[0]), built.stderr


def test_a_word_file_whose_text_unpacks_huge_is_refused(tmp_path, assemble):
    import zipfile

    _word_with_link(tmp_path / "papers/premises.docx", "https://example.org/")
    with zipfile.ZipFile(tmp_path / "papers/premises.docx") as package:
        entries = {info.filename: package.read(info) for info in package.infolist()}
    body = b"<w:p><w:r><w:t>" + b"x" * 1000 + b"</w:t></w:r></w:p>"
    entries["word/document.xml"] = entries["word/document.xml"].replace(b"<w:body>", b"<w:body>" + body * 20_000)
    with zipfile.ZipFile(tmp_path / "papers/premises.docx", "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries.items():
            package.writestr(name, data)
    assert (tmp_path / "papers/premises.docx").stat().st_size < 200_000
    write_files(tmp_path, {"pack.yaml": SPEC.replace("premises.md", "premises.docx"), "papers/street.md": "Policy.\n"})
    built = assemble(tmp_path / "pack.yaml")
    lines = built.stderr.strip().splitlines()
    assert built.code == 2 and len(lines) == 1 and "premises.docx: its text unpacks to more than 16 MB" in lines[0]


def test_a_paper_that_reads_too_long_is_stopped_and_named(tmp_path, monkeypatch):
    from tests.conftest import run_command

    filler = "\n\n".join(["A paragraph of the report, read at length."] * 3000)
    a_pack(tmp_path)
    (tmp_path / "papers/premises.md").write_text(filler)
    monkeypatch.setenv("ASSEMBLE_READ_SECONDS", "0.001")
    result = run_command(tmp_path / "pack.yaml", "--no-cache")
    assert result.returncode == 2 and "took more than 0.001 s to read and was stopped" in result.stderr, result.stderr
    assert list(tmp_path.glob("*.pdf")) == []


def test_a_huge_picture_is_left_out_with_a_warning(tmp_path, assemble):
    import base64
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(picture, "PNG")  # a few kilobytes; 900 million pixels
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers/huge.png").write_bytes(picture.getvalue())
    inline = base64.b64encode(picture.getvalue()).decode()
    a_pack(tmp_path)
    (tmp_path / "papers/street.md").write_text(f"The policy.\n\n![huge](huge.png)\n\n"
                                               f'<img alt="inline" src="data:image/png;base64,{inline}">\n')
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    assert built.stderr.count("a picture of more than 40,000,000 pixels, the most a picture may have") == 2
    assert "huge.png" in built.stderr


def _word_hidden_by_style(path, secret):
    """A Word paper with ``secret`` hidden three ways Word hides text (a character style
    with vanish, a paragraph style built on one with vanish, specVanish), in a main
    document part named other than document.xml."""
    import zipfile

    import docx

    document = docx.Document()
    document.add_paragraph("The visible report.")
    paragraph = document.add_paragraph("Shown, ")
    paragraph.add_run(f"{secret}-CHARSTYLE").style = document.styles.add_style("Quiet", 2)  # character style
    hidden_base = document.styles.add_style("HiddenBase", 1)
    document.styles.add_style("HiddenPara", 1).base_style = hidden_base
    document.add_paragraph(f"{secret}-PARASTYLE", style="HiddenPara")
    paragraph = document.add_paragraph("Also shown. ")
    paragraph.add_run(f"{secret}-SPECVANISH")
    document.save(path)
    with zipfile.ZipFile(path) as package:
        entries = {info.filename: package.read(info) for info in package.infolist()}
    styles = entries["word/styles.xml"].decode()
    for style in ("Quiet", "HiddenBase"):
        styles = re.sub(rf'(<w:style [^>]*w:styleId="{style}"[^>]*>.*?)(</w:style>)',
                        r"\1<w:rPr><w:vanish/></w:rPr>\2", styles, flags=re.S)
    entries["word/styles.xml"] = styles.encode()
    main = entries["word/document.xml"].decode().replace(
        f"<w:r><w:t>{secret}-SPECVANISH", f"<w:r><w:rPr><w:specVanish/></w:rPr><w:t>{secret}-SPECVANISH")
    entries["word/main.xml"] = main.encode()
    del entries["word/document.xml"]
    entries["word/_rels/main.xml.rels"] = entries.pop("word/_rels/document.xml.rels")
    entries["_rels/.rels"] = entries["_rels/.rels"].replace(b"word/document.xml", b"word/main.xml")
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(b"/word/document.xml", b"/word/main.xml")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries.items():
            package.writestr(name, data)


def test_hidden_text_in_a_public_paper_is_left_out_with_a_warning(tmp_path, assemble):
    a_pack(tmp_path)
    _word_hidden_by_style(tmp_path / "papers/street.docx", CANARY)
    (tmp_path / "pack.yaml").write_text((tmp_path / "pack.yaml").read_text().replace("street.md", "street.docx"))
    (tmp_path / "papers/premises.md").write_text(
        f'The review.\n\n<div hidden>{CANARY}-ATTR</div>\n\n<p style="display: none">{CANARY}-DISPLAY</p>\n\n'
        f'<span style="color: red; visibility:hidden">{CANARY}-VISIBILITY</span>\n\n'
        '<div style="overflow: hidden">Kept: overflow hides nothing.</div>\n')
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    members = built.edition("members")
    text = " ".join(members.texts)
    assert "The visible report." in text and "Also shown." in text and "Kept: overflow hides nothing." in text
    assert carriers(built.out.glob("*.pdf")) == [], built.stderr
    assert "3 hidden part(s) left out" in built.stderr and "3 piece(s) of hidden text left out" in built.stderr


_STYLES = """<w:styles xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'>{defaults}
<w:style w:type='paragraph' w:default='1' w:styleId='Normal'><w:name w:val='Normal'/></w:style>
<w:style w:type='table' w:styleId='Quiet'><w:name w:val='Quiet'/><w:rPr><w:vanish/></w:rPr></w:style>
<w:style w:type='table' w:styleId='QuietBased'><w:name w:val='QuietBased'/><w:basedOn w:val='Quiet'/></w:style>
<w:style w:type='table' w:styleId='QuietHead'><w:name w:val='QuietHead'/>
  <w:tblStylePr w:type='firstRow'><w:rPr><w:vanish/></w:rPr></w:tblStylePr>
  <w:tblStylePr w:type='lastRow'><w:rPr><w:vanish/></w:rPr></w:tblStylePr></w:style>
<w:style w:type='paragraph' w:styleId='HidPara'><w:name w:val='HidPara'/><w:link w:val='HidParaChar'/>
  <w:rPr><w:vanish/></w:rPr></w:style>
<w:style w:type='character' w:styleId='HidParaChar'><w:name w:val='HidParaChar'/><w:link w:val='HidPara'/>
  <w:rPr><w:vanish/></w:rPr></w:style>
<w:style w:type='character' w:styleId='HidChar'><w:name w:val='HidChar'/><w:rPr><w:vanish/></w:rPr></w:style>
</w:styles>"""


def _run(text, properties=""):
    return f"<w:r>{f'<w:rPr>{properties}</w:rPr>' if properties else ''}<w:t xml:space='preserve'>{text}</w:t></w:r>"


def _table(style, rows, look=""):
    cells = "".join(f"<w:tr><w:tc><w:p>{_run(text)}</w:p></w:tc></w:tr>" for text in rows)
    return (f"<w:tbl><w:tblPr><w:tblStyle w:val='{style}'/>{look}</w:tblPr><w:tblGrid><w:gridCol w:w='4000'/>"
            f"</w:tblGrid>{cells}</w:tbl>")


def test_word_text_hidden_anywhere_in_the_cascade_is_in_neither_edition(tmp_path, assemble):
    """Word hides text through the document defaults, a table style (itself, one it is
    based on, its first-row and last-row formatting, as the table's look asks), a paragraph style, a paragraph style named as a
    run's (its linked character style) and a character style; ``w:vanish`` toggles through
    the styles and direct formatting sets it (ECMA-376 Part 1, 17.7.3)."""
    from tests.test_completeness import _docx, _with_part

    styles = _docx("<w:p>" + _run("Tables.") + "</w:p>"
                   + _table("Quiet", [f"{CANARY}-TABLE"]) + _table("QuietBased", [f"{CANARY}-BASED"])
                   + _table("QuietHead", [f"{CANARY}-FIRSTROW", "The second row is shown."],
                            "<w:tblLook w:firstRow='1'/>")
                   + _table("QuietHead", ["A first row shown: its table does not apply first-row formatting."])
                   + _table("QuietHead", ["Above the last row.", f"{CANARY}-LASTROW"], "<w:tblLook w:val='0040'/>")
                   + "<w:p><w:pPr><w:pStyle w:val='HidPara'/></w:pPr>" + _run(f"{CANARY}-PARASTYLE")
                   + _run("Shown against its style.", "<w:vanish w:val='0'/>") + "</w:p>"
                   + "<w:p><w:pPr><w:pStyle w:val='HidPara'/></w:pPr>"
                   + _run("Hidden twice over is shown.", "<w:rStyle w:val='HidChar'/>") + "</w:p>"
                   + "<w:p>" + _run(f"{CANARY}-LINKED", "<w:rStyle w:val='HidPara'/>") + "</w:p>")
    defaults = _docx("<w:p>" + _run(f"{CANARY}-DEFAULTS") + "</w:p><w:p>"
                     + _run("Shown against the defaults.", "<w:vanish w:val='false'/>") + "</w:p>")
    a_pack(tmp_path)
    write_files(tmp_path, {
        "papers/street.docx": _with_part(styles, "word/styles.xml", _STYLES.format(defaults="")),
        "papers/premises.docx": _with_part(defaults, "word/styles.xml", _STYLES.format(
            defaults="<w:docDefaults><w:rPrDefault><w:rPr><w:vanish/></w:rPr></w:rPrDefault></w:docDefaults>"))})
    (tmp_path / "pack.yaml").write_text((tmp_path / "pack.yaml").read_text().replace(".md", ".docx"))
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    text = " ".join(built.edition("members").texts)
    for shown in ("Tables.", "The second row is shown.", "A first row shown", "Above the last row.", "Shown against its style.",
                  "Hidden twice over is shown.", "Shown against the defaults."):
        assert shown in text, shown
    assert carriers(built.out.glob("*.pdf")) == [], built.stderr
    assert "(street.docx): 6 piece(s) of hidden text left out" in built.stderr
    assert "(premises.docx): 1 piece(s) of hidden text left out" in built.stderr


def test_a_strict_open_xml_papers_hidden_and_deleted_text_is_left_out(tmp_path, assemble):
    """A Word file in ISO/IEC 29500 Strict namespaces hides and deletes text as any other."""
    import io
    import zipfile

    from tests.test_completeness import _docx

    data = _docx("<w:p>" + _run("Shown.") + _run(f"{CANARY}-HIDDEN", "<w:vanish/>")
                 + f"<w:del w:id='1' w:author='A'><w:r><w:delText>{CANARY}-DELETED</w:delText></w:r></w:del></w:p>")
    strict = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(strict, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info).replace(
                b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                b"http://purl.oclc.org/ooxml/wordprocessingml/main").replace(
                b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                b"http://purl.oclc.org/ooxml/officeDocument/relationships"))
    a_pack(tmp_path)
    write_files(tmp_path, {"papers/street.docx": strict.getvalue()})
    (tmp_path / "pack.yaml").write_text((tmp_path / "pack.yaml").read_text().replace("street.md", "street.docx"))
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    assert "Shown." in " ".join(built.edition("public").texts)
    assert carriers(built.out.glob("*.pdf"), f"{CANARY}-") == [], built.stderr
    assert "(street.docx): 1 piece(s) of hidden text left out" in built.stderr


def test_word_content_stored_twice_is_printed_as_word_shows_it(tmp_path, assemble):
    """Of ``mc:AlternateContent``, the first choice whose namespaces Word understands is
    printed (a text box too), else the fallback; what Word does not show never is."""
    from tests.test_completeness import _docx

    mc = ("xmlns:mc='http://schemas.openxmlformats.org/markup-compatibility/2006' "
          "xmlns:wps='http://schemas.microsoft.com/office/word/2010/wordprocessingShape' "
          "xmlns:future='urn:example:not-yet-invented'")
    box = ("<w:drawing><wp:anchor><wp:extent cx='100' cy='100'/><wp:docPr id='1' name='Box'/><a:graphic>"
           "<a:graphicData uri='http://schemas.microsoft.com/office/word/2010/wordprocessingShape'><wps:wsp>"
           f"<wps:txbx><w:txbxContent><w:p>{_run('The text box Word shows.')}</w:p></w:txbxContent></wps:txbx>"
           "</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>")
    body = (f"<w:p>{_run('Before.')}</w:p>"
            f"<w:p><mc:AlternateContent {mc}><mc:Choice Requires='w14'>{_run('The choice Word shows.')}</mc:Choice>"
            f"<mc:Fallback>{_run(f'{CANARY}-FALLBACK')}</mc:Fallback></mc:AlternateContent></w:p>"
            f"<w:p><mc:AlternateContent {mc}><mc:Choice Requires='future'>{_run(f'{CANARY}-FUTURE')}</mc:Choice>"
            f"<mc:Choice Requires='undeclared'>{_run(f'{CANARY}-UNDECLARED')}</mc:Choice>"
            f"<mc:Fallback>{_run('The fallback Word shows.')}</mc:Fallback></mc:AlternateContent></w:p>"
            f"<w:p><w:r><mc:AlternateContent {mc}><mc:Choice Requires='wps'>{box}</mc:Choice>"
            f"<mc:Fallback><w:pict><v:shape xmlns:v='urn:schemas-microsoft-com:vml'><v:textbox><w:txbxContent>"
            f"<w:p>{_run(f'{CANARY}-VML')}</w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
            "</mc:AlternateContent></w:r></w:p>")
    a_pack(tmp_path)
    write_files(tmp_path, {"papers/street.docx": _docx(body)})
    (tmp_path / "pack.yaml").write_text((tmp_path / "pack.yaml").read_text().replace("street.md", "street.docx"))
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    text = " ".join(built.edition("public").texts)
    for shown in ("The choice Word shows.", "The fallback Word shows.", "The text box Word shows."):
        assert text.count(shown) == 1, shown
    assert carriers(built.out.glob("*.pdf"), f"{CANARY}-") == [], built.stderr


def _nested_tables(levels, cell="x"):
    """WordprocessingML: ``levels`` tables, each in the one cell of the one before."""
    opening = "<w:tbl><w:tblGrid><w:gridCol w:w='2000'/></w:tblGrid><w:tr><w:tc>"
    return opening * levels + f"<w:p><w:r><w:t>{cell}</w:t></w:r></w:p>" + "</w:tc></w:tr></w:tbl><w:p/>" * levels


NESTED = {  # paper: content nested past what can be laid out, by every kind a paper can carry into its HTML
    "divisions.md": "Policy.\n\n" + "<div>" * 5000 + "x" + "</div>" * 5000 + "\n",
    "unclosed.md": "Policy.\n\n" + "<div>" * 200_000 + "x\n",  # parsing it alone would take minutes
    "lists.md": "Policy.\n\n" + "<ul><li>" * 40 + "x" + "</li></ul>" * 40 + "\n",
    "quotes.md": "Policy.\n\n" + "<blockquote>" * 70 + "x" + "</blockquote>" * 70 + "\n",
    "spans.md": "Policy. " + "<span>" * 300 + "x" + "</span>" * 300 + "\n",
    "tables.md": "Policy.\n\n" + "<table><tr><td>" * 25 + "x" + "</td></tr></table>" * 25 + "\n",
    "tables.docx": _nested_tables(20),
    "deep-tables.docx": _nested_tables(70),
    "controls.docx": "<w:sdt><w:sdtContent>" * 200 + "<w:p><w:r><w:t>x</w:t></w:r></w:p>" + "</w:sdtContent></w:sdt>" * 200,
}


@pytest.mark.parametrize("name", list(NESTED))
def test_a_paper_nested_too_deep_to_lay_out_is_refused_in_one_line(tmp_path, assemble, name):
    from tests.test_completeness import _docx, _with_part

    a_pack(tmp_path)
    content = NESTED[name]
    if name.endswith(".docx"):
        content = _with_part(_docx(""), "word/document.xml", (
            "<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'><w:body>"
            f"<w:p><w:r><w:t>Policy.</w:t></w:r></w:p>{content}<w:sectPr/></w:body></w:document>"))
    write_files(tmp_path, {f"papers/{name}": content})
    (tmp_path / "pack.yaml").write_text((tmp_path / "pack.yaml").read_text().replace("street.md", name))
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 2, built.stderr
    (line,) = [line for line in built.stderr.splitlines() if "levels deep" in line]
    assert name in line and "refused" in line and "internal error" not in built.stderr


def test_a_report_nested_as_deep_as_real_ones_are_is_printed(tmp_path, assemble):
    """Lists nine levels deep in a table in a table, with emphasis, and HTML whose parser
    closes paragraphs, items, rows and cells itself: printed."""
    list_levels = "<ul><li>Level" * 9 + " <strong><em><a href='https://example.org/'>deepest</a></em></strong>"
    table = "<table><tr><td>" * 2 + list_levels + "</li></ul>" * 9 + "</td></tr></table>" * 2
    a_pack(tmp_path)
    unclosed = "<table>" + "<tr><td>a<td><p>b<p><span>c</p>" * 300 + "</table>\n\n<ul>" + "<li>d" * 300 + "</ul>"
    write_files(tmp_path, {"papers/street.md": f"Policy.\n\n<div><blockquote>{table}</blockquote></div>\n\n"
                                               f"{unclosed}\n"})
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    assert "deepest" in " ".join(built.edition("members").texts)


def test_a_build_killed_at_any_write_or_rename_leaves_a_whole_set_and_no_process(tmp_path):
    """Whatever the moment of a ``kill -9`` (before or after each write, rename and removal
    of a build, and of the next command finishing a killed build's renames), the folder
    holds the old pair of editions, the new pair, or (killed between the renames) the new
    public edition beside the old members' one: never an old public edition, which may
    carry a paper made private since, beside a new members' one.  The next command on
    the folder, even one that fails, leaves exactly the old pair or the new and no
    temporary or journal; no worker outlives the command."""
    a_pack(tmp_path)
    spec, out = tmp_path / "pack.yaml", tmp_path / "out"
    write_files(tmp_path, {"broken/pack.yaml": "meeting: [\n"})
    mark = uuid.uuid4().hex
    assert _killed_at(0, [spec, "-o", out, "-q"], mark).returncode == 0
    old = _snapshot(out)
    a_pack(tmp_path, private=True)
    steps = int(_killed_at(0, [spec, "-o", tmp_path / "fresh", "-q"], mark).stdout.split("STEPS")[1])
    new = _snapshot(tmp_path / "fresh")
    public, members = (next(name for name in new if name.endswith(f"-{edition}.pdf")) for edition in ("public", "members"))
    assert steps == 7 and new != old and sorted(new) == sorted(old) == sorted([public, members])
    assert carriers([out / public]) and not carriers([tmp_path / "fresh" / public])  # the dangerous old one
    halfway = {public: new[public], members: old[members]}
    seen = set()

    def editions():
        now = _snapshot(out)
        return {name: data for name, data in now.items() if not name.startswith(".assemble-")}, now

    def settled_by_the_next_command(step, killed_at=0):
        """A failing command into the folder: it finishes the killed build's renames first."""
        result = _killed_at(killed_at, [tmp_path / "broken/pack.yaml", "-o", out, "-q"], mark)
        assert _gone(mark), f"a process of the command outlived it (step {step}, next killed at {killed_at})"
        return result

    for step in [*range(1, steps + 1), -steps]:
        for path in files_under(out):
            path.unlink()
        write_files(out, old)
        killed = _killed_at(step, [spec, "-o", out, "-q"], mark)
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr)
        assert _gone(mark), f"a process of the command outlived it (killed at step {step})"
        shown, everything = editions()
        assert shown in (old, new, halfway), f"killed at step {step}: {sorted(everything)}"
        seen.add(("old", "new", "halfway")[[old, new, halfway].index(shown)])
        journal = (out / ".assemble-journal.json").exists()
        if journal:  # the next command killed just after its first step finishing the renames
            again = settled_by_the_next_command(step, killed_at=-1)
            assert again.returncode == -signal.SIGKILL and editions()[0] in (new, halfway), step
        after = settled_by_the_next_command(step)
        lines = after.stderr.strip().splitlines()
        assert after.returncode == 2 and len(lines) == 1 and "broken" in lines[0], after.stderr
        assert _snapshot(out) == (new if shown != old or journal else old), f"killed at step {step}"
    assert seen == {"old", "new", "halfway"}
    finished = _killed_at(0, [spec, "-o", out, "-q"], mark)
    assert finished.returncode == 0 and _snapshot(out) == new


SWAPPER = """
import os, shutil, sys
import assembler.build

target, outside, when = sys.argv[1:4]


def swap(root):
    place = os.path.join(root, target)
    shutil.rmtree(place) if os.path.isdir(place) and not os.path.islink(place) else os.unlink(place)
    os.symlink(outside, place)


load_spec, os_open = assembler.build.load_spec, os.open


def load_then_swap(path, *args, **kwargs):
    spec = load_spec(path, *args, **kwargs)
    if when == "spec":  # the moment after the spec confined every file it names
        swap(os.path.dirname(os.path.abspath(path)))
    return spec


def swap_then_open(path, *args, **kwargs):
    found = (str(path) + os.sep).rfind(os.sep + target + os.sep)  # the target itself, or a file in it
    if when == "open" and found >= 0 and not os.path.islink(str(path)[: found + 1] + target):
        os.open = os_open  # once
        swap(str(path)[: found + 1])  # after every check of the path, just before it is opened
    return os_open(path, *args, **kwargs)


assembler.build.load_spec, os.open = load_then_swap, swap_then_open
sys.addaudithook(lambda event, args: event == "open" and args and "outside-canary" in str(args[0])
                 and sys.stderr.write("OPENED-OUTSIDE\\n"))
from assembler.cli import main
raise SystemExit(main(sys.argv[4:]))
"""


@pytest.mark.parametrize("target, when, spec, outside, refused", [
    ("papers/street.md", "spec", SPEC, f"{CANARY}\n", "street.md: was replaced by a link"),
    ("papers/street.md", "open", SPEC, f"{CANARY}\n", "street.md: was replaced by a link"),
    ("street", "open", SPEC.replace("papers/street.md", "street/street.md"), {"street.md": f"{CANARY}\n"},
     "street.md: was replaced by a link"),
    ("notes.md", "open", SPEC + "notice:\n  notes: notes.md\n", f"{CANARY}\n", "notes.md: was replaced by a link"),
    ("logo.svg", "open", SPEC + "house:\n  logo: logo.svg\n", _svg(CANARY), "logo.svg: was replaced by a link"),
    ("house.css", "spec", SPEC + "house:\n  stylesheet: house.css\n", f'.cover::after {{ content: "{CANARY}" }}',
     "house.css: outside the pack's folder"),  # (read through the renderer's fetcher, which resolves it first)
    ("house.css", "open", SPEC + "house:\n  stylesheet: house.css\n", f'.cover::after {{ content: "{CANARY}" }}',
     "house.css: (was replaced by a link|outside the pack's folder)"),  # (each worker reads it: the first swaps it)
    ("papers/chart.svg", "open", SPEC, _svg(CANARY), None),
], ids=["a paper after the spec", "a paper as it is opened", "a folder on the way to a paper", "the notice's notes",
        "the logo", "the house stylesheet after the spec", "the house stylesheet as it is opened",
        "a picture as the renderer fetches it"])
def test_a_file_swapped_for_a_link_during_the_build_is_not_read(tmp_path, target, when, spec, outside, refused):
    """Each file is read once, through a descriptor, only if it is still where the spec (or
    the renderer's fetcher) confined it: replaced by a link out of the pack (itself, or a
    folder on its way) between the check and the read, it is refused in one line, or (a
    picture) left out with a warning, and nothing from outside reaches either edition."""
    outside_path = tmp_path / "outside-canary"
    write_files(outside_path, outside) if isinstance(outside, dict) else outside_path.write_text(outside)
    pack = tmp_path / "pack"
    write_files(pack, {"pack.yaml": spec, "street/street.md": "The policy.\n", "notes.md": "Notes.\n",
                       "papers/street.md": "The policy.\n\n![the chart](chart.svg)\n",
                       "papers/premises.md": "The review.\n", "papers/chart.svg": _svg("THE-CHART"),
                       "logo.svg": _svg("THE-LOGO"), "house.css": ".cover { color: #222; }\n"})
    result = subprocess.run([sys.executable, "-c", SWAPPER, target, str(outside_path), when, str(pack / "pack.yaml"),
                             "-o", str(tmp_path / "out"), "--no-cache", "-q"], capture_output=True, text=True,
                            timeout=300)
    lines = result.stderr.strip().splitlines()
    assert (pack / target).is_symlink()  # the swap was made
    assert "OPENED-OUTSIDE" not in result.stderr
    if refused:
        assert result.returncode == 2 and len(lines) == 1 and re.search(refused, lines[0]), result.stderr
        assert not (tmp_path / "out").exists()
    else:
        assert result.returncode == 0, result.stderr
        assert "chart.svg (was replaced by a link" in result.stderr, result.stderr
        editions = sorted((tmp_path / "out").glob("*.pdf"))
        assert len(editions) == 2 and carriers(editions) == [] and carriers(editions, "THE-CHART") == []


@pytest.mark.parametrize("layers", [1, 2], ids=["flate", "flate twice"])
def test_a_pdf_whose_drawing_inflates_huge_is_refused_in_one_line(tmp_path, assemble, layers):
    import zlib

    import pikepdf

    inflater = zlib.compressobj(1)
    data = b"".join(inflater.compress(b" " * (1 << 24)) for _ in range(17)) + inflater.flush()  # 272 MB of spaces
    if layers == 2:
        data = zlib.compress(data, 1)
    (tmp_path / "papers").mkdir()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.pages[0].Contents = pdf.make_stream(data)
        pdf.pages[0].Contents.Filter = pikepdf.Array([pikepdf.Name.FlateDecode] * layers)
        pdf.save(tmp_path / "papers/premises.pdf")
    assert (tmp_path / "papers/premises.pdf").stat().st_size < 400_000
    write_files(tmp_path, {"pack.yaml": SPEC.replace("premises.md", "premises.pdf"), "papers/street.md": "Policy.\n"})
    built = assemble(tmp_path / "pack.yaml")
    lines = built.stderr.strip().splitlines()
    assert built.code == 2 and len(lines) == 1, built.stderr
    assert "premises.pdf: its drawing inflates to more than 256 MB" in lines[0]


def test_a_link_replaced_while_the_spec_follows_it_is_one_line(tmp_path, assemble, monkeypatch):
    """A paper's link swapped for a plain file between the spec's ``lstat`` and its
    ``readlink`` (a race the hostile review met: ``EINVAL`` from ``os.readlink``) is the
    officer's problem in one line naming the key, not an internal error."""
    pack = write_files(tmp_path, {"pack.yaml": MINIMAL + "  - title: Street\n    paper: papers/street.md\n",
                                  "papers/real.md": "Policy.\n"})
    (pack / "papers/street.md").symlink_to("real.md")

    def swapped(path, *args, **kwargs):
        raise OSError(22, "Invalid argument", str(path))

    monkeypatch.setattr(os, "readlink", swapped)
    built = assemble(pack / "pack.yaml")
    assert built.code == 2
    assert re.fullmatch(r"assemble: \S*pack\.yaml:\d+: agenda\[1\]\.paper: 'papers/street\.md' could not be followed "
                        r"\(Invalid argument\): was it being changed\?\n", built.stderr), built.stderr
