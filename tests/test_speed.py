"""Long packs: parts rendered in parallel and kept in a cache; a rebuild renders only what changed.

Timings are measured by bench/benchmark.py, never here: these tests pin the
behaviour that makes builds fast, not how fast they are.
"""

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, long_markdown, make_pdf, write_files

SPEC = """\
meeting:
  body: Planning Committee
  date: 2026-03-04
  time: "18:00"
  venue: Guildhall, Market Square, Ashby
agenda:
""" + "".join(f"  - title: Application {n}\n    paper: papers/app-{n}.md\n" for n in range(1, 7)) + """\
  - title: Enforcement appeal
    paper: papers/appeal.md
    private: true
    exempt_reason: Paragraph 6 of Schedule 12A
    appendices:
      - {title: Appendix A - Plans, file: papers/plans.pdf}
"""


@pytest.fixture
def pack(tmp_path):
    files = {"pack.yaml": SPEC, "papers/appeal.md": long_markdown("appeal", 4)}
    files.update({f"papers/app-{n}.md": long_markdown(f"app{n}", 3 + n) for n in range(1, 7)})
    write_files(tmp_path, files)
    make_pdf(tmp_path / "papers/plans.pdf", ["PLANS-1", "PLANS-2"])
    return tmp_path


def parts_line(stdout):
    match = re.search(r"in [\d.]+ s(?:, (\d+) of (\d+) parts from the cache)?:", stdout)
    return (int(match[1]), int(match[2])) if match[1] else (0, None)


def test_a_rebuild_renders_only_what_changed(pack, assemble):
    first = assemble(pack / "pack.yaml")
    assert first.code == 0 and parts_line(first.stdout) == (0, None)
    paper = pack / "papers/app-4.md"
    paper.write_text(paper.read_text().replace("START-app4", "START-app4 LATE-CHANGE-TOKEN"))
    second = assemble(pack / "pack.yaml")
    assert second.code == 0
    cached, total = parts_line(second.stdout)
    assert total - cached == 1, second.stdout  # the changed paper; its length, and so the agenda, stand
    assert "LATE-CHANGE-TOKEN" in " ".join(second.edition("members").texts)
    assert "LATE-CHANGE-TOKEN" in " ".join(second.edition("public").texts)


def test_a_longer_paper_rerenders_the_agenda_and_numbers_but_not_the_others(pack, assemble):
    assert assemble(pack / "pack.yaml").code == 0
    paper = pack / "papers/app-2.md"
    paper.write_text(paper.read_text() + "\n\n" + long_markdown("extra", 8))
    again = assemble(pack / "pack.yaml")
    cached, total = parts_line(again.stdout)
    assert total - cached == 4  # the paper, the agenda, and the two editions' page numbers
    members = again.edition("members")
    from tests.pdfs import agenda_ranges

    ranges = agenda_ranges(members, ["Application 3"])
    start = members.pages_with("START-app3")[0]
    assert ranges["Application 3"][0] == members.printed_number(start)


def test_a_corrupt_or_foreign_cache_entry_is_rebuilt_not_trusted(pack, assemble, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "own-cache"))
    first = assemble(pack / "pack.yaml")
    before = [" ".join(first.edition(name).texts) for name in ("members", "public")]
    cache = tmp_path / "own-cache" / "agenda-pack-assembler" / "parts"
    pdfs = sorted(cache.glob("*.pdf"))
    assert pdfs
    for path in pdfs[::2]:
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])  # truncated
    for path in sorted(cache.glob("*.json"))[1::2]:
        path.write_text(path.read_text().replace('"versions": {', '"versions": {"weasyprint": "0.1", '))
    for path in sorted(cache.glob("paper-*.pickle")):
        path.write_bytes(b"0" * 64 + b"not a pickle")
    second = assemble(pack / "pack.yaml")
    assert second.code == 0, second.stderr
    assert [" ".join(second.edition(name).texts) for name in ("members", "public")] == before
    cached, total = parts_line(second.stdout)
    assert total - cached >= len(pdfs[::2])


def test_the_cache_stays_under_its_limit_and_what_it_dropped_is_drawn_again(pack, assemble, tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "own-cache"))
    cache = tmp_path / "own-cache" / "agenda-pack-assembler" / "parts"

    def size():
        return sum(path.stat().st_size for path in cache.iterdir() if not path.name.startswith("."))

    assert assemble(pack / "pack.yaml", out=pack / "first").code == 0
    full = size()
    os.utime(cache / ".pruned", (0, 0))  # it was last pruned long ago
    monkeypatch.setenv("ASSEMBLE_CACHE_MB", str(full / 2 / 1024 / 1024))
    second = assemble(pack / "pack.yaml", out=pack / "second")
    assert second.code == 0 and parts_line(second.stdout)[0] == parts_line(second.stdout)[1]  # all from the cache
    assert size() <= full / 2
    third = assemble(pack / "pack.yaml", out=pack / "third")
    cached, total = parts_line(third.stdout)
    assert third.code == 0 and total - cached > 0
    assert [path.read_bytes() for path in sorted((pack / "third").iterdir())] == [
        path.read_bytes() for path in sorted((pack / "first").iterdir())]


@pytest.mark.parametrize("limit", ["inf", "-5", "lots"])
def test_a_nonsensical_cache_limit_is_the_default(pack, assemble, tmp_path, monkeypatch, limit):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "own-cache"))
    monkeypatch.setenv("ASSEMBLE_CACHE_MB", limit)
    assert assemble(pack / "pack.yaml").code == 0
    assert assemble(pack / "pack.yaml").code == 0


def test_a_cache_that_cannot_be_written_is_still_read(pack, assemble, tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "own-cache"))
    assert assemble(pack / "pack.yaml").code == 0

    def refuse(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(os, "utime", refuse)
    again = assemble(pack / "pack.yaml")
    cached, total = parts_line(again.stdout)
    assert again.code == 0 and cached == total


def test_no_cache_neither_reads_nor_writes_it(pack, assemble, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "own-cache"))
    cache = tmp_path / "own-cache" / "agenda-pack-assembler" / "parts"
    built = assemble(pack / "pack.yaml", "--no-cache")
    assert built.code == 0 and parts_line(built.stdout) == (0, None)
    assert not cache.exists() or not any(cache.iterdir())


def test_one_process_or_many_give_the_same_pack(pack):
    from assembler.build import build
    from assembler.render.jobs import Workers
    from tests.pdfs import read_edition

    texts = []
    for processes in (1, 2):
        with Workers(processes) as workers:
            result = build(pack / "pack.yaml", pack / f"out-{processes}", use_cache=False, workers=workers)
        texts.append([read_edition(path).texts for path in (result.members, result.public)])
    assert texts[0] == texts[1]


def test_the_same_spec_gives_the_same_bytes_from_scratch_or_from_the_cache(pack, assemble):
    """Reproducible editions: a rebuild that changed nothing changes no byte (nor a
    re-published file), and the leak check's page-text cache can recognise pages."""
    def editions(out):
        return {path.name: path.read_bytes() for path in sorted(out.glob("*.pdf"))}

    assert assemble(pack / "pack.yaml", "--no-cache", out=pack / "scratch").code == 0
    assert assemble(pack / "pack.yaml", out=pack / "first").code == 0
    assert assemble(pack / "pack.yaml", out=pack / "cached").code == 0
    scratch = editions(pack / "scratch")
    assert len(scratch) == 2
    assert editions(pack / "first") == scratch
    assert editions(pack / "cached") == scratch


def test_weasyprint_loads_without_searching_for_its_libraries():
    """ctypes' library search runs ldconfig, gcc and ld for every name WeasyPrint guesses:
    loading it must start no process (and still find HarfBuzz's subsetter)."""
    import ctypes.util

    if not ctypes.util.find_library("harfbuzz-subset"):  # then the search runs on purpose, to look for it
        pytest.skip("HarfBuzz's subsetter is not installed (Debian: libharfbuzz-subset0)")
    code = """
import subprocess
started = []
original = subprocess.Popen.__init__
def counting(self, *args, **kwargs):
    started.append(args[0] if args else kwargs.get("args"))
    original(self, *args, **kwargs)
subprocess.Popen.__init__ = counting
from assembler.render import load_weasyprint
load_weasyprint()
from weasyprint.text import ffi
print(len(started), ffi.harfbuzz_subset is not None)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.stdout.split() == ["0", "True"], result.stderr


def test_weasyprint_still_loads_where_only_the_library_search_finds_it():
    """Where the loader alone cannot load WeasyPrint's libraries, the search is used after all."""
    code = """
import sys
failed = []
class FailOnce:
    def find_spec(self, name, path=None, target=None):
        if name == "weasyprint.text.ffi" and not failed:
            failed.append(name)
            raise OSError("cannot load library 'libgobject-2.0-0'")
sys.meta_path.insert(0, FailOnce())
from assembler.render import load_weasyprint
load_weasyprint()
import weasyprint
print(failed, weasyprint.HTML(string="<p>x</p>").write_pdf()[:5])
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.stdout.strip() == "['weasyprint.text.ffi'] b'%PDF-'", result.stderr
    assert result.stdout.count("WeasyPrint could not import") == 0
