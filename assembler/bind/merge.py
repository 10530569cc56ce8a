"""Join separately rendered, tagged parts into one tagged PDF (pikepdf).

Common merge tools drop or clash the parts' structure trees.  Here each
part's pages are copied with its structure elements; every page's
``/StructParents`` key (and every annotation's ``/StructParent``) is moved
past the keys already used, and the part's ParentTree entries are moved the
same way, so every marked-content id still resolves; the parts' top
elements become children of the first part's structure tree root.

Finished PDFs come in page by page, as the reader prepared them
(``readers.pdf_pages``): only a page's drawing and what it needs (resources,
boxes, rotation), its annotations already drawn into it, its links plain
jumps and web links.  Of their catalog only the structure tree is read,
and only what describes the printed pages of it joins ours, as a part's
does.

The page furniture (printed numbers; on finished PDFs' pages the item
label and the not-for-publication marking) comes from one overlay PDF,
placed over each page as an artifact.  On a finished PDF's page the
furniture sits in bands at the foot (and, private, the head) as far in from
the edges as on rendered pages; the page's drawing, keeping its page size, is
first moved or scaled down just enough to clear what the furniture draws
there (``placement``), as measured on the overlay, so it never covers the
page's own content or its own page numbers.  Links
to other parts arrive as ``LINK_PREFIX#anchor`` URIs and leave as jumps to
the anchor's page.  Bookmarks are rebuilt for the
whole edition from each part's own and the finished PDFs' outlines.
"""

import io
import re
from dataclasses import dataclass

import pikepdf
import pypdfium2
from pikepdf import Array, Dictionary, Name

from assembler.render import LINK_PREFIX

GAP = 3 / 25.4 * 72  # points kept between the pack's furniture and a finished page's own drawing
EDGE = 8 / 25.4 * 72  # points: office printers leave about 4-6 mm at each edge unprinted
SMALLEST = 0.25  # the least a finished page's drawing is scaled to, however much furniture it carries

_IMPORTED_PAGE_KEYS = {"/Type", "/Parent", "/Resources", "/Contents", "/MediaBox", "/CropBox", "/Rotate",
                       "/Group", "/Annots"}  # /Annots: only the plain links the reader kept


@dataclass
class Bookmark:
    level: int  # 1 = top
    title: str
    page: int


class Edition:
    """One edition being bound, part after part."""

    def __init__(self, first_part, title=None):
        """An edition that starts with ``first_part`` (its catalog gives the language and
        metadata); with ``title``, an empty one that only borrows them, titled so."""
        self.pdf = pikepdf.open(io.BytesIO(first_part))
        tree = self.pdf.Root.StructTreeRoot
        self.kids = _kids(tree)
        self.parents = _numbers(tree.ParentTree)
        self.bookmarks = _bookmarks(self.pdf, 0)
        self.finished = []  # (first page index, [drawn box of each page]) of each finished PDF laid in
        if title is not None:
            del self.pdf.pages[:]
            self.kids, self.parents, self.bookmarks = [], {}, []
            with self.pdf.open_metadata(set_pikepdf_as_editor=False) as metadata:
                metadata["dc:title"] = title
            self.pdf.docinfo["/Title"] = title

    @property
    def page_count(self):
        return len(self.pdf.pages)

    def add_rendered(self, data, level=1):
        """Append a tagged part (PDF bytes from the renderer); its own bookmarks
        start at ``level`` (a part rendered alone has them at the top)."""
        source = pikepdf.open(io.BytesIO(data))
        start = self.page_count
        tree = source.Root.StructTreeRoot
        self.bookmarks += [Bookmark(b.level + level - 1, b.title, b.page) for b in _bookmarks(source, start)]
        # unlike pages.extend, keeps the named destinations of the part's own links (footnotes)
        self.pdf.add_pages_from(source, forms="strip", outlines="ignore")
        self._join_structure(source, _kids(tree), _numbers(tree.ParentTree), start, tree.get("/RoleMap"))
        return start

    def add_imported(self, data, drawn, bookmarks=()):
        """Append every page of a finished PDF as the reader prepared it (``FinishedPdf.data``:
        annotations drawn in, plain links, nothing else a viewer could open); ``drawn``: the
        box each of its pages draws in (``PageBox.content``), by which ``finish`` keeps the
        furniture clear of it (``_make_room``); its structure tree, if it has one, joins ours
        (see ``_printed_structure``); its links to its own pages become jumps to those pages
        of the pack."""
        source = pikepdf.open(io.BytesIO(data))
        try:
            structure = _printed_structure(source)
        except (pikepdf.PdfError, ValueError, TypeError, AttributeError, RecursionError):
            structure = None  # too broken to follow: the pages come without it, as an untagged PDF's
        for page in source.pages:
            for key in list(page.keys()):
                if key not in _IMPORTED_PAGE_KEYS and not (structure and key == "/StructParents"):
                    del page[key]
        start = self.page_count
        self.pdf.add_pages_from(source, forms="strip", outlines="ignore")
        for page in self.pdf.pages[start:]:
            for annotation in page.get("/Annots", []):
                if "/StructParent" in annotation:
                    del annotation.StructParent  # not in the structure tree: _printed_structure keeps no OBJR
                target = annotation.get("/Dest")
                if isinstance(target, Array) and len(target) and isinstance(target[0], int):
                    index = start + int(target[0])
                    if start <= index < self.page_count:
                        target[0] = self.pdf.pages[index].obj
                    else:
                        del annotation.Dest
        if structure:
            self._join_structure(source, *structure, start)
        self.finished.append((start, list(drawn)))
        self.bookmarks += [Bookmark(level, title, start + page) for level, title, page in bookmarks]
        return start

    def _join_structure(self, source, top, parents, start, role_map=None):
        """Make ``source``'s top structure elements children of our root, and its ParentTree
        entries ours, their keys moved past those already used, as are the keys of the
        pages from ``start`` on, their annotations' and their forms'; add its ``role_map``."""
        offset = max(self.parents, default=-1) + 1
        for element in top:
            if "/P" in element:
                del element.P  # not the part's root: ours, set below
        for element in top:
            copied = self.pdf.copy_foreign(element if element.is_indirect else source.make_indirect(element))
            copied.P = self.pdf.Root.StructTreeRoot
            self.kids.append(copied)
        for key, value in parents.items():
            if not value.is_indirect:  # copy_foreign takes only indirect objects
                value = source.make_indirect(value)
            self.parents[key + offset] = self.pdf.copy_foreign(value)
        moved = set()
        for page in self.pdf.pages[start:]:
            _move_keys(page.obj, offset, moved)
            for annotation in page.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        if isinstance(role_map, Dictionary):
            tree = self.pdf.Root.StructTreeRoot
            if "/RoleMap" not in tree:
                tree.RoleMap = Dictionary()
            for key, value in role_map.items():
                if isinstance(value, Name) and key[1:] not in _STANDARD_ROLES:  # ours keep their meaning
                    tree.RoleMap[key] = value

    def finish(self, furniture, first_numbered, labels, anchors, furniture_from=0):
        """Overlay the page furniture from page index ``first_numbered``, then write
        the structure, page labels, bookmarks and links.

        ``labels``: (first page index, style "D"/"r" or None, prefix or None, start).
        ``furniture_from``: the overlay page of the first numbered page (a part of a pack).
        """
        if furniture is not None:
            self._make_room(furniture, furniture_from - first_numbered)
            overlay = pikepdf.open(io.BytesIO(furniture))
            for page, furnishing in zip(self.pdf.pages[first_numbered:], overlay.pages[furniture_from:]):
                _overlay(page, self.pdf.copy_foreign(pikepdf.Page(furnishing).as_form_xobject()))
        tree = self.pdf.Root.StructTreeRoot
        tree.K = Array(self.kids)
        nums = Array()
        for key in sorted(self.parents):
            nums.extend([key, self.parents[key]])
        tree.ParentTree = self.pdf.make_indirect(Dictionary(Nums=nums))
        tree.ParentTreeNextKey = max(self.parents, default=-1) + 1
        nums = Array()
        for first, style, prefix, start in labels:
            label = Dictionary(St=start)
            if style:
                label.S = Name("/" + style)
            if prefix:
                label.P = pikepdf.String(prefix)
            nums.extend([first, label])
        self.pdf.Root.PageLabels = Dictionary(Nums=nums)
        self._link(anchors, labels)
        self._outline()
        output = io.BytesIO()
        self.pdf.save(output, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                      deterministic_id=True)
        return output.getvalue()

    def _make_room(self, furniture, offset):
        """Move or scale each finished page's drawing clear of the furniture laid over it:
        page ``index`` of the edition gets page ``index + offset`` of ``furniture`` (PDF
        bytes), whose drawn extent at the foot and head is measured (``furniture_bands``)."""
        if not self.finished:
            return
        document = pypdfium2.PdfDocument(furniture)
        try:
            for start, drawn in self.finished:
                for index, content in enumerate(drawn, start):
                    _make_room(self.pdf.pages[index], content, *furniture_bands(document[index + offset]))
        finally:
            document.close()

    def _link(self, anchors, labels):
        """Links to other parts become jumps to their pages, described by the page's printed
        number (a screen reader reads the description, which was the placeholder URI)."""
        pages = {page.objgen: index for index, page in enumerate(self.pdf.pages)}
        for page in self.pdf.pages:
            for annotation in page.get("/Annots", []):
                target = annotation.get("/Dest")
                if isinstance(target, Array) and len(target) and isinstance(target[0], Dictionary):
                    index = pages.get(target[0].objgen)  # a finished PDF's jump to one of its pages
                    if index is not None:
                        annotation.Contents = pikepdf.String(f"Go to page {_label(labels, index)}")
                    continue
                action = annotation.get("/A")
                uri = str(action.get("/URI", "")) if action is not None else ""
                if not uri.startswith(LINK_PREFIX):
                    continue
                target = anchors.get(uri.partition("#")[2])
                if target is None:
                    del annotation.A
                    annotation.Contents = pikepdf.String("Not in this document")
                    continue
                annotation.A = Dictionary(S=Name.GoTo, D=Array([self.pdf.pages[target].obj, Name.Fit]))
                annotation.Contents = pikepdf.String(f"Go to page {_label(labels, target)}")

    def _outline(self):
        with self.pdf.open_outline() as outline:
            outline.root.clear()
            stack = []  # (level, item): the open branch
            for bookmark in self.bookmarks:
                item = pikepdf.OutlineItem(bookmark.title, bookmark.page)
                while stack and stack[-1][0] >= bookmark.level:
                    stack.pop()
                (stack[-1][1].children if stack else outline.root).append(item)
                stack.append((bookmark.level, item))


def furniture_bands(page):
    """How far (points) the furniture on ``page`` (a pypdfium2 page of the overlay) reaches
    up from the page's foot and down from its head, each with ``GAP`` added; 0 where it
    draws nothing.  The page is closed."""
    try:
        height = page.get_height()
        foot = head = 0.0
        for mark in page.get_objects(max_depth=1):
            left, bottom, right, top = mark.get_bounds()
            if bottom + top < height:
                foot = max(foot, top + GAP)
            else:
                head = max(head, height - bottom + GAP)
        return foot, head
    finally:
        page.close()


def placement(width, height, content, foot, head):
    """Where a finished page's drawing goes so that the pack's furniture, ``foot`` points at
    the bottom of the page and ``head`` points at its top, lies clear of it: ``(scale, x,
    y)``, the drawing scaled by ``scale`` (at most 1) and moved by ``(x, y)`` points, on the
    page as it shows (``width`` by ``height`` points).  ``content``: the box its marks take,
    ``(left, bottom, right, top)``, or None.

    A drawing already clear of the bands stays as it is; one that reaches into them is
    moved up or down just enough, and scaled down (centred across) only when it is too
    tall for the room between them.  With no band at its head, its top may rise to
    ``EDGE`` from the top of the page (what office printers print) but never higher than
    it already was, so the pack never pushes a page's own content off the printable area.
    """
    if content is None:
        return 1.0, 0.0, 0.0
    left, bottom, right, top = content
    ceiling = height - head if head else max(min(top, height), height - EDGE)
    if bottom >= foot and top <= ceiling:
        return 1.0, 0.0, 0.0
    scale = max(SMALLEST, min(1.0, (ceiling - foot) / max(top - bottom, 1.0)))
    if scale < 1.0:
        return scale, width * (1 - scale) / 2, foot - scale * bottom
    return 1.0, 0.0, foot - bottom if bottom < foot else ceiling - top


def _make_room(page, content, foot, head):
    """Move and scale ``page``'s drawing and links (``placement``) clear of ``foot`` points
    at the bottom of the page as it shows (its /Rotate applied) and ``head`` at its top;
    its size stays as it is."""
    x0, y0, x1, y1 = (float(value) for value in page.obj.get("/CropBox", page.obj.MediaBox))
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    width, height = (x1 - x0, y1 - y0) if rotate in (0, 180) else (y1 - y0, x1 - x0)
    scale, x, y = placement(width, height, content, foot, head)
    if (scale, x, y) == (1.0, 0.0, 0.0):
        return
    # the same move in the page's own space: a point there shows at shown(point) (its /Rotate)
    shown = {0: lambda u, v: (u - x0, v - y0), 90: lambda u, v: (v - y0, x1 - u),
             180: lambda u, v: (x1 - u, y1 - v), 270: lambda u, v: (y1 - v, u - x0)}[rotate]
    unshown = {0: lambda a, b: (a + x0, b + y0), 90: lambda a, b: (x1 - b, a + y0),
               180: lambda a, b: (x1 - a, y1 - b), 270: lambda a, b: (b + x0, y1 - a)}[rotate]
    a, b = shown(0.0, 0.0)
    e, f = unshown(scale * a + x, scale * b + y)  # where the page's own origin goes
    page.contents_add(f"q {scale:.6f} 0 0 {scale:.6f} {e:.4f} {f:.4f} cm\n".encode(), prepend=True)
    page.contents_add(b"\nQ\n")
    for annotation in page.obj.get("/Annots", []):
        for key in ("/Rect", "/QuadPoints"):
            if key in annotation:
                values = [float(value) for value in annotation[key]]
                annotation[key] = Array([round(scale * value + (e if n % 2 == 0 else f), 4)
                                         for n, value in enumerate(values)])


def _overlay(page, form):
    """Draw ``form`` over ``page``, its content streams left as they are.

    (pikepdf's ``add_overlay`` also joins every content stream of the page
    into one: a decompression and recompression per page that a long pack
    pays for twice.)  The page gets resources of its own (a part's pages
    share theirs), in which the form takes the first free name ``/PackN``:
    the same page is written the same way in every build.
    """
    resources = page.get("/Resources", Dictionary())
    xobjects = resources.get("/XObject", Dictionary())
    name = next(f"/Pack{n}" for n in range(len(xobjects) + 1) if f"/Pack{n}" not in xobjects)
    xobjects = Dictionary({**dict(xobjects.items()), name: form})
    page.Resources = Dictionary({**dict(resources.items()), "/XObject": xobjects})
    page = pikepdf.Page(page)
    placement = page.calc_form_xobject_placement(form, Name(name), pikepdf.Rectangle(page.trimbox),
                                                 allow_shrink=False, allow_expand=False)
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"Q\n" + placement)


def _label(labels, index):
    """The printed number of the (numbered) page at ``index``, given the page label ranges."""
    first, _, prefix, start = max((label for label in labels if label[0] <= index), key=lambda label: label[0])
    return f"{prefix or ''}{start + index - first}"


def _kids(node):
    kids = node.get("/K")
    return [] if kids is None else list(kids) if isinstance(kids, Array) else [kids]


def _move_keys(holder, offset, moved):
    """Move the ``/StructParents`` key of a page, and of the forms it draws (at any depth)."""
    if holder.objgen != (0, 0):
        if holder.objgen in moved:
            return
        moved.add(holder.objgen)
    if "/StructParents" in holder:
        key = holder.StructParents
        if isinstance(key, int) and not isinstance(key, bool):
            holder.StructParents = key + offset
        else:
            del holder.StructParents  # not a key: its content resolves through nothing
    resources = holder.get("/Resources")
    xobjects = resources.get("/XObject") if isinstance(resources, Dictionary) else None
    for form in (xobjects.values() if isinstance(xobjects, Dictionary) else []):
        if isinstance(form, pikepdf.Stream) and form.get("/Subtype") == Name.Form:
            _move_keys(form, offset, moved)


_STANDARD_ROLES = set("""Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2
    H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot
    Ruby RB RT RP Warichu WT WP Figure Formula Form""".split())
_ROLES_OF_PDF_2 = {"Title": "H1", "Aside": "Sect", "FENote": "Note", "Em": "Span", "Strong": "Span", "Sub": "Span",
                   "DocumentFragment": "Part", "Artifact": "NonStruct"}
_TEXT_KEYS = ("/Alt", "/ActualText", "/E", "/T", "/Lang", "/ID")


def _printed_structure(source):
    """A finished PDF's structure tree, made anew from what describes its printed pages:
    (top elements, {ParentTree key: marked-content array}), or None if it has none.

    Each element keeps its role (mapped to a standard one through the PDF's
    role map), its page, its texts (alt, actual, expansion, title, language,
    id; plain strings only), plain attributes, and kids that are marked
    content or elements.  Nothing else comes: not its associated files or
    references, not its (flattened) annotations, not elements the tree does
    not hold, nothing a viewer could open or run.
    """
    root = source.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return None
    pages = {page.objgen for page in source.pages}
    role_map = root.get("/RoleMap")
    role_map = role_map if isinstance(role_map, Dictionary) else Dictionary()
    made = {}  # an element's objgen -> its new self

    def role(name):
        for _ in range(10):  # a custom role may map to another custom one
            if name[1:] in _STANDARD_ROLES:
                return name
            if name[1:] in _ROLES_OF_PDF_2:
                return "/" + _ROLES_OF_PDF_2[name[1:]]
            mapped = role_map.get(name)
            if not isinstance(mapped, Name):
                break
            name = str(mapped)
        return "/NonStruct"

    def page_of(value):
        return value if isinstance(value, Dictionary) and value.is_indirect and value.objgen in pages else None

    def element(old, parent, depth):
        if depth > 200 or not isinstance(old, Dictionary) or not isinstance(old.get("/S"), Name):
            return None
        if old.is_indirect and old.objgen in made:
            return None  # held twice: once is enough
        new = source.make_indirect(Dictionary(Type=Name.StructElem, S=Name(role(str(old.S)))))
        if old.is_indirect:
            made[old.objgen] = new
        if parent is not None:
            new.P = parent
        for key in _TEXT_KEYS:
            value = old.get(key)
            if isinstance(value, pikepdf.String) and not value.is_indirect:
                new[key] = pikepdf.String(bytes(value))
        if page_of(old.get("/Pg")) is not None:
            new.Pg = old.Pg
        attributes = old.get("/A")
        if (isinstance(attributes, (Dictionary, Array)) and not attributes.is_indirect
                and not re.search(rb"\d+\s+\d+\s+R", attributes.unparse())):
            new.A = pikepdf.Object.parse(attributes.unparse())  # plain values, no object of the file's
        kids = []
        for kid in _kids(old):
            if isinstance(kid, int) and not isinstance(kid, bool) and kid >= 0:
                kids.append(kid)  # a marked-content id on the element's page
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                mcid = kid.get("/MCID")
                if isinstance(mcid, int) and not isinstance(mcid, bool) and mcid >= 0:
                    marked = Dictionary(Type=Name.MCR, MCID=mcid)
                    if page_of(kid.get("/Pg")) is not None:
                        marked.Pg = kid.Pg
                    stream = kid.get("/Stm")
                    if isinstance(stream, pikepdf.Stream) and stream.get("/Subtype") == Name.Form:
                        marked.Stm = stream
                    kids.append(marked)
            else:
                child = element(kid, new, depth + 1)
                if child is not None:
                    kids.append(child)
        new.K = Array(kids)
        return new

    top = [new for new in (element(kid, None, 0) for kid in _kids(root)) if new is not None]
    parents = {key: Array([made.get(item.objgen) if isinstance(item, Dictionary) and item.is_indirect else None
                           for item in value])
               for key, value in _numbers(root.get("/ParentTree")).items() if isinstance(value, Array)}
    for page in source.pages:
        key = page.get("/StructParents")
        if key is not None and not (isinstance(key, int) and not isinstance(key, bool) and key in parents):
            del page.StructParents  # its marked content resolves through nothing we carry
    return (top, parents) if top and parents else None


def _numbers(tree, seen=None, depth=0):
    """A number tree (``/Nums`` and ``/Kids``) as {key: value}; what is not one is passed over."""
    found, seen = {}, set() if seen is None else seen
    if not isinstance(tree, Dictionary) or depth > 50 or (tree.is_indirect and tree.objgen in seen):
        return found
    if tree.is_indirect:
        seen.add(tree.objgen)
    nums = tree.get("/Nums")
    if isinstance(nums, Array):
        for index in range(0, len(nums) - 1, 2):
            key = nums[index]
            if isinstance(key, int) and not isinstance(key, bool):
                found[key] = nums[index + 1]
    kids = tree.get("/Kids")
    for kid in kids if isinstance(kids, Array) else []:
        found.update(_numbers(kid, seen, depth + 1))
    return found


def _bookmarks(pdf, first_page):
    """A part's own outline as bookmarks, its pages moved to start at ``first_page``."""
    found = []
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}

    def walk(items, level):
        for item in items:
            destination = item.destination
            page = None
            if isinstance(destination, Array) and len(destination):
                page = pages.get(destination[0].objgen)
            elif item.action is not None and "/D" in item.action:
                page = pages.get(item.action.D[0].objgen)
            if page is not None:
                found.append(Bookmark(level, str(item.title), first_page + page))
            walk(item.children, level + 1)

    with pdf.open_outline() as outline:
        walk(outline.root, 1)
    if "/Outlines" in pdf.Root:
        del pdf.Root.Outlines
    return found
