"""A private paper's files reach the public edition by no other name (a hard link, a copy,
a file an SVG draws, a house template or stylesheet); hidden Markdown is hidden however its
CSS is spelled; no members' edition goes into a folder `publish` wrote; a `file:` autolink
prints no local path.  (Issue 15, points 3, 5, 7 and 8: a held-out review's findings.)"""

import os
import re
import shutil

import pytest

from tests.conftest import write_files
from tests.pdfs import all_strings
from tests.test_no_route_out import CANARY, PRIVATE, SPEC, a_pack, carriers, files_under

MINIMAL_HEAD = SPEC.split("agenda:")[0]


def _svg(text):
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40"><text y="20">{text}</text></svg>'


def _frame(inner):
    return ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="300" '
            f'height="40"><image xlink:href="{inner}" width="300" height="40"/></svg>')


def _hard_link(folder, source, target):
    os.link(folder / source, folder / target)


def _copy(folder, source, target):
    shutil.copyfile(folder / source, folder / target)


def _pictures(folder, public_draws, private_draws, files, make=None):
    """The canary paper private, drawing ``private_draws``; the public paper drawing ``public_draws``."""
    write_files(folder, {"pack.yaml": SPEC + PRIVATE, "papers/street.md": f"The policy.\n\n![a chart]({public_draws})\n",
                         "papers/premises.md": f"The review.\n\n![the chart]({private_draws})\n", **files})
    if make:
        make(folder)


# (what the public paper draws, what the private one draws, files, how the public name is made)
REFUSED = {
    "a hard link of its chart": ("copy.svg", "chart.svg", {"papers/chart.svg": _svg(CANARY)},
                                 lambda f: _hard_link(f, "papers/chart.svg", "papers/copy.svg")),
    "a copy of its chart": ("copy.svg", "chart.svg", {"papers/chart.svg": _svg(CANARY)},
                            lambda f: _copy(f, "papers/chart.svg", "papers/copy.svg")),
    "a hard link of what its SVG draws": ("copy.svg", "frame.svg",
                                          {"papers/frame.svg": _frame("in%20ner.svg"),
                                           "papers/in ner.svg": _svg(CANARY)},
                                          lambda f: _hard_link(f, "papers/in ner.svg", "papers/copy.svg")),
    "a copy of the paper itself": ("chart.svg", "chart.svg", {"papers/chart.svg": _svg("A chart")},
                                   lambda f: _copy(f, "papers/premises.md", "papers/street.md")),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_private_papers_file_under_another_name_is_refused_in_one_line(tmp_path, assemble, case):
    public_draws, private_draws, files, make = REFUSED[case]
    _pictures(tmp_path, public_draws, private_draws, files)
    assert assemble(tmp_path / "pack.yaml").code == 0  # an earlier build, before the other name was made
    before = {path: path.read_bytes() for path in files_under(tmp_path / "out")}
    (tmp_path / "papers/copy.svg").unlink(missing_ok=True)
    make(tmp_path)
    built = assemble(tmp_path / "pack.yaml")
    lines = built.stderr.strip().splitlines()
    assert built.code == 2 and len(lines) == 1, built.stderr
    assert re.search(r"2\. Street trading policy \(street\.md\): papers/\S+ (is|has the same content as papers/[^,]+,) "
                     r"a file of the private paper 3\. Review of a premises licence \(premises\.md\)", lines[0]), lines
    assert {path: path.read_bytes() for path in files_under(tmp_path / "out")} == before


def test_what_a_private_papers_picture_draws_is_its_file_too(tmp_path, assemble):
    """The private paper draws frame.svg, which draws inner.svg: a public paper naming
    inner.svg gets nothing, with a warning."""
    _pictures(tmp_path, "inner.svg", "frame.svg", {"papers/frame.svg": _frame("inner.svg"),
                                                   "papers/inner.svg": _svg(CANARY)})
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    assert "inner.svg (a private paper's file, which no public part may show)" in built.stderr
    assert carriers(built.out.glob("*-public.pdf")) == []
    assert built.edition("members").pages_with(CANARY)  # the private paper still draws it


def test_a_house_template_or_stylesheet_holding_a_private_papers_file_is_refused(tmp_path, capsys):
    """A house template that is a hard link of a private paper; a house stylesheet that
    imports a stylesheet the private paper names in HTML the sanitiser drops."""
    from assembler.cli import main

    a_pack(tmp_path, private=True, extra="house:\n  templates: house\n")
    write_files(tmp_path, {"house/notice.html": '{% extends "base.html" %}{% block body %}<h1>Notice</h1>'
                                                '{% include "inc.html" %}{% endblock %}\n',
                           "house/inc.html": "<p>Our notice.</p>\n"})
    assert main(["publish", str(tmp_path / "pack.yaml"), "-o", str(tmp_path / "site"), "-q"]) == 0
    capsys.readouterr()
    before = {path: path.read_bytes() for path in files_under(tmp_path / "site")}
    (tmp_path / "house/inc.html").unlink()
    os.link(tmp_path / "papers/premises.md", tmp_path / "house/inc.html")
    assert main(["publish", str(tmp_path / "pack.yaml"), "-o", str(tmp_path / "site"), "-q"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("assemble: the house template inc.html: house/inc.html has the "
                                                   "same content as papers/premises.md, a file of the private paper"), lines
    (tmp_path / "house/inc.html").unlink()
    write_files(tmp_path, {"pack.yaml": SPEC + PRIVATE + "house:\n  stylesheet: house/house.css\n",
                           "house/house.css": '@import "../papers/pri\\76.css";\n',
                           "papers/priv.css": f'body::before {{ content: "{CANARY}" }}\n',
                           "papers/premises.md": 'The review.\n\n<link rel="stylesheet" href="priv.css">\n'})
    assert main(["publish", str(tmp_path / "pack.yaml"), "-o", str(tmp_path / "site"), "-q"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("assemble: the house stylesheet (house.css): papers/priv.css is a "
                                                   "file of the private paper"), lines
    assert {path: path.read_bytes() for path in files_under(tmp_path / "site")} == before
    assert carriers(files_under(tmp_path / "site/public")) == []


HIDDEN_STYLES = ["disp\\lay:none", "display:/**/none", "DISPLAY : None !important", "display: n\\6f ne",
                 "visibility: hid\\64 en", "Visibility:COLLAPSE", "display:none; color: red",
                 "display: none !important; display: block", "display: block; display: none",
                 "display: none; display: 3px"]


def test_markdown_hidden_by_css_however_spelled_is_left_out(tmp_path, assemble):
    """CSS as a browser reads it: escapes, comments, case, spaces, !important, the last
    valid declaration of a property winning."""
    hidden = "".join(f'<p style="{style}">{CANARY}-{index}</p>\n\n' for index, style in enumerate(HIDDEN_STYLES))
    shown = '<p style="display: none; display: block">Shown: the last display wins.</p>\n'
    write_files(tmp_path, {"pack.yaml": SPEC, "papers/street.md": f"The policy.\n\n{hidden}{shown}",
                           "papers/premises.md": "The review.\n"})
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    assert carriers(built.out.glob("*.pdf")) == []
    assert "Shown: the last display wins." in " ".join(built.edition("public").texts)
    assert f"{len(HIDDEN_STYLES)} hidden part(s) left out" in built.stderr


@pytest.mark.parametrize("out", ["site/public", "site", "site/members", "site/public/more"])
def test_no_build_writes_into_a_folder_publish_wrote(tmp_path, capsys, out):
    from assembler.cli import main

    a_pack(tmp_path, private=True)
    assert main(["publish", str(tmp_path / "pack.yaml"), "-o", str(tmp_path / "site"), "-q"]) == 0
    capsys.readouterr()
    before = {path: path.read_bytes() for path in files_under(tmp_path / "site")}
    assert main([str(tmp_path / "pack.yaml"), "-o", str(tmp_path / out), "-q"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "is in a folder assemble publish wrote" in lines[0], lines
    assert {path: path.read_bytes() for path in files_under(tmp_path / "site")} == before


def test_a_file_autolink_prints_the_files_name_not_its_folders(tmp_path, assemble):
    write_files(tmp_path, {"pack.yaml": SPEC, "papers/premises.md": "The review.\n",
                           "papers/street.md": "The policy: <file:///home/officer-home/Private%20Notes/secret.md> "
                                               "and [the minutes](FILE:///home/officer-home/minutes.docx).\n"})
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    text = " ".join(built.edition("public").texts)
    assert "The policy: secret.md and the minutes." in " ".join(text.split())
    for path in built.out.glob("*.pdf"):
        assert b"officer-home" not in all_strings(path) and "officer-home" not in text, path.name
    assert "left out file:///home/officer-home/Private%20Notes/secret.md (a link to a file" in built.stderr
