"""The pipeline: spec -> readers -> renderers -> binder -> two editions on disk.

Every paper is read before anything is rendered (so a bad file stops the
build at once, with all bad files named); every paper is rendered before the
agenda (whose ranges need the page counts); both editions are written before
either is put in place.
"""

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from assembler.bind.editions import Edition, Imported, Label, write_edition
from assembler.bind.output import edition_name, write_together
from assembler.bind.plan import number_items, pack_order
from assembler.bind.leakcheck import find_leaks
from assembler.errors import InputError, LeakError, PaperError
from assembler.model import FinishedPdf, Note
from assembler.readers import read_paper
from assembler.readers.markdown import read_markdown_html
from assembler.render import Renderer
from assembler.spec import load_spec


@dataclass
class BuildResult:
    members: Path
    public: Path
    page_count: int  # pages in each edition
    numbered_pages: int  # pages printed 1..n
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Rendered:
    """Pages of the body: a slot's members' and public versions (the same unless
    private), or a blank page for double-sided printing (``slot`` is None)."""

    members: object
    public: object
    slot: object = None
    imported: Path | None = None


def build(spec_path, out_dir=None, duplex=False):
    """Build both editions of the pack described by ``spec_path``; return what was written."""
    spec_path = Path(spec_path)
    spec = load_spec(spec_path)
    root = spec_path.parent.resolve()
    entries = number_items(spec.agenda)
    slots = pack_order(entries, spec.previous_note)
    papers = read_papers(slots, spec.previous_note)
    texts = read_venue_texts(spec)

    renderer = Renderer(
        root,
        house_templates=spec.house.templates and Path(spec.house.templates),
        house_stylesheet=spec.house.stylesheet,
        language=spec.meeting.language,
    )
    facts = {"meeting": spec.meeting, "house": spec.house, "notice": spec.notice}
    warnings = []
    body = _render_body(renderer, facts, slots, papers, warnings, duplex)
    front = _render_front(renderer, facts, spec, entries, texts, warnings)
    back = _render(renderer, warnings, "the back cover", "back_cover.html", facts,
                   travel_html=texts.get("travel"),
                   map=spec.meeting.place.map and spec.meeting.place.map.as_uri())
    front_pages = sum(len(document.pages) for document in front)
    if duplex and front_pages % 2:  # page 1 falls on a right-hand page
        front.append(_render(renderer, warnings, "a blank page", "blank.html", facts, frame=None))
        front_pages += 1
    numbered = sum(len(part.members.pages) for part in body)
    if duplex and numbered % 2 == 0:  # the back cover falls on the back of the last sheet
        body.append(_blank(renderer, facts, warnings, numbered + 1))
        numbered += 1

    editions = {name: write_edition(_edition(name, front, body, back, front_pages))
                for name in ("members", "public")}
    _check_public_edition(editions, slots, papers, front_pages, _spec_texts(spec))
    members, public = write_together(out_dir or root, {
        edition_name(spec.meeting.body, spec.meeting.date, name): data for name, data in editions.items()})
    total = front_pages + numbered + len(back.pages)
    return BuildResult(members, public, total, numbered, warnings)


def _render_body(renderer, facts, slots, papers, warnings, duplex):
    """Every paper and appendix from printed page 1; with ``duplex``, each starts on an odd page."""
    body, next_page = [], 1
    for slot in slots:
        paper = papers[slot.anchor]
        try:
            body.append(_render_slot(renderer, facts, slot, paper, next_page, warnings))
        except PaperError:
            raise
        except Exception as error:  # say which paper broke the renderer, keep the cause
            raise RuntimeError(f"rendering {paper.source} failed: {error}") from error
        next_page = slot.last + 1
        if duplex and next_page % 2 == 0 and slot is not slots[-1]:
            body.append(_blank(renderer, facts, warnings, next_page))
            next_page += 1
    return body


def _blank(renderer, facts, warnings, page):
    frame = {"start": page, "item_label": None, "private_reason": None}
    document = _render(renderer, warnings, "a blank page", "blank.html", facts, frame=frame)
    return _Rendered(document, document)


def _render_front(renderer, facts, spec, entries, texts, warnings):
    """Cover, guidance notes, notice, membership and agenda (the agenda's ranges are known by now)."""
    front = [
        _render(renderer, warnings, "the cover", "cover.html", facts,
                logo=spec.house.logo and spec.house.logo.as_uri()),
        _render(renderer, warnings, "the guidance notes", "guidance.html", facts,
                guidance_html=texts.get("guidance")),
        _render(renderer, warnings, "the notice", "notice.html", facts,
                has_map=bool(spec.meeting.place.map), notes_html=texts.get("notes")),
    ]
    if spec.membership is not None:
        front.append(_render(renderer, warnings, "the membership", "membership.html", facts,
                             membership=spec.membership))
    front.append(_render(renderer, warnings, "the agenda", "agenda.html", facts,
                         public_entries=[e for e in entries if not e.private],
                         private_entries=[e for e in entries if e.private]))
    return front


def _spec_texts(value):
    """Every string in the spec: public by design (the agenda names even private items)."""
    if isinstance(value, BaseModel):
        return [text for item in value.__dict__.values() for text in _spec_texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _spec_texts(item)]
    return [value] if isinstance(value, str) else []


def _check_public_edition(editions, slots, papers, front_pages, public_texts):
    """Refuse to write anything if the public edition carries a private paper's content."""
    private_papers = [papers[slot.anchor] for slot in slots if slot.private]
    if not private_papers:
        return
    offset = front_pages - 1  # page index of printed page n is n + offset
    private_pages = {page + offset for slot in slots if slot.private for page in range(slot.first, slot.last + 1)}
    leaks = find_leaks(editions["public"], editions["members"], private_pages, private_papers, public_texts)
    if leaks:
        raise LeakError(
            "the public edition would contain private content ("
            + "; ".join(f"{leak.paper}: \"{leak.words}\"" for leak in leaks[:3])
            + "); neither edition was written. This is a bug in assemble: please report it."
        )


def _edition(name, front, body, back, front_pages):
    documents, imported = list(front), []
    page_index = front_pages
    for part in body:
        private = part.slot is not None and part.slot.private
        document = part.public if name == "public" else part.members
        documents.append(document)
        if part.imported is not None and (name == "members" or not private):
            imported.append(Imported(part.imported, page_index))
        page_index += len(document.pages)
    documents.append(back)
    labels = [Label(0, style="/r"), Label(front_pages, style="/D", start=1), Label(page_index, prefix="Back cover")]
    return Edition(documents, imported, labels)


def read_papers(slots, previous_note):
    """Every slot's document model; all unreadable files reported together."""
    papers, problems = {}, []
    for slot in slots:
        is_note = slot.source == "previous_note"
        try:
            path = previous_note if is_note else slot.source
            papers[slot.anchor] = read_paper(path, as_note=is_note, id_prefix=slot.anchor)
        except PaperError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    return papers


def read_venue_texts(spec):
    """The Markdown files of the venue and notice, as HTML."""
    files = {
        "guidance": spec.meeting.place.guidance,
        "travel": spec.meeting.place.travel,
        "notes": spec.notice.notes,
    }
    return {key: read_markdown_html(path) for key, path in files.items() if path is not None}


def _render(renderer, warnings, what, template, facts, base_dir=None, **context):
    document, refused = renderer.render(template, base_dir=base_dir, **facts, **context)
    warnings.extend(f"{what}: left out {url} ({reason})" for url, reason in refused)
    return document


def _render_slot(renderer, facts, slot, paper, start, warnings):
    """Render one paper or appendix from printed page ``start``; set its range."""
    what = f"{slot.bookmark} ({paper.source.name})"
    frame = {"start": start, "item_label": slot.item_label, "private_reason": None}
    if slot.private:
        frame["private_reason"] = slot.exempt_reason
    context = {"slot": slot, "frame": frame}
    if isinstance(paper, FinishedPdf):
        members = _render(renderer, warnings, what, "pdf_pages.html", facts, pdf=paper, **context)
        imported = paper.source
        warnings.append(f"{what}: not accessible: its pages go in as they are, "
                        + ("and its own tags are not carried into the pack" if paper.tagged else "with no tags")
                        + "; publish an accessible version alongside")
        if paper.unembedded_fonts:
            warnings.append(f"{what}: uses fonts it does not carry ({', '.join(paper.unembedded_fonts[:4])}); "
                            "printers and viewers will substitute them")
    elif isinstance(paper, Note):
        members = _render(renderer, warnings, what, "note.html", facts, paper.source.parent, note=paper, **context)
        imported = None
    else:
        members = _render(renderer, warnings, what, "report.html", facts, paper.source.parent, report=paper, **context)
        imported = None
        warnings.extend(f"{what}: image {src} has no alt text" for src in paper.images_without_alt)
        warnings.extend(f"{what}: {warning}" for warning in paper.warnings)
    slot.first, slot.last = start, start + len(members.pages) - 1
    if not slot.private:
        return _Rendered(members, members, slot, imported)
    public_frame = {**frame, "private_reason": None}
    public = _render(renderer, warnings, what, "restricted.html", facts,
                     slot=slot, frame=public_frame, page_count=len(members.pages))
    return _Rendered(members, public, slot, imported)
