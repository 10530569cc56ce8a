"""Read back what a person sees in a built edition: text, printed numbers,
bookmarks, labels and link targets."""

import re
from dataclasses import dataclass

import pypdfium2
from pypdf import PdfReader

FOOTER_BAND = 56  # points from the bottom edge: where the pack prints page numbers


@dataclass
class Edition:
    path: object
    texts: list[str]  # each page's text
    numbers: list[str]  # the lines that are a number alone (S12, 12) in the middle of each page's footer band
    sizes: list[tuple[float, float]]
    reader: PdfReader

    @property
    def page_count(self):
        return len(self.texts)

    def pages_with(self, needle):
        return [index for index, text in enumerate(self.texts) if needle in text]

    def printed_number(self, index):
        found = re.findall(r"\b\d+\b", self.numbers[index])
        return int(found[-1]) if found else None

    def outline(self):
        """[(depth, title, page index)] in document order."""
        found = []

        def walk(entries, depth):
            for entry in entries:
                if isinstance(entry, list):
                    walk(entry, depth + 1)
                else:
                    found.append((depth, entry.title, self.reader.get_destination_page_number(entry)))

        walk(self.reader.outline, 0)
        return found

    def link_targets(self, index):
        """Page indexes that the internal links on page ``index`` lead to."""
        targets = []
        page = self.reader.pages[index]
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            destination = annotation.get("/Dest")
            if destination is None and "/A" in annotation:
                destination = annotation["/A"].get("/D")
            if isinstance(destination, str) or hasattr(destination, "startswith"):
                named = self.reader.named_destinations.get(str(destination))
                if named is not None:
                    targets.append(self.reader.get_destination_page_number(named))
            elif destination is not None:
                targets.append(self.reader.get_page_number(destination[0].get_object()))
        return targets


def read_edition(path):
    document = pypdfium2.PdfDocument(str(path))
    texts, numbers, sizes = [], [], []
    try:
        for page in document:
            text_page = page.get_textpage()
            width, height = page.get_size()
            texts.append(text_page.get_text_range())
            foot = text_page.get_text_bounded(width * 0.4, 0, width * 0.6, FOOTER_BAND)
            numbers.append("\n".join(line.strip() for line in foot.splitlines() if re.fullmatch(r"S?\d+", line.strip())))
            sizes.append((round(width, 1), round(height, 1)))
    finally:
        document.close()
    return Edition(path, texts, numbers, sizes, PdfReader(path))


def agenda_ranges(edition, titles):
    """{title: (first, last)} as the agenda prints them."""
    agenda = "\n".join(edition.texts[index] for index in edition.pages_with("PART 1: PUBLIC"))
    agenda = re.sub(r"\s+", " ", agenda)
    ranges = {}
    for title in titles:
        match = re.search(re.escape(title) + r" (\d+)(?: - (\d+))?", agenda)
        if match:
            ranges[title] = (int(match[1]), int(match[2] or match[1]))
    return ranges


def all_strings(path):
    """Every object of a PDF, streams decoded, as one bytes blob for leak scans."""
    reader = PdfReader(path)
    numbers = {number for objects in reader.xref.values() for number in objects}
    numbers |= set(reader.xref_objStm)
    blobs = [open(path, "rb").read()]
    for number in sorted(numbers):
        obj = reader.get_object(number)
        if obj is None:
            continue
        if hasattr(obj, "get_data"):
            blobs.append(obj.get_data())
        blobs.append(repr(obj).encode("utf-8", "replace"))
    return b"\n".join(blobs)


def structure_problems(reader):
    """Marked content that does not resolve through the structure tree's ParentTree."""
    tree = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    parents = {}

    def collect(node):
        node = node.get_object()
        numbers = node.get("/Nums", [])
        for index in range(0, len(numbers), 2):
            parents[int(numbers[index])] = numbers[index + 1].get_object()
        for kid in node.get("/Kids", []):
            collect(kid)

    collect(tree["/ParentTree"])
    problems = []
    for index, page in enumerate(reader.pages):
        content = page.get_contents()
        ids = {int(n) for n in re.findall(rb"/MCID\s+(\d+)", content.get_data())} if content else set()
        if not ids:
            continue
        key = page.get("/StructParents")
        if key is None or int(key) not in parents:
            problems.append(f"page {index + 1}: marked content but no entry in the ParentTree")
            continue
        elements = parents[int(key)]
        missing = [n for n in ids if n >= len(elements) or elements[n] is None]
        if missing:
            problems.append(f"page {index + 1}: MCIDs {missing[:5]} resolve to no structure element")
    return problems


def unembedded_fonts(path):
    """Fonts in the file whose program is not embedded: poppler's pdffonts when it is
    installed (an independent reader), else a walk of every font dictionary with pikepdf."""
    import shutil
    import subprocess

    if shutil.which("pdffonts"):
        lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
        column = lines[0].index("emb")
        return sorted({line[:column].split()[0] for line in lines[2:] if line[column:column + 3].strip() == "no"})
    import pikepdf

    found = set()
    with pikepdf.open(path) as pdf:
        for thing in pdf.objects:
            if isinstance(thing, pikepdf.Dictionary) and thing.get("/Type") == pikepdf.Name.FontDescriptor:
                if not any(key in thing for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    found.add(str(thing.get("/FontName", "(unnamed)")).lstrip("/"))
    return sorted(found)


def qpdf_problems(path):
    """What ``qpdf --check`` finds wrong with the file (pikepdf's ``check_pdf_syntax`` without qpdf)."""
    import shutil
    import subprocess

    if shutil.which("qpdf"):
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        return [] if result.returncode == 0 else (result.stderr or result.stdout).splitlines()
    import pikepdf

    with pikepdf.open(path) as pdf:
        return [str(problem) for problem in pdf.check_pdf_syntax()]


def words(text):
    """The words of ``text`` (letters and digits), for comparing what two readers see."""
    return re.findall(r"\w+", text)


# The pack's text area on an A4 page (pack.css @page: margins 24 mm top, 20 mm sides, 22 mm bottom), in PDF
# points from the bottom-left corner.  The running header above it and the printed number and exempt
# information below it are furniture, outside it.
A4 = (595.28, 841.89)
TEXT_AREA = (20 * 72 / 25.4, 22 * 72 / 25.4, A4[0] - 20 * 72 / 25.4, A4[1] - 24 * 72 / 25.4)  # left, bottom, right, top


def _is_artifact(page_object):
    """Whether a page object is marked content of an Artifact (ISO 32000-1 14.8.2.2): a table's rules, a
    background, a band, which are not the page's content."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    for index in range(pdfium_c.FPDFPageObj_CountMarks(page_object.raw)):
        mark = pdfium_c.FPDFPageObj_GetMark(page_object.raw, index)
        size = ctypes.c_ulong()
        pdfium_c.FPDFPageObjMark_GetName(mark, None, 0, ctypes.byref(size))
        name = ctypes.create_string_buffer(size.value)
        pdfium_c.FPDFPageObjMark_GetName(mark, ctypes.cast(name, ctypes.POINTER(pdfium_c.FPDF_WCHAR)), size.value,
                                         ctypes.byref(size))
        if name.raw[:max(size.value - 2, 0)].decode("utf-16-le") == "Artifact":
            return True
    return False


def page_fills(path):
    """How full each page of the PDF at ``path`` is, as a reader judges "nearly empty": for an A4 portrait page,
    how far down the pack's text area (TEXT_AREA) its content reaches, from the area's top to the bottom of the
    lowest text, picture or drawing whose middle is inside the area and which is not an Artifact (0.0: nothing in
    the area; 1.0: down to the bottom margin).  Pages of any other size (a finished PDF's own, landscape slides)
    are None: their layout is their source's.  Returns a list, one value per page."""
    import pypdfium2.raw as pdfium_c

    left, bottom, right, top = TEXT_AREA
    document = pypdfium2.PdfDocument(str(path))
    fills = []
    try:
        for page in document:
            width, height = page.get_size()
            if abs(width - A4[0]) > 1 or abs(height - A4[1]) > 1:
                fills.append(None)
                continue
            lowest = top
            pending = [(None, list(page.get_objects(max_depth=0)))]
            while pending:
                _, objects = pending.pop()
                for page_object in objects:
                    if _is_artifact(page_object):
                        continue
                    if page_object.type == pdfium_c.FPDF_PAGEOBJ_FORM:
                        pending.append((page_object, list(page.get_objects(max_depth=0, form=page_object))))
                        continue
                    x0, y0, x1, y1 = page_object.get_bounds()
                    if left <= (x0 + x1) / 2 <= right and bottom <= (y0 + y1) / 2 <= top:
                        lowest = min(lowest, y0)
            fills.append(round((top - lowest) / (top - bottom), 3))
    finally:
        document.close()
    return fills
