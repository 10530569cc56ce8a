"""How far a finished PDF inflates, measured before anything draws or reads it.

A PDF's streams are compressed, and a kilobyte of Flate or LZW data (or
either under RunLength, ASCIIHex or ASCII85, stacked any number of times) can
inflate to gigabytes, which qpdf (checking and repairing the file), pdfium
(drawing it) and the leak check would each hold in memory.  So every stream
is decoded here through its general filters (PDF 1.7 §7.4.4–7.4.7), a
megabyte at a time, counted and thrown away, and a file is refused before
any of it is kept when:

* the streams that are not pictures (page contents, forms, fonts, object
  streams) inflate to more than ``MAX_INFLATED_BYTES`` together;
* a picture (an image XObject, §8.9.5, or an inline image, §8.9.7) has more
  than ``MAX_PICTURE_PIXELS``, by its dictionary's /Width and /Height or by
  its own JPEG or JPEG 2000 header, whichever is larger: a viewer decodes
  that many pixels whatever the file weighs;
* a picture's stream inflates past the size its dictionary gives it (rows of
  /Width x components x /BitsPerComponent, §8.9.5.1), which nothing reads.

Predictors (§7.4.4.4) never enlarge what Flate or LZW made, so the size
before them is counted; the picture codecs (DCT, JPEG 2000, JBIG2, fax) end
the chain, their output bounded by the picture's pixels.
"""

import base64
import binascii
import io
import re
import zlib

import pikepdf

MAX_INFLATED_BYTES = 256 * 1024 * 1024  # a 2,000-page report's drawing is a few tens of megabytes
MAX_PICTURE_PIXELS = 150_000_000  # an A0 plan scanned at 300 dpi is 139 million pixels
_STEP = 1024 * 1024
_WHITESPACE = b"\0\t\n\f\r "
_INLINE = re.compile(rb"BI(?<![A-Za-z0-9#]BI)\s(.{0,4096}?)\sID\s", re.S)  # an inline image's dictionary
_COMPONENTS = {"/DeviceGray": 1, "/CalGray": 1, "/G": 1, "/Indexed": 1, "/I": 1, "/Separation": 1,
               "/DeviceRGB": 3, "/CalRGB": 3, "/RGB": 3, "/Lab": 3, "/DeviceCMYK": 4, "/CMYK": 4}


class _TooLarge(Exception):
    """A stage of a stream's decoding passed its budget."""


def inflated_problem(pdf, limit=MAX_INFLATED_BYTES, pixels=MAX_PICTURE_PIXELS):
    """Why ``pdf`` (an open ``pikepdf.Pdf``) inflates too far to be read, or None.

    ``limit``: bytes all streams but pictures may inflate to together;
    ``pixels``: the most one picture may have.  A stream whose filters will
    not decode is measured up to the damage and left to the reader, which
    repairs or refuses it; a filter we do not decode (Brotli, Crypt) ends the
    measure, as nothing downstream decodes it either.
    """
    total = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        picture = obj.get("/Subtype") == "/Image"
        width, height = (_number(obj.get("/Width")), _number(obj.get("/Height"))) if picture else (0, 0)
        if width * height > pixels:
            return _too_many(width, height, pixels)
        sized = width * height > 0  # a picture with its size: bounded by it (one without: with the drawing)
        budget = _picture_bytes(obj, width, height) if sized else limit - total
        try:
            size, head, inline = _decoded(obj.read_raw_bytes(), _chain(obj), obj.get("/DecodeParms"), budget,
                                          inline=not picture)
        except _TooLarge:
            return (f"a picture's data inflates past its own {width:,} x {height:,} pixels (a compression bomb); "
                    "refused" if sized else
                    f"its drawing inflates to more than {limit // 2**20} MB (a compression bomb, or a drawing no "
                    "printer could take); refused")
        if inline and inline[0] * inline[1] > pixels:
            return _too_many(*inline, pixels)
        if picture and head and (own := _own_size(head)) and own[0] * own[1] > pixels:
            return _too_many(*own, pixels)
        total += 0 if sized else size
    return None


def _too_many(width, height, pixels):
    return (f"holds a picture of {width:,} x {height:,} pixels; a picture may have at most {pixels:,} "
            "(a compression bomb, or a scan at a resolution no printer needs); refused")


def _number(value):
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def _chain(stream):
    filters = stream.get("/Filter")
    return [str(filters)] if isinstance(filters, pikepdf.Name) else [str(name) for name in filters or []]


def _picture_bytes(picture, width, height):
    """The bytes a picture's general filters may make: its rows as §8.9.5.1 lays them out
    (a byte more a row for a predictor's tag), and a megabyte to spare."""
    if picture.get("/ImageMask") is True:
        components, bits = 1, 1
    else:
        components, bits = _components(picture.get("/ColorSpace")), _number(picture.get("/BitsPerComponent")) or 16
    return height * ((width * components * min(bits, 16) + 7) // 8 + 1) + _STEP


def _components(space):
    """How many components a colour space gives each pixel (4, the most of the usual ones,
    when it does not say: a JPEG 2000 picture carries its own)."""
    if isinstance(space, pikepdf.Array) and len(space):
        family = str(space[0])
        if family == "/ICCBased" and isinstance(space[1], pikepdf.Stream):
            return min(32, _number(space[1].get("/N")) or 4)
        if family == "/DeviceN" and isinstance(space[1], pikepdf.Array):
            return min(32, len(space[1])) or 1
        return _COMPONENTS.get(family, 4)
    return _COMPONENTS.get(str(space), 4) if space is not None else 4


def _own_size(head):
    """A JPEG's or JPEG 2000's own (width, height), from its first bytes, or None.  (Its
    plugin, not ``Image.open``, which refuses past Pillow's own limit before telling.)"""
    from PIL import Jpeg2KImagePlugin, JpegImagePlugin

    for plugin in (JpegImagePlugin.JpegImageFile, Jpeg2KImagePlugin.Jpeg2KImageFile):
        try:
            with plugin(io.BytesIO(head)) as picture:  # reads the header only
                return picture.size
        except Exception:  # noqa: BLE001 - not this kind, or its header lies past ``head``
            continue
    return None


def _decoded(raw, chain, parameters, budget, inline):
    """Decode ``raw`` through the general filters of ``chain``, a megabyte at a time.

    Returns (bytes made, the first megabyte of them, (width, height) of the
    largest inline image named in them, or None when ``inline`` is false).
    Raises ``_TooLarge`` when any stage makes more than ``budget`` bytes.
    """
    chunks = (raw[start:start + _STEP] for start in range(0, len(raw), _STEP))
    parameters = list(parameters) if isinstance(parameters, pikepdf.Array) else [parameters] * len(chain)
    for name, given in zip(chain, parameters + [None] * len(chain)):
        if name not in _DECODERS:
            break
        early = _number(given.get("/EarlyChange", 1)) if isinstance(given, pikepdf.Dictionary) else 1
        chunks = _counted(_DECODERS[name](chunks, early), budget)
    size, head, largest, tail = 0, b"", (0, 0), b""
    for chunk in chunks:
        size += len(chunk)
        if len(head) < _STEP:
            head += chunk[:_STEP - len(head)]
        if inline:
            for match in _INLINE.finditer(tail + chunk):
                width, height = (_number(_inline_entry(match[1], names)) for names in (b"W|Width", b"H|Height"))
                largest = max(largest, (width, height), key=lambda size: size[0] * size[1])
            tail = chunk[-4200:]
    return size, head, largest if inline else None


def _inline_entry(dictionary, names):
    found = re.search(rb"/(?:" + names + rb")\s+(\d{1,12})\b", dictionary)
    return found[1] if found else 0


def _counted(chunks, budget):
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > budget:
            raise _TooLarge
        yield chunk


def _flate(chunks, _):
    inflater = zlib.decompressobj()
    try:
        for data in chunks:
            while not inflater.eof:
                piece = inflater.decompress(data, _STEP)
                yield piece
                data = inflater.unconsumed_tail
                if not data and len(piece) < _STEP:  # (a full piece may have more held back)
                    break
            if inflater.eof:
                return
    except zlib.error:  # damaged: what inflated before the damage
        return


def _lzw(chunks, early):
    """LZW (PDF 1.7 §7.4.4.2): codes of 9 to 12 bits, widened ``early`` codes before the
    table fills (/EarlyChange)."""
    table, bits, buffer, held, previous = None, 9, 0, 0, None
    for chunk in chunks:
        out = bytearray()
        for byte in chunk:
            buffer, held = (buffer << 8) | byte, held + 8
            while held >= bits:
                held -= bits
                code, buffer = buffer >> held, buffer & ((1 << held) - 1)
                if code == 256 or table is None:
                    table, bits, previous = [bytes((n,)) for n in range(256)] + [b"", b""], 9, None
                    if code == 256:
                        continue
                if code == 257:
                    yield bytes(out)
                    return
                if code < len(table):
                    entry = table[code]
                    if previous is not None and len(table) < 4096:
                        table.append(previous + entry[:1])
                elif code == len(table) and previous is not None:
                    entry = previous + previous[:1]
                    table.append(entry)
                else:  # damaged
                    yield bytes(out)
                    return
                out += entry
                previous = entry
                if len(table) + early >= 1 << bits and bits < 12:
                    bits += 1
                if len(out) >= _STEP:
                    yield bytes(out)
                    out = bytearray()
        yield bytes(out)


def _run_length(chunks, _):
    """RunLength (§7.4.5): a length byte, then that many bytes plus one, or one byte
    repeated 257 minus it times; 128 ends the data."""
    pending = b""
    for chunk in chunks:
        data, at, out = pending + chunk, 0, bytearray()
        while at < len(data):
            length = data[at]
            if length == 128:
                yield bytes(out)
                return
            end = at + (length + 2 if length < 128 else 2)
            if end > len(data):
                break
            out += data[at + 1:end] if length < 128 else data[at + 1:end] * (257 - length)
            at = end
            if len(out) >= _STEP:
                yield bytes(out)
                out = bytearray()
        pending = data[at:]
        yield bytes(out)


def _ascii_hex(chunks, _):
    """ASCIIHex (§7.4.2): two hexadecimal digits a byte, white space ignored, ``>`` ends it."""
    pending = b""
    for chunk in chunks:
        data = pending + chunk.translate(None, _WHITESPACE)
        end = data.find(b">")
        if end >= 0:
            data = data[:end] + b"0" * (end % 2)
        cut = len(data) - len(data) % 2
        try:
            yield binascii.unhexlify(data[:cut])
        except binascii.Error:
            return
        if end >= 0:
            return
        pending = data[cut:]


def _ascii85(chunks, _):
    """ASCII85 (§7.4.3): five characters for four bytes, ``z`` for four zeros, ``~>`` ends it."""
    pending, first = b"", True
    for chunk in chunks:
        data = pending + chunk.translate(None, _WHITESPACE)
        if first and data.startswith(b"<~"):
            data = data[2:]
        first = False
        end = data.find(b"~>")
        if end >= 0:
            data = data[:end]
            cut = len(data)
        else:
            held = 1 if data.endswith(b"~") else 0
            cut = len(data) - held - len(data[:len(data) - held].rsplit(b"z", 1)[-1]) % 5
        try:
            yield base64.a85decode(data[:cut])
        except ValueError:
            return
        if end >= 0:
            return
        pending = data[cut:]


_DECODERS = {"/FlateDecode": _flate, "/Fl": _flate, "/LZWDecode": _lzw, "/LZW": _lzw,
             "/RunLengthDecode": _run_length, "/RL": _run_length, "/ASCIIHexDecode": _ascii_hex, "/AHx": _ascii_hex,
             "/ASCII85Decode": _ascii85, "/A85": _ascii85}
