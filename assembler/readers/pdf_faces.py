"""The shipped faces that stand in for the fonts a finished PDF does not carry, and their metrics.

Shared by ``pdf_fonts`` (simple fonts) and ``pdf_cid_fonts`` (composite fonts):
the faces shipped in ``assets/fonts`` and the families and styles they stand
in for (``FACE_FILES``, ``SYMBOL_FACE``); the standard 14 names
(``STANDARD_NAMES``) whose AFM metrics stand in for missing widths and
descriptor values; the descriptor flags (§9.8.2); the encodings a simple font
may use (Annex D); each face's cmap, advance widths and descriptor values
(``face_info``); deterministic subsets of a face (``subset``,
``subset_bytes``); and the face a font's name and descriptor choose
(``clean_name``, ``_family``, ``style``).
"""

from __future__ import annotations

import functools
import io

import pikepdf
from pikepdf import Name

from assembler.render import ASSETS

FONTS = ASSETS / "fonts"


# --- the shipped faces -----------------------------------------------------------------

SANS, SERIF, MONO, SYMBOL, DINGBATS = "sans", "serif", "mono", "symbol", "dingbats"

# (family, bold, italic) -> (file in FONTS, the name reports give it): the faces text fonts are drawn in.
FACE_FILES = {
    (SANS, False, False): ("LiberationSans-Regular.ttf", "Liberation Sans"),
    (SANS, True, False): ("LiberationSans-Bold.ttf", "Liberation Sans Bold"),
    (SANS, False, True): ("LiberationSans-Italic.ttf", "Liberation Sans Italic"),
    (SANS, True, True): ("LiberationSans-BoldItalic.ttf", "Liberation Sans Bold Italic"),
    (SERIF, False, False): ("LiberationSerif-Regular.ttf", "Liberation Serif"),
    (SERIF, True, False): ("LiberationSerif-Bold.ttf", "Liberation Serif Bold"),
    (SERIF, False, True): ("LiberationSerif-Italic.ttf", "Liberation Serif Italic"),
    (SERIF, True, True): ("LiberationSerif-BoldItalic.ttf", "Liberation Serif Bold Italic"),
    (MONO, False, False): ("LiberationMono-Regular.ttf", "Liberation Mono"),
    (MONO, True, False): ("LiberationMono-Bold.ttf", "Liberation Mono Bold"),
    (MONO, False, True): ("LiberationMono-Italic.ttf", "Liberation Mono Italic"),
    (MONO, True, True): ("LiberationMono-BoldItalic.ttf", "Liberation Mono Bold Italic"),
}
# (file, name) of the face Symbol and ZapfDingbats, and characters the others lack, are drawn in.
SYMBOL_FACE = ("DejaVuSans.ttf", "DejaVu Sans")

# The standard 14 names (§9.6.2.2) whose AFM widths stand in for a missing /Widths.
STANDARD_NAMES = {
    (SANS, False, False): "Helvetica", (SANS, True, False): "Helvetica-Bold",
    (SANS, False, True): "Helvetica-Oblique", (SANS, True, True): "Helvetica-BoldOblique",
    (SERIF, False, False): "Times-Roman", (SERIF, True, False): "Times-Bold",
    (SERIF, False, True): "Times-Italic", (SERIF, True, True): "Times-BoldItalic",
    (MONO, False, False): "Courier", (MONO, True, False): "Courier-Bold",
    (MONO, False, True): "Courier-Oblique", (MONO, True, True): "Courier-BoldOblique",
    (SYMBOL, False, False): "Symbol", (DINGBATS, False, False): "ZapfDingbats",
}

# ZapfDingbats widths for codes 32-254, from Adobe's ZapfDingbats.afm (Core 14 AFM
# files): pypdf's copy of them is keyed by glyph names it reads as Latin characters.
_DINGBATS_WIDTHS = [
    278, 974, 961, 974, 980, 719, 789, 790, 791, 690, 960, 939, 549, 855, 911, 933, 911, 945, 974,
    755, 846, 762, 761, 571, 677, 763, 760, 759, 754, 494, 552, 537, 577, 692, 786, 788, 788, 790,
    793, 794, 816, 823, 789, 841, 823, 833, 816, 831, 923, 744, 723, 749, 790, 792, 695, 776, 768,
    792, 759, 707, 708, 682, 701, 826, 815, 789, 789, 707, 687, 696, 689, 786, 787, 713, 791, 785,
    791, 873, 761, 762, 762, 759, 759, 892, 892, 788, 784, 438, 138, 277, 415, 392, 392, 668, 668,
    0, 390, 390, 317, 317, 276, 276, 509, 509, 410, 410, 234, 234, 334, 334, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 732, 544, 544, 910, 667, 760, 760, 776, 595, 694, 626, 788,
    788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788,
    788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788, 788,
    788, 894, 838, 1016, 458, 748, 924, 748, 918, 927, 928, 928, 834, 873, 828, 924, 924, 917, 930,
    931, 463, 883, 836, 836, 867, 867, 696, 696, 874, 0, 874, 760, 946, 771, 865, 771, 888, 967,
    888, 831, 873, 927, 970, 918
]

# Symbol glyphs that the Adobe Glyph List puts in the private use area, or at
# code points DejaVu Sans lacks: the substitute's cmap is given these code points
# for the first of the listed characters that it draws.
_ALIASES = {
    0xF8E5: (0x203E,), 0xF8E6: (0x23D0, 0x2502), 0xF8E7: (0x23AF, 0x2500), 0xF8E8: (0x00AE,),
    0xF8E9: (0x00A9,), 0xF8EA: (0x2122,), 0xF8EB: (0x239B,), 0xF8EC: (0x239C,), 0xF8ED: (0x239D,),
    0xF8EE: (0x23A1,), 0xF8EF: (0x23A2,), 0xF8F0: (0x23A3,), 0xF8F1: (0x23A7,), 0xF8F2: (0x23A8,),
    0xF8F3: (0x23A9,), 0xF8F4: (0x23AA,), 0xF8F5: (0x23AE,), 0xF8F6: (0x239E,), 0xF8F7: (0x239F,),
    0xF8F8: (0x23A0,), 0xF8F9: (0x23A4,), 0xF8FA: (0x23A5,), 0xF8FB: (0x23A6,), 0xF8FC: (0x23AB,),
    0xF8FD: (0x23AC,), 0xF8FE: (0x23AD,), 0xF6D9: (0x00A9,), 0xF6DA: (0x00AE,), 0xF6DB: (0x2122,),
    0x2329: (0x27E8, 0x3008), 0x232A: (0x27E9, 0x3009),
}


def _alias(uv, cmap):
    """The character of ``cmap`` that draws ``uv`` when ``cmap`` lacks it, or None."""
    return next((other for other in _ALIASES.get(uv, ()) if other in cmap), None)


# Descriptor flags, ISO 32000-1 §9.8.2 Table 123.
FIXED_PITCH, SERIF_FLAG, SYMBOLIC, ITALIC, NONSYMBOLIC, FORCE_BOLD = 1, 2, 4, 64, 32, 1 << 18


# --- encodings (ISO 32000-1 Annex D) -------------------------------------------------------


@functools.cache
def encodings():
    """Code -> glyph name tables for the encodings a simple font may use (Annex D)."""
    from fontTools import agl
    from fontTools.encodings.MacRoman import MacRoman
    from fontTools.encodings.StandardEncoding import StandardEncoding
    from pypdf._codecs import _symbol_encoding, _zapfding_encoding

    def names(table):
        return [None if not name or name == ".notdef" else name for name in table]

    win = [None] * 256
    for code in range(32, 256):
        try:
            char = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            continue
        win[code] = name_for(ord(char), agl)
    win[0x7F] = None
    win[0xA0], win[0xAD] = "space", "hyphen"  # Annex D.2, notes 6 and 7
    mac = names(MacRoman)
    for code in range(32):
        mac[code] = None
    zapf_names = _zapf_names()
    symbol = [None] * 256
    dingbats = [None] * 256
    for code in range(32, 256):
        if _symbol_encoding[code] not in ("\x00", chr(code)) or 32 <= code < 127:
            symbol[code] = name_for(ord(_symbol_encoding[code]), agl)
        uv = ord(_zapfding_encoding[code])
        if uv != code or code == 32:
            dingbats[code] = zapf_names.get(uv) or name_for(uv, agl)
    return {
        "/StandardEncoding": names(StandardEncoding),
        "/WinAnsiEncoding": win,
        "/MacRomanEncoding": mac,
        SYMBOL: symbol,
        DINGBATS: dingbats,
    }


def name_for(uv, agl):
    """The glyph name of code point ``uv``: its Adobe Glyph List name (``agl`` is
    fontTools.agl), else ``uniXXXX`` or ``uXXXXXX``."""
    return agl.UV2AGL.get(uv) or (f"uni{uv:04X}" if uv <= 0xFFFF else f"u{uv:06X}")


@functools.cache
def _zapf_names():
    """Unicode -> ZapfDingbats glyph name (a1 ... a191), from Adobe's zapfdingbats.txt."""
    try:
        from pikepdf._data import CHARNAMES_TO_UNICODE
    except ImportError:  # pragma: no cover - only the names of codes given by /Differences are lost
        return {}
    return {ord(char): name[1:] for name, char in CHARNAMES_TO_UNICODE.items()
            if len(char) == 1 and name[1:2] == "a" and name[2:].isdigit()}


@functools.cache
def _zapf_unicode():
    return {name: uv for uv, name in _zapf_names().items()}


def unicode_of(glyph_name):
    """The Unicode character a glyph name stands for (Adobe Glyph List, uniXXXX), or None."""
    from fontTools import agl

    if not glyph_name or glyph_name == ".notdef":
        return None
    text = agl.toUnicode(glyph_name)
    if len(text) == 1:
        return ord(text)
    return _zapf_unicode().get(glyph_name)


# --- the fonts' faces and metrics ----------------------------------------------------------


@functools.cache
def face_info(file):
    """(cmap, advance widths in 1/1000 em, descriptor values, PostScript name) of a shipped face."""
    from fontTools.ttLib import TTFont

    font = TTFont(FONTS / file, recalcTimestamp=False, lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    best = font.getBestCmap()
    cmap = dict(best)
    for uv in _ALIASES:
        other = _alias(uv, best) if uv not in best else None
        if other is not None:
            cmap[uv] = best[other]
    hmtx = font["hmtx"].metrics
    advances = {uv: round(hmtx[glyph][0] * scale) for uv, glyph in cmap.items()}
    head, os2, post = font["head"], font["OS/2"], font["post"]
    descriptor = {
        "/FontBBox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        "/ItalicAngle": float(post.italicAngle),
        "/Ascent": round(os2.sTypoAscender * scale),
        "/Descent": round(os2.sTypoDescender * scale),
        "/CapHeight": round(getattr(os2, "sCapHeight", os2.sTypoAscender) * scale),
        "/StemV": 140 if os2.usWeightClass >= 600 else 80,
    }
    ps_name = font["name"].getDebugName(6) or file.rsplit(".", 1)[0]
    font.close()
    return cmap, advances, descriptor, ps_name


@functools.cache
def builtin_widths(family):
    """code -> width of Symbol or ZapfDingbats in its built-in encoding (§9.6.2.2, the AFM files)."""
    if family == DINGBATS:
        return dict(zip(range(32, 255), _DINGBATS_WIDTHS))
    from pypdf._codecs import _symbol_encoding

    widths = afm_widths("Symbol")
    return {code: widths[ord(char)] for code, char in enumerate(_symbol_encoding)
            if code >= 32 and ord(char) in widths}


@functools.cache
def afm_descriptor(standard_name):
    """The descriptor values of a standard 14 font (§9.8), from its AFM file: what viewers used."""
    try:
        from pypdf._codecs.core_font_metrics import CORE_FONT_METRICS
        afm = CORE_FONT_METRICS[standard_name].font_descriptor
        bbox = [round(v) for v in afm.bbox]
        ascent = round(afm.ascent) or bbox[3]  # Symbol's and ZapfDingbats' AFM files give none: their box
        return {"/FontBBox": bbox, "/ItalicAngle": float(afm.italic_angle), "/Ascent": ascent,
                "/Descent": round(afm.descent) or bbox[1], "/CapHeight": round(afm.cap_height) or ascent}
    except (ImportError, KeyError, AttributeError, TypeError, ValueError):
        return {}


@functools.cache
def afm_widths(standard_name):
    """Unicode -> width of a standard 14 font, from Adobe's AFM files (as pypdf ships them)."""
    try:
        from pypdf._codecs.core_font_metrics import CORE_FONT_METRICS
        widths = CORE_FONT_METRICS[standard_name].character_widths
    except (ImportError, KeyError, AttributeError):
        return {}
    return {ord(char): width for char, width in widths.items() if len(char) == 1}


def subset(face):
    """The subset of ``face`` holding its characters, as deterministic TrueType bytes."""
    return subset_bytes(face.file, tuple(sorted(face.unicodes)))


@functools.lru_cache(maxsize=64)  # most papers use the same few faces with the same encodings
def subset_bytes(file, unicodes):
    """The shipped face ``file`` subset to the sorted tuple ``unicodes`` (aliased characters
    included), as TrueType bytes made with fixed options and no timestamps."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(FONTS / file, recalcTimestamp=False)
    best = font.getBestCmap()
    wanted = set()
    for uv in unicodes:
        if uv in best:
            wanted.add(uv)
        elif _alias(uv, best) is not None:
            glyph = best[_alias(uv, best)]
            for table in font["cmap"].tables:
                if table.isUnicode():
                    table.cmap[uv] = glyph
            wanted.add(uv)
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "kern", "FFTM", "DSIG", "meta"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 13, 14]  # keeps the copyright and licence notices
    options.name_languages = [0x409]
    options.name_legacy = False
    options.notdef_outline = True
    options.glyph_names = True  # viewers may look a glyph up by its name in 'post' (§9.6.6.4)
    options.hinting = False  # halves the size; pdfium and poppler hint with FreeType's own
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(wanted))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    font.close()
    return out.getvalue()


# --- the face a font's name chooses --------------------------------------------------------


def clean_name(font):
    """The name a font dictionary's /BaseFont gives, without a subset tag, for choosing and reporting."""
    base = font.get("/BaseFont")
    try:
        name = str(base)[1:] if isinstance(base, Name) else ""
    except UnicodeDecodeError:  # a name in a legacy code page (GBK, Shift-JIS): written as in the file (§7.3.5)
        name = base.unparse().decode("latin-1")[1:]
    if len(name) > 7 and name[6] == "+" and name[:6].isalpha() and name[:6].isupper():
        name = name[7:]  # a subset tag (§9.6.4)
    return name or "(unnamed font)"


def _int(value, default=0):
    """``value`` (a PDF number or anything else) as an int, or ``default`` when it cannot be one."""
    try:
        return int(value)
    except (TypeError, ValueError, pikepdf.PdfError):
        return default


def _family(name, flags):
    """(family, known) for a font name: the family the substitute is chosen from."""
    key = "".join(ch for ch in name.lower() if ch.isalnum())
    if "dingbat" in key:
        return DINGBATS, True
    if key.startswith("symbol") or key in ("symbolmt", "standardsyml", "standardsymbolsps"):
        return SYMBOL, True
    for family, words in ((MONO, ("courier", "liberationmono", "cousine", "nimbusmono")),
                          (SERIF, ("times", "liberationserif", "tinos", "nimbusroman")),
                          (SANS, ("helvetica", "arial", "liberationsans", "arimo", "nimbussans"))):
        if any(word in key for word in words):
            return family, True
    if flags & FIXED_PITCH:
        return MONO, False
    if flags & SERIF_FLAG:
        return SERIF, False
    return SANS, False


def style(name, descriptor, flags):
    """(bold, italic) of a font, from its name and, where it has one, its descriptor and flags."""
    key = name.lower()
    bold = any(word in key for word in ("bold", "black", "heavy", "demi", "semibold"))
    italic = any(word in key for word in ("italic", "oblique", "slanted", "inclined"))
    if descriptor is not None:
        bold = bold or _int(descriptor.get("/FontWeight"), 400) >= 600 or bool(flags & FORCE_BOLD)
        try:
            angle = float(descriptor.get("/ItalicAngle", 0))
        except (TypeError, ValueError, pikepdf.PdfError):
            angle = 0
        italic = italic or bool(flags & ITALIC) or angle != 0
    return bold, italic
