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
