"""Papers that hide words, and papers that only look as if they might, for the redaction tests."""

import base64
import io

import pikepdf
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import parse_xml
from docx.shared import Pt, RGBColor
from weasyprint import HTML

NAME = "Mrs Jane Smith of 4 Mill Lane"


def picture(colour, size=(40, 20), text=None):
    """A PNG as a data URL: one colour, or with ``text`` drawn on it (a scanned page)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    if text:
        draw = ImageDraw.Draw(image)
        for line, words in enumerate(text):
            draw.text((40, 60 + 40 * line), words, fill="black", font_size=28)
    data = io.BytesIO()
    image.save(data, "PNG")
    return "data:image/png;base64," + base64.b64encode(data.getvalue()).decode()


COVER = "position: absolute; left: -2pt; top: -3pt; right: -2pt; bottom: -3pt"
HTML_PAPERS = {  # what hides the name, in a page that is otherwise plain
    "black box": f'<span style="position: relative">{NAME}<span style="{COVER}; background: black"></span></span>',
    "picture": f'<span style="position: relative">{NAME}<img src="{picture("#111")}" '
               f'style="position: absolute; left: -2pt; top: -3pt; width: 200pt; height: 20pt"></span>',
    "white text": f'<span style="color: white">{NAME}</span>',
    "text the colour of its highlight": f'<span style="color: #123456; background: #123456">{NAME}</span>',
    "text off the page": f'<span style="position: absolute; left: -300mm">{NAME}</span>',
}
HARMLESS_HTML = {  # looks dark, hides nothing
    "dark table header": '<table style="border-collapse: collapse"><tr>' + "".join(
        f'<th style="background: #0b2545; color: white; padding: 4pt">{h}</th>'
        for h in ("Ward", "Objections", "Decision"))
        + "</tr><tr><td>Mill</td><td>4</td><td>Refused</td></tr></table>",
    "black logo": f'<p><img src="{picture("black", (60, 60))}" style="width: 20mm"> Harbourside District Council</p>',
    "bar chart": '<div style="display: flex; align-items: end; gap: 4mm; height: 40mm">' + "".join(
        f'<div style="background: #222; color: white; width: 15mm; height: {h}mm; font-size: 8pt; text-align: center">'
        f'{h}%</div>' for h in (10, 25, 40)) + "</div><p>Quarter 1, 2 and 3</p>",
    "black box with the words removed": '<span style="display: inline-block; width: 40mm; height: 11pt; '
                                        'background: black"></span> objected to the licence.',
}


def html_pdf(path, body):
    """A finished PDF of two pages: plain words, then ``body`` among plain words."""
    html = ("<html><style>@page { size: A4; margin: 20mm } body { font: 12pt sans-serif }</style>"
            "<p>The first page is plain.</p><p style='break-before: page'>The licence was opposed.</p>"
            f"<p>{body}</p><p>The committee decided.</p></html>")
    HTML(string=html).write_pdf(path)
    return path


def drawn_pdf(path, content, picture_size=None, comment=None):
    """A one-page PDF drawn with ``content`` (a content stream, Helvetica as /F1, /GS0 a
    graphics state that draws nothing, /MC0 a layer switched off; with
    ``picture_size``, a scan with words on it as /Im1; with ``comment`` (x0, y0, x1, y1),
    a black-filled square annotation there, as a reviewer's comment tool draws one)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    see_through = pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=0, CA=0)
    layer = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.OCG, Name="Names"))
    pdf.Root.OCProperties = pikepdf.Dictionary(OCGs=[layer], D=pikepdf.Dictionary(OFF=[layer], Order=[layer]))
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font), ExtGState=pikepdf.Dictionary(GS0=see_through),
                                   Properties=pikepdf.Dictionary(MC0=layer))
    if picture_size:
        from PIL import Image, ImageDraw

        image = Image.new("L", picture_size, 255)
        ImageDraw.Draw(image).text((60, 80), "Licensing objections received", fill=0, font_size=40)
        stream = pikepdf.Stream(pdf, image.tobytes(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                                Width=picture_size[0], Height=picture_size[1], ColorSpace=pikepdf.Name.DeviceGray,
                                BitsPerComponent=8)
        resources.XObject = pikepdf.Dictionary(Im1=stream)
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842], Resources=resources,
                              Contents=pikepdf.Stream(pdf, content.encode()))
    if comment:
        width, height = comment[2] - comment[0], comment[3] - comment[1]
        look = pikepdf.Stream(pdf, f"0 g 0 0 {width} {height} re f".encode(), Type=pikepdf.Name.XObject,
                              Subtype=pikepdf.Name.Form, BBox=[0, 0, width, height])
        page.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Square, Rect=list(comment), IC=[0, 0, 0], C=[0, 0, 0],
            AP=pikepdf.Dictionary(N=look)))]))
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


VISIBLE = "BT /F1 12 Tf 72 760 Td (The licence was opposed.) Tj ET\n"
DRAWN_PAPERS = {
    "invisible text": VISIBLE + f"BT /F1 12 Tf 3 Tr 72 700 Td ({NAME}) Tj ET",
    "clipped text": VISIBLE + f"q 72 600 1 1 re W n BT /F1 12 Tf 72 700 Td ({NAME}) Tj ET Q",
    "tiny text": VISIBLE + f"BT /F1 0.5 Tf 72 700 Td ({NAME}) Tj ET",
    "comment box": VISIBLE + f"BT /F1 12 Tf 72 700 Td ({NAME}) Tj ET",  # with COMMENT over it
    "text in a layer switched off": VISIBLE + f"/OC /MC0 BDC BT /F1 12 Tf 72 700 Td ({NAME}) Tj ET EMC",
}
COMMENT = (68, 694, 260, 714)
# a scanned page: the picture of the words, and its OCR layer (invisible text) over it, a stray word on blank paper
SCAN = ("q 595 0 0 842 0 0 cm /Im1 Do Q\n"
        "BT /F1 14 Tf 3 Tr 43 790 Td (Licensing objections received) Tj 0 -300 Td (Mill Lane) Tj ET")
# the same layer made see-through by its graphics state instead (some OCR tools do so)
SEE_THROUGH_SCAN = SCAN.replace("BT /F1 14 Tf 3 Tr", "q /GS0 gs BT /F1 14 Tf").replace("Tj ET", "Tj ET Q")


def word_paper(path, hide=None):
    """A Word report: plain paragraphs around one (``hide``: how) that hides the name."""
    document = Document()
    document.add_paragraph("The licence was opposed.")
    paragraph = document.add_paragraph("The objector, ")
    run = paragraph.add_run(NAME)
    paragraph.add_run(", wrote in.")
    if hide == "black highlight":
        run.font.highlight_color = WD_COLOR_INDEX.BLACK
    elif hide == "black shading":
        run._r.get_or_add_rPr().append(parse_xml(
            '<w:shd xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'w:val="clear" w:color="auto" w:fill="000000"/>'))
    elif hide in ("white text", "white text on a black highlight"):  # hidden; seen, as a dark heading is
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        if hide == "white text on a black highlight":
            run.font.highlight_color = WD_COLOR_INDEX.BLACK
    elif hide == "tiny text":
        run.font.size = Pt(1)
    elif hide == "shape over the words":
        paragraph._p.append(parse_xml(_SHAPE))
    elif hide == "banner across the page":  # a template's coloured band, placed by the page: no alarm
        paragraph._p.append(parse_xml(_SHAPE.replace('relativeFrom="character"', 'relativeFrom="page"')
                                      .replace('relativeFrom="line"', 'relativeFrom="page"')))
    elif hide == "old-style shape over the words":  # VML, as Word 2007 drew it
        paragraph._p.append(parse_xml(
            '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:rect fillcolor="#000000" stroked="f" '
            'style="position:absolute;margin-left:0;margin-top:0;width:150pt;height:14pt;z-index:1"/></w:pict></w:r>'))
    elif hide in ("white text in a white text box", "white text in a dark text box"):
        run.text = ""  # the name is in the box
        fill = "#FFFFFF" if "white text box" in hide else "#1F3864"
        paragraph._p.append(parse_xml(
            '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            f'xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape fillcolor="{fill}" '
            'style="position:absolute;width:200pt;height:30pt"><v:textbox><w:txbxContent><w:p><w:r><w:rPr>'
            f'<w:color w:val="FFFFFF"/></w:rPr><w:t>{NAME}</w:t></w:r></w:p></w:txbxContent></v:textbox>'
            '</v:shape></w:pict></w:r>'))
    elif hide == "hidden text":
        run.font.hidden = True
    document.add_paragraph("The committee decided.")
    if hide == "dark table header":
        table = document.add_table(rows=2, cols=2)
        for cell, words in zip(table.rows[0].cells, ("Ward", "Objections")):
            cell._tc.get_or_add_tcPr().append(parse_xml(
                '<w:shd xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                'w:val="clear" w:color="auto" w:fill="1F3864"/>'))
            heading = cell.paragraphs[0].add_run(words)
            if words == "Ward":  # white as set; "Objections" in Word's automatic colour, white on dark
                heading.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        table.rows[1].cells[0].text, table.rows[1].cells[1].text = "Mill", "4"
    if hide == "white text in a dark paragraph style":  # a "key facts" box: the style shades the paragraph
        style = document.styles.add_style("Key facts", 1)
        style.element.get_or_add_pPr().append(parse_xml(
            '<w:shd xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'w:val="clear" w:color="auto" w:fill="1F3864"/>'))
        document.add_paragraph(style="Key facts").add_run("Key facts").font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    if hide == "white heading in a table style's dark row":  # the row's fill comes from the table's style
        table = document.add_table(rows=2, cols=2, style="Medium Shading 1 Accent 1")
        for cell, words in zip(table.rows[0].cells, ("Ward", "Objections")):
            cell.paragraphs[0].add_run(words).font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        table.rows[1].cells[0].text, table.rows[1].cells[1].text = "Mill", "4"
    document.save(path)
    return path


_SHAPE = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
  xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
  xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
  xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><w:drawing>
 <wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="2" behindDoc="0" locked="0"
   layoutInCell="1" allowOverlap="1">
  <wp:simplePos x="0" y="0"/>
  <wp:positionH relativeFrom="character"><wp:posOffset>0</wp:posOffset></wp:positionH>
  <wp:positionV relativeFrom="line"><wp:posOffset>0</wp:posOffset></wp:positionV>
  <wp:extent cx="1800000" cy="180000"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>
  <wp:docPr id="1" name="Box"/><wp:cNvGraphicFramePr/>
  <a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
   <wps:wsp><wps:cNvSpPr/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1800000" cy="180000"/></a:xfrm>
    <a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val="000000"/></a:solidFill></wps:spPr>
    <wps:bodyPr/></wps:wsp>
  </a:graphicData></a:graphic>
 </wp:anchor></w:drawing></w:r>"""
