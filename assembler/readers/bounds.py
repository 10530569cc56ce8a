"""How far a finished PDF's drawing inflates, measured before anything draws or reads it.

A PDF's streams are compressed, and a kilobyte of Flate data can inflate to
gigabytes of drawing instructions, which qpdf, pdfium and the leak check
would each hold in memory.  The streams that are not pictures (page
contents, forms, fonts, object streams) are inflated here a megabyte at a
time and counted, and a file whose total passes ``MAX_INFLATED_BYTES`` is
refused before any of it is kept.  (Pictures are drawn by the viewer, not by
us, and are bounded by the file's own size.)
"""

import zlib

import pikepdf

MAX_INFLATED_BYTES = 256 * 1024 * 1024  # a 2,000-page report's drawing is a few tens of megabytes
_STEP = 1024 * 1024


def inflated_problem(pdf, limit=MAX_INFLATED_BYTES):
    """Why ``pdf`` (an open ``pikepdf.Pdf``) inflates too far to be read, or None.

    Only Flate (``/FlateDecode``, the usual filter, chained any number of times) is
    measured; a stream that will not inflate is left to the reader, which repairs
    or refuses it.
    """
    total = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream) or obj.get("/Subtype") == "/Image":
            continue
        filters = obj.get("/Filter")
        chain = [filters] if isinstance(filters, pikepdf.Name) else list(filters or [])
        if not chain or any(name != "/FlateDecode" for name in chain):
            continue
        data = obj.read_raw_bytes()
        for _ in chain:
            data = _inflate(data, limit - total)
            if data is None:
                return (f"its drawing inflates to more than {limit // 2**20} MB (a compression bomb, or a "
                        "drawing no printer could take); refused")
        total += len(data)
    return None


def _inflate(data, budget):
    """``data`` inflated, or None when it passes ``budget`` bytes; a damaged stream gives
    what inflated before the damage."""
    inflater, pieces, size = zlib.decompressobj(), [], 0
    try:
        while data:
            piece = inflater.decompress(data, _STEP)
            size += len(piece)
            if size > budget:
                return None
            pieces.append(piece)
            data = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        pass
    return b"".join(pieces)
