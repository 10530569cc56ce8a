"""No near-empty page: what a typesetter does with a part whose page would hold only a few
lines.  A picture at its natural size that leaves the page before it nearly empty is scaled
down a little to stay there (``fit_pictures``).  A paper whose last page would hold a line or
two is set a little closer (``body.tight`` in pack.css), which may save the page; failing
that, its last two pages are balanced: the page before breaks earlier, at a heading or
paragraph, so that the last page carries a fair share and the one before keeps enough.  All
work on a laid-out WeasyPrint document and its elements, as ``completeness.split_rows`` does;
the renderer lays the part out again after each."""

from weasyprint.css import AnonymousStyle
from weasyprint.formatting_structure.boxes import (
    BlockLevelBox, LineBox, ParentBox, ReplacedBox, TableCellBox, TableRowBox,
)

# A page of a paper whose content reaches less than this share of the text area's height
# down the page is near-empty (issue 19: "no page under 25 % full unless the source breaks
# there").
NEARLY_EMPTY = 0.25
# A picture is scaled down to stay on the page before to no less than this share of its size
SMALLEST_PICTURE = 0.6
SLACK = 16  # CSS px left above a scaled picture, and below it for what follows: the margins between
# Balancing aims the last page at this share, a line or two clear of NEARLY_EMPTY, and never
# leaves the page before with less than NEARLY_EMPTY.
BALANCED = 0.3
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
TRIES = 4  # break points tried, from the lowest up, before the layout is left as it was


def page_fill(page):
    """How far down its text area (0 to 1) the content of a WeasyPrint ``Page`` reaches: the
    bottom of its lowest line or picture, from the top of the page's content box, over the
    content box's height."""
    box = page._page_box
    bottoms = [child.position_y + child.margin_height() for child in box.children[0].descendants()
               if isinstance(child, (LineBox, ReplacedBox))]
    return (max(bottoms) - box.content_box_y()) / box.height if bottoms else 0.0


def nearly_empty(document):
    """Whether ``document`` (a WeasyPrint document) has two pages or more and its last one is
    under NEARLY_EMPTY full."""
    return len(document.pages) > 1 and page_fill(document.pages[-1]) < NEARLY_EMPTY


def break_points(document):
    """Where the page before the last of ``document`` could be broken instead, lowest first:
    [(element, share of the text area left above it, share of it that would move on)].

    A break point is an element's first box that begins on that page below its top: a
    paragraph, heading, list item, table or table row, never inside a table cell or an
    element kept whole (``break-inside: avoid``), never before an element the style keeps
    with the one above (``break-before: avoid``).  A break under a heading (or any element
    the style keeps with what follows, ``break-after: avoid``) moves up to take it along."""
    before = document.pages[-2]._page_box
    earlier = set()
    if len(document.pages) > 2:
        earlier = {id(box.element) for box in document.pages[-3]._page_box.descendants()}
    top, height = before.content_box_y(), before.height
    bottom = top + height * page_fill(document.pages[-2])
    flow = []  # (box, its top) of the page's block-level boxes, each element's first, in document order
    seen = set()

    def walk(box, kept_whole):
        for child in box.children if isinstance(box, ParentBox) else ():
            if isinstance(child, TableCellBox):
                continue
            whole = kept_whole or child.style["break_inside"] == "avoid"
            if isinstance(child, (BlockLevelBox, TableRowBox)) and not isinstance(child.style, AnonymousStyle) \
                    and child.element is not None and id(child.element) not in seen:
                seen.add(id(child.element))
                if id(child.element) not in earlier and not kept_whole:
                    flow.append((child, child.position_y))
            walk(child, whole)

    walk(before.children[0], False)
    points = []
    for index in range(len(flow) - 1, -1, -1):
        box, y = flow[index]
        while index > 0 and (flow[index - 1][0].element_tag in HEADINGS
                             or flow[index - 1][0].style["break_after"] == "avoid"):
            index -= 1
            box, y = flow[index]
        if y - top < 1 or box.style["break_before"] == "avoid":
            continue
        if not points or points[-1][0] is not box.element:
            points.append((box.element, (y - top) / height, (bottom - y) / height))
    return points


def balance(document, lay_out):
    """``document`` (a WeasyPrint document whose last page is near-empty) balanced: a forced
    break (``break-before: page`` in an element's style) set at the lowest break point that
    gives the last page BALANCED of the text area and leaves the page before NEARLY_EMPTY,
    and the paper laid out again with ``lay_out()``.  Kept only when the paper has as many
    pages as before and neither of its last two pages is near-empty; otherwise the next
    point up is tried (TRIES in all), then the document is returned as it was."""
    pages = len(document.pages)
    last = page_fill(document.pages[-1])
    fitting = [(element, moved) for element, left, moved in break_points(document)
               if left >= NEARLY_EMPTY and last + moved >= BALANCED and last + moved <= 0.95]
    for element, _ in fitting[:TRIES]:
        style = element.get("style")
        element.set("style", (style or "") + ";break-before:page")
        balanced = lay_out()
        if len(balanced.pages) == pages and min(map(page_fill, balanced.pages[-2:])) >= NEARLY_EMPTY:
            return balanced
        _restore(element, style)
    return document


def fit_pictures(document, lay_out):
    """``document`` (a WeasyPrint document) with the pictures that opened a page after a
    nearly empty one scaled down to stay on that page (a ``max-height`` in the element's
    style) and laid out again with ``lay_out()``; kept only when it has fewer nearly empty
    pages and no more pages, else ``document`` is returned as it was.

    A picture qualifies when it opens a page and the page before is nearly empty (under
    NEARLY_EMPTY): it was too tall for the room left there.  Only a picture at its natural
    size (no ``height`` attribute: Markdown's, or a Word picture whose size is unknown) is
    scaled, since a Word picture keeps the size its author gave it; and only to
    SMALLEST_PICTURE of its size or more.  When what follows it ends the part within a nearly
    empty page, room is kept for that too, so the part does not end with a line alone."""
    pages = document.pages
    changed = []
    for index in range(len(pages) - 1):
        if page_fill(pages[index]) >= NEARLY_EMPTY:
            continue
        before, after = pages[index]._page_box, pages[index + 1]._page_box
        pictures = [box for box in after.descendants() if isinstance(box, ReplacedBox)
                    and box.element is not None and box.element_tag == "img" and not box.element.get("height")]
        if not pictures or pictures[0].position_y - after.content_box_y() > SLACK:
            continue
        picture = pictures[0]
        line = next((box for box in after.descendants() if isinstance(box, LineBox) and picture in box.descendants()),
                    picture)
        room = before.height * (1 - page_fill(pages[index])) - SLACK - (line.margin_height() - picture.height)
        last = len(pages) - 1
        if index + 1 == last or (index + 2 == last and page_fill(pages[last]) < NEARLY_EMPTY):
            # what follows the picture to the part's end: the rest of its page, and a last page
            following = after.height * page_fill(pages[index + 1]) - (line.position_y + line.margin_height()
                                                                       - after.content_box_y())
            if index + 2 == last:
                following += pages[last]._page_box.height * page_fill(pages[last])
            room -= following + SLACK
        if room >= SMALLEST_PICTURE * picture.height:
            changed.append((picture.element, picture.element.get("style")))
            picture.element.set("style", (changed[-1][1] or "") + f";max-height:{room:.0f}px")
    if not changed:
        return document
    fitted = lay_out()
    if len(fitted.pages) <= len(pages) and _nearly_empty_pages(fitted) < _nearly_empty_pages(document):
        return fitted
    for element, style in changed:
        _restore(element, style)
    return document


def _nearly_empty_pages(document):
    return sum(page_fill(page) < NEARLY_EMPTY for page in document.pages)


def _restore(element, style):
    if style is None:
        del element.attrib["style"]
    else:
        element.set("style", style)
