"""Unembedded fonts in finished PDFs get an embedded substitute (issue 14).

The inputs are written here with pikepdf: pages that name fonts without
carrying them, as third-party PDFs do.  After ``embed_missing_fonts`` every
simple font carries a font file, the text that pdfium (and poppler) extracts
is unchanged, and two runs give the same bytes.
"""

import io
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from pikepdf import Array, Dictionary, Name

from assembler.readers import pdf_cid_fonts, pdf_faces
from assembler.readers.pdf_fonts import FontEmbedding, embed_missing_fonts
from tests.conftest import corpus_files, needs_corpus

PDFFONTS = shutil.which("pdffonts")
PDFTOTEXT = shutil.which("pdftotext")


# --- writing the inputs --------------------------------------------------------------------


def font(base, subtype="/Type1", **extra):
    return Dictionary(Type=Name.Font, Subtype=Name(subtype), BaseFont=Name("/" + base), **extra)


def arial_truetype(pdf):
    """An /Arial TrueType font with /Widths and a descriptor but no /FontFile2 (Word, AutoCAD)."""
    widths = [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278] + [556] * 10
    widths += [278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556,
               833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333,
               556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278,
               556, 500, 722, 500, 500, 500] + [500] * 133  # codes 123-255, enough for the quotes
    descriptor = pdf.make_indirect(Dictionary(
        Type=Name.FontDescriptor, FontName=Name.Arial, Flags=32, FontBBox=[-665, -325, 2000, 1006],
        ItalicAngle=0, Ascent=905, Descent=-212, CapHeight=716, StemV=80))
    return font("Arial", "/TrueType", Encoding=Name.WinAnsiEncoding, FirstChar=32, LastChar=32 + len(widths) - 1,
                Widths=Array(widths), FontDescriptor=descriptor)


def type0_unembedded(pdf):
    """A composite Arial whose descendant has no font file: left, and reported."""
    descendant = pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name("/ArialUnicodeMS"),
        CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0),
        FontDescriptor=pdf.make_indirect(Dictionary(
            Type=Name.FontDescriptor, FontName=Name("/ArialUnicodeMS"), Flags=32, FontBBox=[0, -200, 1000, 900],
            ItalicAngle=0, Ascent=900, Descent=-200, CapHeight=700, StemV=80)),
        DW=1000))
    cmap = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
1 beginbfrange <0024> <003D> <0041> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""
    return pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/ArialUnicodeMS"), Encoding=Name("/Identity-H"),
        DescendantFonts=Array([descendant]), ToUnicode=pdf.make_stream(cmap)))


def sample_pdf(with_type0=True):
    """One page naming the standard 14 fonts, an unembedded Arial, a font used only in a
    form XObject and one used only in an annotation's appearance; bytes of the PDF."""
    pdf = pikepdf.new()
    helvetica = pdf.make_indirect(font("Helvetica"))  # no descriptor, no widths: the standard 14 case
    form_font = pdf.make_indirect(font("Courier"))
    form = pdf.make_stream(b"BT /C 12 Tf 60 500 Td (Courier inside a form) Tj ET", Type=Name.XObject,
                           Subtype=Name.Form, BBox=[0, 0, 612, 792],
                           Resources=Dictionary(Font=Dictionary(C=form_font, H=helvetica)))
    nested = pdf.make_stream(b"/Inner Do", Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 612, 792])
    nested.Resources = Dictionary(XObject=Dictionary(Inner=form, Self=nested))  # a cycle: followed once
    appearance = pdf.make_stream(b"BT /A 10 Tf 2 4 Td (Annotation text) Tj ET", Type=Name.XObject,
                                 Subtype=Name.Form, BBox=[0, 0, 200, 20],
                                 Resources=Dictionary(Font=Dictionary(A=font("Helvetica-Oblique"))))
    annotation = pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.FreeText, Rect=[60, 420, 260, 440], Contents=pikepdf.String("Annotation text"),
        DA=pikepdf.String("/A 10 Tf 0 g"), AP=Dictionary(N=appearance)))
    fonts = Dictionary(
        H=helvetica,
        TB=font("Times-Bold"),  # a direct font dictionary: StandardEncoding, so 0x27 is quoteright
        Z=font("ZapfDingbats"),
        S=font("Symbol"),
        AR=arial_truetype(pdf),
        V=font("Verdana", Encoding=Name.WinAnsiEncoding),
    )
    content = (b"BT /H 14 Tf 50 750 Td (Hello Helvetica \\(\\341\\)) Tj ET\n"
               b"BT /TB 14 Tf 50 720 Td (Times Bold isn't `plain') Tj ET\n"
               b"BT /Z 14 Tf 50 690 Td (3478 n) Tj ET\n"
               b"BT /S 14 Tf 50 660 Td (abgpW \\245 \\345) Tj ET\n"
               b"BT /AR 14 Tf 50 630 Td (Arial TrueType \\223quoted\\224) Tj ET\n"
               b"BT /V 14 Tf 50 600 Td (Verdana by name) Tj ET\n"
               b"q /Outer Do Q\n")
    if with_type0:
        fonts.U = type0_unembedded(pdf)
        content += b"BT /U 14 Tf 50 570 Td <0024002500260027> Tj ET\n"
    page = pikepdf.Page(Dictionary(
        Type=Name.Page, MediaBox=[0, 0, 612, 792], Contents=pdf.make_stream(content),
        Resources=Dictionary(Font=fonts, XObject=Dictionary(Outer=nested)), Annots=Array([annotation])))
    pdf.pages.append(page)
    return saved(pdf)


def saved(pdf):
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def embedded(data):
    """(bytes after embedding, the report)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        report = embed_missing_fonts(pdf)
        return saved(pdf), report


# --- reading the results -------------------------------------------------------------------


def pdfium_text(data):
    document = pypdfium2.PdfDocument(data)
    try:
        return [document[i].get_textpage().get_text_bounded() for i in range(len(document))]
    finally:
        document.close()


def origins(data):
    """(character, x, y) of each character pdfium reads from the page, in points (none it made up)."""
    import ctypes

    import pypdfium2.raw as raw

    document = pypdfium2.PdfDocument(data)
    rows = []
    try:
        for i in range(len(document)):
            textpage = document[i].get_textpage()
            for j in range(textpage.count_chars()):
                if raw.FPDFText_IsGenerated(textpage, j) == 1:
                    continue
                x, y = ctypes.c_double(), ctypes.c_double()
                raw.FPDFText_GetCharOrigin(textpage, j, x, y)
                rows.append((i, chr(raw.FPDFText_GetUnicode(textpage, j)), round(x.value, 2), round(y.value, 2)))
    finally:
        document.close()
    return rows


def poppler_words(data, folder):
    """The words pdftotext finds, as a multiset (its reading order follows the font's ascent)."""
    path = folder / "in.pdf"
    path.write_bytes(data)
    out = subprocess.run([PDFTOTEXT, "-q", "-bbox", str(path), "-"], capture_output=True, text=True,
                         errors="replace", timeout=120).stdout
    return Counter(re.findall(r"<word [^>]*>([^<]*)</word>", out))


def pdffonts_rows(data, folder):
    path = folder / "fonts.pdf"
    path.write_bytes(data)
    out = subprocess.run([PDFFONTS, str(path)], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    starts = [match.start() for match in re.finditer(r"-+", lines[1])]  # the columns, from the dashes
    name, emb = slice(starts[0], starts[1]), slice(starts[3], starts[4])  # name, type, encoding, emb, ...
    return [(line[name].strip(), line[emb].strip()) for line in lines[2:] if line.strip()]


def font_dicts(pdf):
    """Every simple or composite font dictionary reachable from the trailer, direct or indirect."""
    found, seen, stack = [], set(), [pdf.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, (Dictionary, Array, pikepdf.Stream)):
            if obj.is_indirect:
                if obj.objgen in seen:
                    continue
                seen.add(obj.objgen)
            if isinstance(obj, Array):
                stack.extend(obj)
                continue
            if obj.get("/Type") == Name.Font and obj.get("/Subtype") not in (Name.CIDFontType0, Name.CIDFontType2):
                found.append(obj)
            stack.extend(obj.get(key) for key in obj.keys() if key not in ("/Parent", "/P"))
    return found


def all_fonts(data):
    """(BaseFont, Subtype, the descriptor's /FontFile keys, the /FontFile2 stream's objgen) of each font."""
    rows = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in font_dicts(pdf):
            if obj.get("/Subtype") == Name.Type0:
                continue
            descriptor = obj.get("/FontDescriptor")
            files = sorted(k for k in (descriptor.keys() if descriptor is not None else ()) if k.startswith("/FontFile"))
            rows.append((str(obj.get("/BaseFont")), str(obj.get("/Subtype")), files,
                         descriptor.get("/FontFile2").objgen if "/FontFile2" in files else None))
    return rows


# --- the tests ------------------------------------------------------------------------------


def test_every_simple_font_gets_an_embedded_substitute_and_the_text_is_unchanged():
    before = sample_pdf()
    after, report = embedded(before)

    assert isinstance(report, FontEmbedding)
    fonts = all_fonts(after)
    assert len(fonts) == 8, fonts  # H, TB, Z, S, AR, V, the form's Courier, the annotation's Helvetica-Oblique
    for name, subtype, files, _ in fonts:
        assert subtype == "/TrueType" and files == ["/FontFile2"], (name, subtype, files)
    text_before, text_after = pdfium_text(before), pdfium_text(after)
    assert text_after == text_before
    # every glyph stands where it stood, but for Verdana, which had no /Widths (the viewer used its own)
    assert [row for row in origins(after) if row[3] != 600] == [row for row in origins(before) if row[3] != 600]
    page = text_after[0]
    for expected in ("Hello Helvetica (\u00c6)", "isn\u2019t", "\u2713\u2714\u2717\u2718", "\u25a0",
                     "\u03b1\u03b2\u03b3\u03c0\u2126", "\u221e", "\u2211", "\u201cquoted\u201d",
                     "Verdana by name", "Courier inside a form"):
        assert expected in page, (expected, page)


def test_the_report_names_each_substitute_and_the_fonts_left():
    _, report = embedded(sample_pdf())
    assert "Helvetica (drawn in Liberation Sans)" in report.substituted
    assert "Helvetica-Oblique (drawn in Liberation Sans Italic)" in report.substituted
    assert "Times-Bold (drawn in Liberation Serif Bold)" in report.substituted
    assert "Courier (drawn in Liberation Mono)" in report.substituted
    assert "Arial (drawn in Liberation Sans)" in report.substituted
    assert "Verdana (drawn in Liberation Sans)" in report.substituted
    assert "ZapfDingbats (drawn in DejaVu Sans)" in report.substituted
    assert "Symbol (drawn in DejaVu Sans)" in report.substituted
    assert "ArialUnicodeMS (drawn in Liberation Sans)" in report.substituted  # a composite font, issue 14
    assert report.left == []


def test_the_font_only_in_a_form_and_the_one_only_in_an_appearance_are_embedded():
    after, _ = embedded(sample_pdf())
    with pikepdf.open(io.BytesIO(after)) as pdf:
        page = pdf.pages[0].obj
        inner = page.Resources.XObject.Outer.Resources.XObject.Inner
        appearance = page.Annots[0].AP.N
        for found in (inner.Resources.Font.C, appearance.Resources.Font.A):
            assert found.Subtype == Name.TrueType and "/FontFile2" in found.FontDescriptor


def test_each_face_is_embedded_once_and_shared():
    data = sample_pdf(with_type0=False)
    with pikepdf.open(io.BytesIO(data)) as pdf:  # a second Helvetica dictionary, and the same one again
        fonts = pdf.pages[0].obj.Resources.Font
        fonts.H2 = font("Helvetica", Encoding=Name.WinAnsiEncoding)
        fonts.H3 = fonts.H
        data = saved(pdf)
    after, report = embedded(data)
    by_face = {}
    for name, _, _, objgen in all_fonts(after):
        by_face.setdefault(name.split("+", 1)[1], set()).add(objgen)
    assert sorted(by_face) == ["DejaVuSans", "LiberationMono", "LiberationSans", "LiberationSans-Italic",
                               "LiberationSerif-Bold"]
    assert all(len(objgens) == 1 for objgens in by_face.values()), by_face
    assert len(set().union(*by_face.values())) == len(by_face)  # one font file per face, shared
    assert report.substituted.count("Helvetica (drawn in Liberation Sans)") == 1


def test_two_runs_give_the_same_bytes():
    data = sample_pdf()
    first, _ = embedded(data)
    pdf_faces.subset_bytes.cache_clear()  # the second run subsets the faces afresh
    second, _ = embedded(data)
    assert first == second


def test_a_second_run_changes_nothing():
    after, _ = embedded(sample_pdf())
    again, report = embedded(after)
    assert report.substituted == [] and again == after


@pytest.mark.skipif(PDFFONTS is None, reason="pdffonts (poppler-utils) is not installed")
def test_pdffonts_shows_every_font_embedded(tmp_path):
    before = sample_pdf(with_type0=False)
    assert any(emb == "no" for _, emb in pdffonts_rows(before, tmp_path))
    after, _ = embedded(before)
    rows = pdffonts_rows(after, tmp_path)
    assert len(rows) == 8 and all(emb == "yes" for _, emb in rows), rows


@pytest.mark.skipif(PDFFONTS is None, reason="pdffonts (poppler-utils) is not installed")
def test_pdffonts_shows_the_composite_font_embedded_too(tmp_path):
    before = sample_pdf()
    assert ("ArialUnicodeMS", "no") in pdffonts_rows(before, tmp_path)
    after, _ = embedded(before)
    rows = pdffonts_rows(after, tmp_path)
    assert len(rows) == 9 and all(emb == "yes" for _, emb in rows), rows


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_poppler_reads_the_same_words(tmp_path):
    before = sample_pdf()
    after, _ = embedded(before)
    assert poppler_words(after, tmp_path) == poppler_words(before, tmp_path)


def test_damaged_fonts_are_left_and_reported_without_raising():
    pdf = pikepdf.new()
    fonts = Dictionary(
        A=font("Helvetica", FontDescriptor=5),  # a descriptor that is not a dictionary
        B=7,  # not a font at all
        C=font("Times-Roman", Encoding=Name("/NoSuchEncoding")),
        D=Dictionary(Type=Name.Font, Subtype=Name("/Type7")),
        E=font("Courier", Widths=Array([pikepdf.String("x")]), FirstChar=32),  # widths that are not numbers
        F=Dictionary(Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/Broken"), DescendantFonts=3),
        G=font("Helvetica-Bold", Encoding=Dictionary(Differences=Array([Name("/A"), 65, Name("/B"), -4, 300]))),
    )
    page = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=[0, 0, 200, 200], Resources=Dictionary(Font=fonts),
                                   Contents=pdf.make_stream(b"BT /E 9 Tf 10 10 Td (ok) Tj /G 9 Tf (A) Tj ET")))
    pdf.pages.append(page)
    report = embed_missing_fonts(pdf)
    left = " | ".join(report.left)
    for name in ("Helvetica (", "/B (not a font", "Broken (Type0", "/Type7"):
        assert name in left, (name, left)
    assert "Courier (drawn in Liberation Mono)" in report.substituted
    assert "Times-Roman (drawn in Liberation Serif)" in report.substituted  # an unknown encoding name: none
    assert "Helvetica-Bold (drawn in Liberation Sans Bold)" in report.substituted
    assert pdf.pages[0].obj.Resources.Font.A.Subtype == Name.Type1  # left as it was
    saved(pdf)


def test_inherited_resources_and_form_field_fonts_are_found():
    pdf = pikepdf.new()
    page = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=[0, 0, 200, 200],
                                   Contents=pdf.make_stream(b"BT /H 9 Tf 10 10 Td (inherited) Tj ET")))
    pdf.pages.append(page)
    pdf.Root.Pages.Resources = Dictionary(Font=Dictionary(H=font("Helvetica")))
    if "/Resources" in pdf.pages[0].obj:
        del pdf.pages[0].obj["/Resources"]
    pdf.Root.AcroForm = Dictionary(Fields=Array(), DR=Dictionary(Font=Dictionary(ZaDb=font("ZapfDingbats"))),
                                   DA=pikepdf.String("/ZaDb 0 Tf 0 g"))
    before = saved(pdf)
    after, report = embedded(before)
    assert sorted(report.substituted) == ["Helvetica (drawn in Liberation Sans)", "ZapfDingbats (drawn in DejaVu Sans)"]
    assert pdfium_text(after) == pdfium_text(before)


@needs_corpus
@pytest.mark.parametrize("path", corpus_files("pdf"), ids=lambda path: path.name)
def test_corpus_text_is_unchanged(path, tmp_path):
    data = path.read_bytes()
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            report = embed_missing_fonts(pdf)
            after = saved(pdf)
    except (pikepdf.PdfError, pikepdf.PasswordError) as error:
        pytest.skip(f"pikepdf cannot open it: {error}")
    try:
        before_text = pdfium_text(data)
    except pypdfium2.PdfiumError as error:
        pytest.skip(f"pdfium cannot open it: {error}")
    assert pdfium_text(after) == before_text
    assert origins(after) == origins(data)
    if PDFTOTEXT:
        assert poppler_words(after, tmp_path) == poppler_words(data, tmp_path)
    if PDFFONTS:
        unembedded = [name for name, emb in pdffonts_rows(after, tmp_path) if emb == "no"]
        assert len(unembedded) <= len(report.left), (unembedded, report.left)


# --- composite fonts and unknown encoding names (issue 14, second part) ----------------------

def identity():
    return Dictionary(Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0)

# "Tŷ Newydd ✓😀" in CIDs that are the glyph ids of a font we do not have; its /ToUnicode
# uses bfchar, both forms of bfrange and a surrogate pair (ISO 32000-1 §9.10.3).
WELSH_CIDS = b"<0037012C000300310048005A005C00470047000303E803E9>"
WELSH_TEXT = "T\u0177 Newydd \u2713\U0001F99C"
WELSH_TO_UNICODE = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
5 beginbfchar
<0003> <0020>
<0037> <0054>
<012C> <0177>
<0031> <004E>
<03E8> <2713>
endbfchar
1 beginbfchar <03E9> <D83EDD9C> endbfchar
2 beginbfrange
<0047> <0048> [<0064> <0065>]
<005A> <005C> <0077>
endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""
WELSH_WIDTHS = [3, [278], 0x31, [722], 0x37, [611], 0x47, [556, 556], 0x5A, [722], 0x5C, [500],
                0x12C, [500], 0x3E8, [800, 1000]]


def type0_font(pdf, base="ArialMT", subtype="/CIDFontType2", encoding=Name("/Identity-H"),
               to_unicode=WELSH_TO_UNICODE, widths=WELSH_WIDTHS, flags=32):
    """A Type0 font whose CIDFont has a descriptor but no font file."""
    descendant = Dictionary(
        Type=Name.Font, Subtype=Name(subtype), BaseFont=Name("/" + base), CIDSystemInfo=identity(),
        FontDescriptor=pdf.make_indirect(Dictionary(
            Type=Name.FontDescriptor, FontName=Name("/" + base), Flags=flags, FontBBox=[-200, -250, 1200, 950],
            ItalicAngle=0, Ascent=905, Descent=-212, CapHeight=716, StemV=80)))
    if widths is not None:
        descendant.W = Array(widths)
    font_ = Dictionary(Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/" + base), Encoding=encoding,
                       DescendantFonts=Array([pdf.make_indirect(descendant)]))
    if to_unicode is not None:
        font_.ToUnicode = pdf.make_stream(to_unicode)
    return pdf.make_indirect(font_)


def one_page(pdf, fonts, content):
    pdf.pages.append(pikepdf.Page(Dictionary(
        Type=Name.Page, MediaBox=[0, 0, 400, 200], Resources=Dictionary(Font=fonts),
        Contents=pdf.make_stream(content))))
    return saved(pdf)


def welsh_pdf(**kwargs):
    pdf = pikepdf.new()
    return one_page(pdf, Dictionary(F=type0_font(pdf, **kwargs)),
                    b"BT /F 24 Tf 20 100 Td " + WELSH_CIDS + b" Tj ET")


def descendants(data):
    """(Subtype, /FontFile2 present, /CIDToGIDMap as GIDs by CID, /W, /CIDSystemInfo) of each CIDFont."""
    rows = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in font_dicts(pdf):
            if obj.get("/Subtype") != Name.Type0:
                continue
            cid_font = obj.DescendantFonts[0]
            mapping = cid_font.get("/CIDToGIDMap")
            table = mapping.read_bytes() if isinstance(mapping, pikepdf.Stream) else None
            gids = [int.from_bytes(table[i:i + 2], "big") for i in range(0, len(table), 2)] if table else None
            rows.append((str(cid_font.Subtype), "/FontFile2" in cid_font.FontDescriptor, gids,
                         repr(cid_font.get("/W")), repr(cid_font.get("/CIDSystemInfo"))))
    return rows


def test_the_to_unicode_parser_reads_bfchar_and_both_forms_of_bfrange():
    codes = pdf_cid_fonts._to_unicode_map(WELSH_TO_UNICODE)
    assert codes[b"\x00\x37"] == "T" and codes[b"\x01\x2c"] == "\u0177" and codes[b"\x03\xe9"] == "\U0001F99C"
    assert codes[b"\x00\x47"] == "d" and codes[b"\x00\x48"] == "e"  # lo hi [dst ...]
    assert codes[b"\x00\x5a"] == "w" and codes[b"\x00\x5c"] == "y"  # lo hi dst, counting up
    assert len(codes) == 11


def test_a_composite_identity_font_gets_a_cid_to_gid_map_and_keeps_its_text_and_widths(tmp_path):
    before = welsh_pdf()
    after, report = embedded(before)

    assert report.left == []
    assert report.substituted == [
        "ArialMT (drawn in Liberation Sans and DejaVu Sans; 1 character no shipped font has: \U0001F99C)"]
    [(subtype, has_file, gids, widths, system)] = descendants(after)
    [(_, _, _, widths_before, system_before)] = descendants(before)
    assert subtype == "/CIDFontType2" and has_file
    assert widths == widths_before and system == system_before
    drawn = {cid: gids[cid] for cid in (0x03, 0x31, 0x37, 0x47, 0x48, 0x5A, 0x5C, 0x12C, 0x3E8)}
    assert all(drawn.values()) and len(set(drawn.values())) == len(drawn), drawn  # each its own glyph
    assert gids[0x3E9] == 0  # the emoji: no shipped face has it
    assert pdfium_text(before) == pdfium_text(after) == [WELSH_TEXT]
    assert origins(after) == origins(before)
    with pikepdf.open(io.BytesIO(after)) as pdf:  # the glyph ids point at the right characters
        from fontTools.ttLib import TTFont
        cid_font = pdf.pages[0].obj.Resources.Font.F.DescendantFonts[0]
        program = TTFont(io.BytesIO(cid_font.FontDescriptor.FontFile2.read_bytes()))
        order = program.getGlyphOrder()
        cmap = program.getBestCmap()
        for cid, char in ((0x37, "T"), (0x12C, "\u0177"), (0x5C, "y"), (0x3E8, "\u2713")):
            assert order[gids[cid]] == cmap[ord(char)], (hex(cid), char)
    if PDFFONTS:
        assert [emb for _, emb in pdffonts_rows(before, tmp_path)] == ["no"]
        assert [emb for _, emb in pdffonts_rows(after, tmp_path)] == ["yes"]


def test_a_composite_font_gives_the_same_bytes_twice_and_is_not_touched_again():
    before = welsh_pdf()
    first, _ = embedded(before)
    pdf_cid_fonts._composite_program.cache_clear()
    pdf_faces.subset_bytes.cache_clear()
    second, _ = embedded(before)
    assert first == second
    again, report = embedded(first)
    assert again == first and report == FontEmbedding([], [])


def test_a_cid_font_type0_becomes_cid_font_type2_and_keeps_its_system_info(tmp_path):
    before = welsh_pdf(base="MinionPro-Regular", subtype="/CIDFontType0", flags=34)  # serif, nonsymbolic
    after, report = embedded(before)
    assert report.substituted[0].startswith("MinionPro-Regular (drawn in Liberation Serif and DejaVu Sans")
    [(subtype, has_file, gids, _, system)] = descendants(after)
    assert subtype == "/CIDFontType2" and has_file and gids[0x37] != 0
    assert system == repr(identity())
    assert pdfium_text(after) == pdfium_text(before)
    assert origins(after) == origins(before)
    if PDFFONTS:
        assert [emb for _, emb in pdffonts_rows(after, tmp_path)] == ["yes"]


def test_a_composite_font_without_widths_keeps_its_default_width():
    before = welsh_pdf(widths=None)  # every glyph 1000 wide (§9.7.4.3): they stay where they were
    after, report = embedded(before)
    [(_, has_file, _, widths, _)] = descendants(after)
    assert report.left == [] and has_file and widths == "None"
    assert origins(after) == origins(before)


def test_a_composite_font_with_an_embedded_one_byte_cmap_is_mapped_through_it():
    pdf = pikepdf.new()
    cmap = pdf.make_stream(b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /OneByte def 1 begincodespacerange <00> <FF> endcodespacerange
1 begincidrange <20> <7E> 1 endcidrange 1 begincidchar <A0> 200 endcidchar
endcmap CMapName currentdict /CMap defineresource pop end end""", Type=Name.CMap, CMapName=Name.OneByte,
                           CIDSystemInfo=identity())
    to_unicode = b"""begincmap 1 begincodespacerange <00> <FF> endcodespacerange
1 beginbfrange <20> <7E> <0020> endbfrange 1 beginbfchar <A0> <2713> endbfchar endcmap"""
    fonts = Dictionary(F=type0_font(pdf, base="Helvetica", encoding=cmap, to_unicode=to_unicode,
                                    widths=[1, [278] * 95, 200, [800]]))
    before = one_page(pdf, fonts, b"BT /F 20 Tf 20 100 Td (Pont y Fenni \\240) Tj ET")
    after, report = embedded(before)
    assert report.left == [] and report.substituted == ["Helvetica (drawn in Liberation Sans and DejaVu Sans)"]
    [(_, has_file, gids, _, _)] = descendants(after)
    assert has_file and gids[ord("P") - 31] != 0 and gids[200] != 0
    assert pdfium_text(after) == pdfium_text(before)
    assert origins(after) == origins(before)


def test_a_composite_font_without_to_unicode_or_with_a_predefined_cmap_is_left(tmp_path):
    pdf = pikepdf.new()
    fonts = Dictionary(N=type0_font(pdf, base="Impact", to_unicode=None),
                       R=type0_font(pdf, base="HeiseiMin-W3", encoding=Name("/90ms-RKSJ-H")),
                       G=type0_font(pdf, base="SimHei", encoding=Name("/GBK-EUC-H"), to_unicode=None))
    fonts.G.BaseFont = pikepdf.Object.parse(b"/#ba#da#cc#e5,Bold")  # GBK bytes, not UTF-8 (pdf.js issue2128r)
    before = one_page(pdf, fonts, b"BT /N 20 Tf 20 100 Td <00370038> Tj /R 20 Tf (ab) Tj ET")
    after, report = embedded(before)
    assert report.substituted == []
    assert sorted(report.left) == ["#ba#da#cc#e5,Bold (Type0, not embedded: it has no /ToUnicode, so the characters "
                                   "of its CIDs are unknown)",
                                   "HeiseiMin-W3 (Type0, not embedded: its encoding /90ms-RKSJ-H is a predefined CMap "
                                   "not shipped here)",
                                   "Impact (Type0, not embedded: it has no /ToUnicode, so the characters of its CIDs "
                                   "are unknown)"]
    with pikepdf.open(io.BytesIO(before)) as pdf:
        assert after == saved(pdf)  # nothing changed


def test_a_composite_font_with_no_cid_font_gets_one():
    pdf = pikepdf.new()  # as in pdf.js's issue12823: /DescendantFonts [null], a /ToUnicode
    font_ = type0_font(pdf, base="NotoColorEmoji")
    font_.DescendantFonts = Array([None])
    before = one_page(pdf, Dictionary(F=font_), b"BT /F 24 Tf 20 100 Td " + WELSH_CIDS + b" Tj ET")
    after, report = embedded(before)
    assert report.substituted == [
        "NotoColorEmoji (drawn in Liberation Sans and DejaVu Sans; 1 character no shipped font has: \U0001F99C)"]
    [(subtype, has_file, gids, widths, _)] = descendants(after)
    assert subtype == "/CIDFontType2" and has_file and gids[0x37] != 0
    # the faces' own advances (Liberation Sans has Arial's), 1000 for the parrot no face has
    assert widths.startswith("pikepdf.Array([ 3, [ 278 ], 49, [ 722 ]") and "1000, [ 838, 1000 ]" in widths
    assert pdfium_text(after) == [WELSH_TEXT]


def test_a_simple_font_with_an_unknown_encoding_name_is_read_without_it(tmp_path):
    pdf = pikepdf.new()
    fonts = Dictionary(
        W=font("Helvetica", Encoding=Name("/Winng")),  # read as StandardEncoding: 0x27 is quoteright
        T=font("Arial", "/TrueType", Encoding=Dictionary(BaseEncoding=Name("/Winng"),
                                                         Differences=Array([65, Name("/Wcircumflex")]))),
        Z=font("ZapfDingbats", Encoding=Name("/Winng")),
    )
    before = one_page(pdf, fonts, b"BT /W 14 Tf 20 150 Td (Ty'n y Coed) Tj ET\n"
                                  b"BT /T 14 Tf 20 120 Td (Aales) Tj ET BT /Z 14 Tf 20 90 Td (3n) Tj ET")
    after, report = embedded(before)
    assert report.left == []
    assert sorted(report.substituted) == ["Arial (drawn in Liberation Sans)", "Helvetica (drawn in Liberation Sans)",
                                          "ZapfDingbats (drawn in DejaVu Sans)"]
    assert pdfium_text(after) == pdfium_text(before)
    assert "Ty\u2019n y Coed" in pdfium_text(after)[0] and "\u0174ales" in pdfium_text(after)[0]
    with pikepdf.open(io.BytesIO(after)) as out:
        assert "/Winng" not in repr(out.pages[0].obj.Resources.Font.T.Encoding)
    if PDFFONTS:
        assert all(emb == "yes" for _, emb in pdffonts_rows(after, tmp_path))
