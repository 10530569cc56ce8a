"""Pictures: the ones the spec names (the logo, the venue's map) refused early if they
cannot be drawn, and any raster picture (a paper's) judged by its pixels before it is drawn.

WeasyPrint leaves out a picture it cannot read without a word; the officer
should hear of it before the pack goes out, naming the file.
"""

import io

from lxml import etree
from PIL import Image, UnidentifiedImageError

from assembler.opened import read_checked, unreadable

MAX_PIXELS = 40_000_000  # a map or logo larger than this is a mistake (or a decompression bomb)


def picture_problem(path, data=None):
    """Why the picture at ``path`` (``data``: its bytes; by default read from ``path``, once,
    where the spec confined it) cannot be drawn (or read), or None."""
    try:
        data = read_checked(path) if data is None else data
    except OSError as error:
        return unreadable(error)
    if path.suffix.lower() == ".svg":
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as error:
            return f"is not a readable SVG picture ({error})"
        return None if root.tag.endswith("svg") else "is not an SVG picture"
    try:
        with Image.open(io.BytesIO(data)) as picture:
            if picture.width * picture.height > MAX_PIXELS:
                return f"is {picture.width} x {picture.height} pixels; pictures may have at most {MAX_PIXELS:,}"
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        return f"is not a picture we can print ({error})"
    return None


def too_many_pixels(data):
    """Why the raster picture in ``data`` (bytes) is too large to draw: more than
    ``MAX_PIXELS``, read from its header alone (decoding it is what a bomb aims at); or
    None, also for what is not a raster picture (an SVG, a stylesheet, a font: WeasyPrint
    draws or refuses those itself) or a damaged one."""
    too_many = f"a picture of more than {MAX_PIXELS:,} pixels, the most a picture may have"
    try:
        with Image.open(io.BytesIO(data)) as picture:  # reads the header only
            width, height = picture.size
    except Image.DecompressionBombError:  # Pillow's own limit, higher than ours
        return too_many
    except Exception:  # noqa: BLE001 - not a raster picture, or a damaged one
        return None
    return too_many if width * height > MAX_PIXELS else None
