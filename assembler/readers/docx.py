"""Word reports (.docx), re-set in the house style.

mammoth converts the Word content to HTML (headings, paragraphs, emphasis,
lists, tables with merged cells, images with their alt text, footnotes,
endnotes, links); it never follows a linked (external) image.  We add what it
leaves out: list numbers as Word shows them (``word_numbering``), underline,
and the report's cover block when the document opens with one.
"""

import base64
import io
import posixpath
import re
import zipfile

import mammoth
from lxml import etree
from lxml import html as lxml_html

from assembler.errors import PaperError
from assembler.model import AttendanceRow, Note, NoteItem, Report
from assembler.opened import read_paper_file
from assembler.readers.cover_block import split_cover_block
from assembler.readers.html_clean import TooDeep, clean_html, images_without_alt, inner_html, own_title, parse_fragment
from assembler.readers.picture import too_many_pixels
from assembler.readers.symbols import undrawable_warnings
from assembler.readers.word_hidden import Hiding
from assembler.readers.word_numbering import W, numbered_paragraphs, parse_xml
from assembler.readers.word_xml import (as_word_shows, outline_html, picture_sizes, smartart_outlines, source_content,
                                        transitional)

MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_IMAGE_BYTES = 40 * 1024 * 1024
MAX_XML_BYTES = 16 * 1024 * 1024  # the text of a 1,000-page report is under 10 MB; mammoth needs ~200 times it
STYLE_MAP = "u => u\np[style-name='Title'] => h1:fresh"


def read_docx(path, data=None, id_prefix="doc"):
    """A Word report (``data``: its bytes, read once; by default read from ``path``).
    Raises ``PaperError`` naming it."""
    html, linked, parts = _docx_html(path, data, id_prefix)
    hidden = parts["hidden"]
    content = [source_content(parts[name], parts.get(f"word/_rels/{name[5:]}.rels")) for name in _NOTES_LAST
               if name in parts]
    title, html = own_title(html)
    cover, body = split_cover_block(html)
    body = clean_html(body)
    return Report(
        source=path,
        body_html=body,
        title=title and clean_html(title),
        cover=cover,
        images_without_alt=images_without_alt(body),
        warnings=[f"linked picture {name} not included (never fetched; insert it into the document)" for name in linked]
        + parts["left_out"] + undrawable_warnings(body)
        + ([f"{hidden} piece(s) of hidden text left out (Word does not print them either)"] if hidden else []),
        source_text="\n".join([text for text, _ in content]
                               + [text for outline in parts["smartart"].values() for _, text in outline]),
        source_pictures=[picture for _, pictures in content for picture in pictures],
    )


def read_note_docx(path, data=None, id_prefix="note"):
    """A note of a meeting written in Word (such as `assemble minutes` drafts).

    Items are the headings that start with a number (``3 Budget monitoring``);
    the attendance appendix is the table after an "Appendix … Attendance"
    heading; Title, Date and Venue come from the labelled table at the top.
    A note without numbered headings is kept whole.
    """
    html, _, _ = _docx_html(path, data, id_prefix)
    root = parse_fragment(html)
    header, items, attendance, body = {}, [], [], []
    current, in_appendix = None, False
    for block in root:
        text = re.sub(r"\s+", " ", block.text_content()).strip()
        number = re.match(r"(\d+[a-z]?)\.?\s+(.+)", text) if block.tag in ("h1", "h2", "h3") else None
        if block.tag == "table" and not items and not header:
            header = _labelled_rows(block)
        elif block.tag in ("h1", "h2", "h3") and re.match(r"appendix\b.*attendance", text, re.I):
            in_appendix, current = True, None
        elif in_appendix and block.tag == "table":
            attendance = _attendance_rows(block)
        elif number:
            current = NoteItem(number[1], number[2], "")
            items.append(current)
        elif current is not None:
            items[-1] = NoteItem(current.number, current.title, items[-1].body_html + lxml_html.tostring(block, encoding="unicode"))
            current = items[-1]
        elif block.tag not in ("h1",) and not in_appendix and not re.match(r"attendance\b|an attendance list", text, re.I):
            body.append(lxml_html.tostring(block, encoding="unicode"))
    items = [NoteItem(item.number, item.title, clean_html(item.body_html)) for item in items]
    return Note(source=path, meeting=header.get("title"), date=header.get("date"), venue=header.get("venue"),
                items=items, body_html=clean_html("".join(body)), attendance=attendance)


def _labelled_rows(table):
    rows = {}
    for row in table.iter("tr"):
        cells = [re.sub(r"\s+", " ", cell.text_content()).strip() for cell in row.iter("td", "th")]
        if len(cells) >= 2 and cells[0].endswith(":"):
            rows[cells[0].rstrip(":").strip().lower()] = cells[1]
    return rows


def _attendance_rows(table):
    rows = []
    for row in list(table.iter("tr"))[1:]:
        cells = [re.sub(r"\s+", " ", cell.text_content()).strip() for cell in row.iter("td", "th")] + ["", "", ""]
        role, name, authority = cells[:3]
        if not name:
            continue
        if rows and (not role or role == rows[-1].role):
            rows[-1].people.append((name, authority))
        else:
            rows.append(AttendanceRow(role, [(name, authority)]))
    return rows


def _docx_html(path, data, id_prefix):
    """The document as mammoth's HTML with Word's list numbers, the linked pictures left out,
    and the package's parts as rewritten (``word_xml``)."""
    package, parts = _printable_package(path, read_paper_file(path) if data is None else data)
    sizes = [size for name in _NOTES_LAST if name in parts
             for size in picture_sizes(parts[name])]
    drawn, parts["left_out"] = [], []

    def convert_image(image):
        drawn.append(image)
        attributes, why = _image_source(image)
        if why:  # no img at all: the warning names it
            parts["left_out"].append(f"picture {image.alt_text or len(drawn)} left out: {why}")
            return []
        if len(drawn) <= len(sizes):
            attributes.update(zip(("width", "height"), map(str, sizes[len(drawn) - 1])))
        return mammoth.images.img_element(lambda _: attributes)(image)

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(package),
            style_map=STYLE_MAP,
            convert_image=convert_image,
            id_prefix=f"{id_prefix}-",
        )
    except RecursionError:  # content nested deeper than mammoth's reading can follow
        raise TooDeep() from None
    except Exception as error:  # mammoth raises many kinds on damaged files
        raise PaperError(path, f"is not a Word document we can read ({type(error).__name__}: {error})") from None
    linked = [re.sub(r".*'(.*)'.*", r"\1", message.message) for message in result.messages
              if "external" in message.message]
    html = _printed_notes(result.value, id_prefix)
    if len(drawn) != len(sizes):  # the pictures and the drawings do not pair up: natural sizes
        html = re.sub(r'(<img\b[^>]*?) width="\d+" height="\d+"', r"\1", html)
    html = re.sub(r'<input\b[^>]*type="checkbox"[^>]*>', _tick_box, html)
    for marker, outline in parts["smartart"].items():  # SmartArt's text, as a nested list
        html = html.replace(f"<p>{marker}</p>", outline_html(outline)).replace(
            marker, "; ".join(text for _, text in outline))
    html = _number_lists(html, parts)
    if not re.sub(r"<[^>]+>", "", html).strip() and "<img" not in html:
        if linked:
            raise PaperError(path, f"holds only a linked picture ({', '.join(linked)}), which is never fetched; "
                                   "insert the picture into the document instead")
        raise PaperError(path, "has no text: is it the right file?")
    return html, linked, parts


def _printed_notes(html, id_prefix):
    """mammoth's footnotes and endnotes as a printed page shows them: after the text, apart
    (``div.notes``, a short rule above them in pack.css), each numbered as its reference in
    the text (``[1]`` and ``1.``), without the link back to that reference (``↑``) that
    mammoth ends each note with, which on paper is only an arrow."""
    html = re.sub(rf'\s*<a href="#{re.escape(id_prefix)}-(?:footnote|endnote)-ref-[^"]*">\u2191</a>', "", html)
    notes = re.search(rf'<ol><li id="{re.escape(id_prefix)}-(?:footnote|endnote)-[^"]*">.*</ol>', html, re.S)
    if notes is None:
        return html
    listed = re.sub(r"<p>\s*</p>(?=</li>)", "", notes[0])  # a note whose last paragraph held only the arrow
    return html[:notes.start()] + f'<div class="notes">{listed}</div>' + html[notes.end():]


def _unpacked(path, package, info):
    """A part of the package, unpacked: never more than the size its entry declares (which
    the limits above count), ``zipfile`` stopping there and checking its CRC-32."""
    try:
        return package.read(info)
    except zipfile.BadZipFile as error:
        raise PaperError(path, f"is damaged: its part {info.filename} does not unpack as its package declares "
                               f"({error}); refused") from None


def _printable_package(path, data):
    """The package with only what Word prints, and its parts that numbering needs.

    The document and its notes are rewritten as Word shows them
    (``word_xml``: a Strict file's namespaces made the usual ones, changes
    accepted, hidden text and comments out, symbols as Unicode) before anything
    reads them; a package that is not a sound .docx is refused.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
                raise PaperError(path, f"unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB; refused")
            if sum(info.file_size for info in infos if info.filename.endswith((".xml", ".rels"))) > MAX_XML_BYTES:
                raise PaperError(path, f"its text unpacks to more than {MAX_XML_BYTES // 2**20} MB of XML; refused "
                                       "(a report that long should be split, or given as a PDF)")
            entries = {info.filename: _unpacked(path, package, info) for info in infos}
    except zipfile.BadZipFile:
        raise PaperError(path, "is not a Word document (.docx): not a zip package (an old .doc? save it as .docx)") from None
    except (OSError, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError) as error:
        raise PaperError(path, f"cannot be read as a Word document ({error})") from None
    entries = {name: transitional(part) if name.endswith((".xml", ".rels")) else part for name, part in entries.items()}
    _main_part_at_its_usual_place(path, entries)
    for name, data in entries.items():
        if name.endswith((".xml", ".rels")) and re.search(rb"<!DOCTYPE", data[:4096], re.I):
            raise PaperError(path, f"carries a DOCTYPE declaration in {name}; refused (a Word file never needs one)")
    hidden, name = 0, "word/styles.xml"
    try:
        hiding = Hiding(parse_xml(entries[name]) if name in entries else None)
        for name in sorted(_TEXT_PARTS.intersection(entries)):
            entries[name], count = _without_hidden(entries[name], hiding)
            entries[name], hidden = as_word_shows(entries[name]), hidden + count
        name = "word/document.xml"
        entries[name], outlines = smartart_outlines(entries[name], entries.get("word/_rels/document.xml.rels"), entries)
        if "word/styles.xml" in entries:
            name = "word/styles.xml"
            entries[name] = _used_styles(entries[name], [entries[part] for part in _STYLE_USERS if part in entries])
    except Exception as error:  # lxml.etree.XMLSyntaxError and kin: a damaged part
        if "Excessive depth" in str(error):  # libxml2's bound: 256 elements within elements
            raise TooDeep() from None
        raise PaperError(path, f"is damaged: {name} is not well-formed XML ({error})") from None
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries.items():
            package.writestr(name, data)
    parts = {name: entries[name] for name in (*_NOTES_LAST, *(f"word/_rels/{name[5:]}.rels" for name in _NOTES_LAST),
                                               "word/numbering.xml", "word/styles.xml") if name in entries}
    return output.getvalue(), {**parts, "smartart": outlines, "hidden": hidden}


_MAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def _main_part_at_its_usual_place(path, entries):
    """Find the main document part through the package's relationships, as Word does, and
    move it (with its own relationships) to ``word/document.xml``, where the rest of the
    reader looks; a package with no main part is refused."""
    main = "word/document.xml"
    if "_rels/.rels" in entries:
        found = re.search(rb'<Relationship\b[^>]*?Type="' + re.escape(_MAIN.encode()) + rb'"[^>]*>', entries["_rels/.rels"])
        target = found and re.search(rb'Target="/?([^"]+)"', found[0])
        main = target[1].decode() if target else main
    if main not in entries:
        raise PaperError(path, f"is not a Word document (.docx): it has no main document part ({main})")
    if main == "word/document.xml":
        return
    if posixpath.dirname(main) != "word" or "word/document.xml" in entries:
        raise PaperError(path, f"is a Word document whose main part is {main}, which we cannot read yet; "
                               "open it in Word and save it again")
    entries["word/document.xml"] = entries.pop(main)
    own = f"word/_rels/{posixpath.basename(main)}.rels"
    if own in entries:
        entries["word/_rels/document.xml.rels"] = entries.pop(own)
    entries["_rels/.rels"] = entries["_rels/.rels"].replace(f'"/{main}"'.encode(), b'"/word/document.xml"').replace(
        f'"{main}"'.encode(), b'"word/document.xml"')
    entries["[Content_Types].xml"] = entries.get("[Content_Types].xml", b"").replace(
        f'"/{main}"'.encode(), b'"/word/document.xml"')


_NOTES_LAST = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")  # as mammoth reads them
_TEXT_PARTS = set(_NOTES_LAST)
_STYLE_USERS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml", "word/numbering.xml")


def _used_styles(styles_xml, users):
    """styles.xml with only the styles the document uses (and those they build on).

    Word's own template carries hundreds of styles and latent styles; mammoth
    reads them all with a slow DOM, so trimming them makes a report read
    several times faster, and changes nothing it prints.
    """
    used = set()
    for xml in users:
        used.update(re.findall(rb'<w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink) w:val="([^"]+)"', xml))
    root = parse_xml(styles_xml)
    by_id = {style.get(f"{W}styleId", "").encode(): style for style in root.iter(f"{W}style")}
    keep, pending = set(), [key for key in used if key in by_id]
    pending += [key for key, style in by_id.items() if style.get(f"{W}default") in ("1", "true")]
    while pending:
        key = pending.pop()
        if key in keep or key not in by_id:
            continue
        keep.add(key)
        for link in ("basedOn", "link", "next"):
            target = by_id[key].find(f"{W}{link}")
            if target is not None:
                pending.append(target.get(f"{W}val", "").encode())
    for key, style in by_id.items():
        if key not in keep:
            style.getparent().remove(style)
    for latent in root.findall(f"{W}latentStyles"):
        root.remove(latent)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _without_hidden(xml, hiding):
    """A part (bytes) without the text Word hides (``word_hidden``: ``w:vanish`` and
    ``w:specVanish`` through the document defaults, table, paragraph and character styles
    and the run's own properties).  Returns the part and how many runs with text went (for
    the officer's warning)."""
    root = parse_xml(xml)
    hidden = hiding.hidden(root)
    count = sum(1 for element in hidden if element.tag != f"{W}p" and "".join(element.itertext()).strip())
    for element in hidden:
        if element.getparent() is not None:
            element.getparent().remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), count


def _tick_box(match):
    """A content-control or legacy form tick box, printed as it stands."""
    return "☒" if re.search(r"\bchecked\b", match[0]) else "☐"


def _image_source(image):
    """A Word picture as an ``img``'s attributes (a ``data:`` URL), and why it is left out
    (larger than ``MAX_IMAGE_BYTES``, or than ``picture.MAX_PIXELS``), or None."""
    with image.open() as stream:
        data = stream.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        return {"src": ""}, f"larger than {MAX_IMAGE_BYTES // 2**20} MB"
    if why := too_many_pixels(data):
        return {"src": ""}, why
    return {"src": f"data:{image.content_type};base64,{base64.b64encode(data).decode('ascii')}"}, None


def _number_lists(html, parts):
    """Give every ordered list item the label Word shows, when we can match them up."""
    try:
        numbered = numbered_paragraphs(parts["word/document.xml"], parts.get("word/numbering.xml"), parts.get("word/styles.xml"))
    except Exception:  # unreadable numbering: keep mammoth's lists as they are
        return html
    listed = [paragraph for paragraph in numbered if not paragraph.heading]
    headings = [paragraph for paragraph in numbered if paragraph.heading]
    if not (listed or headings) or not html.strip():
        return html
    root = parse_fragment(html)
    _unwrap_opening_levels(root)
    items = [li for li in root.iter("li") if not re.search(r"(footnote|endnote)-\d+$", li.get("id") or "")]
    if len(items) == len(listed):
        for li, paragraph in zip(items, listed):
            if paragraph.label is not None:  # a number, a bullet that means something (☐, ☒), or none
                li.set("data-label", paragraph.label)
    _number_headings(root, headings)
    return inner_html(root)


def _unwrap_opening_levels(root):
    """A list that opens at its second level (``(a)`` under no ``1.``) comes from mammoth
    inside an empty item of a list of its own; Word shows no such item, so it goes, and the
    list stands where it was (and pairs up with Word's paragraphs)."""
    for outer in list(root.iter("ul", "ol")):
        items = list(outer)
        if len(items) == 1 and items[0].tag == "li" and not (items[0].text or "").strip() and len(items[0]) and all(
                child.tag in ("ul", "ol") and not (child.tail or "").strip() for child in items[0]):
            parent = outer.getparent()
            if parent is None:
                continue
            index = parent.index(outer)
            for offset, child in enumerate(list(items[0])):
                parent.insert(index + offset, child)
            tail = outer.tail
            parent.remove(outer)
            if tail:
                child.tail = (child.tail or "") + tail


def _number_headings(root, headings):
    """Put Word's number in front of each numbered heading (``2. Background``): Word's
    headings and mammoth's pair up in order, when there are as many of each."""
    found = list(root.iter("h1", "h2", "h3", "h4", "h5", "h6"))
    if len(found) != len(headings):
        return
    for element, paragraph in zip(found, headings):
        if paragraph.ordered and paragraph.label:
            element.text = f"{paragraph.label} " + (element.text or "")