import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from weasyprint import HTML

from assembler.cli import main
from assembler.scratch import use_scratch_folder

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"  # what the tests use of the shared seeds, copied in (data/README.md)
CORPUS = ROOT.parent / "shared" / "corpus"  # third-party files: beside the repo in CI, absent from a fresh clone
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="no ../shared/corpus beside the repo (third-party "
                                  "PDF and Word files; CI has them)")


def corpus_files(kind):
    """The corpus's ``kind`` files (``pdf``, ``docx``) sorted by name; one absent name
    when there is no corpus, so a parametrized test is listed and skipped by ``needs_corpus``."""
    return sorted((CORPUS / kind).glob(f"*.{kind}")) or [CORPUS / kind / f"absent.{kind}"]


def write_files(folder, files):
    """Write ``{relative path: text or bytes}`` under ``folder``."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return folder


def make_pdf(path, pages, size="A4"):
    """A finished PDF whose page ``n`` says ``pages[n]``, in the middle of the page."""
    body = "".join(f'<section style="break-after: page; padding-top: 40mm"><p>{text}</p></section>' for text in pages)
    html = f"<html><style>@page {{ size: {size}; margin: 20mm }} body {{ font: 14pt sans-serif }}</style>{body}</html>"
    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html).write_pdf(path)
    return path


def long_markdown(key, paragraphs, front_matter=None):
    """A Markdown paper that starts with START-key and ends with END-key.

    With ``front_matter`` (a YAML text) the START mark is the cover block's summary.
    """
    filler = " ".join(["The committee considered the matter in detail and agreed a way forward."] * 6)
    middle = "\n\n".join(f"{n}. {filler}" for n in range(1, paragraphs + 1))
    if front_matter is not None:
        return f"---\n{front_matter}\nsummary: START-{key}\n---\n{middle}\n\nEND-{key}\n"
    return f"START-{key}\n\n{middle}\n\nEND-{key}\n"


class Built:
    def __init__(self, folder, out, code, stdout, stderr):
        self.folder, self.out, self.code, self.stdout, self.stderr = folder, out, code, stdout, stderr

    def edition(self, name):
        from tests.pdfs import read_edition

        (path,) = self.out.glob(f"*-{name}.pdf")
        return read_edition(path)


@pytest.fixture
def assemble(capsys):
    """Run ``assemble`` in-process; returns a ``Built``."""

    def run(spec, *args, out=None):
        spec = Path(spec)
        out = Path(out) if out else spec.parent / "out"
        code = main([str(spec), "-o", str(out), *args])
        captured = capsys.readouterr()
        return Built(spec.parent, out, code, captured.out, captured.err)

    return run


def run_command(*args, cwd=None):
    """The real command, as an officer runs it."""
    command = [sys.executable, "-m", "assembler", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture
def example_pack(tmp_path):
    """A copy of one of the example packs in ``packs/``."""

    def copy(name):
        target = tmp_path / name
        shutil.copytree(ROOT / "packs" / name, target, ignore=shutil.ignore_patterns("*.pdf.out", "out"))
        return target

    return copy


@pytest.fixture(autouse=True, scope="session")
def _own_temporary_folder():
    """What the tests draw in this process (WeasyPrint's font copies) goes where the
    command's would, and is removed when the tests end."""
    use_scratch_folder()


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    """Each test session renders into a cache of its own, never the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))


def make_tagged_pdf(path, heading, alt):
    """A finished, tagged (PDF/UA) PDF: a heading, a paragraph and a picture with ``alt``."""
    import base64
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (30, 20), "#963").save(picture, "PNG")
    source = base64.b64encode(picture.getvalue()).decode()
    html = (f"<html lang='en-GB'><title>{heading}</title><h1>{heading}</h1><p>The appendix's own text.</p>"
            f"<img alt='{alt}' src='data:image/png;base64,{source}'></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html).write_pdf(path, pdf_variant="pdf/ua-1")
    return path
