"""The pages of the example packs kept as reference pictures, how they are drawn, and how two are compared.

Shared by tests/test_visual.py (which compares) and tests/visual/regenerate.py (which rewrites the references).
Each page is named by its printed label in the members' edition and a phrase it must hold, so a page that moved
is reported as moved rather than as a changed picture."""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DPI = 36
LEVELS = 16  # greys kept: enough to see any change, few enough for references of a few KB

# pack folder in packs/ -> [(reference name, printed page label, a phrase on that page)]
PAGES = {
    "lga-iib-2017-01-24": [
        ("cover", "i", "Improvement and Innovation Board"),
        ("agenda", "vi", "AGENDA"),
        ("report", "8", "Background"),
        ("private", "54", "NOT FOR PUBLICATION"),
        ("finished-pdf", "32", "Sector-Led Improvement for Care and Health"),
        ("attendance", "6", "In Attendance"),
    ],
    "harbourside-audit-2025-10-15": [
        ("cover", "i", "Audit and Governance Committee"),
        ("agenda", "v", "AGENDA"),
        ("report", "3", "Treasury management"),
        ("private", "12", "NOT FOR PUBLICATION"),
        ("finished-pdf", "6", "Revenue budget monitoring"),
        ("attendance", "1", "Present:"),
    ],
}

# a changed pixel differs by more than this (0-255); anti-aliasing shifts edges by less
PIXEL = 64
# a tile (TILE x TILE pixels) with more changed pixels than this is a visible change
TILE, TILE_PIXELS = 16, 6
# mean absolute difference per pixel (0-255) allowed over the whole page
MEAN = 1.0


def build(pack, out):
    """Build the example pack ``pack`` (a folder name in packs/) into ``out`` with the real command, rendering
    afresh into a cache beside ``out`` (never the user's); returns the members' edition's path.  Raises
    RuntimeError with the command's stderr if it fails."""
    environment = {**os.environ, "XDG_CACHE_HOME": str(Path(out).parent / "visual-cache")}
    result = subprocess.run([sys.executable, "-m", "assembler", str(ROOT / "packs" / pack / "pack.yaml"),
                             "-o", str(out), "-q"], capture_output=True, text=True, cwd=ROOT, timeout=600,
                            env=environment)
    if result.returncode != 0:
        raise RuntimeError(f"{pack} did not build: {result.stderr}")
    return next(Path(out).glob("*-members.pdf"))


def render(members, pack):
    """The members' edition ``members`` (a path) of example ``pack`` in; {reference name: greyscale PIL image at
    DPI, in LEVELS greys} out, for every page PAGES names.  Raises LookupError naming a page whose label is gone or which no
    longer holds its phrase."""
    import pypdf
    import pypdfium2

    labels = pypdf.PdfReader(members).page_labels
    document = pypdfium2.PdfDocument(members)
    pictures = {}
    try:
        for name, label, phrase in PAGES[pack]:
            if label not in labels:
                raise LookupError(f"{pack}: no page is labelled {label} ({name})")
            page = document[labels.index(label)]
            text = " ".join(page.get_textpage().get_text_range().split())
            if phrase not in text:
                raise LookupError(f"{pack}: page {label} ({name}) no longer holds {phrase!r}: the page moved")
            picture = page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
            step = 255 / (LEVELS - 1)
            pictures[name] = picture.point(lambda value: round(round(value / step) * step))
    finally:
        document.close()
    return pictures


def reference_path(pack, name):
    """Where the reference picture of page ``name`` of ``pack`` is kept."""
    return HERE / pack / f"{name}.png"


def differences(reference, drawn):
    """Two greyscale PIL images in; a list of what differs beyond anti-aliasing out (empty: the same look).
    Different sizes, a mean absolute difference per pixel over MEAN, or any TILE x TILE block holding more than
    TILE_PIXELS pixels changed by more than PIXEL, each with where it is."""
    from PIL import ImageChops

    if reference.size != drawn.size:
        return [f"size {drawn.size[0]} x {drawn.size[1]} px, the reference is {reference.size[0]} x {reference.size[1]}"]
    delta = ImageChops.difference(reference.convert("L"), drawn.convert("L"))
    histogram = delta.histogram()
    mean = sum(value * count for value, count in enumerate(histogram)) / (delta.size[0] * delta.size[1])
    problems = [f"mean difference {mean:.2f} per pixel (at most {MEAN})"] if mean > MEAN else []
    changed = delta.point(lambda value: 255 if value > PIXEL else 0)
    width, height = changed.size
    for top in range(0, height, TILE):
        for left in range(0, width, TILE):
            tile = changed.crop((left, top, min(left + TILE, width), min(top + TILE, height)))
            count = tile.histogram()[255]
            if count > TILE_PIXELS:
                problems.append(f"{count} pixels changed in the block at x {left}, y {top} (px at {DPI} dpi)")
    return problems
