"""Finished PDFs as officers are sent them: each kind goes into the pack whole, or is refused in one line.

Every input here is written by the test with pikepdf: encrypted files,
files qpdf cannot open, damaged streams, annotations without an appearance,
comments, links, /UserUnit and tiny pages, and filled forms.
"""

import io
import re
import zlib

import pikepdf
import pypdfium2
import pytest
from pikepdf import Array, Dictionary, Name, String

from tests.conftest import Built, run_command, write_files
from tests.pdfs import qpdf_problems, unembedded_fonts
from tests.test_spec import MINIMAL

SPEC = MINIMAL + "  - title: Planning application\n    paper: papers/plan.pdf\n"


def text_pdf(pages, size=(595, 842), unit=None):
    """A PDF whose page ``n`` shows ``pages[n]`` near its top left, in Helvetica (not embedded)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                        Encoding=Name.WinAnsiEncoding))
    for text in pages:
        page = pdf.add_blank_page(page_size=size)
        page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
        top = max(size[1] - 40, 10)
        page.obj.Contents = pdf.make_stream(f"BT /F1 10 Tf 20 {top} Td ({text}) Tj ET".encode())
        if unit:
            page.obj.UserUnit = unit
    return pdf


def save(pdf, path, **options):
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(path, **options)
    return path


@pytest.fixture
def pack(tmp_path):
    return write_files(tmp_path, {"pack.yaml": SPEC})


def members_pages(built):
    """The members' edition's numbered pages, as pdfium reads them: [(text, (width, height))]."""
    (path,) = built.out.glob("*-members.pdf")
    document = pypdfium2.PdfDocument(path)
    with pikepdf.open(path) as pdf:
        first = int(pdf.Root.PageLabels.Nums[2])  # the first numbered page: the second page label range
    return [(document[i].get_textpage().get_text_bounded(), document[i].get_size()) for i in range(first, len(document))]


def decoded(path):
    """Every string and decoded stream of a PDF, for looking for what must not be there."""
    with pikepdf.open(path) as pdf:
        parts = [bytes(thing.read_bytes()) if isinstance(thing, pikepdf.Stream) else thing.unparse()
                 for thing in pdf.objects if isinstance(thing, (pikepdf.Stream, Dictionary, Array))]
    return b"\n".join(parts)


def both_editions_are_sound(built):
    for edition in ("members", "public"):
        (path,) = built.out.glob(f"*-{edition}.pdf")
        assert qpdf_problems(path) == [], edition
        assert unembedded_fonts(path) == [], edition


@pytest.mark.parametrize("bits", [128, 256])
def test_an_aes_encrypted_pdf_builds_with_an_empty_password_and_is_refused_with_one(pack, assemble, bits):
    revision = 4 if bits == 128 else 6
    save(text_pdf(["AES-PAGE one"]), pack / "papers/plan.pdf",
         encryption=pikepdf.Encryption(user="", owner="officer", R=revision, aes=True))
    built = assemble(pack / "pack.yaml")
    assert built.code == 0, built.stderr
    assert "AES-PAGE one" in members_pages(built)[0][0]
    both_editions_are_sound(built)

    save(text_pdf(["AES-PAGE one"]), pack / "papers/plan.pdf",
         encryption=pikepdf.Encryption(user="secret", owner="officer", R=revision, aes=True))
    refused = assemble(pack / "pack.yaml")
    assert refused.code == 2
    assert refused.stderr.splitlines() == [
        f"assemble: {pack / 'papers/plan.pdf'}: is password-protected; ask for a copy without a password"]


def test_a_pdf_qpdf_cannot_open_is_rebuilt_with_a_warning_and_garbage_is_refused(pack, assemble):
    data = io.BytesIO()
    text_pdf(["NO-ROOT page"]).save(data, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    (pack / "papers").mkdir()
    (pack / "papers/plan.pdf").write_bytes(re.sub(rb"/Root \d+ 0 R", b"", data.getvalue()))  # a trailer without /Root
    built = assemble(pack / "pack.yaml")
    assert built.code == 0, built.stderr
    assert "NO-ROOT page" in members_pages(built)[0][0]
    assert re.search(r"plan\.pdf\): was damaged and has been repaired .*unable to find /Root", built.stderr)
    both_editions_are_sound(built)

    (pack / "papers/plan.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    refused = assemble(pack / "pack.yaml", "--debug")
    assert refused.code == 2
    lines = refused.stderr.splitlines()
    assert lines[0].endswith("plan.pdf: is not a readable PDF (damaged or truncated); ask for a fresh export")
    assert lines[1].startswith("  (underlying error: qpdf:")  # --debug shows what the libraries said
    assert len(assemble(pack / "pack.yaml").stderr.splitlines()) == 1


def test_a_damaged_stream_is_repaired_never_copied_through(pack, assemble):
    pdf = text_pdf(["placeholder"])
    lines = [f"BT /F1 9 Tf 20 {800 - 12 * n} Td (line {n}: {n ** 7 % 1000003}) Tj ET" for n in range(1, 60)]
    content = zlib.compress("\n".join(["BT /F1 12 Tf 20 810 Td (DAMAGED-STREAM kept) Tj ET"] + lines).encode())
    stream = pikepdf.Stream(pdf, content[: len(content) // 2] + b"\x00garbage")
    stream.Filter = Name.FlateDecode
    pdf.pages[0].obj.Contents = pdf.make_indirect(stream)
    save(pdf, pack / "papers/plan.pdf")
    assert qpdf_problems(pack / "papers/plan.pdf")  # the source itself fails the check
    built = assemble(pack / "pack.yaml")
    assert built.code == 0, built.stderr
    assert "DAMAGED-STREAM kept" in members_pages(built)[0][0]
    assert re.search(r"plan\.pdf\): \d damaged streams? repaired", built.stderr)
    both_editions_are_sound(built)


def annotated_pdf():
    """A page with a square, a highlight and ink that carry no appearance stream, a sticky
    note, and a free-text box."""
    pdf = text_pdf(["ANNOTATED page"])
    page = pdf.pages[0]
    square = Dictionary(Type=Name.Annot, Subtype=Name.Square, Rect=Array([100, 400, 300, 600]), F=4,
                        C=Array([0, 0, 1]), IC=Array([0, 0.6, 0]), BS=Dictionary(W=3))
    highlight = Dictionary(Type=Name.Annot, Subtype=Name.Highlight, Rect=Array([20, 795, 200, 815]), F=4,
                           C=Array([1, 1, 0]), QuadPoints=Array([20, 815, 200, 815, 20, 795, 200, 795]),
                           Contents=String("HIGHLIGHT-POPUP-REMARK"))
    ink = Dictionary(Type=Name.Annot, Subtype=Name.Ink, Rect=Array([350, 100, 550, 300]), F=4, C=Array([1, 0, 0]),
                     InkList=Array([Array([360, 110, 540, 290, 360, 290])]), BS=Dictionary(W=4))
    note = Dictionary(Type=Name.Annot, Subtype=Name.Text, Rect=Array([500, 700, 520, 720]), F=4,
                      Contents=String("STICKY-NOTE-REMARK: do not circulate"))
    page.obj.Annots = Array([pdf.make_indirect(a) for a in (square, highlight, ink, note)])
    return pdf


def drawn_at(path, index, x, y):
    """The colour (RGB) at the point (x, y) of the page as its PDF drew it, on page ``index``
    of the edition at ``path`` (an unrotated finished page), drawn at 72 dpi: the binder may
    have moved or scaled the drawing clear of the furniture, with a ``cm`` it puts first."""
    with pikepdf.open(path) as pdf:
        first = pikepdf.parse_content_stream(pdf.pages[index])[:3]
    scale, _, _, _, e, f = next((map(float, op.operands) for op in first if str(op.operator) == "cm"),
                                (1, 0, 0, 1, 0, 0))
    document = pypdfium2.PdfDocument(path)
    try:
        image = document[index].render(scale=1).to_pil().convert("RGB")
    finally:
        document.close()
    return image.getpixel((round(scale * x + e), round(image.height - (scale * y + f))))


def test_annotations_that_show_something_are_drawn_and_comments_are_left_out(pack, assemble):
    save(annotated_pdf(), pack / "papers/plan.pdf")
    built = assemble(pack / "pack.yaml")
    assert built.code == 0, built.stderr
    assert re.search(r"plan\.pdf\): 2 comments \(sticky notes, popup text\) left out", built.stderr)
    (path,) = built.out.glob("*-members.pdf")
    index = len(pypdfium2.PdfDocument(path)) - 2  # the appendix page, before the back cover
    assert drawn_at(path, index, 200, 500) == (0, 153, 0)  # the square's fill, drawn with no appearance given
    red = [drawn_at(path, index, x, 290) for x in range(360, 540, 10)]
    assert any(r > 200 and g < 80 and b < 80 for r, g, b in red)  # the ink stroke along the top
    for edition in ("members", "public"):
        (path,) = built.out.glob(f"*-{edition}.pdf")
        assert b"STICKY-NOTE-REMARK" not in decoded(path) and b"HIGHLIGHT-POPUP-REMARK" not in decoded(path)
        with pikepdf.open(path) as pdf:
            kinds = {str(a.get("/Subtype")) for page in pdf.pages for a in page.get("/Annots", [])}
        assert kinds <= {"/Link"}
    both_editions_are_sound(built)


def test_links_inside_a_finished_pdf_jump_to_its_pages_and_web_links_open(pack, assemble):
    pdf = text_pdf(["CONTENTS page", "SECTION-A page", "SECTION-B page"])
    pages = [page.obj for page in pdf.pages]
    pdf.Root.Names = Dictionary(Dests=Dictionary(Names=Array([String("section-a"), Array([pages[1], Name.Fit])])))

    def link(y, **action):
        return pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([20, y, 200, y + 12]),
                                            **action))

    pages[0].Annots = Array([
        link(700, Dest=String("section-a")),
        link(680, A=Dictionary(S=Name.GoTo, D=Array([pages[2], Name.XYZ, 0, 800, 0]))),
        link(660, A=Dictionary(S=Name.URI, URI=String("https://www.example.gov.uk/plans"))),
        link(640, A=Dictionary(S=Name.URI, URI=String("mailto:planning@example.gov.uk"))),
        link(620, A=Dictionary(S=Name.JavaScript, JS=String("app.alert('LINK-SCRIPT')"))),
        link(600, A=Dictionary(S=Name.Launch, F=String("LINK-LAUNCH.exe"))),
        link(580, A=Dictionary(S=Name.URI, URI=String("file:///C:/LINK-LOCAL/secret.docx"))),
        link(560, A=Dictionary(S=Name.GoToR, F=String("LINK-REMOTE.pdf"), D=Array([0, Name.Fit]))),
    ])
    save(pdf, pack / "papers/plan.pdf")
    built = assemble(pack / "pack.yaml")
    assert built.code == 0, built.stderr
    (path,) = built.out.glob("*-members.pdf")
    with pikepdf.open(path) as edition:
        objgens = {page.objgen: index for index, page in enumerate(edition.pages)}
        texts = pypdfium2.PdfDocument(path)
        contents = next(i for i in range(len(texts)) if "CONTENTS page" in texts[i].get_textpage().get_text_bounded())
        jumps, uris = [], []
        for annotation in edition.pages[contents].get("/Annots", []):
            if "/Dest" in annotation:
                jumps.append(objgens[annotation.Dest[0].objgen] - contents)
            else:
                assert annotation.A.S == Name.URI
                uris.append(str(annotation.A.URI))
    assert jumps == [1, 2]  # to section A (named) and section B, one and two pages on
    assert uris == ["https://www.example.gov.uk/plans", "mailto:planning@example.gov.uk"]
    everything = decoded(path)
    for token in (b"LINK-SCRIPT", b"LINK-LAUNCH", b"LINK-LOCAL", b"LINK-REMOTE", b"/JavaScript", b"/Launch"):
        assert token not in everything


def footer_number_size(path, index):
    """The font size (points) of the digits drawn in the bottom 60 points of page ``index``."""
    page = pypdfium2.PdfDocument(path)[index]
    textpage = page.get_textpage()
    sizes = []
    for char in range(textpage.count_chars()):
        left, bottom, right, top = textpage.get_charbox(char)
        if top < 60 and textpage.get_text_range(char, 1).isdigit():
            sizes.append(round(pypdfium2.raw.FPDFText_GetFontSize(textpage.raw, char), 1))
    return sizes


def test_a_user_unit_page_gets_its_number_at_the_size_of_any_other(pack, assemble):
    pdf = text_pdf(["BIG-UNIT page"], size=(200, 280), unit=3)  # prints 600 x 840 points
    pdf.add_blank_page(page_size=(595, 842))
    save(pdf, pack / "papers/plan.pdf")
    built = assemble(pack / "pack.yaml")
    assert built.code == 0, built.stderr
    pages = members_pages(built)
    assert pages[0][1] == pytest.approx((600, 840))
    (path,) = built.out.glob("*-members.pdf")
    first = len(pypdfium2.PdfDocument(path)) - 3
    assert footer_number_size(path, first) == footer_number_size(path, first + 1) != []
    with pikepdf.open(path) as edition:
        assert all("/UserUnit" not in page.obj for page in edition.pages)


def test_a_page_too_small_for_a_number_is_enlarged_and_one_without_a_size_is_letter(pack, assemble):
    pdf = text_pdf(["TINY page"], size=(100, 30))
    pdf.add_blank_page(page_size=(595, 842))
    pdf.pages[1].obj.MediaBox = Array([0, 0, 0, 0])
    save(pdf, pack / "papers/plan.pdf")
    built = assemble(pack / "pack.yaml")
    assert built.code == 0, built.stderr
    pages = members_pages(built)
    assert min(pages[0][1]) == pytest.approx(5 / 2.54 * 72)  # 5 cm: room for the pack's number
    assert pages[0][1][0] / pages[0][1][1] == pytest.approx(100 / 30)
    assert "TINY page" in pages[0][0]
    assert pages[1][1] == pytest.approx((612, 792))
    assert "page 1 is 3.5 x 1.1 cm, too small to carry the pack's page number; enlarged to 16.7 x 5.0 cm" in built.stderr
    assert "page 2 has no usable size; laid out at US Letter size" in built.stderr
    both_editions_are_sound(built)


def test_a_filled_forms_values_print_in_an_embedded_font_that_has_their_letters(pack, assemble):
    pdf = text_pdf(["FORM page"])
    page = pdf.pages[0]
    helvetica = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    field = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=String("venue"),
                                         V=String("Tŷ Newydd, Llanfair"), Rect=Array([72, 700, 372, 724]),
                                         DA=String("/Helv 12 Tf 0 g"), F=4, P=page.obj))
    page.obj.Annots = Array([field])
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]), NeedAppearances=True,
                                   DR=Dictionary(Font=Dictionary(Helv=helvetica)))
    save(pdf, pack / "papers/plan.pdf")
    built = assemble(pack / "pack.yaml")
    assert built.code == 0, built.stderr
    text = members_pages(built)[0][0]
    assert "Tŷ Newydd, Llanfair" in text and "T? Newydd" not in text
    both_editions_are_sound(built)


def plain_bytes(pdf):
    """``pdf`` written with no object streams or compression, for editing as text."""
    data = io.BytesIO()
    pdf.save(data, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False)
    return data.getvalue()


@pytest.mark.parametrize("kids", [b"/Kids [ 3 0 R 2 0 R ]", b"/Kids [ 3 0 R 77 ]"], ids=["loop", "non-page"])
def test_a_page_tree_qpdf_cannot_follow_is_rebuilt_and_said_in_one_warning(pack, assemble, kids):
    data = plain_bytes(text_pdf(["ODD-TREE page"]))
    (pack / "papers").mkdir()
    (pack / "papers/plan.pdf").write_bytes(re.sub(rb"/Kids \[ 3 0 R \]", kids, data))
    result = run_command(pack / "pack.yaml", "-o", pack / "out")  # libqpdf's own prints reach the real stderr
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert re.fullmatch(r"\d warnings:", lines[0]) and all(line.startswith("  warning: ") for line in lines[1:]), lines
    assert re.search(r"plan\.pdf\): was damaged and has been repaired", result.stderr)
    built = Built(pack, pack / "out", 0, result.stdout, result.stderr)
    assert "ODD-TREE page" in members_pages(built)[0][0]
    both_editions_are_sound(built)


def test_lines_and_polygons_without_an_appearance_are_drawn(pack, assemble):
    pdf = text_pdf(["SHAPES page"])
    line = Dictionary(Type=Name.Annot, Subtype=Name.Line, Rect=Array([90, 390, 510, 410]), F=4,
                      L=Array([100, 400, 500, 400]), C=Array([1, 0, 0]), BS=Dictionary(W=6))
    polygon = Dictionary(Type=Name.Annot, Subtype=Name.Polygon, Rect=Array([100, 100, 300, 300]), F=4,
                         Vertices=Array([110, 110, 290, 110, 290, 290, 110, 290]), C=Array([0, 0, 1]),
                         IC=Array([0, 0.6, 0]))
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(line), pdf.make_indirect(polygon)])
    save(pdf, pack / "papers/plan.pdf")
    built = assemble(pack / "pack.yaml")
    assert built.code == 0, built.stderr
    (path,) = built.out.glob("*-members.pdf")
    index = len(pypdfium2.PdfDocument(path)) - 2
    assert drawn_at(path, index, 300, 400) == (255, 0, 0)  # on the line
    assert drawn_at(path, index, 200, 200) == (0, 153, 0)  # inside the polygon
    both_editions_are_sound(built)


def test_form_values_shared_across_pages_or_oddly_set_all_print_and_an_own_appearance_stays(pack, assemble):
    pdf = text_pdf(["FORM-ONE page", "FORM-TWO page"])
    helvetica = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    parent = pdf.make_indirect(Dictionary(FT=Name.Tx, T=String("applicant"), V=String("Applicant Jones"),
                                          DA=String("/Helv 1.2.3 Tf 0 g")))  # a damaged font size
    kids = []
    for page in pdf.pages:
        kid = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, Parent=parent, F=4, P=page.obj,
                                           Rect=Array([72, 600, 372, 624])))
        page.obj.Annots = Array([kid])
        kids.append(kid)
    parent.Kids = Array(kids)
    drawn = pdf.make_stream(b"BT /Helv 12 Tf 2 6 Td (OWN-APPEARANCE text) Tj ET", Type=Name.XObject,
                            Subtype=Name.Form, BBox=Array([0, 0, 300, 24]),
                            Resources=Dictionary(Font=Dictionary(Helv=helvetica)))
    own = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=String("own"),
                                       V=String("OWN-APPEARANCE text"), Rect=Array([72, 500, 372, 524]), F=4,
                                       P=pdf.pages[0].obj, AP=Dictionary(N=drawn)))
    pdf.pages[0].obj.Annots.append(own)
    pdf.Root.AcroForm = Dictionary(Fields=Array([parent, own]), DR=Dictionary(Font=Dictionary(Helv=helvetica)))
    save(pdf, pack / "papers/plan.pdf")
    built = assemble(pack / "pack.yaml")
    assert built.code == 0, built.stderr
    first, second = members_pages(built)[:2]
    assert "Applicant Jones" in first[0] and "Applicant Jones" in second[0]
    assert "OWN-APPEARANCE text" in first[0]
    both_editions_are_sound(built)


def test_nothing_but_drawing_rides_along_with_a_page(pack, assemble):
    pdf = text_pdf(["CARRIER page"])
    page = pdf.pages[0].obj
    page.Resources.Smuggle = Dictionary(S=Name.JavaScript, JS=String("app.alert('RIDER-SCRIPT')"))
    page.Contents = Array([page.Contents, None])  # a null among the content streams
    save(pdf, pack / "papers/plan.pdf")
    built = assemble(pack / "pack.yaml")
    assert built.code == 0, built.stderr
    assert "CARRIER page" in members_pages(built)[0][0]
    (path,) = built.out.glob("*-members.pdf")
    assert b"RIDER-SCRIPT" not in decoded(path)
    both_editions_are_sound(built)
