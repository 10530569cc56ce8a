"""Join separately rendered, tagged parts into one tagged PDF (pikepdf).

Common merge tools drop or clash the parts' structure trees.  Here each
part's pages are copied with its structure elements; every page's
``/StructParents`` key (and every annotation's ``/StructParent``) is moved
past the keys already used, and the part's ParentTree entries are moved the
same way, so every marked-content id still resolves; the parts' top
elements become children of the first part's structure tree root.

Finished PDFs come in page by page: only a page's drawing and what it needs
(resources, boxes, rotation).  Their printable annotations (filled forms,
stamps) are drawn into the page first ("flattened"); of their catalog
(JavaScript, open actions, attachments, outline, metadata) only the
structure tree is read, and only what describes the printed pages of it
joins ours, as a part's does.

The page furniture (printed numbers, the not-for-publication band on
finished PDFs' pages) comes from one overlay PDF, placed over each page as
an artifact.  Links to other parts arrive as ``LINK_PREFIX#anchor`` URIs
and leave as jumps to the anchor's page.  Bookmarks are rebuilt for the
whole edition from each part's own and the finished PDFs' outlines.
"""

import io
import re
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name

from assembler.render import LINK_PREFIX

_IMPORTED_PAGE_KEYS = {"/Type", "/Parent", "/Resources", "/Contents", "/MediaBox", "/CropBox", "/Rotate",
                       "/UserUnit", "/Group"}


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
        self._join_structure(source, _kids(tree), _numbers(tree.ParentTree), start)
        return start

    def add_imported(self, path, bookmarks=()):
        """Append every page of a finished PDF, as it prints and nothing more; its
        structure tree, if it has one, joins ours (see ``_printed_structure``)."""
        source = pikepdf.open(path, password="")
        try:
            source.generate_appearance_streams()
        except pikepdf.PdfError:  # a form qpdf cannot draw: its values do not print
            pass
        source.flatten_annotations(mode="print")
        structure = _printed_structure(source)
        for page in source.pages:
            for key in list(page.keys()):
                if key not in _IMPORTED_PAGE_KEYS and not (structure and key == "/StructParents"):
                    del page[key]
        start = self.page_count
        self.pdf.add_pages_from(source, forms="strip", outlines="ignore")
        if structure:
            self._join_structure(source, *structure, start)
        self.bookmarks += [Bookmark(level, title, start + page) for level, title, page in bookmarks]
        return start

    def _join_structure(self, source, top, parents, start):
        """Make ``source``'s top structure elements children of our root, and its ParentTree
        entries ours, their keys moved past those already used, as are the keys of the
        pages from ``start`` on, their annotations' and their forms'."""
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
        role_map = source.Root.StructTreeRoot.get("/RoleMap")
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

    def _link(self, anchors, labels):
        """Links to other parts become jumps to their pages, described by the page's printed
        number (a screen reader reads the description, which was the placeholder URI)."""
        for page in self.pdf.pages:
            for annotation in page.get("/Annots", []):
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
        holder.StructParents = int(holder.StructParents) + offset
    resources = holder.get("/Resources")
    xobjects = resources.get("/XObject") if isinstance(resources, Dictionary) else None
    for form in (xobjects.values() if isinstance(xobjects, Dictionary) else []):
        if isinstance(form, pikepdf.Stream) and form.get("/Subtype") == Name.Form:
            _move_keys(form, offset, moved)


_STANDARD_ROLES = set("""Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2
    H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot
    Ruby RB RT RP Warichu WT WP Figure Formula Form""".split())
_ELEMENT_KEYS = {"/Type", "/S", "/P", "/K", "/Pg", "/Alt", "/ActualText", "/E", "/Lang", "/T", "/A", "/ID"}
_MARKED_KEYS = {"/Type", "/Pg", "/MCID", "/Stm"}


def _printed_structure(source):
    """A finished PDF's structure tree, cut to what describes its printed pages:
    (top elements, {ParentTree key: marked-content array}), or None if it has none.

    Its annotations are flattened into the pages, so references to objects
    (OBJR) go, with ParentTree entries that are not a page's or form's, and
    elements the tree does not hold (a ParentTree's strays).  Of
    each element only its role, kids, page, texts (alt, actual, expansion,
    title, language), plain attributes and id stay: not its associated
    files, references or classes, nothing a viewer could open or run.
    """
    root = source.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary) or not isinstance(root.get("/ParentTree"), Dictionary):
        return None
    pages = {page.objgen for page in source.pages}
    for obj in list(source.objects):
        if isinstance(obj, Dictionary) and (obj.get("/Type") == Name.StructElem or
                                            ("/S" in obj and "/P" in obj and "/Type" not in obj)):
            _cut_element(obj, root, pages)
    top = [element for element in _kids(root) if isinstance(element, Dictionary)]
    held, stack = set(), list(top)  # the elements the tree holds
    while stack:
        element = stack.pop()
        if element.is_indirect:
            if element.objgen in held:
                continue
            held.add(element.objgen)
        stack += [kid for kid in _kids(element) if isinstance(kid, Dictionary) and "/S" in kid]
    parents = {key: Array([item if isinstance(item, Dictionary) and item.objgen in held else None for item in value])
               for key, value in _numbers(root.ParentTree).items() if isinstance(value, Array)}
    return (top, parents) if top and parents else None


def _cut_element(element, root, pages):
    for key in list(element.keys()):
        if key not in _ELEMENT_KEYS:
            del element[key]
    if "/P" in element and element.P.objgen == root.objgen:
        del element.P
    if "/Pg" in element and element.Pg.objgen not in pages:
        del element.Pg
    attributes = element.get("/A")
    if attributes is not None and (attributes.is_indirect or re.search(rb"\d+ \d+ R", attributes.unparse())):
        del element.A  # attributes are plain values; a reference in them is not
    kept = []
    for kid in _kids(element):
        if not isinstance(kid, Dictionary):
            kept.append(kid)  # a marked-content id
        elif kid.get("/Type") == Name.OBJR:
            continue
        elif kid.get("/Type") == Name.MCR:
            for key in list(kid.keys()):
                if key not in _MARKED_KEYS:
                    del kid[key]
            stream = kid.get("/Stm")
            if stream is not None and not (isinstance(stream, pikepdf.Stream) and stream.get("/Subtype") == Name.Form):
                del kid.Stm
            if "/Pg" not in kid or kid.Pg.objgen in pages:
                kept.append(kid)
        else:
            if not kid.is_indirect:
                _cut_element(kid, root, pages)
            kept.append(kid)
    if "/K" in element:
        element.K = Array(kept)


def _numbers(tree):
    """A number tree (``/Nums`` and ``/Kids``) as {key: value}."""
    found = {}
    nums = tree.get("/Nums", [])
    for index in range(0, len(nums), 2):
        found[int(nums[index])] = nums[index + 1]
    for kid in tree.get("/Kids", []):
        found.update(_numbers(kid))
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
