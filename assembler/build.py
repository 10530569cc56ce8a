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

from assembler.bind.leakcheck import find_leaks, page_texts, scan
from assembler.bind.merge import Edition
from assembler.bind.output import edition_name, write_together
from assembler.bind.plan import number_items, pack_order
from assembler.errors import InputError, LeakError
from assembler.model import FinishedPdf, Note
from assembler.readers.markdown import read_markdown_html
from assembler.readers.picture import picture_problem
from assembler.render.cache import PartCache, cache_folder, folder_digest
from assembler.render.jobs import Job, Renderers, Workers, read_request
from assembler.render.templates import ASSETS, TEMPLATES
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


@dataclass
class _Body:
    """A stretch of numbered pages: a slot's paper, or a blank verso (``slot`` None)."""

    slot: object
    members: object  # a rendered Part, or a FinishedPdf laid in as it is
    public: object
    pages: int


@dataclass
class Pack:
    """A pack assembled in memory: its parts, and both editions bound and checked."""

    spec: object
    root: Path
    entries: list
    slots: list
    front: list  # rendered Parts: cover, guidance, notice, [membership], agenda[, blank]
    body: list  # _Body stretches of numbered pages
    back: object
    furniture: dict  # edition -> the Part numbering its pages
    editions: dict  # edition -> PDF bytes
    warnings: list
    stats: dict

    @property
    def front_pages(self):
        return sum(part.pages for part in self.front)

    @property
    def numbered_pages(self):
        return sum(part.pages for part in self.body)


def build(spec_path, out_dir=None, duplex=False, use_cache=True, progress=None, workers=None):
    """Build both editions of the pack described by ``spec_path``; return what was written.

    ``workers``: a started ``Workers`` pool to use (the command line starts one
    before loading this module); by default one of the machine's size.
    """
    if workers is None:
        with Workers() as workers:
            return build(spec_path, out_dir, duplex, use_cache, progress, workers)
    pack = assemble(spec_path, duplex, use_cache, progress, workers)
    members_path, public_path = write_together(out_dir or pack.root, {
        edition_name(pack.spec.meeting.body, pack.spec.meeting.date, name): data
        for name, data in pack.editions.items()})
    total = pack.front_pages + pack.numbered_pages + pack.back.pages
    return BuildResult(members_path, public_path, total, pack.numbered_pages, pack.warnings,
                       pack.stats["rendered"], pack.stats["cached"])


def assemble(spec_path, duplex, use_cache, progress, workers):
    """Read, render, bind and check: the pack in memory, nothing written."""
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
    drawn = renderers.run(first_jobs)
    front, back, blank = drawn[:len(front_jobs)], drawn[-2], drawn[-1]
    rendered = iter(drawn[len(front_jobs):-2])
    members = [next(rendered) if job else papers[slot.anchor] for slot, job in zip(slots, paper_jobs)]
    body = _lay_out(slots, members, blank, duplex)

    restricted = [_restricted_job(facts, part) for part in body if part.slot is not None and part.slot.private]
    later_jobs = [_agenda_job(facts, entries)] + restricted + [_furniture_job(facts, body, name)
                                                               for name in ("members", "public")]
    later = renderers.run(later_jobs)
    front.append(later[0])
    for part, public in zip([p for p in body if p.slot is not None and p.slot.private], later[1:-2]):
        part.public = public
    furniture = {"members": later[-2], "public": later[-1]}
    if duplex and sum(part.pages for part in front) % 2:  # page 1 falls on a right-hand page
        front.append(renderers.run([Job("a blank page", "blank.html", {**facts, "frame": None})])[0])
    stats = dict(renderers.stats)

    for part, job in zip(drawn + later, first_jobs + later_jobs):
        warnings.extend(f"{job.what}: left out {url} ({reason})" for url, reason in part.refused)
    warnings.extend(_paper_warnings(slots, papers))
    names = ("members", "public")
    editions = dict(zip(names, workers.map(_bind, [(name, front, body, back, furniture[name]) for name in names])))
    scanned = [text for texts in workers.map(scan, [(editions["public"], "pages"), (editions["public"], "strings")])
               for text in texts]
    _check_public_edition(scanned, front + [part.public for part in body] + [back],
                          [papers[slot.anchor] for slot in slots if slot.private], _spec_texts(spec), cache)
    return Pack(spec, root, entries, slots, front, body, back, furniture, editions, warnings, stats)


def _lay_out(slots, members, blank, duplex):
    """The numbered pages in order, each slot's range set; blank versos where ``duplex`` needs them."""
    body, page = [], 1
    for slot, part in zip(slots, members):
        pages = len(part.pages) if isinstance(part, FinishedPdf) else part.pages
        slot.first, slot.last = page, page + pages - 1
        body.append(_Body(slot, part, part, pages))
        page += pages
        # the next paper starts on a right-hand (odd) page; the back cover, on a left-hand one
        if duplex and page % 2 == (0 if slot is not slots[-1] else 1):
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


def _furniture_job(facts, body, edition):
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
    return Job(f"the page numbers of the {edition} edition", "furniture.html", {**facts, "kinds": kinds, "pages": pages})


def _bind(name, front, body, back, furniture):
    """One edition's PDF bytes: parts joined, finished PDFs laid in, pages numbered and labelled."""
    edition = Edition(front[0].pdf)
    for part in front[1:]:
        edition.add_rendered(part.pdf)
    anchors, first_numbered = {}, edition.page_count
    for part in body:
        shown = part.public if name == "public" else part.members
        if isinstance(shown, FinishedPdf):
            slot = part.slot
            bookmarks = [(slot.level, slot.bookmark, 0)] + [
                (slot.level + level, title, page) for level, title, page in shown.outline if level <= 2]
            start = edition.add_imported(shown.source, bookmarks)
        else:
            start = edition.add_rendered(shown.pdf, part.slot.level if part.slot is not None else 1)
        if part.slot is not None:
            anchors[part.slot.anchor] = start
    back_page = edition.page_count
    edition.add_rendered(back.pdf)
    labels = [(0, "r", None, 1), (first_numbered, "D", None, 1), (back_page, None, "Back cover", 1)]
    return edition.finish(furniture.pdf, first_numbered, labels, anchors)


def _paper_warnings(slots, papers):
    """What the officer should know about the papers: parts that are not accessible, missing alt text."""
    warnings = []
    for slot in slots:
        paper = papers[slot.anchor]
        what = f"{slot.bookmark} ({paper.source.name})"
        if isinstance(paper, FinishedPdf):
            warnings.append(f"{what}: not accessible: its pages go in as they are, "
                            + ("and its own tags are not carried into the pack" if paper.tagged else "with no tags")
                            + "; publish an accessible version alongside")
            if paper.unembedded_fonts:
                warnings.append(f"{what}: uses fonts it does not carry ({', '.join(paper.unembedded_fonts[:4])}); "
                                "printers and viewers will substitute them")
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


def _check_public_edition(public_texts, parts, private_papers, spec_texts, cache):
    """Refuse to write anything if the public edition carries a private paper's content.

    What it may carry: the text of the parts it is made of (each read once and
    kept in the cache) and the spec's own words.
    """
    if not private_papers:
        return
    allowed = list(spec_texts)
    for part in parts:
        if isinstance(part, FinishedPdf):
            data = part.source.read_bytes()
        else:
            data = part.pdf
        texts = cache.get_texts(data) if cache else None
        if texts is None:
            texts = page_texts(data)
            if cache:
                cache.put_texts(data, texts)
        allowed += texts
    leaks = find_leaks(public_texts, allowed, private_papers)
    if leaks:
        raise LeakError(
            "the public edition would contain private content ("
            + "; ".join(f"{leak.paper}: \"{leak.words}\"" for leak in leaks[:3])
            + "); neither edition was written. This is a bug in assemble: please report it."
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
    files = {
        "guidance": spec.meeting.place.guidance,
        "travel": spec.meeting.place.travel,
        "notes": spec.notice.notes,
    }
    return {key: read_markdown_html(path) for key, path in files.items() if path is not None}
