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

The shipped faces, their metrics and the choice among them are in
``pdf_faces``; composite fonts are rewritten by ``pdf_cid_fonts``.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from dataclasses import dataclass, field
from typing import NamedTuple

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from assembler.readers.pdf_cid_fonts import apply_composite, plan_composite
from assembler.readers.pdf_faces import (
    DINGBATS,
    FACE_FILES,
    FIXED_PITCH,
    ITALIC,
    MONO,
    NONSYMBOLIC,
    SERIF,
    SERIF_FLAG,
    STANDARD_NAMES,
    SYMBOL,
    SYMBOL_FACE,
    SYMBOLIC,
    _family,
    _int,
    afm_descriptor,
    afm_widths,
    builtin_widths,
    clean_name,
    encodings,
    face_info,
    name_for,
    style,
    subset,
    unicode_of,
)

MAX_DEPTH = 24  # nesting of forms, patterns and appearance streams followed from a page

logger = logging.getLogger(__name__)


class FontEmbedding(NamedTuple):
    """What ``embed_missing_fonts`` did: fonts now drawn by a shipped substitute
    ("Helvetica-Bold (drawn in Liberation Sans Bold)"), and fonts still not
    embedded, with the reason ("Arial (Type0, not embedded: ...)")."""

    substituted: list[str]
    left: list[str]


# --- which fonts, and what they become -----------------------------------------------------


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
    tables = encodings()
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
    win = encodings()["/WinAnsiEncoding"]
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
        uv = unicode_of(name)
        named[code] = name_for(uv, agl) if uv is not None else name
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
    name = clean_name(font)
    descriptor = font.get("/FontDescriptor")
    if descriptor is not None and not isinstance(descriptor, Dictionary):
        raise ValueError("its /FontDescriptor is not a dictionary")
    flags = _int(descriptor.get("/Flags"), 0) if descriptor is not None else 0
    family, known = _family(name, flags)
    if family in (SYMBOL, DINGBATS):
        bold = italic = False
        file, label = SYMBOL_FACE
    else:
        bold, italic = style(name, descriptor, flags)
        file, label = FACE_FILES[(family, bold, italic)]
    cmap, advances, values, _ = face_info(file)

    codes, encoding = _effective_encoding(font, family)
    builtin = {}
    if family in (SYMBOL, DINGBATS):  # codes still naming the built-in glyph keep its AFM width
        table, widths = encodings()[family], builtin_widths(family)
        builtin = {code: widths[code] for code, glyph in codes.items() if glyph == table[code] and code in widths}
        codes = _symbol_names(codes)
    if encoding == "rebuild":
        encoding = _differences_over_winansi(codes)
    unicodes = {code: unicode_of(glyph) for code, glyph in codes.items() if glyph}

    widths = None
    if not _kept_widths(font):
        afm = afm_widths(STANDARD_NAMES.get((family, bold, italic), "")) if known else {}
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
    standard = afm_descriptor(STANDARD_NAMES.get((family, bold, italic), "")) if known else {}
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
                        substituted.append(apply_composite(pdf, plan_composite(font)))
                    except Exception as error:  # noqa: BLE001 - left as it is, and reported
                        left.append(f"{clean_name(font)} (Type0, not embedded: {error})")
                continue
            if subtype not in (Name.Type1, Name.MMType1, Name.TrueType):
                left.append(f"{clean_name(font)} ({subtype}, not a font type we know)")
                continue
            if _embedded(font.get("/FontDescriptor")):
                continue
            plans.append(_plan(font, faces))
        except Exception as error:  # noqa: BLE001 - a damaged font stays as it is, and is reported
            left.append(f"{clean_name(font)} (not embedded: {error})")
    for face in faces.values():
        try:
            data = subset(face)
            tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(data).digest()[:6])
            face.base_name = f"{tag}+{face_info(face.file)[3]}"
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
