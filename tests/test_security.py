"""The public edition is safe to publish, and no paper reaches outside its pack. These tests try to break it."""

import http.server
import re
import subprocess
import sys
import threading
import zipfile

import docx
import pikepdf
import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject,
                           NumberObject, TextStringObject)

from tests.conftest import DATA, ROOT, make_pdf, write_files
from tests.pdfs import all_strings, read_edition
from tests.test_word import _image_bytes, _set_alt

import assembler.build  # noqa: E402

_ORIGINAL_BIND = assembler.build._bind
DANGEROUS_NAMES = [b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/EmbeddedFile", b"/OpenAction", b"/AcroForm", b"/AA"]


def hostile_pdf(path, token):
    """A PDF hiding ``token`` in its text, info, XMP, outline, links, form, JavaScript and attachment."""
    make_pdf(path.with_suffix(".plain.pdf"), [f"{token}-PDF-TEXT"])
    writer = PdfWriter(clone_from=PdfReader(DATA / "form_evince.pdf"))
    writer.append(PdfReader(path.with_suffix(".plain.pdf")))
    writer.update_page_form_field_values(writer.pages[0], {"foo": f"{token}-FORM-VALUE"}, auto_regenerate=False)
    writer.add_metadata({"/Title": f"{token}-INFO-TITLE", "/Author": f"{token}-INFO-AUTHOR"})
    writer.add_outline_item(title=f"{token}-BOOKMARK", page_number=1)
    writer.add_attachment(f"{token}-ATTACHED.txt", f"{token}-ATTACHMENT-CONTENT".encode())
    xmp = DecodedStreamObject()
    xmp.set_data(f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:title>{token}-XMP-TITLE</dc:title></x:xmpmeta>'.encode())
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    root = writer._root_object
    root[NameObject("/Metadata")] = writer._add_object(xmp)

    def javascript(code):
        return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(code)})

    root[NameObject("/OpenAction")] = javascript(f"app.alert('{token}-OPEN-JS')")
    names = root.setdefault(NameObject("/Names"), DictionaryObject()).get_object()
    names[NameObject("/JavaScript")] = DictionaryObject({NameObject("/Names"): ArrayObject(
        [TextStringObject("doc"), writer._add_object(javascript(f"app.alert('{token}-DOC-JS')"))])})
    page = writer.pages[1]
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): javascript(f"app.alert('{token}-PAGE-JS')")})

    def link(action):
        return writer._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 50, 200, 80)]),
            NameObject("/F"): NumberObject(4), NameObject("/A"): action}))

    page[NameObject("/Annots")] = ArrayObject([
        link(DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject(f"{token}-LAUNCH.exe")})),
        link(DictionaryObject({NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject(f"https://example.org/{token}-URI")})),
        link(javascript(f"app.alert('{token}-LINK-JS')")),
    ])
    writer.write(path)
    return path


def hostile_docx(path, token):
    document = docx.Document()
    document.core_properties.title = f"{token}-DOCX-TITLE"
    document.core_properties.author = f"{token}-DOCX-AUTHOR"
    document.core_properties.comments = f"{token}-DOCX-COMMENTS"
    document.add_paragraph(f"{token}-DOCX-TEXT is what the report says.")
    hidden = document.add_paragraph("Visible words. ").add_run(f"{token}-DOCX-HIDDEN")
    hidden.font.hidden = True
    document.add_picture(_image_bytes())
    _set_alt(document, f"{token}-DOCX-ALT picture")
    document.save(path)
    return path


SPEC = """\
meeting:
  body: Cabinet
  date: 2025-09-17
  time: "19:00"
  venue: Town Hall, Bridge Street, Kingsford
agenda:
  - title: Budget update
    paper: papers/public.md
    appendices:
      - {title: Appendix A - Returned form, file: papers/public-hostile.pdf}
  - title: Acquisition of land
    paper: papers/private.md
    private: true
    exempt_reason: Paragraph 3 of Schedule 12A
    appendices:
      - {title: Appendix A - Valuation report, file: papers/private.docx}
      - {title: Appendix B - Heads of terms, file: papers/private-hostile.pdf}
"""

PRIVATE_MARKDOWN = """\
---
purpose: SECRETMD-PURPOSE for decision.
summary: The SECRETMD-SUMMARY of the acquisition.
contact: {name: SECRETMD-CONTACT Officer, email: secretmd-contact@example.org}
---
SECRETMD-TEXT: the council should buy the land at the price agreed.

![SECRETMD-ALT image of the site](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC)

[SECRETMD-LINK-TEXT](https://example.org/SECRETMD-LINK-TARGET)
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from assembler.cli import main

    folder = tmp_path_factory.mktemp("hostile")
    write_files(folder, {"pack.yaml": SPEC, "papers/private.md": PRIVATE_MARKDOWN,
                         "papers/public.md": "The public budget report.\n"})
    hostile_pdf(folder / "papers/private-hostile.pdf", "SECRETPDF")
    hostile_pdf(folder / "papers/public-hostile.pdf", "OPENPDF")
    hostile_docx(folder / "papers/private.docx", "SECRETDOCX")
    assert main([str(folder / "pack.yaml"), "-o", str(folder / "out"), "-q"]) == 0
    return (read_edition(next((folder / "out").glob("*-members.pdf"))),
            read_edition(next((folder / "out").glob("*-public.pdf"))))


def test_no_trace_of_a_private_paper_in_the_public_edition(hostile):
    members, public = hostile
    text = " ".join(public.texts)
    blob = all_strings(public.path)
    for secret in ["SECRETMD", "SECRETDOCX", "SECRETPDF"]:
        assert secret not in text
        assert secret.encode() not in blob, secret
        assert secret.lower().encode() not in blob.lower()
    assert "SECRETMD-TEXT" in " ".join(members.texts)  # the members' edition does carry it
    assert "SECRETPDF-BOOKMARK" in [title for _, title, _ in members.outline()]


def test_imported_pdfs_lose_javascript_launch_attachments_and_interactivity_in_both_editions(hostile):
    for edition in hostile:
        blob = all_strings(edition.path)
        for name in DANGEROUS_NAMES:
            assert name not in blob, (edition.path.name, name)
        for token in [b"OPENPDF-OPEN-JS", b"OPENPDF-DOC-JS", b"OPENPDF-PAGE-JS", b"OPENPDF-LINK-JS", b"OPENPDF-LAUNCH",
                      b"OPENPDF-ATTACHMENT-CONTENT", b"OPENPDF-ATTACHED", b"OPENPDF-INFO",
                      b"OPENPDF-XMP"]:
            assert token not in blob, (edition.path.name, token)
        text = " ".join(edition.texts)
        assert "OPENPDF-PDF-TEXT" in text
        assert "OPENPDF-FORM-VALUE" in text  # the filled form still prints
        outline = edition.outline()
        assert (2, "OPENPDF-BOOKMARK") in [(depth, title) for depth, title, _ in outline]  # nested under its item


def test_word_prints_what_word_prints(hostile):
    members, _ = hostile
    text = " ".join(members.texts)
    blob = all_strings(members.path)
    assert "SECRETDOCX-DOCX-TEXT" in text
    assert "SECRETDOCX-DOCX-HIDDEN" not in text and b"SECRETDOCX-DOCX-HIDDEN" not in blob
    assert b"SECRETDOCX-DOCX-TITLE" not in blob and b"SECRETDOCX-DOCX-AUTHOR" not in blob
    assert b"SECRETDOCX-DOCX-ALT picture" in blob  # alt text is for the members' screen readers


def _word_paper(folder, name, text):
    """A one-item pack whose paper is a Word file saying ``text``; its package's parts, to edit."""
    write_files(folder, {"pack.yaml": SPEC.split("  - title: Acquisition")[0].replace("papers/public.md", name)
                         .split("    appendices:")[0]})
    document = docx.Document()
    document.add_paragraph(text)
    document.save(folder / name)
    with zipfile.ZipFile(folder / name) as package:
        return {part: package.read(part) for part in package.namelist()}


def _write_package(path, entries):
    with zipfile.ZipFile(path, "w") as package:
        for name, data in entries.items():
            package.writestr(name, data)


def test_tracked_deletions_and_comments_never_print(tmp_path, assemble):
    entries = _word_paper(tmp_path, "tracked.docx", "KEPT-TEXT")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = ('<w:p><w:del w:id="1" w:author="x" w:date="2025-01-01T00:00:00Z"><w:r><w:delText>DELETED-TEXT</w:delText></w:r></w:del>'
            '<w:ins w:id="2" w:author="x" w:date="2025-01-01T00:00:00Z"><w:r><w:t>INSERTED-TEXT</w:t></w:r></w:ins>'
            '<w:commentRangeStart w:id="3"/><w:r><w:t>COMMENTED-TEXT</w:t></w:r><w:commentRangeEnd w:id="3"/>'
            '<w:r><w:commentReference w:id="3"/></w:r></w:p>')
    entries["word/document.xml"] = entries["word/document.xml"].replace(b"<w:sectPr", body.encode() + b"<w:sectPr", 1)
    entries["word/comments.xml"] = (f'<?xml version="1.0"?><w:comments {w}><w:comment w:id="3" w:author="x">'
                                    f'<w:p><w:r><w:t>COMMENT-BODY</w:t></w:r></w:p></w:comment></w:comments>').encode()
    _write_package(tmp_path / "tracked.docx", entries)
    built = assemble(tmp_path / "pack.yaml", "-q")
    assert built.code == 0, built.stderr
    text = " ".join(built.edition("members").texts)
    assert "KEPT-TEXT" in text and "INSERTED-TEXT" in text and "COMMENTED-TEXT" in text
    assert "DELETED-TEXT" not in text and "COMMENT-BODY" not in text


def test_a_word_file_with_a_doctype_is_refused(tmp_path, assemble):
    entries = _word_paper(tmp_path, "doctype.docx", "text")
    entries["word/document.xml"] = entries["word/document.xml"].replace(
        b"?>", b'?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1)
    _write_package(tmp_path / "doctype.docx", entries)
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 2
    assert "doctype.docx: carries a DOCTYPE declaration" in built.stderr
    assert not built.out.exists()


class _Server(http.server.BaseHTTPRequestHandler):
    requests = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        _Server.requests.append(self.path)
        self.send_response(302)
        self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/followed")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback():
    """A web server on 127.0.0.1 that must receive no request; it redirects any it gets."""
    _Server.requests = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Server)
    server.timeout = 0.2
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


AUDITED_RUN = """\
import sys
canary = sys.argv[1]
def hook(event, args):
    if event == "open" and args and canary in str(args[0]):
        sys.stderr.write("CANARY-OPENED " + str(args[0]) + "\\n")
sys.addaudithook(hook)
from assembler.cli import main
raise SystemExit(main(sys.argv[2:]))
"""


def test_a_paper_reaches_no_file_outside_the_pack_and_no_network(tmp_path, loopback):
    pack = tmp_path / "pack"
    canary = tmp_path / "canary-outside.txt"
    canary.write_text("CANARY-CONTENT")
    (tmp_path / "canary-outside.png").write_bytes(_image_bytes().getvalue())
    paper = f"""\
Template syntax stays text: {{{{ 7 * 7 }}}} and {{% for x in range(3) %}}loop{{% endfor %}}.

![outside](../canary-outside.png) ![etc](/etc/passwd) ![abs]({tmp_path}/canary-outside.png)
![web]({loopback}/image.png) ![protocol-relative](//127.0.0.1:{loopback.rsplit(':', 1)[1]}/x.png)

<img src="file://{canary}" alt="file url">
<link rel="attachment" href="file://{canary}">
<a rel="attachment" href="../canary-outside.txt">attached?</a>
<link rel="stylesheet" href="{loopback}/style.css">
<style>@import url("{loopback}/import.css"); body {{ background: url("file://{canary}") }}</style>
<script>document.write("SCRIPT-RAN")</script>
<iframe src="{loopback}/frame">IFRAME-CONTENT</iframe>
<object data="{loopback}/object">OBJECT-CONTENT</object>
<embed src="{loopback}/embed">
<p onclick="steal()" style="background: url({loopback}/inline.png)">Handlers go.</p>
"""
    write_files(pack, {"pack.yaml": SPEC.split("  - title: Acquisition")[0].split("    appendices:")[0],
                       "papers/public.md": paper})
    result = subprocess.run([sys.executable, "-c", AUDITED_RUN, canary.stem, str(pack / "pack.yaml"), "-o", str(pack / "out")],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "CANARY-OPENED" not in result.stderr
    assert _Server.requests == []
    assert "left out" in result.stderr and "points outside the paper" in result.stderr
    members = read_edition(next((pack / "out").glob("*-members.pdf")))
    text = re.sub(r"\s+", " ", " ".join(members.texts))
    assert "{{ 7 * 7 }}" in text and "{% for x in range(3) %}loop{% endfor %}" in text
    assert "49" not in text.split("Template syntax")[1][:40]
    for gone in ["SCRIPT-RAN", "IFRAME-CONTENT", "OBJECT-CONTENT", "CANARY-CONTENT"]:
        assert gone not in text
    assert "Handlers go." in text
    blob = all_strings(members.path)
    assert b"/EmbeddedFile" not in blob and b"steal()" not in blob


@pytest.mark.parametrize("path", ["../outside.md", "/etc/hostname", "papers/link.md"])
def test_spec_paths_leaving_the_pack_write_nothing(tmp_path, path):
    pack = tmp_path / "pack"
    write_files(tmp_path, {"outside.md": "secret"})
    write_files(pack, {"pack.yaml": SPEC.split("  - title: Acquisition")[0].split("    appendices:")[0]
                       .replace("papers/public.md", path)})
    (pack / "papers").mkdir(exist_ok=True)
    (pack / "papers/link.md").symlink_to(tmp_path / "outside.md")
    result = subprocess.run([sys.executable, "-m", "assembler", str(pack / "pack.yaml")],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 2
    assert "agenda[0].paper" in result.stderr and ("outside the spec's folder" in result.stderr
                                                   or "absolute path" in result.stderr)
    assert list(pack.rglob("*.pdf")) == []


def _public_as_members(name, *args):
    """A broken binder (module level, so that worker processes can be sent it)."""
    return _ORIGINAL_BIND("members", *args)


@pytest.mark.parametrize("warm", [False, True], ids=["first build", "after a good build"])
def test_the_self_check_withholds_both_editions_if_the_public_one_leaks(tmp_path, assemble, monkeypatch, warm):
    """Break the binder on purpose (the public edition takes the members' pages): the check
    must catch it, also when the page texts of an earlier, good public edition are known."""
    import assembler.build

    spec = SPEC.split("  - title: Budget update")[0] + (
        "  - title: Budget update\n    paper: papers/public.md\n"
        "  - title: Acquisition of land\n    paper: papers/private.md\n"
        "    private: true\n    exempt_reason: Paragraph 3 of Schedule 12A\n")
    write_files(tmp_path, {"pack.yaml": spec, "papers/private.md": PRIVATE_MARKDOWN, "papers/public.md": "Public.\n"})
    if warm:
        assert assemble(tmp_path / "pack.yaml", out=tmp_path / "good").code == 0
    monkeypatch.setattr(assembler.build, "_bind", _public_as_members)
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 1
    assert "the public edition would contain private content" in built.stderr
    assert "private.md" in built.stderr
    assert not built.out.exists() or list(built.out.iterdir()) == []


def hostile_tagged_pdf(path, token):
    """A tagged PDF whose structure tree carries what must not come along: a file attached to an
    element, an element pointing to a link that runs JavaScript, attributes that point to a stream,
    an element reached only through the ParentTree, and a role map that redefines a standard role."""
    from tests.conftest import make_tagged_pdf

    make_tagged_pdf(path, "TAGGED-APPENDIX heading", "TAGGED-APPENDIX picture")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        root = pdf.Root.StructTreeRoot
        elements = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) and "/S" in obj and "/P" in obj]
        heading = next(element for element in elements if element.S == pikepdf.Name.H1)
        attached = pdf.make_stream(f"{token}-ATTACHED-TO-ELEMENT".encode(), Type=pikepdf.Name.EmbeddedFile)
        heading.AF = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec, F=pikepdf.String("x.txt"), EF=pikepdf.Dictionary(F=attached)))])
        heading.A = pikepdf.Dictionary(O=pikepdf.Name.Layout, Hidden=pdf.make_stream(f"{token}-ATTRIBUTE".encode()))
        link = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[10, 10, 50, 50], StructParent=9000,
            A=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('{token}-JS')"))))
        pdf.pages[0].obj.Annots = pikepdf.Array([link])
        heading.K = pikepdf.Array(list(heading.K) + [pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=link)])
        stray = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.P, P=root,
                                                     T=pikepdf.String(f"{token}-STRAY"), Ref=pikepdf.Array([link])))
        nums = root.ParentTree.Nums
        first = nums[1]
        first.append(stray)  # an MCID no content uses, pointing to an element the tree does not hold
        paragraph = next(element for element in elements if element.S == pikepdf.Name.P)
        paragraph.S = pikepdf.Name("/Memo")  # a custom role, mapped below
        root.RoleMap = pikepdf.Dictionary(P=pikepdf.Name.Figure, Memo=pikepdf.Name.P)
        pdf.save(path)
    return path


def test_a_tagged_pdfs_structure_comes_without_attachments_actions_or_references(tmp_path, assemble):
    from tests.pdfs import structure_problems
    from tests.test_print import structure_elements

    spec = SPEC.split("  - title: Budget update")[0] + (
        "  - title: Budget update\n    paper: papers/public.md\n"
        "    appendices:\n      - {title: Appendix A - Tagged, file: papers/tagged.pdf}\n")
    write_files(tmp_path, {"pack.yaml": spec, "papers/public.md": "Public.\n"})
    hostile_tagged_pdf(tmp_path / "papers/tagged.pdf", "TAGGEDSECRET")
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    for name in ("members", "public"):
        edition = built.edition(name)
        assert edition.pages_with("TAGGED-APPENDIX heading")
        blob = all_strings(edition.path)
        assert b"TAGGEDSECRET" not in blob, name
        for dangerous in DANGEROUS_NAMES:
            assert dangerous not in blob, (name, dangerous)
        assert structure_problems(edition.reader) == []
        role_map = edition.reader.trailer["/Root"]["/StructTreeRoot"].get("/RoleMap", {})
        assert "/P" not in role_map  # a standard role keeps its meaning
        page = edition.pages_with("TAGGED-APPENDIX heading")[0]
        roles = {role for role, _, on in structure_elements(edition.reader) if on == page}
        assert {"/H1", "/P", "/Figure"} <= roles and "/Memo" not in roles  # the custom role, resolved


def _h1(pdf):
    return next(obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/H1")


def _attachment(pdf):
    stream = pdf.make_stream(b"MALFORMED-SECRET-ATTACHMENT", Type=pikepdf.Name.EmbeddedFile)
    return pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("a.txt"),
                                                EF=pikepdf.Dictionary(F=stream)))


def _script(pdf):
    return pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("MALFORMED-SECRET-JS")))


def _add_kid(element, kid):
    element.K = pikepdf.Array(list(element.K) + [kid])


MALFORMED_STRUCTURE = {  # what a careless or hostile tagged PDF may hold: none of it may crash or come along
    "parent is the catalog": lambda pdf: setattr(_h1(pdf), "P", pdf.Root) or setattr(pdf.Root, "OpenAction", _script(pdf)),
    "alt text is an attachment": lambda pdf: setattr(_h1(pdf), "Alt", _attachment(pdf)),
    "title is an action": lambda pdf: setattr(_h1(pdf), "T", _script(pdf)),
    "a kid is an action": lambda pdf: _add_kid(_h1(pdf), _script(pdf)),
    "a kid without type or parent carries a file": lambda pdf: _add_kid(_h1(pdf), pdf.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.Span, AF=[_attachment(pdf)], K=[]))),
    "an element holds itself": lambda pdf: _add_kid(_h1(pdf), _h1(pdf)),
    "attributes point to an action": lambda pdf: setattr(_h1(pdf), "A", pikepdf.Array([_script(pdf)])),
    "page is a number": lambda pdf: setattr(_h1(pdf), "Pg", 3),
    "parent tree of odd length": lambda pdf: pdf.Root.StructTreeRoot.ParentTree.Nums.append(7),
    "parent tree holds itself": lambda pdf: setattr(pdf.Root.StructTreeRoot.ParentTree, "Kids",
                                                    pikepdf.Array([pdf.Root.StructTreeRoot.ParentTree])),
    "page key is a name": lambda pdf: setattr(pdf.pages[0].obj, "StructParents", pikepdf.Name.X),
    "role map of indirect names": lambda pdf: setattr(pdf.Root.StructTreeRoot, "RoleMap", pdf.make_indirect(
        pikepdf.Dictionary(Memo=pdf.make_indirect(pikepdf.Name.P)))),
}


def _with_appendix(folder, appendix):
    """A pack in ``folder``: a public item with ``appendix`` (a file there), and a private item."""
    spec = SPEC.split("  - title: Budget update")[0] + (
        "  - title: Budget update\n    paper: papers/public.md\n"
        f"    appendices:\n      - {{title: Appendix A, file: {appendix}}}\n"
        "  - title: Acquisition of land\n    paper: papers/private.md\n"
        "    private: true\n    exempt_reason: Paragraph 3 of Schedule 12A\n")
    write_files(folder, {"pack.yaml": spec, "papers/public.md": "Public.\n", "papers/private.md": "Private.\n"})
    return folder / "pack.yaml"


@pytest.mark.parametrize("mutation", MALFORMED_STRUCTURE, ids=list(MALFORMED_STRUCTURE))
def test_a_malformed_structure_tree_neither_crashes_nor_comes_along(tmp_path, assemble, mutation):
    from tests.conftest import make_tagged_pdf
    from tests.pdfs import structure_problems

    path = make_tagged_pdf(tmp_path / "papers/tagged.pdf", "MALFORMED heading", "MALFORMED picture")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        MALFORMED_STRUCTURE[mutation](pdf)
        pdf.save(path)
    built = assemble(_with_appendix(tmp_path, "papers/tagged.pdf"), "-q")
    assert built.code == 0, built.stderr
    for name in ("members", "public"):
        edition = built.edition(name)
        assert edition.pages_with("MALFORMED heading")
        blob = all_strings(edition.path)
        assert b"MALFORMED-SECRET" not in blob
        assert not [dangerous for dangerous in DANGEROUS_NAMES if dangerous in blob]
        assert structure_problems(edition.reader) == []


def test_a_page_whose_drawing_names_objects_or_loops_back_is_still_read(tmp_path, assemble):
    """Text that looks like an object reference ("4242 0 R"), and resources that hold
    themselves, must not break the public edition's scan; a looping page is always read."""
    from assembler.bind.leakcheck import _page_digests

    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    resources = pdf.make_indirect(pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))
    form = pdf.make_stream(b"BT /F1 12 Tf 72 600 Td (Drawn by a form) Tj ET", Type=pikepdf.Name.XObject,
                           Subtype=pikepdf.Name.Form, BBox=[0, 0, 595, 842], Resources=resources)
    resources.XObject = pikepdf.Dictionary(Fm=form)  # the page's resources are also the form's
    page = pdf.add_blank_page(page_size=(595, 842))
    page.Resources = resources
    page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 700 Td (Planning reference 4242 0 R) Tj ET /Fm Do")
    pdf.save(tmp_path / "odd.pdf")
    with pikepdf.open(tmp_path / "odd.pdf") as opened:
        assert _page_digests(opened) == [None]
    spec = _with_appendix(tmp_path, "odd.pdf")
    for _ in range(2):  # the second time with the first scan known
        built = assemble(spec, "-q")
        assert built.code == 0, built.stderr
        assert built.edition("public").pages_with("Planning reference 4242 0 R")
