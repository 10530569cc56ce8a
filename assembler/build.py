"""The pipeline: spec -> readers -> renderers -> binder -> two editions on disk.

Every paper is read before anything is rendered (a bad file stops the build
at once, every bad file named).  Parts render independently, in parallel and
through the cache: first the papers and the front and back matter, then what
needs their page counts (the agenda, the public edition's restricted pages,
the page furniture).  Both editions are bound from the same parts and
checked before either is put in place.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from assembler.bind.leakcheck import Suspects, find_leaks, page_texts, pdf_texts, scan
from assembler.bind.merge import Edition
from assembler.bind.output import edition_name, write_together
from assembler.bind.plan import number_items, pack_order
from assembler.completeness import paper_warnings
from assembler.errors import InputError, LeakError
from assembler.model import FinishedPdf, Note
from assembler.readers.picture import picture_problem
from assembler.render.cache import PartCache, cache_folder, folder_digest
from assembler.render.jobs import Job, Renderers, Workers, read_request
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
    """A meeting's documents assembled in memory: ``books[0]`` is the pack, ``books[n]``
    supplementary agenda n; every edition bound and checked."""

    spec: object
    root: Path
    entries: list
    slots: list
    books: dict
    warnings: list
    stats: dict
    suspects: dict = field(default_factory=dict)  # book number -> what its public files must not carry

    def files(self):
        """{file name: PDF bytes} of every edition of every book: each book's members' edition, then its public one."""
        meeting = self.spec.meeting
        return {edition_name(meeting.body, meeting.date, (f"supplement-{n}-" if n else "") + name): book.editions[name]
                for n, book in self.books.items() for name in ("members", "public")}


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
    pack = assemble(spec_path, duplex, use_cache, progress, workers, strict)
    written = write_together(out_dir or pack.root, pack.files())
    book = pack.books[0]
    return BuildResult(written[0], written[1], book.pages, book.numbered_pages, pack.warnings,
                       pack.stats["rendered"], pack.stats["cached"], written[2:])


def assemble(spec_path, duplex, use_cache, progress, workers, strict=False):
    """Read, render, bind and check: the pack in memory, nothing written.  Raises
    ``InputError`` when ``strict`` (or the spec's ``strict``) and there are warnings."""
    spec_path = Path(spec_path)
    spec = load_spec(spec_path)
    root = spec_path.parent.resolve()
    entries = number_items(spec.agenda)
    slots = pack_order(entries, spec.previous_note)
    texts = read_venue_texts(spec)
    check_pictures(spec)
    settings = {"pack_root": root, "house_templates": spec.house.templates and Path(spec.house.templates),
                "house_stylesheet": spec.house.stylesheet, "language": spec.meeting.language}
    cache = PartCache(cache_folder(), folder_digest(TEMPLATES, ASSETS, settings["house_templates"]) + _digest_file(
        spec.house.stylesheet), roots=[root, TEMPLATES, ASSETS]) if use_cache else None
    facts = {"meeting": spec.meeting, "house": spec.house, "notice": spec.notice}
    warnings = []

    renderers = Renderers(workers, settings, cache, progress)
    papers = read_papers(slots, spec.previous_note, renderers.read)
    front_jobs = _front_jobs(facts, spec, texts)
    paper_jobs = [_paper_job(facts, slot, papers[slot.anchor]) for slot in slots]
    back_job = Job("the back cover", "back_cover.html", {**facts, "travel_html": texts.get("travel"),
                   "map": spec.meeting.place.map and spec.meeting.place.map.as_uri()})
    blank_job = Job("a blank page", "blank.html", {**facts, "frame": {"item_label": None, "private_reason": None}})
    first_jobs = front_jobs + [job for job in paper_jobs if job] + [back_job, blank_job]
    drawn = renderers.run(first_jobs, "Drawing the parts")
    front, back, blank = drawn[:len(front_jobs)], drawn[-2], drawn[-1]
    rendered = iter(drawn[len(front_jobs):-2])
    members = {slot.anchor: next(rendered) if job else papers[slot.anchor] for slot, job in zip(slots, paper_jobs)}
    main_slots = [slot for slot in slots if not slot.supplement]
    body = _lay_out(main_slots, [members[slot.anchor] for slot in main_slots], blank, duplex)
    numbers = sorted({slot.supplement for slot in slots if slot.supplement})
    late = {n: _lay_out(group, [members[slot.anchor] for slot in group], blank, duplex, back_cover=False)
            for n in numbers for group in [[slot for slot in slots if slot.supplement == n]]}

    private_parts = [part for stretch in [body, *late.values()] for part in stretch
                     if part.slot is not None and part.slot.private]
    later_jobs = [_agenda_job(facts, entries)] + [_restricted_job(facts, part) for part in private_parts]
    later_jobs += [_furniture_job(facts, body, name) for name in ("members", "public")]
    for n in numbers:
        later_jobs += [_supplement_job(facts, entries, n)]
        later_jobs += [_furniture_job(facts, late[n], name, "S") for name in ("members", "public")]
    later = iter(renderers.run(later_jobs, "Numbering the pages"))
    agenda = next(later)
    front.append(agenda)
    for part in private_parts:
        part.public = next(later)
    books = {0: Book(front, body, back, {"members": next(later), "public": next(later)}, agenda=agenda)}
    for n in numbers:
        books[n] = Book([next(later)], late[n], None, {"members": next(later), "public": next(later)}, "S")
    odd = [book for book in books.values() if sum(part.pages for part in book.front) % 2]
    if duplex and odd:  # page 1 (S1) falls on a right-hand page
        verso = renderers.run([Job("a blank page", "blank.html", {**facts, "frame": None})])[0]
        for book in odd:
            book.front.append(verso)
    stats = dict(renderers.stats)

    for part, job in zip(drawn, first_jobs):
        warnings.extend(f"{job.what}: left out {url} ({reason})" for url, reason in part.refused)
    warnings.extend(_paper_warnings(slots, papers))
    warnings.extend(_drawn_warnings(slots, papers, members))
    if warnings and (strict or spec.strict):
        raise InputError([f"refused (strict): {warning}" for warning in warnings])
    private = {n: [papers[part.slot.anchor] for part in book.body if part.slot is not None and part.slot.private]
               for n, book in books.items()}
    scans = {n: f"{spec_path.resolve()}#{n}" for n in books if private[n]}  # the public editions to check
    known = {n: cache.get_scan(name) if cache else {} for n, name in scans.items()}
    tasks = [(n, name) for name in ("public", "members") for n in books]  # the longer tasks first
    renderers.stage("Binding the editions", len(tasks))
    bound = workers.map(_edition, [(name, books[n], known.get(n) if name == "public" else None) for n, name in tasks])
    suspects = {n: _suspects(books[n].public_parts(), private[n], spec, cache) for n in scans}  # while they bind
    for (n, name), (data, scanned) in zip(tasks, bound):
        books[n].editions[name] = data
        renderers.advance(f"the {name} edition" + (f" of supplement {n}" if n else ""))
        if scanned is not None:
            texts, strings, read = scanned
            if cache:
                cache.put_scan(scans[n], read)
            refuse_leaks(texts + strings, suspects[n], "the public edition")
    if cache:
        cache.prune()
    return Pack(spec, root, entries, slots, books, warnings, stats, suspects)


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
    jobs = [
        Job("the cover", "cover.html", {**facts, "logo": spec.house.logo and spec.house.logo.as_uri()}),
        Job("the guidance notes", "guidance.html", {**facts, "guidance_html": texts.get("guidance")}),
        Job("the notice", "notice.html", {**facts, "has_map": bool(spec.meeting.place.map),
                                          "notes_html": texts.get("notes")}),
    ]
    if spec.membership is not None:
        jobs.append(Job("the membership", "membership.html", {**facts, "membership": spec.membership}))
    return jobs


def _agenda_job(facts, entries):
    return Job("the agenda", "agenda.html", {**facts, "public_entries": [e for e in entries if not e.private],
                                             "private_entries": [e for e in entries if e.private]})


def _paper_job(facts, slot, paper):
    """The job that draws a paper in the members' edition; None for a finished PDF (laid in as it is)."""
    if isinstance(paper, FinishedPdf):
        return None
    frame = {"item_label": slot.item_label, "private_reason": slot.exempt_reason if slot.private else None}
    what = f"{slot.bookmark} ({paper.source.name})"
    if isinstance(paper, Note):
        return Job(what, "note.html", {**facts, "slot": slot.view(), "frame": frame, "note": paper}, paper.source.parent)
    return Job(what, "report.html", {**facts, "slot": slot.view(), "frame": frame, "report": paper}, paper.source.parent)


def _restricted_job(facts, part):
    frame = {"item_label": part.slot.item_label, "private_reason": None}
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
        boxes = shown.pages if isinstance(shown, FinishedPdf) else [None] * shown.pages
        for box in boxes:
            kind = ({"width": 595.28, "height": 841.89, "imported": False, "private_reason": None} if box is None else
                    {"width": box.width, "height": box.height, "imported": True, "private_reason": private})
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
        return edition.add_imported(shown.data, bookmarks)
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


def _digest_file(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path else ""


def _spec_texts(value):
    """Every string in the spec: public by design (the agenda names even private items)."""
    if isinstance(value, BaseModel):
        return [text for item in value.__dict__.values() for text in _spec_texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _spec_texts(item)]
    return [value] if isinstance(value, str) else []


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
    """Every slot's document model; all unreadable files reported together.

    ``read_all`` reads a list of ``(path, as_note, id_prefix)`` (in parallel,
    say), giving for each a model or a list of problems.
    """
    requests = [(previous_note if slot.source == "previous_note" else slot.source, slot.source == "previous_note",
                 slot.anchor) for slot in slots]
    results = read_all(requests) if read_all else [read_request(request) for request in requests]
    problems = [problem for result in results if isinstance(result, list) for problem in result]
    if problems:
        raise InputError(problems)
    return {slot.anchor: result for slot, result in zip(slots, results)}



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
