"""The command as an officer meets it: exit statuses, messages, outputs left alone on failure."""

import re
import shutil
import subprocess
import sys

import pypdfium2
import pytest

from tests.conftest import corpus_files, make_pdf, needs_corpus, run_command, write_files
from tests.test_spec import MINIMAL

SPEC = MINIMAL + "  - title: Premises licence review\n    paper: papers/review.md\n"


@pytest.fixture
def pack(tmp_path):
    return write_files(tmp_path, {"pack.yaml": SPEC, "papers/review.md": "The review.\n"})


def test_version_and_help(capsys):
    from assembler.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert re.fullmatch(r"assemble \d+\.\d+\.\d+\n", capsys.readouterr().out)
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "example:" in text and "pack.yaml" in text and "exit status" in text


def test_a_good_pack_reports_what_it_built(pack, assemble):
    built = assemble(pack / "pack.yaml")
    assert built.code == 0, built.stderr
    assert re.search(r"members' edition: \S+-members\.pdf\n", built.stdout), built.stdout
    assert re.search(r"public edition: +\S+-public\.pdf\n", built.stdout), built.stdout
    assert re.search(r"Built \d+ pages \(1 numbered\)", built.stdout)
    assert sorted(path.name for path in built.out.iterdir()) == [
        "licensing-committee-2025-06-04-members.pdf", "licensing-committee-2025-06-04-public.pdf"]
    assert all(oct(path.stat().st_mode)[-3:] == "644" for path in built.out.iterdir())


def _on_a_terminal(*args, cwd):
    """The real command with its stderr on a pseudo-terminal: (exit status, what the terminal showed)."""
    import os
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "assembler", *map(str, args)], cwd=cwd,
                               stdout=subprocess.DEVNULL, stderr=terminal, env={**os.environ, "COLUMNS": "100"})
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the command has ended and closed its end
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    return process.wait(timeout=120), re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode("utf-8", "replace"))


def test_progress_is_shown_on_a_terminal_and_only_there(pack):
    code, shown = _on_a_terminal("pack.yaml", "--no-cache", cwd=pack)
    assert code == 0, shown
    for stage in ("Reading the papers", "Drawing the parts", "Numbering the pages", "Binding the editions"):
        assert stage in shown, shown
    assert re.search(r"Drawing the parts +━+ \d+/\d+", shown)
    code, shown = _on_a_terminal("pack.yaml", "--no-cache", "-q", cwd=pack)
    assert code == 0 and shown.strip() == ""
    piped = run_command("pack.yaml", "--no-cache", cwd=pack)
    assert piped.returncode == 0 and "Drawing the parts" not in piped.stderr


def test_progress_shows_a_title_as_it_is_never_as_markup():
    import io

    from rich.console import Console

    from assembler.cli import _Progress

    screen = io.StringIO()
    progress = _Progress(Console(file=screen, force_terminal=True, width=120))
    progress.stage("Drawing the parts", 2)
    progress.advance("3. Budget [/draft] (budget.docx)")
    progress.done()
    assert "3. Budget [/draft] (budget.docx)" in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())


def test_default_output_folder_is_the_specs(pack):
    result = run_command("pack.yaml", "-q", cwd=pack)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (pack / "licensing-committee-2025-06-04-public.pdf").exists()


def snapshot(folder):
    return {path.name: path.read_bytes() for path in folder.iterdir()}


@pytest.mark.parametrize("change, message", [
    (lambda p: (p / "pack.yaml").write_text(SPEC.replace("2025-06-04", "2025-06-31")),
     r"pack\.yaml:3: meeting\.date: '2025-06-31' is not a real value"),
    (lambda p: (p / "pack.yaml").write_text(SPEC.replace("  venue:", "  venue_name:")),
     r"pack\.yaml:5: meeting\.venue_name: unknown key; did you mean 'venue'\?"),
    (lambda p: (p / "papers/review.md").unlink(),
     r"pack\.yaml:9: agenda\[1\]\.paper: file not found: papers/review\.md"),
    (lambda p: (p / "papers/review.md").write_bytes(b"\xff\xfe\x00\x01"),
     r"papers/review\.md: is not UTF-8 text"),
    (lambda p: ((p / "pack.yaml").write_text(SPEC.replace("review.md", "review.odt")), (p / "papers/review.odt").write_text("x")),
     r"papers/review\.odt: \.odt is not supported as a paper"),
    (lambda p: ((p / "pack.yaml").write_text(SPEC.replace("review.md", "review.pdf")), (p / "papers/review.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<")),
     r"papers/review\.pdf: is not a readable PDF"),
    (lambda p: (p / "pack.yaml").write_text(SPEC + "    appendices:\n      - {title: A, file: /etc/passwd}\n"),
     r"pack\.yaml:11: agenda\[1\]\.appendices\[0\]\.file: '/etc/passwd' is an absolute path"),
])
def test_bad_input_exits_2_names_the_problem_and_leaves_earlier_editions_alone(pack, assemble, change, message):
    first = assemble(pack / "pack.yaml")
    assert first.code == 0
    before = snapshot(first.out)
    change(pack)
    second = assemble(pack / "pack.yaml")
    assert second.code == 2
    assert second.stdout == ""
    lines = second.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 6 and "Traceback" not in second.stderr
    assert re.search(message, lines[0]), lines
    assert snapshot(first.out) == before


def test_a_password_protected_pdf_is_refused(pack, assemble):
    from pypdf import PdfReader, PdfWriter

    make_pdf(pack / "papers/plain.pdf", ["locked"])
    writer = PdfWriter(clone_from=PdfReader(pack / "papers/plain.pdf"))
    writer.encrypt(user_password="secret", owner_password="owner")
    writer.write(pack / "papers/review.pdf")
    (pack / "pack.yaml").write_text(SPEC.replace("review.md", "review.pdf"))
    built = assemble(pack / "pack.yaml")
    assert built.code == 2
    assert "papers/review.pdf: is password-protected" in built.stderr


def test_every_bad_paper_is_named_at_once(pack, assemble):
    spec = SPEC + "    appendices:\n      - {title: A, file: papers/a.pdf}\n      - {title: B, file: papers/b.rtf}\n"
    write_files(pack, {"pack.yaml": spec, "papers/a.pdf": "not a pdf", "papers/b.rtf": "{\\rtf1}"})
    built = assemble(pack / "pack.yaml")
    assert built.code == 2
    assert "papers/a.pdf: is not a readable PDF" in built.stderr
    assert "papers/b.rtf: .rtf is not supported as a paper" in built.stderr


@needs_corpus
def test_every_corpus_pdf_goes_into_a_pack_whole_or_is_refused_clearly(tmp_path, assemble):
    """All of shared/corpus/pdf as appendices of one item: every page of every file
    accepted is in the members' edition, with every word of its text layer; both
    editions pass qpdf's check with every font embedded.  A refused file is tried
    alone and gives exit 2 and one line naming it."""
    from assembler.errors import PaperError
    from assembler.readers.pdf import read_pdf
    from tests.pdfs import qpdf_problems, structure_problems, unembedded_fonts, words

    accepted, refused, corpus = {}, [], corpus_files("pdf")
    for source in corpus:
        shutil.copy(source, tmp_path / source.name)
        try:
            accepted[source.name] = len(read_pdf(tmp_path / source.name).pages)
        except PaperError:
            refused.append(source.name)
    assert len(accepted) + len(refused) == len(corpus) > 40
    appendices = "".join(f"      - {{title: 'Appendix {n}', file: '{name}'}}\n" for n, name in enumerate(accepted))
    write_files(tmp_path, {
        "pack.yaml": SPEC.replace("papers/review.md", "papers/cover.md") + "    appendices:\n" + appendices,
        "papers/cover.md": "A paper that carries every corpus PDF as an appendix.\n",
    })
    built = assemble(tmp_path / "pack.yaml", "-q")
    assert built.code == 0, built.stderr
    assert "internal error" not in built.stderr
    members = built.edition("members")
    numbered = [index for index, label in enumerate(members.reader.page_labels) if label.isdigit()]
    assert len(numbered) == sum(accepted.values()) + 1  # the covering paper, then every corpus page
    first = numbered[1]
    for name, count in accepted.items():
        shown = "".join(words(" ".join(members.texts[first:first + count])))  # spaces are a reader's guess
        lost = [word for word in words(" ".join(_source_texts(tmp_path / name))) if word not in shown]
        assert not lost, f"{name}: words lost: {lost[:10]}"
        first += count
    assert structure_problems(members.reader) == []  # the tagged ones' structure came along, whole
    for edition in ("members", "public"):
        (path,) = built.out.glob(f"*-{edition}.pdf")
        assert qpdf_problems(path) == [], edition
        assert unembedded_fonts(path) == [], edition
    for name in refused:
        write_files(tmp_path, {"pack.yaml": SPEC.replace("papers/review.md", name)})
        alone = assemble(tmp_path / "pack.yaml")
        assert alone.code == 2 and name in alone.stderr and len(alone.stderr.splitlines()) == 1
        assert "internal error" not in alone.stderr


def _source_texts(path):
    """Each page's text layer, as pdfium reads the file (with an empty password, as a viewer opens it)."""
    document = pypdfium2.PdfDocument(path, password="")
    return [document[index].get_textpage().get_text_bounded() for index in range(len(document))]


def test_the_example_packs_build_with_the_real_command(example_pack):
    folder = example_pack("harbourside-audit-2025-10-15")
    result = run_command(folder / "pack.yaml", "-o", folder / "out")
    assert result.returncode == 0, result.stderr
    assert "Built " in result.stdout
    assert len(list((folder / "out").glob("*.pdf"))) == 2


def test_build_is_the_same_as_the_bare_spec(pack, assemble):
    bare = assemble(pack / "pack.yaml", "-q", out=pack / "bare")
    named = run_command("build", pack / "pack.yaml", "-o", pack / "named", "-q")
    assert bare.code == named.returncode == 0, named.stderr
    assert [path.read_bytes() for path in sorted((pack / "named").iterdir())] == [
        path.read_bytes() for path in sorted((pack / "bare").iterdir())]


def test_help_names_every_command_and_only_example_packs_that_exist(capsys):
    from assembler.cli import COMMANDS, main
    from tests.conftest import ROOT

    assert main(["help"]) == 0
    text = capsys.readouterr().out
    usage = text.split("\n\n")[0]
    assert usage.startswith("usage: assemble [build] SPEC")
    assert all(name in usage for name in COMMANDS)
    examples = re.findall(r"packs/\S+", text)
    for command in COMMANDS:
        assert main(["help", command]) == 0
        shown = capsys.readouterr().out
        assert shown.startswith(f"usage: assemble {command}") and "example:\n  assemble " in shown
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert capsys.readouterr().out == shown
        examples += re.findall(r"packs/\S+", shown)
    assert len(examples) >= 5 and all((ROOT / path).exists() for path in examples), examples
    with pytest.raises(SystemExit) as refused:
        main(["help", "nonsense"])
    assert refused.value.code == 2 and "invalid choice: 'nonsense'" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["schema"], ["--help"], ["help", "publish"]], ids=" ".join)
def test_output_into_a_closed_pipe_ends_quietly(args):
    import os

    reader, writer = os.pipe()
    os.close(reader)  # the reader has gone before the first byte, as in `assemble schema | head -0`
    try:
        ended = subprocess.run([sys.executable, "-m", "assembler", *args], stdout=writer, stderr=subprocess.PIPE,
                               text=True, timeout=60)
    finally:
        os.close(writer)
    assert ended.returncode in (0, 141) and ended.stderr == ""


def test_publish_takes_the_builds_options_and_names_what_it_wrote(pack):
    quiet = run_command("publish", pack / "pack.yaml", "-o", pack / "site", "-q", "--no-cache", "--duplex")
    assert quiet.returncode == 0 and quiet.stdout == "", quiet.stderr
    told = run_command("publish", pack / "pack.yaml", "-o", pack / "site")
    assert told.returncode == 0, told.stderr
    written = sorted(str(path) for path in (pack / "site").glob("*/*"))
    assert len(written) == 6  # members' edition; public edition, front sheet, one item, index.html, meeting.json
    assert [line.strip() for line in told.stdout.splitlines()[1:]] == written


def test_a_command_leaves_no_temporary_files_and_removes_those_of_a_killed_one(pack, tmp_path, monkeypatch):
    """WeasyPrint copies the fonts it uses into a folder of the system's temporary
    directory and removes it only when its font configuration is collected, which a
    worker (or the command, leaving with ``os._exit``) never does: each build left
    megabytes of fonts behind.  A build (two workers and the command, the cache cold)
    now leaves the temporary directory as it found it, and removes the folder of an
    earlier command that was killed; a running command's folder is left alone."""
    system = tmp_path / "tmp"
    system.mkdir()
    monkeypatch.setenv("TMPDIR", str(system))
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    killed = system / f"assemble-scratch-{ended.pid}-x1"
    running = system / f"assemble-scratch-{subprocess.os.getpid()}-x2"
    for folder in killed, running:
        (folder / "weasyprint-fonts").mkdir(parents=True)
        (folder / "weasyprint-fonts" / "font").write_bytes(b"\0" * 1000)
    built = run_command(pack / "pack.yaml", "-o", tmp_path / "out", "-q")
    assert built.returncode == 0, built.stderr
    assert sorted(path.name for path in system.iterdir()) == [running.name]
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 2
