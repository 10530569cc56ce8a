"""Composite (Type0) fonts a finished PDF uses but does not carry (ISO 32000-1 §9.7).

An unembedded Type0 font whose /ToUnicode CMap (§9.10.3) and /Encoding
(Identity-H/V, or an embedded CMap stream, §9.7.5) give the character of each
CID is planned (``plan_composite``) and rewritten (``apply_composite``) as a
CIDFontType2 drawn by the shipped faces of ``pdf_faces``, with a /CIDToGIDMap
sending each CID to the glyph of its character.  Here too: the reading of CMap
programs (``_to_unicode_map``, ``_code_to_cid``) and the merged TrueType
program written for such a font (``_composite_program``).
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import zlib
from typing import NamedTuple

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from assembler.readers.pdf_faces import (
    DINGBATS,
    FACE_FILES,
    SYMBOL,
    SYMBOL_FACE,
    SYMBOLIC,
    _family,
    _int,
    clean_name,
    face_info,
    style,
    subset_bytes,
)


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


def plan_composite(font):
    """What an unembedded Type0 ``font`` becomes (§9.7), or ValueError saying why it cannot.

    In: a Type0 font dictionary whose one descendant (CIDFontType0 or
    CIDFontType2, §9.7.4) has no font file.  Its /ToUnicode CMap (§9.10.3) says
    which character each code draws, and its /Encoding (Identity-H/V, or an
    embedded CMap stream) which CID each code selects; together they give the
    character of each CID.  Out: a ``_CompositePlan``; the face is chosen by
    name and flags as for a simple font, with DejaVu Sans for the characters
    it lacks.  Characters no shipped face draws are listed in ``missing``.
    """
    name = clean_name(font)
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
        files, labels = (SYMBOL_FACE[0],), (SYMBOL_FACE[1],)
    else:
        file, label = FACE_FILES[(family, *style(name, descriptor, flags))]
        files, labels = (file, SYMBOL_FACE[0]), (label, SYMBOL_FACE[1])
    wanted = {uv for uv in cid_unicodes.values() if uv is not None}
    drawn = set()
    used_files, used_labels = [], []
    for file, label in zip(files, labels):
        have = {uv for uv in wanted - drawn if uv in face_info(file)[0]}
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
        cmap = face_info(file)[0]
        have = tuple(sorted(uv for uv in unicodes if uv in cmap and uv not in taken))
        if have or not parts:
            parts.append(subset_bytes(file, have))
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
            advances = face_info(file)[1]
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


def apply_composite(pdf, plan):
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
    base = Name(f"/{tag}+{face_info(plan.files[0])[3]}")
    old = plan.descendant.get("/FontDescriptor") if plan.descendant is not None else None
    descriptor = Dictionary()
    if isinstance(old, Dictionary):
        for key, value in old.items():
            if key not in ("/FontFile", "/FontFile2", "/FontFile3", "/CharSet", "/CIDSet"):
                descriptor[key] = value
    for key, value in face_info(plan.files[0])[2].items():
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
