"""Hostile inputs use bounded memory and time: a compression bomb through any of a PDF's
filters, a picture of too many pixels, a Word file that unpacks past what it declares,
HTML nested 100,000 deep, a paper that needs too much memory, a reader stuck inside a
library, a worker that dies: each ends in one line naming the file or part (exit 2), or
in a warning naming the picture left out."""

import base64
import binascii
import io
import re
import zipfile
import zlib

import pytest

from tests.conftest import write_files
from tests.test_completeness import _with_part
from tests.test_no_route_out import SPEC

SPACES = 272 * 2**20  # more than the 256 MB a PDF's drawing may inflate to


def _flate_of_spaces(size=SPACES):
    inflater = zlib.compressobj(1)
    return b"".join(inflater.compress(b" " * 2**24) for _ in range(size // 2**24)) + inflater.flush()


def _lzw_of_spaces(size=SPACES):
    """LZW codes (PDF 1.7 §7.4.4.2, EarlyChange 1) for ``size`` spaces and more: each code
    one space longer than the last, the table cleared when full."""
    codes, made = [256], 0
    while made < size:
        codes += [32] + list(range(258, 4094)) + [256]
        made += sum(range(1, 4094 - 258 + 2))
    bits, value, held, table = 9, 0, 0, 258
    out = bytearray()
    for code in codes + [257]:
        value, held = (value << bits) | code, held + bits
        while held >= 8:
            held -= 8
            out.append((value >> held) & 0xFF)
        value &= (1 << held) - 1
        if code == 256:
            bits, table = 9, 258
            continue
        table += code != 32
        if table + 1 >= 1 << bits and bits < 12:
            bits += 1
    return bytes(out + bytes([value << (8 - held)] if held else b""))


def _pdf_with(path, contents, filters, parameters=None, picture=None):
    """A one-page PDF drawing ``contents`` (filtered by ``filters``), and ``picture``, an
    image XObject's dictionary and data, when given."""
    import pikepdf

    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        page = pdf.pages[0]
        page.Contents = pdf.make_stream(contents)
        if filters:
            page.Contents.Filter = pikepdf.Array([pikepdf.Name(name) for name in filters])
        if parameters:
            page.Contents.DecodeParms = pikepdf.Dictionary(parameters)
        if picture:
            entries, data = picture
            entries = {key: pikepdf.Name(value) if isinstance(value, str) else value for key, value in entries.items()}
            image = pdf.make_stream(data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                                    ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8, **entries)
            page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        pdf.save(path, stream_decode_level=pikepdf.StreamDecodeLevel.none)  # as made: no re-encoding


def _jpeg_claiming(width, height):
    """A small JPEG whose frame header says it is ``width`` x ``height`` pixels."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (16, 16)).save(out, "JPEG")
    data = out.getvalue()
    frame = data.index(b"\xff\xc0")
    return data[:frame + 5] + height.to_bytes(2, "big") + width.to_bytes(2, "big") + data[frame + 9:]


def _bombs():
    """{kind: (a function making (contents, filters, parameters, picture)), the message}."""
    drawing = "premises.pdf: its drawing inflates to more than 256 MB"
    pixels = "premises.pdf: holds a picture of 30,000 x 30,000 pixels; a picture may have at most 150,000,000"
    return {
        "LZW": (lambda: (_lzw_of_spaces(), ["/LZWDecode"], None, None), drawing),
        "RunLength under Flate": (lambda: (zlib.compress(b"\x81 " * (SPACES // 128), 9),
                                           ["/FlateDecode", "/RunLengthDecode"], None, None), drawing),
        "ASCII85 over ASCIIHex over Flate": (lambda: (base64.a85encode(binascii.hexlify(_flate_of_spaces()) + b">") + b"~>",
                                                      ["/ASCII85Decode", "/ASCIIHexDecode", "/FlateDecode"],
                                                      None, None), drawing),
        "Flate with a predictor": (lambda: (_flate_of_spaces(), ["/FlateDecode"], {"/Predictor": 12, "/Columns": 1000},
                                            None), drawing),
        "a picture of 30,000 x 30,000 px": (lambda: (b"q 100 0 0 100 0 0 cm /Im0 Do Q", [], None,
                                                     ({"Width": 30_000, "Height": 30_000}, zlib.compress(b"")))
                                            , pixels),
        "a JPEG whose own header says 30,000 x 30,000 px": (
            lambda: (b"q 100 0 0 100 0 0 cm /Im0 Do Q", [], None,
                     ({"Width": 16, "Height": 16, "Filter": "/DCTDecode"}, _jpeg_claiming(30_000, 30_000))), pixels),
        "an inline picture of 30,000 x 30,000 px": (lambda: (b"q BI /W 30000 /H 30000 /CS /G /BPC 8 /F /Fl ID "
                                                             + zlib.compress(b"") + b"\nEI Q", [], None, None), pixels),
        "a picture's data inflating past its size": (
            lambda: (b"q /Im0 Do Q", [], None, ({"Width": 10, "Height": 10, "Filter": "/FlateDecode"}, _flate_of_spaces(2**24))),
            "premises.pdf: a picture's data inflates past its own 10 x 10 pixels"),
    }


BOMBS = _bombs()  # (each made only when its test runs: most are hundreds of kilobytes)


@pytest.mark.parametrize("kind", list(BOMBS))
def test_a_pdf_bomb_through_any_filter_is_refused_in_one_line(tmp_path, assemble, kind):
    make, message = BOMBS[kind]
    contents, filters, parameters, picture = make()
    (tmp_path / "papers").mkdir()
    _pdf_with(tmp_path / "papers/premises.pdf", contents, filters, parameters, picture)
    assert (tmp_path / "papers/premises.pdf").stat().st_size < 800_000
    write_files(tmp_path, {"pack.yaml": SPEC.replace("premises.md", "premises.pdf"), "papers/street.md": "Policy.\n"})
    built = assemble(tmp_path / "pack.yaml")
    lines = built.stderr.strip().splitlines()
    assert built.code == 2 and len(lines) == 1, built.stderr
    assert message in lines[0], lines[0]
    assert not built.out.exists()


def _claiming(kind, width, height):
    """A small picture whose header says it is ``width`` x ``height`` pixels (never decoded
    whole by anything that reads it right)."""
    import struct

    from PIL import Image

    if kind == "jpeg":
        return _jpeg_claiming(width, height)
    out = io.BytesIO()
    Image.new("L", (16, 16)).save(out, kind.upper())
    data = out.getvalue()
    if kind == "gif":  # the logical screen's size (GIF89a)
        return data[:6] + struct.pack("<HH", width, height) + data[10:]
    header = data[12:16] + struct.pack(">II", width, height) + data[24:29]  # PNG's IHDR chunk, its CRC made again
    return data[:12] + header + struct.pack(">I", zlib.crc32(header)) + data[33:]


@pytest.mark.parametrize("paper, kind", [("md", "png"), ("md", "gif"), ("md", "jpeg"), ("docx", "png"),
                                         ("docx", "jpeg")])
def test_a_picture_of_too_many_pixels_is_left_out_with_a_warning_naming_it(tmp_path, assemble, paper, kind):
    import docx

    picture = _claiming(kind, 30_000, 30_000)
    (tmp_path / "papers").mkdir()
    if paper == "md":
        (tmp_path / f"papers/plan.{kind}").write_bytes(picture)
        (tmp_path / "papers/premises.md").write_text(f"The review.\n\n![the site plan](plan.{kind})\n")
    else:
        document, small = docx.Document(), io.BytesIO()
        document.add_paragraph("The review.")
        document.add_picture(io.BytesIO(_claiming(kind, 16, 16)))
        document.save(small)
        name = next(name for name in zipfile.ZipFile(small).namelist() if name.startswith("word/media/"))
        (tmp_path / "papers/premises.docx").write_bytes(_with_part(small.getvalue(), name, picture))
    write_files(tmp_path, {"pack.yaml": SPEC.replace("premises.md", f"premises.{paper}"),
                           "papers/street.md": "Policy.\n"})
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    named = "plan" if paper == "md" else "picture 1 left out"
    assert re.search(rf"premises\.{paper}\): .*{named}.*a picture of more than 40,000,000 pixels", built.stderr)
    assert built.edition("members").pages_with("The review")  # the paper, without the picture


def test_a_word_part_that_unpacks_past_its_declared_size_is_refused_in_one_line(tmp_path, assemble):
    """A zip bomb that lies: its entries declare a kilobyte, and inflate to 64 MB."""
    import struct

    import docx

    document, small = docx.Document(), io.BytesIO()
    document.add_paragraph("The review.")
    document.save(small)
    bomb = io.BytesIO()
    with zipfile.ZipFile(small) as package, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        declared = package.getinfo("word/document.xml").file_size
        for info in package.infolist():
            text = package.read(info)
            target.writestr(info.filename, text + b" " * 2**26 if info.filename == "word/document.xml" else text)
    data = bytearray(bomb.getvalue())
    at = data.rindex(b"PK\x01\x02", 0, data.rindex(b"word/document.xml"))  # its entry in the central directory
    data[at + 24:at + 28] = struct.pack("<I", declared)
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers/premises.docx").write_bytes(bytes(data))
    assert len(data) < 200_000
    write_files(tmp_path, {"pack.yaml": SPEC.replace("premises.md", "premises.docx"), "papers/street.md": "Policy.\n"})
    built = assemble(tmp_path / "pack.yaml")
    lines = built.stderr.strip().splitlines()
    assert built.code == 2 and len(lines) == 1, built.stderr
    assert "premises.docx: is damaged: its part word/document.xml does not unpack as its package declares" in lines[0]


@pytest.mark.parametrize("others", [0, 2], ids=["read by the command", "read by a worker"])
def test_a_paper_that_needs_too_much_memory_is_stopped_and_named(tmp_path, monkeypatch, others):
    from tests.conftest import run_command

    spec = SPEC + "".join(f"  - title: Other {n}\n    paper: papers/other{n}.md\n" for n in range(others))
    write_files(tmp_path, {"pack.yaml": spec, "papers/street.md": "Policy.\n",
                           "papers/premises.md": "- a\n" * 2_000_000,  # 8 MB: a list of two million items
                           **{f"papers/other{n}.md": "Other.\n" for n in range(others)}})
    monkeypatch.setenv("ASSEMBLE_MEMORY_MB", "700")
    result = run_command(tmp_path / "pack.yaml", "--no-cache")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "premises.md: needed more than 700 MB of memory to read and was stopped" in lines[0]
    assert list(tmp_path.glob("*.pdf")) == []


def _dies_on_premises(*arguments):
    """The real job, unless it is the premises paper's: then the process is killed."""
    import os
    import signal

    job = arguments[-1]  # a paper to read, (path, as_note, id prefix); or a part to render, a ``Job``
    if "premises.md" in str(getattr(job, "what", job[0] if isinstance(job, tuple) else job)):
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL[len(arguments)](*arguments)


_REAL = {}  # the functions ``_dies_on_premises`` stands in for, by their number of arguments


@pytest.mark.parametrize("stage, others", [("read", 0), ("read", 3), ("render", 3)],
                         ids=["read by the command", "read by a worker", "rendered by a worker"])
def test_a_worker_that_dies_is_one_line_naming_its_paper(tmp_path, assemble, monkeypatch, stage, others):
    """A process killed (as the kernel kills one out of memory, or as a crashing library ends
    one) while it reads or draws a paper: the paper is named."""
    from assembler.render import jobs

    _REAL.update({1: jobs.read_request, 2: jobs._render})
    monkeypatch.setattr(jobs, "read_request" if stage == "read" else "_render", _dies_on_premises)
    spec = SPEC + "".join(f"  - title: Other {n}\n    paper: papers/other{n}.md\n" for n in range(others))
    write_files(tmp_path, {"pack.yaml": spec, "papers/street.md": "Policy.\n", "papers/premises.md": "Review.\n",
                           **{f"papers/other{n}.md": "Other.\n" for n in range(others)}})
    built = assemble(tmp_path / "pack.yaml", "--no-cache")
    lines = built.stderr.strip().splitlines()
    assert built.code == 2 and len(lines) == 1, built.stderr
    assert re.search(rf"premises\.md\)?: the process that was to {stage} it died", lines[0]), lines[0]
    assert not built.out.exists()


@pytest.mark.parametrize("nesting", ["<table><tr><td>{}</td></tr></table>", "<ul><li>{}</li></ul>",
                                     "<blockquote>{}</blockquote>", "<div><span>{}</span></div>"])
def test_a_markdown_paper_nested_100000_deep_is_refused_at_once(tmp_path, assemble, nesting):
    opening, closing = nesting.split("{}")
    write_files(tmp_path, {"pack.yaml": SPEC, "papers/street.md": "Policy.\n",
                           "papers/premises.md": opening * 100_000 + "x" + closing * 100_000 + "\n"})
    built = assemble(tmp_path / "pack.yaml")
    lines = built.stderr.strip().splitlines()
    assert built.code == 2 and len(lines) == 1, built.stderr
    assert "premises.md: nests its content more than 64 levels deep" in lines[0]


def test_html_nested_as_reports_nest_it_is_read(tmp_path, assemble):
    """Tables in lists in quotations, and the elements HTML closes itself left open."""
    html = "<blockquote><ul><li>One<li>Two <table><tr><td>Cell<td><p>Text<br>more</table></ul></blockquote>\n"
    write_files(tmp_path, {"pack.yaml": SPEC, "papers/street.md": "Policy.\n",
                           "papers/premises.md": "The review.\n\n" + html * 300})
    built = assemble(tmp_path / "pack.yaml")
    assert built.code == 0, built.stderr
    assert built.edition("members").pages_with("Cell")


def _stuck_on_premises(request):
    """The real reader, unless the paper is the premises one: then the HTML sanitiser on
    200,000 nested lists, quadratic for many minutes inside the library, where no signal
    handler runs (as it was before the nesting was bounded)."""
    import nh3

    if request[0].name == "premises.md":
        nh3.clean("<ul><li>" * 200_000)
    return _REAL[1](request)


@pytest.mark.parametrize("others", [0, 2], ids=["read by the command", "read by a worker"])
def test_a_reader_stuck_inside_a_library_is_stopped_and_named(tmp_path, assemble, monkeypatch, others):
    from assembler.render import jobs

    _REAL[1] = jobs.read_request
    monkeypatch.setattr(jobs, "read_request", _stuck_on_premises)
    monkeypatch.setenv("ASSEMBLE_READ_SECONDS", "2")
    spec = SPEC + "".join(f"  - title: Other {n}\n    paper: papers/other{n}.md\n" for n in range(others))
    write_files(tmp_path, {"pack.yaml": spec, "papers/street.md": "Policy.\n", "papers/premises.md": "Review.\n",
                           **{f"papers/other{n}.md": "Other.\n" for n in range(others)}})
    built = assemble(tmp_path / "pack.yaml", "--no-cache")
    lines = built.stderr.strip().splitlines()
    assert built.code == 2 and len(lines) == 1, built.stderr
    assert "premises.md: took more than 2 s to read and was stopped" in lines[0]


def _dies_binding_the_public_edition(name, *arguments):
    import os
    import signal

    if name == "public":
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL[3](name, *arguments)


def test_a_worker_that_dies_binding_an_edition_names_it(tmp_path, assemble, monkeypatch):
    from assembler import build

    _REAL[3] = build._edition
    monkeypatch.setattr(build, "_edition", _dies_binding_the_public_edition)
    write_files(tmp_path, {"pack.yaml": SPEC, "papers/street.md": "Policy.\n", "papers/premises.md": "Review.\n"})
    built = assemble(tmp_path / "pack.yaml", "--no-cache")
    lines = built.stderr.strip().splitlines()
    assert built.code == 2 and len(lines) == 1, built.stderr
    assert lines[0].startswith("assemble: the public edition: the process that was to bind it died"), lines[0]
    assert not built.out.exists()
