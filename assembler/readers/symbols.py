"""Symbol-font characters as Unicode marks, and the characters no shipped font can draw.

Word keeps a tick inserted from Wingdings (Insert > Symbol) as ``w:sym``
with the font's own code (``F0FC``), and a character typed in a run set in
Wingdings as the letter it is stored as (``ü``).  Either prints as the mark
the font draws there: the code is looked up in mammoth's table of Symbol,
Wingdings, Wingdings 2 and 3 and Webdings (made from the Unicode
consortium's mapping), then, for a mark the shipped fonts cannot draw
(``🗶``, ``🡪``), the nearest one they can (``✘``, ``→``).

The pack ships Liberation Sans and DejaVu Sans (``assets/fonts``); a
character neither draws would come from whatever the machine has, so each
is named in a warning.
"""

import unicodedata
from functools import cache

from mammoth.docx.dingbats import dingbats

from assembler.render import ASSETS

SYMBOL_FONTS = {"symbol", "wingdings", "wingdings 2", "wingdings 3", "webdings"}
SHIPPED_FONTS = ("LiberationSans-Regular.ttf", "DejaVuSans.ttf")

# Marks the shipped fonts lack, and the nearest they draw
_NEAREST = {
    0x1F5F4: "✗", 0x1F5F5: "☒", 0x1F5F6: "✘", 0x1F5F7: "☒", 0x1F5F8: "✓", 0x1F5F9: "☑",
    0x1F5D9: "✖", 0x2BBD: "☒", 0x2BBE: "☒", 0x2BBF: "☒", 0x1F78E: "☐", 0x1F78F: "☐", 0x1F790: "☐",
    0x2B58: "○", 0x2B57: "◎", 0x1F7BC: "✗", 0x1F7C5: "✚",
}
_ARROWS = {"RIGHTWARDS": "→", "LEFTWARDS": "←", "UPWARDS": "↑", "DOWNWARDS": "↓",
           "NORTH EAST": "↗", "NORTH WEST": "↖", "SOUTH EAST": "↘", "SOUTH WEST": "↙"}


def symbol_character(font, code):
    """The Unicode mark that ``font`` (a Word font name) draws for ``code`` (an int, with or
    without Word's private-use F000 offset), as the shipped fonts can draw it; None if unknown."""
    font = (font or "").strip().title()
    point = dingbats.get((font, code))
    if point is None and 0xF000 <= code <= 0xF0FF:
        point = dingbats.get((font, code - 0xF000))
    if point is None:
        return None
    return _drawable(point)


def is_symbol_font(name):
    """Whether ``name`` (a Word font name) is a symbol font whose characters stand for marks."""
    return (name or "").strip().lower() in SYMBOL_FONTS


def _drawable(point):
    if point in shipped_characters():
        return chr(point)
    if point in _NEAREST:
        return _NEAREST[point]
    name = unicodedata.name(chr(point), "")
    if "ARROW" in name:
        for direction, arrow in _ARROWS.items():
            if direction in name:
                return arrow
    return chr(point)  # named by undrawable() in the paper's warnings


@cache
def shipped_characters():
    """Every code point the shipped fonts draw (a frozenset of ints)."""
    from fontTools.ttLib import TTFont

    points = set()
    for name in SHIPPED_FONTS:
        with TTFont(ASSETS / "fonts" / name, lazy=True) as font:
            points.update(font.getBestCmap())
    return frozenset(points)


def undrawable(text):
    """The characters of ``text`` that no shipped font draws (white space and controls aside), in order."""
    drawn = shipped_characters()
    found = []
    for character in dict.fromkeys(text):
        unreadable = character == "\ufffd"  # a character the source stores in a form nothing can read
        if (ord(character) not in drawn or unreadable) and not character.isspace() and unicodedata.category(
                character)[0] not in "CZ":
            found.append(character)
    return found


def describe(character):
    """``'🗶' (U+1F5F6 BALLOT BOLD SCRIPT X)``: a character as a warning names it."""
    return f"'{character}' (U+{ord(character):04X} {unicodedata.name(character, 'unnamed')})"


def undrawable_warnings(html):
    """One warning for the characters of a paper's HTML that no shipped font draws, or none."""
    from assembler.readers.html_clean import parse_fragment

    found = undrawable(parse_fragment(html).text_content()) if html.strip() else []
    if not found:
        return []
    return [f"no font the pack ships can draw {', '.join(map(describe, found[:5]))}"
            + (f" and {len(found) - 5} more" if len(found) > 5 else "") + "; it prints in a font of this machine"]
