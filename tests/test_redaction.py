"""The redaction check: a public paper whose "redaction" only hides words never reaches the public edition."""

from pathlib import Path

import pytest

from assembler.redaction import covered_in_paper
from tests.conftest import CORPUS, needs_corpus, run_command, write_files
from tests.pdfs import read_edition
from tests.redaction_inputs import (COMMENT, DRAWN_PAPERS, HARMLESS_HTML, HTML_PAPERS, NAME, SCAN,
                                    SEE_THROUGH_SCAN, drawn_pdf, html_pdf, word_paper)
from tests.test_spec import MINIMAL

SPEC = MINIMAL + """\
  - title: Licence review
    paper: papers/review.md
{flags}    appendices:
{appendices}"""
SHOWN = '"Mrs Jane S…"'  # the first words of NAME, the rest masked
WORD_WAYS = ["black highlight", "black shading", "white text", "tiny text", "shape over the words",
             "old-style shape over the words", "white text in a white text box"]
CAUSES = {  # how each way is named
    "black box": "under a black box on page 2", "picture": "under a picture on page 2",
    "white text": "in white text on white on page 2", "text the colour of its highlight": "text on dark on page 2",
    "text off the page": "outside the page on page 2", "invisible text": "in invisible text on page 1",
    "clipped text": "clipped away or see-through on page 1", "tiny text": "too small to read (0.6 pt) on page 1",
    "comment box": "under a black box (an annotation) on page 1",
    "text in a layer switched off": "in a layer that is switched off on page 1",
    "word black highlight": "highlighted in black", "word black shading": "shaded in black",
    "word white text": "in white text on white", "word tiny text": "too small to read (1 pt)",
    "word shape over the words": "in a paragraph under a black shape",  # Word lays it out: its paragraph is named
    "word old-style shape over the words": "in a paragraph under a black shape",
    "word white text in a white text box": "in white text on white",
}


def slug(way):
    return way.replace(" ", "-")


def write_pack(folder, ways, flags="", appendix_flags=None):
    """A pack whose item 2 has one appendix per way of hiding the name (``word …``: a Word file)."""
    papers = folder / "papers"
    papers.mkdir(parents=True, exist_ok=True)
    lines = []
    for way in ways:
        if way.startswith("word "):
            name = f"{slug(way)}.docx"
            word_paper(papers / name, way[len("word "):])
        elif way in DRAWN_PAPERS or way in SCANS:
            name = f"{slug(way)}.pdf"
            content = SCANS.get(way) or DRAWN_PAPERS[way]
            drawn_pdf(papers / name, content, (1190, 1684) if "scan" in way else None,
                      COMMENT if way == "comment box" else None)
        else:
            name = f"{slug(way)}.pdf"
            html_pdf(papers / name, {**HTML_PAPERS, **HARMLESS_HTML}[way])
        extra = (appendix_flags or {}).get(way, "")
        lines.append(f"      - {{title: Appendix {way}, file: papers/{name}{extra}}}\n")
    write_files(folder, {"pack.yaml": SPEC.format(flags=flags, appendices="".join(lines)),
                         "papers/review.md": "The licence review.\n"})
    return folder / "pack.yaml"


# the OCR layer under its picture (some scanners draw the words first, in plain text, and the scan over them)
_TEXT_UNDER_SCAN = ("BT /F1 14 Tf 43 790 Td (Licensing objections received) Tj 0 -300 Td (Mill Lane) Tj ET\n"
                    "q 595 0 0 842 0 0 cm /Im1 Do Q")
SCANS = {"scan": SCAN, "text under a scan": _TEXT_UNDER_SCAN, "see-through text over a scan": SEE_THROUGH_SCAN}
ALL_WAYS = list(HTML_PAPERS) + list(DRAWN_PAPERS) + [f"word {way}" for way in WORD_WAYS]


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """`assemble check` of a pack with every way of hiding words in public appendices."""
    spec = write_pack(tmp_path_factory.mktemp("covered"), ALL_WAYS)
    return run_command("check", spec)


@pytest.mark.parametrize("way", ALL_WAYS)
def test_each_way_of_hiding_words_is_refused_with_page_and_words(checked, way):
    assert checked.returncode == 2
    (line,) = [line for line in checked.stderr.splitlines() if f"({slug(way)}." in line]
    shown = '"The objector, M…"' if way.endswith("shape over the words") else SHOWN
    assert f"Appendix {way} (" in line and shown in line and CAUSES[way] in line, line
    assert NAME not in line  # the words after the first few are masked
    assert "redaction_checked: true" in line and "private" in line  # how to fix it


def test_a_build_with_covered_words_writes_nothing(tmp_path):
    spec = write_pack(tmp_path, ["black box with the words removed"])
    out = tmp_path / "out"
    assert run_command(spec, "-o", out, "-q").returncode == 0
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    html_pdf(tmp_path / "papers/black-box-with-the-words-removed.pdf", HTML_PAPERS["black box"])
    result = run_command(spec, "-o", out, "-q")
    assert result.returncode == 2
    assert f'{SHOWN} under a black box on page 2' in result.stderr and "Traceback" not in result.stderr
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_the_same_papers_made_private_build_without_complaint(tmp_path):
    spec = write_pack(tmp_path, ALL_WAYS, flags='    private: true\n    exempt_reason: "Paragraph 1 of Schedule 12A"\n')
    result = run_command(spec, "-o", tmp_path / "out", "-q")
    assert result.returncode == 0, result.stderr
    assert "cannot see" not in result.stderr


def test_redaction_checked_builds_with_a_warning_naming_what_it_let_through(tmp_path):
    spec = write_pack(tmp_path, ["black box", "word black highlight"], flags="    redaction_checked: true\n")
    result = run_command(spec, "-o", tmp_path / "out", "-q")
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "redaction_checked lets through" in line]
    assert len(warned) == 2 and all(SHOWN in line for line in warned)
    assert any("under a black box on page 2" in line for line in warned)


def test_redaction_checked_on_an_appendix_lets_through_that_appendix_alone(tmp_path):
    spec = write_pack(tmp_path, ["black box", "white text"], appendix_flags={"black box": ", redaction_checked: true"})
    result = run_command("check", spec)
    assert result.returncode == 2
    assert "(white-text.pdf)" in result.stderr and "(black-box.pdf): words a reader" not in result.stderr


def test_dark_headings_logos_charts_scans_and_proper_redactions_are_no_alarm(tmp_path):
    spec = write_pack(tmp_path, list(HARMLESS_HTML) + list(SCANS) + ["word dark table header",
                                                        "word hidden text", "word banner across the page",
                                                        "word white text on a black highlight",
                                                        "word white text in a dark text box",
                                                        "word white heading in a table style's dark row",
                                                        "word white text in a dark paragraph style"])
    result = run_command(spec, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "cannot see" not in result.stderr and "redaction" not in result.stderr
    (public,) = (tmp_path / "out").glob("*-public.pdf")
    text = "\n".join(read_edition(public).texts)
    # the name is in plain sight in all the Word papers (the text box's in its box) but the hidden text's:
    # hidden text in Word stays left out
    assert text.count("The objector,") == 7 and text.count(NAME) == 6
    assert covered_in_paper(public) == []


def test_markdown_cannot_hide_words(tmp_path):
    """Raw HTML that would hide words never leaves them hidden in the PDF: what its author
    hid (``display:none``, ``hidden``) is left out with a warning, the rest is sanitised and
    printed, for all to see."""
    tricks = ['<span style="display:none">HIDDEN-ONE</span>', '<span style="color:#fff">HIDDEN-TWO</span>',
              '<span style="font-size:0">HIDDEN-THREE</span>', '<p hidden>HIDDEN-FOUR</p>',
              '<font color="white">HIDDEN-FIVE</font>', '<div style="position:absolute;left:-999px">HIDDEN-SIX</div>',
              '<td style="color:white;background:white">HIDDEN-SEVEN</td>',
              '<span class="x" style="opacity:0">HIDDEN-EIGHT</span>']
    write_files(tmp_path, {"pack.yaml": SPEC.format(flags="", appendices="").replace("    appendices:\n", ""),
                           "papers/review.md": "The licence review.\n\n" + "\n\n".join(
                               f"<div>{trick}</div>" for trick in tricks) + "\n"})
    result = run_command(tmp_path / "pack.yaml", "-o", tmp_path / "out", "-q")
    assert result.returncode == 0, result.stderr
    assert "review.md" in result.stderr and "hidden" in result.stderr  # what was left out is said
    (public,) = (tmp_path / "out").glob("*-public.pdf")
    text = "\n".join(read_edition(public).texts)
    assert all(f"HIDDEN-{n}" in text for n in ("TWO", "THREE", "FIVE", "SIX", "SEVEN", "EIGHT"))
    assert b"HIDDEN-ONE" not in public.read_bytes() and "HIDDEN-ONE" not in text and "HIDDEN-FOUR" not in text
    assert covered_in_paper(public) == []  # and every word printed is seen


def test_publish_refuses_covered_words(tmp_path):
    spec = write_pack(tmp_path, ["word white text"])
    result = run_command("publish", spec, "-o", tmp_path / "publish")
    assert result.returncode == 2 and f"{SHOWN} in white text on white" in result.stderr
    assert not (tmp_path / "publish").exists()


def test_no_false_alarm_on_the_corpus_or_the_example_packs():
    papers = sorted((CORPUS / "pdf").glob("*.pdf")) + sorted((CORPUS / "docx").glob("*.docx"))  # when beside the repo
    papers += sorted(Path(__file__).parents[1].glob("packs/*/papers/*.*"))
    found = {}
    for paper in papers:
        try:
            covered = covered_in_paper(paper)
        except Exception as error:  # a file the readers refuse (password-protected) is never looked at
            if paper.suffix != ".pdf" or "password" not in str(error).lower():
                raise
            continue
        if covered:
            found[paper.name] = [str(c) for c in covered]
    assert found == {}


@needs_corpus
def test_a_strict_open_xml_word_file_is_looked_at_too(tmp_path):
    import zipfile

    strict = zipfile.ZipFile(CORPUS / "docx/mammoth-strict-format.docx")
    (tmp_path / "papers").mkdir()
    with zipfile.ZipFile(tmp_path / "papers/strict.docx", "w") as copy:
        for entry in strict.infolist():
            data = strict.read(entry.filename)
            if entry.filename == "word/document.xml":
                data = data.replace(b"<w:r>", b'<w:r><w:rPr><w:color w:val="FFFFFF"/></w:rPr>', 1)
            copy.writestr(entry, data)
    appendix = "      - {title: Strict, file: papers/strict.docx}\n"
    write_files(tmp_path, {"pack.yaml": SPEC.format(flags="", appendices=appendix),
                           "papers/review.md": "The licence review.\n"})
    result = run_command("check", tmp_path / "pack.yaml")
    assert result.returncode == 2 and '(strict.docx)' in result.stderr and "in white text on white" in result.stderr


def test_a_damaged_pdf_is_looked_at_as_the_reader_repaired_it(tmp_path):
    spec = write_pack(tmp_path, ["black box"])
    paper = tmp_path / "papers/black-box.pdf"
    paper.write_bytes(paper.read_bytes().replace(b"/Root", b"/Rxxx"))  # pdfium cannot open it as it is
    result = run_command("check", spec)
    assert result.returncode == 2 and f"{SHOWN} under a black box on page 2" in result.stderr


def test_words_a_house_stylesheet_hides_in_a_markdown_report_are_refused(tmp_path):
    """The sanitiser keeps a ``class``; a house stylesheet may make it a black box."""
    spec_text = SPEC.format(flags="", appendices="").replace("    appendices:\n", "").replace(
        "meeting:\n", "house:\n  stylesheet: house.css\nmeeting:\n")
    write_files(tmp_path, {"pack.yaml": spec_text, "house.css": ".redacted { color: black; background: black }",
                           "papers/review.md": f'The objector, <span class="redacted">{NAME}</span>, wrote in.\n'})
    result = run_command(tmp_path / "pack.yaml", "-o", tmp_path / "out", "-q")
    assert result.returncode == 2, result.stderr
    assert "2. Licence review, as the house style draws it: words a reader cannot see" in result.stderr
    assert f"{SHOWN} in black text on black on page 1" in result.stderr and not (tmp_path / "out").exists()
