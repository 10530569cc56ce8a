"""`assemble new FOLDER`: a small, complete pack that builds at once, without warnings; never overwriting."""

import json

from tests.conftest import run_command
from tests.pdfs import read_edition


def test_a_new_pack_builds_at_once_with_no_warnings(tmp_path):
    made = run_command("new", "committee", cwd=tmp_path)
    assert made.returncode == 0 and made.stderr == "", made.stderr
    pack = tmp_path / "committee"
    spec = (pack / "pack.yaml").read_text()
    assert spec.splitlines()[0] == "# yaml-language-server: $schema=pack.schema.json"
    assert json.loads((pack / "pack.schema.json").read_text())["properties"]["meeting"]
    for name in ["venue/guidance.md", "venue/travel.md", "papers/03-premises-licence-review.md",
                 "papers/04-fees-and-charges.docx", "papers/05-enforcement-case.md"]:
        assert (pack / name).is_file() and f"wrote committee/{name}" in made.stdout, name
    assert "exempt_reason: Paragraph 7 of Part 1 of Schedule 12A" in spec
    checked = run_command("check", "pack.yaml", cwd=pack)
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr  # no deadline is missed
    built = run_command("pack.yaml", "-o", "out", cwd=pack)
    assert built.returncode == 0 and built.stderr == "", built.stderr
    (members,) = (pack / "out").glob("*-members.pdf")
    (public,) = (pack / "out").glob("*-public.pdf")
    members_text, public_text = (" ".join(read_edition(path).texts) for path in (members, public))
    for text in (members_text, public_text):
        assert "Guidance notes for members and visitors" in text and "Ayton station" in text
        assert "Review of the premises licence" in text and "Licensing fees and charges" in text
    assert "Purpose" in members_text and "For decision." in members_text  # the Markdown report's cover block
    assert "declined to comment" in members_text and "declined to comment" not in public_text


def test_new_never_overwrites(tmp_path):
    (tmp_path / "committee").mkdir()
    (tmp_path / "committee" / "pack.yaml").write_text("mine\n")
    refused = run_command("new", "committee", cwd=tmp_path)
    assert refused.returncode == 2
    (line,) = refused.stderr.splitlines()
    assert line.startswith("assemble: committee: already holds pack.yaml;") and "nothing was written" in line
    assert [path.name for path in (tmp_path / "committee").iterdir()] == ["pack.yaml"]
    assert (tmp_path / "committee" / "pack.yaml").read_text() == "mine\n"
