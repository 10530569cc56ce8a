"""Embed shipped substitutes for the fonts a finished PDF uses but does not carry.

A finished paper may name a font without carrying its program: the standard
14 fonts (Helvetica, Times, Courier, Symbol, ZapfDingbats; ISO 32000-1
§9.6.2.2), or a system font such as Arial or Times New Roman whose
descriptor (§9.8) has no /FontFile, /FontFile2 or /FontFile3.  Each viewer
then draws that text in whatever it finds, and the pack would carry an
unembedded font; the pack promises every font embedded.

``embed_missing_fonts`` turns every such simple font (/Type1, /MMType1,
/TrueType) into an embedded /TrueType font drawn by a metric-compatible face
that we ship in ``assets/fonts``: Liberation Sans for Helvetica and Arial,
Liberation Serif for Times and Times New Roman, Liberation Mono for Courier,
DejaVu Sans for Symbol and ZapfDingbats.  What the page says and where each
glyph stands do not change:

* the character codes in the content streams are untouched, and so is the
  font's /ToUnicode;
* /Widths are kept where the font has them; where it has none (the standard
  14 fonts, §9.6.2.2) they are written from the fonts' published metrics
  (Adobe's AFM files, as pypdf ships them), which Liberation matches, or from
  the substitute's own advance widths for any other name;
* the encoding is kept where a TrueType font may carry it (§9.6.6.4: a
  nonsymbolic TrueType font names /WinAnsiEncoding or /MacRomanEncoding,
  optionally with /Differences).  A Type1 font's built-in encoding
  (StandardEncoding for the standard text fonts, the Symbol and ZapfDingbats
  encodings for those two; §9.6.6.1-§9.6.6.2) cannot be named by a TrueType
  font, so it is written out as a /Differences array over /WinAnsiEncoding.
  Viewers then find each glyph by name, through the Adobe Glyph List, in the
  substitute's (3,1) Unicode cmap (§9.6.6.4), so the descriptor is marked
  nonsymbolic (§9.8.2, Table 123).  Symbol and ZapfDingbats codes are named
  by their Unicode characters (``alpha``, ``uni2714``), which DejaVu Sans draws.

Each substitute face is embedded once per PDF, as a subset holding the
glyphs that the encodings of the fonts drawn in it can reach, made with fixed
fontTools options and no timestamps, so the same input gives the same bytes.

A simple font whose /Encoding is a name outside §9.6.6.1 Table 114 (such
as /Winng) is read, as viewers read it, as if it named none: its built-in
encoding (``_known_encoding``).

A composite (Type0) font whose CIDFont (§9.7.4) is not embedded selects its
glyphs by CID, which no substitute can match by itself; but where the font
has a /ToUnicode CMap (§9.10.3) and its /Encoding is Identity-H/V or an
embedded CMap stream (§9.7.5), each CID's character is known.  Its CIDFont
then becomes a CIDFontType2 drawn by the shipped face chosen by name (with
DejaVu Sans merged in for characters it lacks), with a /CIDToGIDMap stream
(§9.7.4.2) sending each CID to the glyph of its character; /W and /DW are
kept, so every glyph stays where it was.  Characters no shipped face draws
(emoji, say) are sent to glyph 0 and named in the report.  A Type0 font with
no /ToUnicode, or with a predefined CMap other than Identity (not shipped
here), is left as it is.  Those, and any font dictionary too damaged to
rewrite, are returned in ``left`` so that the caller can warn.  Type3 fonts draw themselves and count
as embedded (their glyph procedures' resources are still searched).
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import re
import zlib
from dataclasses import dataclass, field
from typing import NamedTuple

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from assembler.render import ASSETS

FONTS = ASSETS / "fonts"
MAX_DEPTH = 24  # nesting of forms, patterns and appearance streams followed from a page

logger = logging.getLogger(__name__)


class FontEmbedding(NamedTuple):
    """What ``embed_missing_fonts`` did: fonts now drawn by a shipped substitute
    ("Helvetica-Bold (drawn in Liberation Sans Bold)"), and fonts still not
    embedded, with the reason ("Arial (Type0, not embedded: ...)")."""

    substituted: list[str]
    left: list[str]


# --- the shipped faces -----------------------------------------------------------------

SANS, SERIF, MONO, SYMBOL, DINGBATS = "sans", "serif", "mono", "symbol", "dingbats"

_FACE_FILES = {
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
_SYMBOL_FACE = ("DejaVuSans.ttf", "DejaVu Sans")

# The standard 14 names (§9.6.2.2) whose AFM widths stand in for a missing /Widths.
_STANDARD_NAMES = {
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


@dataclass
class _Face:
    """One shipped face as used in this PDF: the Unicode characters to keep."""

    file: str
    label: str
    unicodes: set = field(default_factory=set)
    stream: Stream | None = None
    base_name: str = ""


@dataclass
class _Plan:
    """What one font dictionary becomes; applied only when every part is known."""

    font: Dictionary
    name: str
    face: _Face
    encoding: object  # a Name, a Dictionary, or None to keep the font's own
    widths: tuple | None  # (first, last, [widths]) or None to keep the font's own
    descriptor: Dictionary | None


# --- encodings (ISO 32000-1 Annex D) -------------------------------------------------------


@functools.cache
def _encodings():
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
        win[code] = _name_for(ord(char), agl)
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
            symbol[code] = _name_for(ord(_symbol_encoding[code]), agl)
        uv = ord(_zapfding_encoding[code])
        if uv != code or code == 32:
            dingbats[code] = zapf_names.get(uv) or _name_for(uv, agl)
    return {
        "/StandardEncoding": names(StandardEncoding),
        "/WinAnsiEncoding": win,
        "/MacRomanEncoding": mac,
        SYMBOL: symbol,
        DINGBATS: dingbats,
    }


def _name_for(uv, agl):
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


def _unicode_of(glyph_name):
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
def _face_info(file):
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
def _builtin_widths(family):
    """code -> width of Symbol or ZapfDingbats in its built-in encoding (§9.6.2.2, the AFM files)."""
    if family == DINGBATS:
        return dict(zip(range(32, 255), _DINGBATS_WIDTHS))
    from pypdf._codecs import _symbol_encoding

    widths = _afm_widths("Symbol")
    return {code: widths[ord(char)] for code, char in enumerate(_symbol_encoding)
            if code >= 32 and ord(char) in widths}


@functools.cache
def _afm_descriptor(standard_name):
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
def _afm_widths(standard_name):
    """Unicode -> width of a standard 14 font, from Adobe's AFM files (as pypdf ships them)."""
    try:
        from pypdf._codecs.core_font_metrics import CORE_FONT_METRICS
        widths = CORE_FONT_METRICS[standard_name].character_widths
    except (ImportError, KeyError, AttributeError):
        return {}
    return {ord(char): width for char, width in widths.items() if len(char) == 1}


def _subset(face):
    """The subset of ``face`` holding its characters, as deterministic TrueType bytes."""
    return _subset_bytes(face.file, tuple(sorted(face.unicodes)))


@functools.lru_cache(maxsize=64)  # most papers use the same few faces with the same encodings
def _subset_bytes(file, unicodes):
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


# --- which fonts, and what they become -----------------------------------------------------


def _clean_name(font):
    base = font.get("/BaseFont")
    try:
        name = str(base)[1:] if isinstance(base, Name) else ""
    except UnicodeDecodeError:  # a name in a legacy code page (GBK, Shift-JIS): written as in the file (§7.3.5)
        name = base.unparse().decode("latin-1")[1:]
    if len(name) > 7 and name[6] == "+" and name[:6].isalpha() and name[:6].isupper():
        name = name[7:]  # a subset tag (§9.6.4)
    return name or "(unnamed font)"


def _int(value, default=0):
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


def _style(name, descriptor, flags):
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


def _differences(value):
    """code -> glyph name from a /Differences array (§9.6.6.1, Table 114)."""
    result = {}
    code = None
    for item in value if isinstance(value, Array) else ():
        if isinstance(item, Name):
            if code is not None and 0 <= code < 256:
                result[code] = str(item)[1:]
            code = None if code is None else code + 1
        else:
            code = _int(item, None)
    return result


# The encodings a simple font may name (§9.6.6.1, Table 114; Annex D).
_ENCODING_NAMES = ("/StandardEncoding", "/WinAnsiEncoding", "/MacRomanEncoding", "/MacExpertEncoding")


def _known_encoding(encoding):
    """A simple font's /Encoding with an unknown name read as absent (§9.6.6.1), as viewers do.

    In: the /Encoding value.  Out: the same value; None for a name outside Table 114
    (such as /Winng); for a /Differences dictionary whose /BaseEncoding is such a
    name, a copy without it, so that the font's built-in encoding is the base.
    """
    if isinstance(encoding, Name) and str(encoding) not in _ENCODING_NAMES:
        return None
    if isinstance(encoding, Dictionary):
        base = encoding.get("/BaseEncoding")
        if isinstance(base, Name) and str(base) not in _ENCODING_NAMES:
            return Dictionary({key: value for key, value in encoding.items() if key != "/BaseEncoding"})
    return encoding


def _effective_encoding(font, family):
    """(code -> glyph name, output /Encoding or None to keep the font's own).

    §9.6.6.1-§9.6.6.2 for the encoding a viewer applies; §9.6.6.4 for what a
    TrueType font may say: /MacRomanEncoding or /WinAnsiEncoding, with /Differences.
    An encoding name outside Table 114 (/Winng) is read as none (``_known_encoding``).
    """
    tables = _encodings()
    written = font.get("/Encoding")
    encoding = _known_encoding(written)
    builtin = DINGBATS if family == DINGBATS else SYMBOL if family == SYMBOL else "/StandardEncoding"
    if family in (SYMBOL, DINGBATS):  # read by their built-in encodings, whatever base they name
        base, differences = tables[builtin], {}
        if isinstance(encoding, Dictionary):
            differences = _differences(encoding.get("/Differences"))
        codes = dict(enumerate(base))
        codes.update(differences)
        return codes, "rebuild"
    if isinstance(encoding, Name) and str(encoding) in ("/WinAnsiEncoding", "/MacRomanEncoding"):
        return dict(enumerate(tables[str(encoding)])), None
    if isinstance(encoding, Dictionary):
        base_name = encoding.get("/BaseEncoding")
        base_name = str(base_name) if isinstance(base_name, Name) else None
        if base_name not in (None, "/StandardEncoding", "/WinAnsiEncoding", "/MacRomanEncoding"):
            raise ValueError(f"its encoding {base_name} cannot be carried by a TrueType font")
        if base_name is None:
            base_name = "/StandardEncoding" if font.get("/Subtype") != Name.TrueType else "/WinAnsiEncoding"
        codes = dict(enumerate(tables[base_name]))
        codes.update(_differences(encoding.get("/Differences")))
        keep = base_name in ("/WinAnsiEncoding", "/MacRomanEncoding")
        if keep:  # kept, but without an unknown /BaseEncoding
            return codes, None if encoding is written else encoding
        return codes, "rebuild"
    if encoding is None:
        if font.get("/Subtype") == Name.TrueType:
            # §9.6.6.4 gives no base for a nonsymbolic TrueType font without one;
            # viewers read its codes as WinAnsi, and so do we, saying so.
            return dict(enumerate(tables["/WinAnsiEncoding"])), Name.WinAnsiEncoding
        return dict(enumerate(tables["/StandardEncoding"])), "rebuild"
    if isinstance(encoding, Name) and str(encoding) == "/StandardEncoding":
        return dict(enumerate(tables["/StandardEncoding"])), "rebuild"
    raise ValueError(f"its encoding {encoding!r} cannot be carried by a TrueType font")


def _differences_over_winansi(codes):
    """/Encoding for a TrueType font: /WinAnsiEncoding with /Differences making it ``codes``."""
    win = _encodings()["/WinAnsiEncoding"]
    array = Array()
    previous = None
    for code in range(256):
        want = codes.get(code)
        if want == win[code]:
            continue
        if previous != code - 1:
            array.append(code)
        array.append(Name("/" + (want or ".notdef")))
        previous = code
    return Dictionary(Type=Name.Encoding, BaseEncoding=Name.WinAnsiEncoding, Differences=array)


def _symbol_names(codes):
    """The names the substitute is searched by: AGL names or uniXXXX (§9.6.6.4)."""
    from fontTools import agl

    named = {}
    for code, name in codes.items():
        uv = _unicode_of(name)
        named[code] = _name_for(uv, agl) if uv is not None else name
    return named


def _kept_widths(font):
    first = font.get("/FirstChar")
    widths = font.get("/Widths")
    if not isinstance(widths, Array) or len(widths) == 0 or _int(first, None) is None:
        return False
    return all(_is_number(width) for width in widths)


def _is_number(value):
    try:
        float(value)
        return True
    except (TypeError, ValueError, pikepdf.PdfError):
        return False


def _plan(font, faces):
    """What ``font`` becomes, or ValueError saying why it cannot be rewritten."""
    name = _clean_name(font)
    descriptor = font.get("/FontDescriptor")
    if descriptor is not None and not isinstance(descriptor, Dictionary):
        raise ValueError("its /FontDescriptor is not a dictionary")
    flags = _int(descriptor.get("/Flags"), 0) if descriptor is not None else 0
    family, known = _family(name, flags)
    if family in (SYMBOL, DINGBATS):
        bold = italic = False
        file, label = _SYMBOL_FACE
    else:
        bold, italic = _style(name, descriptor, flags)
        file, label = _FACE_FILES[(family, bold, italic)]
    cmap, advances, values, _ = _face_info(file)

    codes, encoding = _effective_encoding(font, family)
    builtin = {}
    if family in (SYMBOL, DINGBATS):  # codes still naming the built-in glyph keep its AFM width
        table, widths = _encodings()[family], _builtin_widths(family)
        builtin = {code: widths[code] for code, glyph in codes.items() if glyph == table[code] and code in widths}
        codes = _symbol_names(codes)
    if encoding == "rebuild":
        encoding = _differences_over_winansi(codes)
    unicodes = {code: _unicode_of(glyph) for code, glyph in codes.items() if glyph}

    widths = None
    if not _kept_widths(font):
        afm = _afm_widths(_STANDARD_NAMES.get((family, bold, italic), "")) if known else {}
        defined = sorted(code for code, uv in unicodes.items() if uv is not None)
        if not defined:
            raise ValueError("it has no /Widths and its encoding names no glyph")
        first, last = defined[0], defined[-1]
        row = []
        for code in range(first, last + 1):
            uv = unicodes.get(code)
            if code in builtin:
                row.append(builtin[code])
            else:
                row.append(afm.get(uv, advances.get(uv, 0)) if uv is not None else 0)
        widths = (first, last, row)

    new_descriptor = Dictionary()
    if descriptor is not None:
        for key, value in descriptor.items():
            if key not in ("/FontFile", "/FontFile2", "/FontFile3", "/CharSet", "/CIDSet"):
                new_descriptor[key] = value
    standard = _afm_descriptor(_STANDARD_NAMES.get((family, bold, italic), "")) if known else {}
    for key, value in {**values, **standard}.items():
        if key not in new_descriptor:
            new_descriptor[key] = Array(value) if isinstance(value, list) else value
    new_flags = (flags & ~SYMBOLIC) | NONSYMBOLIC
    if family == MONO:
        new_flags |= FIXED_PITCH
    if family == SERIF:
        new_flags |= SERIF_FLAG
    if italic:
        new_flags |= ITALIC
    new_descriptor["/Type"] = Name.FontDescriptor
    new_descriptor["/Flags"] = new_flags
    face = faces.setdefault(file, _Face(file=file, label=label))
    face.unicodes.update(uv for uv in unicodes.values() if uv is not None and uv in cmap)
    return _Plan(font=font, name=name, face=face, encoding=encoding, widths=widths, descriptor=new_descriptor)


def _apply(pdf, plan):
    font, face = plan.font, plan.face
    base = Name("/" + face.base_name)
    descriptor = plan.descriptor
    descriptor["/FontName"] = base
    descriptor["/FontFile2"] = face.stream
    font["/Type"] = Name.Font
    font["/Subtype"] = Name.TrueType
    font["/BaseFont"] = base
    font["/FontDescriptor"] = pdf.make_indirect(descriptor)
    if plan.encoding is not None:
        font["/Encoding"] = plan.encoding
    if plan.widths is not None:
        first, last, row = plan.widths
        font["/FirstChar"], font["/LastChar"], font["/Widths"] = first, last, Array(row)
    return f"{plan.name} (drawn in {face.label})"


# --- finding the fonts ---------------------------------------------------------------------


class _Walker:
    """Every font dictionary reachable from the pages, their annotations and the form."""

    def __init__(self):
        self.seen = set()
        self.fonts = []  # (font dictionary, where it was found)
        self.bad = []

    def _first_visit(self, obj):
        if not obj.is_indirect:
            return True
        key = obj.objgen
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def resources(self, resources, depth):
        if depth > MAX_DEPTH or not isinstance(resources, Dictionary) or not self._first_visit(resources):
            return
        fonts = resources.get("/Font")
        if isinstance(fonts, Dictionary):
            for key in list(fonts.keys()):
                self.font(fonts.get(key), key, depth)
        xobjects = resources.get("/XObject")
        if isinstance(xobjects, Dictionary):
            for key in list(xobjects.keys()):
                self.form(xobjects.get(key), depth + 1)
        patterns = resources.get("/Pattern")
        if isinstance(patterns, Dictionary):
            for key in list(patterns.keys()):
                self.form(patterns.get(key), depth + 1)
        states = resources.get("/ExtGState")
        if isinstance(states, Dictionary):
            for key in list(states.keys()):
                state = states.get(key)
                mask = state.get("/SMask") if isinstance(state, Dictionary) else None
                if isinstance(mask, Dictionary):
                    self.form(mask.get("/G"), depth + 1)

    def form(self, stream, depth):
        """A form XObject, tiling pattern or appearance stream: its resources."""
        if depth > MAX_DEPTH or not isinstance(stream, Stream) or not self._first_visit(stream):
            return
        self.resources(stream.get("/Resources"), depth + 1)

    def font(self, font, key, depth):
        if not isinstance(font, Dictionary):
            if font is not None:
                self.bad.append(f"{key} (not a font dictionary)")
            return
        if not self._first_visit(font):
            return
        self.fonts.append(font)
        if font.get("/Subtype") == Name.Type3:
            self.resources(font.get("/Resources"), depth + 1)

    def appearance(self, holder, depth):
        """/AP of an annotation or field: /N, /D, /R, each a stream or a dictionary of states."""
        ap = holder.get("/AP") if isinstance(holder, Dictionary) else None
        if not isinstance(ap, Dictionary):
            return
        for which in ("/N", "/D", "/R"):
            value = ap.get(which)
            if isinstance(value, Stream):
                self.form(value, depth + 1)
            elif isinstance(value, Dictionary):
                for state in list(value.keys()):
                    self.form(value.get(state), depth + 1)

    def fields(self, fields, depth):
        if depth > MAX_DEPTH or not isinstance(fields, Array):
            return
        for field_ in fields:
            if isinstance(field_, Dictionary) and self._first_visit(field_):
                self.appearance(field_, depth)
                self.resources(field_.get("/DR"), depth + 1)
                self.fields(field_.get("/Kids"), depth + 1)


def _page_resources(page):
    node, depth = page, 0
    while isinstance(node, Dictionary) and depth < MAX_DEPTH:
        resources = node.get("/Resources")
        if resources is not None:
            return resources
        node, depth = node.get("/Parent"), depth + 1
    return None


def _find_fonts(pdf):
    walker = _Walker()
    for page in pdf.pages:
        obj = page.obj
        walker.resources(_page_resources(obj), 0)
        annots = obj.get("/Annots")
        if isinstance(annots, Array):
            for annot in annots:
                if isinstance(annot, Dictionary) and walker._first_visit(annot):
                    walker.appearance(annot, 0)
    form = pdf.Root.get("/AcroForm")
    if isinstance(form, Dictionary):
        walker.resources(form.get("/DR"), 0)
        walker.fields(form.get("/Fields"), 0)
    return walker


def _embedded(descriptor):
    return isinstance(descriptor, Dictionary) and any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _type0_embedded(font):
    descendants = font.get("/DescendantFonts")
    if isinstance(descendants, Array) and len(descendants) == 1 and isinstance(descendants[0], Dictionary):
        return _embedded(descendants[0].get("/FontDescriptor"))
    return False


# --- composite fonts (ISO 32000-1 §9.7) ------------------------------------------------------

_IDENTITY = ("/Identity-H", "/Identity-V")
_LIGATURES = {"ff": 0xFB00, "fi": 0xFB01, "fl": 0xFB02, "ffi": 0xFB03, "ffl": 0xFB04, "st": 0xFB06}
_CMAP_TOKEN = re.compile(rb"%[^\r\n]*|<[0-9A-Fa-f\s]*>|\(|\)|\[|\]|/[^\s/\[\]<>()%]*|[^\s\[\]<>/()%]+")


class _CompositePlan(NamedTuple):
    """What one unembedded Type0 font becomes: its CIDFont is drawn by ``files`` (§9.7.4)."""

    font: Dictionary
    descendant: Dictionary | None  # None: the font has no CIDFont, and one is written
    name: str
    files: tuple  # the shipped faces, first the one chosen by name; glyphs it lacks come from the next
    labels: tuple
    cid_unicodes: dict  # CID -> Unicode code point (None when the glyph maps to no single character)
    missing: list  # characters no shipped face draws (they map to GID 0)


def _cmap_tokens(data):
    """The tokens of a CMap program (§9.7.5.4, §9.10.3): hex strings as bytes, the rest as text."""
    tokens, depth = [], 0
    for match in _CMAP_TOKEN.finditer(data):
        token = match.group()
        if token.startswith(b"%"):
            continue
        if token in (b"(", b")"):  # literal strings are not used by the operators read here
            depth += 1 if token == b"(" else -1
            tokens.append(None)
            continue
        if depth > 0:
            continue
        if token.startswith(b"<"):
            digits = re.sub(rb"\s", b"", token[1:-1])
            tokens.append(bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode()))
        else:
            tokens.append(token.decode("latin-1"))
    return tokens


def _cmap_sections(tokens, operator):
    """The operands between each ``begin<operator>`` and ``end<operator>``, flattened."""
    out, inside = [], False
    for token in tokens:
        if token == "begin" + operator:
            inside = True
        elif token == "end" + operator:
            inside = False
        elif inside:
            out.append(token)
    return out


def _plus(code, offset):
    """``code`` (bytes) plus ``offset``, same length: the next codes of a range (§9.7.5.4)."""
    return (int.from_bytes(code, "big") + offset).to_bytes(len(code), "big")


def _to_unicode_map(data):
    """Character code (bytes) -> text, from a /ToUnicode CMap stream's bytes (§9.10.3).

    Reads ``beginbfchar`` (code, destination) pairs and both forms of ``beginbfrange``:
    ``lo hi <dst>`` (the last character of dst counts up from lo to hi) and
    ``lo hi [<dst> ...]`` (one destination per code).  Destinations are UTF-16BE.
    """
    tokens = _cmap_tokens(data)
    result = {}

    def text(value):
        return value.decode("utf-16-be", "replace") if isinstance(value, bytes) else None

    pairs = _cmap_sections(tokens, "bfchar")
    for code, dst in zip(pairs[0::2], pairs[1::2]):
        if isinstance(code, bytes) and text(dst):
            result[code] = text(dst)
    ranges = _cmap_sections(tokens, "bfrange")
    i = 0
    while i + 2 < len(ranges):
        lo, hi, dst = ranges[i:i + 3]
        i += 3
        if dst == "[":
            items = []
            while i < len(ranges) and ranges[i] != "]":
                items.append(ranges[i])
                i += 1
            i += 1
        if not (isinstance(lo, bytes) and isinstance(hi, bytes)) or len(lo) != len(hi):
            continue
        count = int.from_bytes(hi, "big") - int.from_bytes(lo, "big") + 1
        if not 0 < count <= 0x10000:
            continue
        if dst == "[":
            for offset, item in enumerate(items[:count]):
                if text(item):
                    result[_plus(lo, offset)] = text(item)
        elif text(dst):
            start = text(dst)
            for offset in range(count):
                last = ord(start[-1]) + offset
                if last <= 0x10FFFF:
                    result[_plus(lo, offset)] = start[:-1] + chr(last)
    return result


def _code_to_cid(encoding):
    """Character code (bytes) -> CID for a Type0 font's /Encoding (§9.7.5), or ValueError.

    Identity-H and Identity-V map each 2-byte code to the same CID; an embedded CMap
    stream is read for its ``cidchar`` and ``cidrange`` mappings (§9.7.5.4).  A
    predefined CMap other than Identity (§9.7.5.2) is not shipped here, so cannot be read.
    """
    if isinstance(encoding, Name) and str(encoding) in _IDENTITY:
        return None  # every 2-byte code is its own CID
    if isinstance(encoding, Stream):
        use = encoding.get("/UseCMap")
        if use is not None and not (isinstance(use, Name) and str(use) in _IDENTITY):
            raise ValueError(f"its encoding CMap uses {use}, a CMap not shipped here")
        tokens = _cmap_tokens(encoding.read_bytes())
        if "usecmap" in tokens:
            raise ValueError("its encoding CMap uses another CMap, not shipped here")
        mapping = {}
        pairs = _cmap_sections(tokens, "cidchar")
        for code, cid in zip(pairs[0::2], pairs[1::2]):
            if isinstance(code, bytes) and _int(cid, None) is not None:
                mapping[code] = _int(cid)
        triples = _cmap_sections(tokens, "cidrange")
        for lo, hi, cid in zip(triples[0::3], triples[1::3], triples[2::3]):
            if isinstance(lo, bytes) and isinstance(hi, bytes) and _int(cid, None) is not None:
                count = int.from_bytes(hi, "big") - int.from_bytes(lo, "big") + 1
                for offset in range(min(max(count, 0), 0x10000)):
                    mapping[_plus(lo, offset)] = _int(cid) + offset
        if not mapping:
            raise ValueError("its encoding CMap maps no code to a CID")
        return mapping
    raise ValueError(f"its encoding {encoding} is a predefined CMap not shipped here")


def _single_character(text):
    """The one code point a glyph's text stands for: itself, composed (NFC), or a ligature."""
    import unicodedata

    if len(text) == 1:
        return ord(text)
    composed = unicodedata.normalize("NFC", text)
    if len(composed) == 1:
        return ord(composed)
    return _LIGATURES.get(text)


def _plan_composite(font):
    """What an unembedded Type0 ``font`` becomes (§9.7), or ValueError saying why it cannot.

    In: a Type0 font dictionary whose one descendant (CIDFontType0 or
    CIDFontType2, §9.7.4) has no font file.  Its /ToUnicode CMap (§9.10.3) says
    which character each code draws, and its /Encoding (Identity-H/V, or an
    embedded CMap stream) which CID each code selects; together they give the
    character of each CID.  Out: a ``_CompositePlan``; the face is chosen by
    name and flags as for a simple font, with DejaVu Sans for the characters
    it lacks.  Characters no shipped face draws are listed in ``missing``.
    """
    name = _clean_name(font)
    descendants = font.get("/DescendantFonts")
    if descendants is None or (isinstance(descendants, Array) and len(descendants) <= 1
                               and all(item is None for item in descendants)):
        descendant = None  # no CIDFont at all (a null one): one is written, with the substitute's widths
    elif isinstance(descendants, Array) and len(descendants) == 1 and isinstance(descendants[0], Dictionary):
        descendant = descendants[0]
    else:
        raise ValueError("its /DescendantFonts is not one CIDFont dictionary")
    if descendant is not None and descendant.get("/Subtype") not in (Name.CIDFontType0, Name.CIDFontType2):
        raise ValueError(f"its descendant is {descendant.get('/Subtype')}, not a CIDFont")
    to_unicode = font.get("/ToUnicode")
    if not isinstance(to_unicode, Stream):
        raise ValueError("it has no /ToUnicode, so the characters of its CIDs are unknown")
    codes = _to_unicode_map(to_unicode.read_bytes())
    mapping = _code_to_cid(font.get("/Encoding"))
    cid_unicodes, unmatched = {}, set()
    for code, text in sorted(codes.items()):
        if mapping is None:
            cid = int.from_bytes(code, "big") if len(code) == 2 else None
        else:
            cid = mapping.get(code)
        if cid is not None and 0 <= cid <= 0xFFFF:
            cid_unicodes.setdefault(cid, _single_character(text))
            if _single_character(text) is None and text.isprintable():
                unmatched.add(text)  # several characters in one glyph: no face has it
    if not cid_unicodes:
        raise ValueError("its /ToUnicode gives the character of no CID")

    descriptor = descendant.get("/FontDescriptor") if descendant is not None else None
    descriptor = descriptor if isinstance(descriptor, Dictionary) else None
    flags = _int(descriptor.get("/Flags"), 0) if descriptor is not None else 0
    family, _ = _family(name, flags)
    if family in (SYMBOL, DINGBATS):
        files, labels = (_SYMBOL_FACE[0],), (_SYMBOL_FACE[1],)
    else:
        file, label = _FACE_FILES[(family, *_style(name, descriptor, flags))]
        files, labels = (file, _SYMBOL_FACE[0]), (label, _SYMBOL_FACE[1])
    wanted = {uv for uv in cid_unicodes.values() if uv is not None}
    drawn = set()
    used_files, used_labels = [], []
    for file, label in zip(files, labels):
        have = {uv for uv in wanted - drawn if uv in _face_info(file)[0]}
        if have or not used_files:
            used_files.append(file)
            used_labels.append(label)
            drawn |= have
    missing = sorted({chr(uv) for uv in wanted - drawn if chr(uv).isprintable()} | unmatched)
    return _CompositePlan(font, descendant, name, tuple(used_files), tuple(used_labels), cid_unicodes, missing)


@functools.lru_cache(maxsize=16)
def _composite_program(files, unicodes):
    """(TrueType bytes, Unicode -> GID) drawing ``unicodes`` from ``files``, in that order of choice.

    Each face is subset (with the module's fixed options) to the characters that
    no earlier face draws; more than one subset are merged into one font
    (fontTools.merge: the faces share 2048 units per em), glyph ids renumbered,
    with the first face's dates in 'head', so the same input gives the same bytes.
    """
    from fontTools import merge
    from fontTools.ttLib import TTFont

    parts, taken = [], set()
    for file in files:
        cmap = _face_info(file)[0]
        have = tuple(sorted(uv for uv in unicodes if uv in cmap and uv not in taken))
        if have or not parts:
            parts.append(_subset_bytes(file, have))
            taken.update(have)
    if len(parts) == 1:
        font = TTFont(io.BytesIO(parts[0]), recalcTimestamp=False)
    else:
        font = merge.Merger().merge([io.BytesIO(part) for part in parts])
        font.recalcTimestamp = False
        first = TTFont(io.BytesIO(parts[0]), recalcTimestamp=False)
        font["head"].created = first["head"].created  # the merger writes the time of day: no
        font["head"].modified = first["head"].modified
        first.close()
    out = io.BytesIO()
    font.save(out)
    font.close()
    data = out.getvalue()
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    order = {glyph: gid for gid, glyph in enumerate(font.getGlyphOrder())}
    gids = {uv: order[glyph] for uv, glyph in font.getBestCmap().items()}
    font.close()
    return data, gids


def _substitute_widths(plan, gids):
    """/W (§9.7.4.3) for a written CIDFont: each CID's width in the face that draws it."""
    runs = Array()
    last = None
    for cid in sorted(plan.cid_unicodes):
        uv = plan.cid_unicodes[cid]
        width = 1000  # a character no face draws (.notdef) keeps the default width
        for file in plan.files:
            advances = _face_info(file)[1]
            if uv in advances and uv in gids:
                width = advances[uv]
                break
        if last is not None and cid == last + 1:
            runs[-1].append(width)
        else:
            runs.append(cid)
            runs.append(Array([width]))
        last = cid
    return runs


def _apply_composite(pdf, plan):
    """Embed ``plan``'s faces in its descendant as a CIDFontType2 (§9.7.4); the report line.

    The descendant gets /FontFile2 (§9.9), a /CIDToGIDMap stream of 2-byte
    big-endian glyph ids indexed by CID (§9.7.4.2, Table 117), a descriptor
    holding the font's own values and the face's for those it lacks (§9.8),
    and /CIDSystemInfo if it had none.  /W, /DW (and /W2, /DW2) are kept: a
    CIDFont's glyphs are placed by them (§9.7.4.3), so every glyph stays where
    it was.  The Type0 font's /Encoding and /ToUnicode are not touched.
    """
    wanted = tuple(sorted({uv for uv in plan.cid_unicodes.values() if uv is not None}))
    data, gids = _composite_program(plan.files, wanted)
    program = Stream(pdf, b"")
    program.write(zlib.compress(data, 9), filter=Name.FlateDecode)
    program["/Length1"] = len(data)
    table = bytearray(2 * (max(plan.cid_unicodes) + 1))
    for cid, uv in plan.cid_unicodes.items():
        gid = gids.get(uv, 0) if uv is not None else 0
        table[2 * cid:2 * cid + 2] = gid.to_bytes(2, "big")
    cid_to_gid = Stream(pdf, b"")
    cid_to_gid.write(zlib.compress(bytes(table), 9), filter=Name.FlateDecode)

    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(data + bytes(table)).digest()[:6])
    base = Name(f"/{tag}+{_face_info(plan.files[0])[3]}")
    old = plan.descendant.get("/FontDescriptor") if plan.descendant is not None else None
    descriptor = Dictionary()
    if isinstance(old, Dictionary):
        for key, value in old.items():
            if key not in ("/FontFile", "/FontFile2", "/FontFile3", "/CharSet", "/CIDSet"):
                descriptor[key] = value
    for key, value in _face_info(plan.files[0])[2].items():
        if key not in descriptor:
            descriptor[key] = Array(value) if isinstance(value, list) else value
    descriptor["/Type"] = Name.FontDescriptor
    descriptor["/FontName"] = base
    if "/Flags" not in descriptor:
        descriptor["/Flags"] = SYMBOLIC
    descriptor["/FontFile2"] = program

    descendant = plan.descendant
    if descendant is None:
        descendant = pdf.make_indirect(Dictionary(W=_substitute_widths(plan, gids)))
        plan.font["/DescendantFonts"] = Array([descendant])
    descendant["/Type"] = Name.Font
    descendant["/Subtype"] = Name.CIDFontType2
    descendant["/BaseFont"] = base
    descendant["/FontDescriptor"] = pdf.make_indirect(descriptor)
    descendant["/CIDToGIDMap"] = cid_to_gid
    if not isinstance(descendant.get("/CIDSystemInfo"), Dictionary):
        descendant["/CIDSystemInfo"] = Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0)
    plan.font["/BaseFont"] = base
    line = f"{plan.name} (drawn in {' and '.join(plan.labels)}"
    if plan.missing:
        shown = "".join(plan.missing[:10]) + ("…" if len(plan.missing) > 10 else "")
        count = len(plan.missing)
        line += f"; {count} character{'s' if count != 1 else ''} no shipped font has: {shown}"
    return line + ")"


# --- the whole -----------------------------------------------------------------------------


def embed_missing_fonts(pdf: pikepdf.Pdf) -> FontEmbedding:
    """Embed a shipped substitute for every font that ``pdf`` uses but does not carry.

    In: an open ``pikepdf.Pdf``, changed in place.  Fonts are looked for in
    each page's resources (inherited ones too), in form XObjects, tiling
    patterns and soft masks at any depth (up to ``MAX_DEPTH``), in Type3
    fonts' resources, in the appearance streams (/AP /N /D /R) of annotations
    and form fields, and in the form's /DR; each font dictionary is changed
    once however often it is reached, and cycles are followed once.

    Out: ``FontEmbedding(substituted, left)``: one line per font now drawn by
    a shipped face (a composite font's line names the characters no shipped
    face has), and one per font left unembedded (a composite font without
    /ToUnicode or with a CMap not shipped here, or a dictionary too damaged
    to rewrite).  Never
    raises for odd input; what it cannot rewrite it leaves as it was.
    """
    substituted, left = [], []
    try:
        walker = _find_fonts(pdf)
    except Exception as error:  # noqa: BLE001 - a page tree too damaged to walk: nothing is changed
        return FontEmbedding([], [f"the fonts could not be listed ({error})"])
    left.extend(walker.bad)
    faces, plans = {}, []
    for font in walker.fonts:
        try:
            subtype = font.get("/Subtype")
            if subtype == Name.Type3:
                continue
            if subtype == Name.Type0:
                if not _type0_embedded(font):
                    try:
                        substituted.append(_apply_composite(pdf, _plan_composite(font)))
                    except Exception as error:  # noqa: BLE001 - left as it is, and reported
                        left.append(f"{_clean_name(font)} (Type0, not embedded: {error})")
                continue
            if subtype not in (Name.Type1, Name.MMType1, Name.TrueType):
                left.append(f"{_clean_name(font)} ({subtype}, not a font type we know)")
                continue
            if _embedded(font.get("/FontDescriptor")):
                continue
            plans.append(_plan(font, faces))
        except Exception as error:  # noqa: BLE001 - a damaged font stays as it is, and is reported
            left.append(f"{_clean_name(font)} (not embedded: {error})")
    for face in faces.values():
        try:
            data = _subset(face)
            tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(data).digest()[:6])
            face.base_name = f"{tag}+{_face_info(face.file)[3]}"
            face.stream = Stream(pdf, b"")
            face.stream.write(zlib.compress(data, 9), filter=Name.FlateDecode)
            face.stream["/Length1"] = len(data)
        except Exception as error:  # noqa: BLE001 - a missing or unreadable face leaves its fonts
            logger.warning("cannot embed %s: %s", face.label, error)
            face.stream = None
    for plan in plans:
        if plan.face.stream is None:
            left.append(f"{plan.name} (not embedded: {plan.face.label} could not be read)")
            continue
        try:
            substituted.append(_apply(pdf, plan))
        except Exception as error:  # noqa: BLE001
            left.append(f"{plan.name} (not embedded: {error})")
    return FontEmbedding(list(dict.fromkeys(substituted)), list(dict.fromkeys(left)))
