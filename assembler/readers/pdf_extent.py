"""Where each page of a finished PDF draws: the box of its marks, measured by drawing it.

The binder lays the pack's furniture (the printed number, the item label, the
Part 2 marking) in bands at a finished page's foot and head, and moves or
scales the page's drawing only as far as its own marks reach into them
(``bind.merge``).  So it must know where the marks are: the page is drawn with
pdfium, small, as it shows (its /Rotate applied), and the box of every pixel
darker than the paper is taken.  A white background (a slide's, a word
processor's page fill) is paper, not content; a tint or a picture to the edge
is content.  Drawing sees what a viewer sees: clipped, covered and invisible
text do not count.
"""

import pypdfium2

SCALE = 0.5  # pixels a point: 36 dpi, a pixel 0.7 mm
MAX_PIXELS = 2000  # on a page's longer side, for very large pages
PAPER = 250  # a grey (0-255) this light or lighter is the paper


def drawn_boxes(data):
    """The box of the marks each page of ``data`` (PDF bytes) shows: a list, one per page, of
    ``(left, bottom, right, top)`` in points on the page as it shows (origin at its lower
    left corner, rotation applied), widened by a pixel each way; None for a blank page.
    Raises what pypdfium2 raises on a file it cannot open or a page it cannot draw."""
    document = pypdfium2.PdfDocument(data)
    try:
        return [_drawn_box(document[index]) for index in range(len(document))]
    finally:
        document.close()


def _drawn_box(page):
    try:
        width, height = page.get_size()  # as it shows
        scale = min(SCALE, MAX_PIXELS / max(width, height, 1.0))
        image = page.render(scale=scale, grayscale=True, draw_annots=False, may_draw_forms=False).to_pil()
        found = image.convert("L").point(lambda grey: 255 if grey < PAPER else 0).getbbox()
    finally:
        page.close()
    if found is None:
        return None
    left, top, right, bottom = found  # pixels, from the top left corner
    pixel = 1 / scale
    return (max(0.0, (left - 1) * pixel), max(0.0, height - (bottom + 1) * pixel),
            min(width, (right + 1) * pixel), min(height, height - (top - 1) * pixel))
