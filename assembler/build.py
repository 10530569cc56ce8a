"""The pipeline: spec -> readers -> renderers -> binder -> two editions on disk.

Every paper is read before anything is rendered (a bad file stops the build
at once, every bad file named).  Parts render independently, in parallel and
through the cache: first the papers and the front and back matter, then what
needs their page counts (the agenda, the public edition's restricted pages,
the page furniture).  Both editions are bound from the same parts and
checked before either is put in place.

``assemble`` is the pipeline in one screen, one named stage each over the
pack's state (``Pack``): ``open_pack``, ``read``, ``draw``, ``number``,
``confine``, ``bind``, ``gather_suspects``, ``check``; ``write`` puts the editions in place.
``build``, ``publish`` and ``serve`` all run these stages.
"""

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from assembler.bind.leakcheck import Suspects, find_leaks, page_texts, pdf_texts, scan
from assembler.bind.merge import Edition
from assembler.bind.output import edition_name, settle, write_together
from assembler.bind.plan import number_items, pack_order
from assembler.completeness import paper_warnings
from assembler.errors import InputError, LeakError
from assembler.model import FinishedPdf, Note
from assembler.opened import read_paper_file
from assembler.private_files import refuse_shared_content, used_by_private_papers
from assembler.readers.picture import picture_problem
from assembler.redaction import refuse_covered_in_drawn, refuse_covered_words
from assembler.render.cache import PartCache, cache_folder, folder_digest
from assembler.render.jobs import Job, Renderers, TooLong, Workers, read_request
from assembler.render import ASSETS, TEMPLATES
from assembler.render.templates import clock, day_date, long_date
from assembler.spec import load_spec


@dataclass
class BuildResult:
    members: Path
    public: Path
    page_count: int  # pages in each edition
    numbered_pages: int  # pages printed 1..n
    warnings: list[str] = field(default_factory=list)
    rendered: int = 0  # parts drawn in this build
    cached: int = 0  # parts taken from the cache
    supplements: list = field(default_factory=list)  # paths of the supplementary agendas' editions


@dataclass
class _Body:
    """A stretch of numbered pages: a slot's paper, or a blank verso (``slot`` None)."""

    slot: object
    members: object  # a rendered Part, or a FinishedPdf laid in as it is
    public: object
    pages: int


@dataclass
class Book:
    """A bound document: the pack itself, or a supplementary agenda of late papers."""

    front: list  # rendered Parts before the numbered pages
    body: list  # _Body stretches of numbered pages
    back: object  # the back cover Part, or None
    furniture: dict  # edition -> the Part numbering its pages
    prefix: str = ""  # of the printed numbers: "S" in a supplement
    agenda: object = None  # the agenda Part among ``front`` (the pack's)
    editions: dict = field(default_factory=dict)  # edition -> PDF bytes

    @property
    def pages(self):
        return sum(part.pages for part in self.front + self.body) + (self.back.pages if self.back else 0)

    @property
    def numbered_pages(self):
        return sum(part.pages for part in self.body)

    def public_parts(self):
        """What the public edition is made of: every part it is meant to carry."""
        return self.front + [part.public for part in self.body] + ([self.back] if self.back else [])


@dataclass
class Pack:
    """The pack's state, filled in stage by stage: the spec and its running order
    (``open_pack``), the papers (``read``), the parts by name (``draw``, ``number``),
    the books, ``books[0]`` the pack and ``books[n]`` supplementary agenda n (``number``),
    and their editions, bound and checked (``bind``, ``check``)."""

    spec: object
    root: Path
    entries: list
    slots: list
    books: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    suspects: dict = field(default_factory=dict)  # book number -> what its public files must not carry
    spec_path: Path | None = None
    settings: dict = field(default_factory=dict)  # the renderers' (pack root, house templates, language)
    cache: object = None  # the PartCache, or None
    facts: dict = field(default_factory=dict)  # what every template receives
    texts: dict = field(default_factory=dict)  # the venue's and notice's Markdown files, as HTML
    papers: dict = field(default_factory=dict)  # slot anchor -> document model
    parts: dict = field(default_factory=dict)  # name -> rendered Part (or FinishedPdf): "cover", "paper item-3" …
    described: dict = field(default_factory=dict)  # part name -> what it is, for messages: "the cover"
    private_use: dict = field(default_factory=dict)  # path -> the private paper that uses the file (``read``)
    digests: dict = field(default_factory=dict)  # resolved path -> sha256 of every paper's file, as read

    def files(self):
        """{file name: PDF bytes} of every edition of every book: the public editions first
        (the order they are put in place: an old public edition never stands beside a new
        members' one), then the members' ones."""
        meeting = self.spec.meeting
        return {edition_name(meeting.body, meeting.date, (f"supplement-{n}-" if n else "") + name): book.editions[name]
                for name in ("public", "members") for n, book in self.books.items()}


def build(spec_path, out_dir=None, duplex=False, use_cache=True, progress=None, workers=None, strict=False):
    """Build both editions of the pack described by ``spec_path``; return what was written.

    ``workers``: a started ``Workers`` pool to use (the command line starts one
    as soon as it has loaded this module); by default one of the machine's size.
    ``strict`` (or the spec's ``strict: true``): any warning refuses the build
    (``InputError``, nothing written).
    """
    if workers is None:
        with Workers() as workers:
            return build(spec_path, out_dir, duplex, use_cache, progress, workers, strict)
    settle(out_dir or Path(spec_path).parent)  # a build killed while renaming there is finished first
    return write(assemble(spec_path, duplex, use_cache, progress, workers, strict), out_dir)


def assemble(spec_path, duplex, use_cache, progress, workers, strict=False, memory=None, on_numbered=None):
    """The pipeline, stage by stage: the pack in memory, read, drawn, numbered, bound
    and checked, nothing written.  Raises ``InputError`` (the officer's input, or any
    warning when ``strict`` or the spec's ``strict``) or ``LeakError`` (a public
    edition carries private words).

    ``memory``: a dict that keeps the cache's entries in this process from one build
    to the next (``assemble serve``); ``on_numbered(pack)`` is told when every part is
    drawn and numbered, before the editions are bound from them (``serve`` shows them).
    """
    pack = open_pack(spec_path, use_cache, memory)
    renderers = Renderers(workers, pack.settings, pack.cache, progress)
    read(pack, renderers)
    draw(pack, renderers)
    number(pack, renderers, duplex)
    confine(pack)
    if pack.warnings and (strict or pack.spec.strict):
        raise InputError([f"refused (strict): {warning}" for warning in pack.warnings])
    if on_numbered:
        on_numbered(pack)
    bound = bind(pack, workers, renderers)
    gather_suspects(pack)  # here, while the workers bind
    check(pack, bound, renderers)
    pack.stats = dict(renderers.stats)
    if pack.cache:
        pack.cache.prune()
    return pack


def open_pack(spec_path, use_cache=True, memory=None):
    """Stage 1: the spec read and checked, the running order, the venue's texts and pictures."""
    spec_path = Path(spec_path)
    spec = load_spec(spec_path)
    root = spec_path.parent.resolve()
    entries = number_items(spec.agenda)
    pack = Pack(spec, root, entries, pack_order(entries, spec.previous_note), spec_path=spec_path)
    pack.texts = read_venue_texts(spec)
    check_pictures(spec)
    pack.settings = {"pack_root": root, "house_templates": spec.house.templates and Path(spec.house.templates),
                     "house_stylesheet": spec.house.stylesheet, "language": spec.meeting.language}
    if use_cache:
        # (the house stylesheet, read through each part's fetcher, is among every entry's reads)
        pack.cache = PartCache(cache_folder(), folder_digest(TEMPLATES, ASSETS, pack.settings["house_templates"]),
                               memory=memory)
    pack.facts = {"meeting": spec.meeting, "house": spec.house, "notice": spec.notice}
    return pack


def read(pack, renderers):
    """Stage 2: every paper's document model (every unreadable one named at once); the
    public ones looked at for words a reader cannot see (``redaction``); then the files
    private papers use (off limits to every other part) and where each paper is (a link
    naming its file jumps to it) join the renderers' settings and the cache's key."""
    pack.papers, contents = read_papers(pack.slots, pack.spec.previous_note, renderers.read)
    pack.warnings += refuse_covered_words(pack.slots, pack.papers, contents, pack.cache, renderers.workers)
    pack.settings["paper_anchors"] = tuple(sorted({(str(Path(pack.papers[slot.anchor].source).resolve()), slot.anchor)
                                                   for slot in pack.slots}))
    public_sources = [str(Path(pack.papers[slot.anchor].source).resolve()) for slot in pack.slots if not slot.private]
    pack.private_use = used_by_private_papers(pack.slots, pack.papers, contents, pack.root, public_sources)
    pack.digests = {str(Path(pack.papers[anchor].source).resolve()): hashlib.sha256(data).hexdigest()
                    for anchor, data in contents.items()}
    pack.settings["private_files"] = tuple(sorted(pack.private_use))
    if pack.cache:
        pack.cache.setting_digest += repr((pack.settings["private_files"], pack.settings["paper_anchors"]))


def draw(pack, renderers):
    """Stage 3: every part that does not depend on page numbers, by name: the front matter,
    each paper in the members' edition ("paper ANCHOR"; a finished PDF as it is), the back
    cover and a blank page.  With a house's own style, the public reports are looked at
    for hidden words as drawn."""
    facts, spec = pack.facts, pack.spec
    jobs = _front_jobs(facts, spec, pack.texts)
    jobs.update({f"paper {slot.anchor}": job for slot in pack.slots
                 if (job := _paper_job(facts, slot, pack.papers[slot.anchor]))})
    jobs["back"] = Job("the back cover", "back_cover.html", {**facts, "travel_html": pack.texts.get("travel"),
                       "map": spec.meeting.place.map and spec.meeting.place.map.as_uri()})
    jobs["blank"] = Job("a blank page", "blank.html", {**facts, "frame": {"item_label": None, "private_reason": None}})
    pack.parts = renderers.run(jobs, "Drawing the parts")
    pack.described.update((name, job.what) for name, job in jobs.items())
    if spec.house.stylesheet or spec.house.templates:  # the shipped ones hide no words; a house's own may
        drawn = {slot.anchor: pack.parts[f"paper {slot.anchor}"] for slot in pack.slots
                 if f"paper {slot.anchor}" in pack.parts}
        pack.warnings += refuse_covered_in_drawn(pack.slots, drawn, pack.cache, renderers.workers)
    for name, part in pack.parts.items():
        pack.warnings.extend(f"{jobs[name].what}: left out {url} ({reason})" for url, reason in part.refused)
    pack.warnings.extend(_paper_warnings(pack.slots, pack.papers))
    pack.parts.update({f"paper {slot.anchor}": paper for slot in pack.slots
                       if isinstance(paper := pack.papers[slot.anchor], FinishedPdf)})


def number(pack, renderers, duplex=False):
    """Stage 4: the pages laid out and numbered (blank versos where ``duplex`` needs them);
    what depends on the numbers drawn: the agenda with its ranges, the public edition's
    restricted pages, each edition's page furniture, the supplements' covers; the books."""
    facts, slots, parts = pack.facts, pack.slots, pack.parts
    blank = parts["blank"]
    numbers = sorted({slot.supplement for slot in slots if slot.supplement})
    groups = {n: [slot for slot in slots if (slot.supplement or 0) == n] for n in [0, *numbers]}
    bodies = {n: _lay_out(group, [parts[f"paper {slot.anchor}"] for slot in group], blank, duplex, back_cover=not n)
              for n, group in groups.items()}
    private_parts = [part for body in bodies.values() for part in body if part.slot is not None and part.slot.private]
    jobs = {"agenda": _agenda_job(facts, pack.entries)}
    jobs.update({f"restricted {part.slot.anchor}": _restricted_job(facts, part) for part in private_parts})
    for n, body in bodies.items():
        if n:
            jobs[f"supplement {n}"] = _supplement_job(facts, pack.entries, n)
        jobs.update({f"furniture {n} {name}": _furniture_job(facts, body, name, "S" if n else "")
                     for name in ("members", "public")})
    parts.update(renderers.run(jobs, "Numbering the pages"))
    pack.described.update((name, job.what) for name, job in jobs.items())
    for part in private_parts:
        part.public = parts[f"restricted {part.slot.anchor}"]
    front = [parts[name] for name in ("cover", "guidance", "notice", "membership", "agenda") if name in parts]
    for n, body in bodies.items():
        furniture = {name: parts[f"furniture {n} {name}"] for name in ("members", "public")}
        pack.books[n] = (Book(front, body, parts["back"], furniture, agenda=parts["agenda"]) if not n else
                         Book([parts[f"supplement {n}"]], body, None, furniture, "S"))
    odd = [book for book in pack.books.values() if sum(part.pages for part in book.front) % 2]
    if duplex and odd:  # page 1 (S1) falls on a right-hand page
        parts["verso"] = renderers.run([Job("a blank page", "blank.html", {**facts, "frame": None})])[0]
        for book in odd:
            book.front.append(parts["verso"])
    pack.warnings.extend(_drawn_warnings(slots, pack.papers, {slot.anchor: parts[f"paper {slot.anchor}"]
                                                              for slot in slots}))


def confine(pack):
    """Stage 5: refuse (``InputError``) a pack whose public edition would draw a file a
    private paper uses under another name (a hard link, a copy): what every public part
    read, the house templates, the public papers' and venue texts' own files
    (``private_files``)."""
    spec, papers = pack.spec, pack.papers
    drawn = {f"paper {slot.anchor}" for slot in pack.slots if slot.private}
    private_parts = {pack.described[name]: part for name, part in pack.parts.items()
                     if name in drawn and not isinstance(part, FinishedPdf)}
    public = {pack.described.get(name, name): part for name, part in pack.parts.items()
              if name not in drawn and not name.endswith(" members") and not isinstance(part, FinishedPdf)}
    files = {f"{slot.bookmark} ({papers[slot.anchor].source.name})": Path(papers[slot.anchor].source).resolve()
             for slot in pack.slots if not slot.private}
    files.update({f"{key} ({path.name})": path for key, path in (
        ("notice.notes", spec.notice.notes), ("meeting.place.guidance", spec.meeting.place.guidance),
        ("meeting.place.travel", spec.meeting.place.travel), ("house.stylesheet", spec.house.stylesheet))
        if path is not None})
    if spec.house.templates:  # every template its loader may load: an .html file really inside its folder
        folder = Path(spec.house.templates).resolve()
        files.update({f"the house template {path.relative_to(folder)}": Path(os.path.realpath(path))
                      for path in _files_under(folder)
                      if path.suffix.lower() == ".html" and Path(os.path.realpath(path)).is_relative_to(folder)})
    sheets = f"the house stylesheet ({spec.house.stylesheet.name})" if spec.house.stylesheet else "the stylesheets"
    refuse_shared_content(pack.private_use, public, private_parts, files, pack.digests, pack.root, sheets)


def bind(pack, workers, renderers):
    """Stage 6: every edition of every book bound, in the workers (a public edition scanned
    for its text where it was bound, only the pages its last scan did not see): an
    iterator of ``(book number, edition, (bytes, scan or None))``, each as it is ready."""
    scanned = {n for n, book in pack.books.items() if _private_papers(pack, book)}
    tasks = [(n, name) for name in ("public", "members") for n in pack.books]  # the longer tasks first
    known = {n: pack.cache.get_scan(_scan_name(pack, n)) if pack.cache else {} for n in scanned}
    renderers.stage("Binding the editions", len(tasks))
    bound = workers.map(_edition, [(name, pack.books[n], known[n] if name == "public" and n in scanned else None)
                                   for n, name in tasks])
    return _as_bound(tasks, bound)


def _as_bound(tasks, bound):
    """``(book number, edition, result)`` for each task as it is bound; a worker that ran out
    of memory binding one names it (``InputError``)."""
    try:
        for (n, name), result in zip(tasks, bound):
            yield n, name, result
    except TooLong as error:
        n, name = tasks[error.index]
        raise InputError(error.message(f"the {name} edition" + (f" of supplement {n}" if n else ""), "bind")) from None


def gather_suspects(pack):
    """What each book's public files must not carry: its private papers' words, less
    those its public parts, the spec and the printed date and time carry too."""
    pack.suspects = {n: _suspects(book.public_parts(), _private_papers(pack, book), pack.spec, pack.cache)
                     for n, book in pack.books.items() if _private_papers(pack, book)}


def check(pack, bound, renderers):
    """Stage 7: each edition taken as it is bound; a public one refused (``LeakError``,
    nothing written) if it carries any of its book's suspect words."""
    for n, name, (data, scanned) in bound:
        pack.books[n].editions[name] = data
        renderers.advance(f"the {name} edition" + (f" of supplement {n}" if n else ""))
        if scanned is not None:
            texts, strings, read_pages = scanned
            if pack.cache:
                pack.cache.put_scan(_scan_name(pack, n), read_pages)
            refuse_leaks(texts + strings, pack.suspects[n], "the public edition")


def write(pack, out_dir=None):
    """Stage 8: every edition put in place together (``out_dir``, default the spec's folder),
    never over the spec or a file it names."""
    files = pack.files()
    refuse_overwriting(pack.spec_path, pack.spec, [Path(out_dir or pack.root) / name for name in files])
    written = write_together(out_dir or pack.root, files)
    members = [path for path in written if path.name.endswith("-members.pdf")]
    public = [path for path in written if path.name.endswith("-public.pdf")]
    book = pack.books[0]
    return BuildResult(members[0], public[0], book.pages, book.numbered_pages, pack.warnings,
                       pack.stats["rendered"], pack.stats["cached"],
                       [path for pair in zip(members[1:], public[1:]) for path in pair])


def _private_papers(pack, book):
    return [pack.papers[part.slot.anchor] for part in book.body if part.slot is not None and part.slot.private]


def _scan_name(pack, n):
    """Under what the last scan of a book's public edition is kept."""
    return f"{pack.spec_path.resolve()}#{n}"


def refuse_overwriting(spec_path, spec, targets):
    """Raise ``InputError`` if writing ``targets`` (paths, files or folders that will be
    replaced) would overwrite the spec or a file it names (an appendix called like an
    edition, a paper inside the publish folder)."""
    named = [Path(spec_path)] + [value for value in _spec_values(spec) if isinstance(value, Path)]
    named = {path.resolve(): path for path in named}
    for target in targets:
        target = Path(target).resolve()
        for path, shown in named.items():
            if path == target or path.is_relative_to(target):
                raise InputError(f"{shown}: the output would be written over it ({target}); "
                                 "rename it, or write the output elsewhere with -o")


def _lay_out(slots, members, blank, duplex, back_cover=True):
    """The numbered pages in order, each slot's range set; blank versos where ``duplex`` needs them."""
    body, page = [], 1
    for slot, part in zip(slots, members):
        pages = len(part.pages) if isinstance(part, FinishedPdf) else part.pages
        slot.first, slot.last = page, page + pages - 1
        body.append(_Body(slot, part, part, pages))
        page += pages
        # the next paper starts on a right-hand (odd) page; the back cover, on a left-hand one;
        # a book without one ends on a left-hand page
        if duplex and page % 2 == (1 if slot is slots[-1] and back_cover else 0):
            body.append(_Body(None, blank, blank, 1))
            page += 1
    return body


def _front_jobs(facts, spec, texts):
    jobs = {
        "cover": Job("the cover", "cover.html", {**facts, "logo": spec.house.logo and spec.house.logo.as_uri()}),
        "guidance": Job("the guidance notes", "guidance.html", {**facts, "guidance_html": texts.get("guidance")}),
        "notice": Job("the notice", "notice.html", {**facts, "has_map": bool(spec.meeting.place.map),
                                                    "notes_html": texts.get("notes")}),
    }
    if spec.membership is not None:
        jobs["membership"] = Job("the membership", "membership.html", {**facts, "membership": spec.membership})
    return jobs


def _agenda_job(facts, entries):
    return Job("the agenda", "agenda.html", {**facts, "public_entries": [e for e in entries if not e.private],
                                             "private_entries": [e for e in entries if e.private]})


def _paper_job(facts, slot, paper):
    """The job that draws a paper in the members' edition; None for a finished PDF (laid in as it is)."""
    if isinstance(paper, FinishedPdf):
        return None
    frame = {"item_label": slot.item_label, "private_reason": slot.exempt_reason if slot.private else None,
             "every_page": slot.is_appendix}
    what = f"{slot.bookmark} ({paper.source.name})"
    if isinstance(paper, Note):
        return Job(what, "note.html", {**facts, "slot": slot.view(), "frame": frame, "note": paper}, paper.source.parent,
                   slot.private)
    return Job(what, "report.html", {**facts, "slot": slot.view(), "frame": frame, "report": paper},
               paper.source.parent, slot.private)


def _restricted_job(facts, part):
    frame = {"item_label": part.slot.item_label, "private_reason": None, "every_page": part.slot.is_appendix}
    return Job(f"{part.slot.bookmark} (restricted pages)", "restricted.html",
               {**facts, "slot": part.slot.view(), "frame": frame, "page_count": part.pages})


def _supplement_job(facts, entries, number):
    late = [entry for entry in entries if entry.supplement == number]
    return Job(f"the cover of supplementary agenda {number}", "supplement.html",
               {**facts, "number": number, "public_entries": [e for e in late if not e.private],
                "private_entries": [e for e in late if e.private]})


def _furniture_job(facts, body, edition, prefix=""):
    """The overlay that numbers an edition's pages (and marks a private finished PDF's)."""
    kinds, pages = [], []
    for part in body:
        shown = part.public if edition == "public" else part.members
        private = part.slot.exempt_reason if part.slot is not None and part.slot.private else None
        restricted = edition == "public" and private  # A4 stand-ins, not drawn yet: part.public is not set
        boxes = shown.pages if isinstance(shown, FinishedPdf) and not restricted else [None] * part.pages
        for index, box in enumerate(boxes):
            kind = ({"width": 595.28, "height": 841.89, "imported": False, "private_reason": None} if box is None else
                    {"width": box.width, "height": box.height, "imported": True, "private_reason": private,
                     "first": bool(private) and index == 0, "label": part.slot.item_label,
                     "is_appendix": part.slot.is_appendix})
            if kind not in kinds:
                kinds.append(kind)
            pages.append(kinds.index(kind))
    return Job(f"the page numbers of the {edition} edition", "furniture.html",
               {**facts, "kinds": kinds, "pages": pages, "prefix": prefix})


def _edition(name, book, known=None):
    """One edition of a book bound, as PDF bytes; with ``known`` (an earlier scan's page
    texts), scanned too, where it was bound: (bytes, what ``scan`` gives, or None)."""
    data, pdf = _bind(name, book)
    return data, (scan(pdf, data, known) if known is not None else None)


def _bind(name, book):
    """One edition of a book: parts joined, finished PDFs laid in, pages numbered and labelled.
    Returns its bytes, and the (pikepdf) objects they were written from."""
    edition = Edition(book.front[0].pdf)
    for part in book.front[1:]:
        edition.add_rendered(part.pdf)
    anchors, first_numbered = {}, edition.page_count
    for part in book.body:
        start = add_part(edition, part.slot, part.public if name == "public" else part.members)
        if part.slot is not None:
            anchors[part.slot.anchor] = start
    labels = [(0, "r", None, 1), (first_numbered, "D", book.prefix or None, 1)]
    if book.back is not None:
        labels.append((edition.page_count, None, "Back cover", 1))
        edition.add_rendered(book.back.pdf)
    return edition.finish(book.furniture[name].pdf, first_numbered, labels, anchors), edition.pdf


def add_part(edition, slot, shown):
    """Lay one stretch of numbered pages into ``edition`` at its slot's bookmark level
    (``slot`` None for a blank verso); return its first page index."""
    if isinstance(shown, FinishedPdf):
        bookmarks = [(slot.level, slot.bookmark, 0)] + [
            (slot.level + level, title, page) for level, title, page in shown.outline if level <= 2]
        return edition.add_imported(shown.data, [page.content for page in shown.pages], bookmarks)
    return edition.add_rendered(shown.pdf, slot.level if slot is not None else 1)


def _paper_warnings(slots, papers):
    """What the officer should know about the papers: parts that are not accessible, missing alt text."""
    warnings = []
    for slot in slots:
        paper = papers[slot.anchor]
        what = f"{slot.bookmark} ({paper.source.name})"
        if isinstance(paper, FinishedPdf):
            if not paper.tagged:  # a tagged one brings its structure with it
                warnings.append(f"{what}: not accessible: its pages go in as they are, with no tags; "
                                "publish an accessible version alongside")
            if paper.unembedded_fonts:
                warnings.append(f"{what}: uses fonts it does not carry ({', '.join(paper.unembedded_fonts[:4])}); "
                                "printers and viewers will substitute them")
            warnings.extend(f"{what}: {warning}" for warning in paper.warnings)
        elif not isinstance(paper, Note):
            warnings.extend(f"{what}: image {src} has no alt text" for src in paper.images_without_alt)
            warnings.extend(f"{what}: {warning}" for warning in paper.warnings)
    return warnings


def _files_under(folder):
    """Every file under ``folder``, its symbolic links to folders not followed."""
    return [Path(top) / name for top, _, names in sorted(os.walk(folder)) for name in sorted(names)]


def _spec_values(value):
    """Every plain value in the spec (strings, paths, dates …), depth first."""
    if isinstance(value, BaseModel):
        return [found for item in value.__dict__.values() for found in _spec_values(item)]
    if isinstance(value, list):
        return [found for item in value for found in _spec_values(item)]
    return [value]


def _spec_texts(value):
    """Every string in the spec: public by design (the agenda names even private items)."""
    return [text for text in _spec_values(value) if isinstance(text, str)]


def _suspects(parts, private_papers, spec, cache):
    """What the public edition of a book must not carry: its private papers' words, except
    those that the parts it is made of hold too (each part read once, kept in the cache),
    the spec's own words and the meeting's date and time as printed, and the first part's
    strings (the edition's title, subject and keywords come from it)."""
    meeting = spec.meeting
    allowed = _spec_texts(spec) + [long_date(meeting.date), day_date(meeting.date), clock(meeting.time)]
    allowed += pdf_texts(parts[0].pdf)
    for part in parts:
        data = part.data if isinstance(part, FinishedPdf) else part.pdf
        texts = cache.get_texts(data) if cache else None
        if texts is None:
            texts = page_texts(data)
            if cache:
                cache.put_texts(data, texts)
        allowed += texts
    return Suspects.of(private_papers, allowed)


def _drawn_warnings(slots, papers, members):
    """Every drawn paper checked against its source and its pages (``completeness``)."""
    warnings = []
    for slot in slots:
        part, paper = members[slot.anchor], papers[slot.anchor]
        if not isinstance(part, FinishedPdf):
            warnings += paper_warnings(f"{slot.bookmark} ({paper.source.name})", paper, part, slot.first,
                                       "S" if slot.supplement else "")
    return warnings


def refuse_leaks(public_texts, suspects, what):
    """Refuse to write anything if ``what`` (a public file) carries a private paper's content."""
    leaks = find_leaks(public_texts, suspects)
    if leaks:
        raise LeakError(
            f"{what} would contain private content ("
            + "; ".join(f"{leak.paper}: \"{leak.words}\"" for leak in leaks[:3])
            + "); nothing was written. This is a bug in assemble: please report it."
        )


def read_papers(slots, previous_note, read_all=None):
    """Every slot's document model, and the bytes each was read from (by slot anchor); all
    unreadable files reported together (``InputError``).

    Each file is read once, through one descriptor, only if it is still the file the
    spec confined to the pack (``opened.read_checked``: a paper replaced by a link since
    is refused); its bytes go to the reader, the cache's key and the redaction check.
    ``read_all`` reads a list of ``(path, bytes, as_note, id_prefix)`` (in parallel,
    say), giving for each a model or a list of problems.
    """
    contents, problems = {}, []
    for slot in slots:
        path = previous_note if slot.source == "previous_note" else slot.source
        try:
            contents[slot.anchor] = read_paper_file(path)
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    requests = [(previous_note if slot.source == "previous_note" else slot.source, contents[slot.anchor],
                 slot.source == "previous_note", slot.anchor) for slot in slots]
    results = read_all(requests) if read_all else [read_request(request) for request in requests]
    problems = [problem for result in results if isinstance(result, list) for problem in result]
    if problems:
        raise InputError(problems)
    return {slot.anchor: result for slot, result in zip(slots, results)}, contents


def check_pictures(spec):
    """Refuse a logo or map that cannot be drawn, naming it."""
    problems = [f"{path}: {problem}" for path in (spec.house.logo, spec.meeting.place.map)
                if path is not None and (problem := picture_problem(path))]
    if problems:
        raise InputError(problems)


def read_venue_texts(spec):
    """The Markdown files of the venue and notice, as HTML."""
    from assembler.readers.markdown import read_markdown_html

    files = {
        "guidance": spec.meeting.place.guidance,
        "travel": spec.meeting.place.travel,
        "notes": spec.notice.notes,
    }
    return {key: read_markdown_html(path) for key, path in files.items() if path is not None}
