"""Visual regression: pages of each example pack (cover, agenda, a report, a private page, a finished PDF's page,
the note's attendance) drawn by pdfium and compared with the references in tests/visual/.  A change to the look
that is meant: regenerate them with `.venv/bin/python tests/visual/regenerate.py` and review the new pictures."""

import pytest
from PIL import Image, ImageDraw

from tests.visual.pages import PAGES, build, differences, reference_path, render

CASES = [(pack, name) for pack, pages in PAGES.items() for name, _, _ in pages]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """{pack: {page name: picture}} for every example pack, built with the real command."""
    folder = tmp_path_factory.mktemp("visual")
    return {pack: render(build(pack, folder / pack), pack) for pack in PAGES}


@pytest.mark.parametrize("pack, name", CASES, ids=[f"{pack}:{name}" for pack, name in CASES])
def test_the_page_looks_as_its_reference(drawn, pack, name, tmp_path):
    picture = drawn[pack][name]
    with Image.open(reference_path(pack, name)) as reference:
        problems = differences(reference, picture)
    if problems:
        picture.save(tmp_path / f"{name}-drawn.png")
        shown = f"drawn now: {tmp_path / f'{name}-drawn.png'}; reference: {reference_path(pack, name)}"
        pytest.fail(f"{pack} {name} looks different ({shown}); if meant, run tests/visual/regenerate.py:\n"
                    + "\n".join(problems[:10]))


def test_the_references_are_small():
    for pack, name in CASES:
        assert reference_path(pack, name).stat().st_size < 16 * 1024, (pack, name)


def test_the_comparison_sees_a_change_and_forgives_anti_aliasing(drawn):
    page = drawn["lga-iib-2017-01-24"]["report"]
    assert differences(page, page.copy()) == []
    grey = bytearray(page.tobytes())
    for index in range(0, len(grey), 4):  # a quarter of the edges one grey lighter, as anti-aliasing differs
        if 0 < grey[index] < 238:
            grey[index] += 17
    softened = Image.frombytes("L", page.size, bytes(grey))
    assert differences(page, softened) == []
    marked = page.copy()
    ImageDraw.Draw(marked).rectangle((150, 200, 153, 203), fill=0)  # a mark a few pixels wide
    assert any("block at x 144, y 192" in problem for problem in differences(page, marked))
    moved = Image.new("L", page.size, 255)
    moved.paste(page, (0, 3))  # the page's content three pixels (2 mm) lower
    assert differences(page, moved)
    assert differences(page, page.resize((page.width, page.height + 1)))
