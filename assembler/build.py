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
    """One slot's pages: the members' version and the public one (the same unless private)."""

    members: object
    public: object
    imported: Path | None = None


def build(spec_path, out_dir=None):
    spec_path = Path(spec_path)
    spec = load_spec(spec_path)
    root = spec_path.parent.resolve()
    entries = number_items(spec.agenda)
    slots = pack_order(entries, spec.previous_note)
    papers = _read_papers(slots, spec.previous_note)
    texts = _read_venue_texts(spec)

    renderer = Renderer(
        root,
        house_templates=spec.house.templates and Path(spec.house.templates),
        house_stylesheet=spec.house.stylesheet,
        language=spec.meeting.language,
    )
    facts = {"meeting": spec.meeting, "house": spec.house, "notice": spec.notice}
    warnings = []

    rendered = []
    next_page = 1
    for slot in slots:
        paper = papers[slot.anchor]
        try:
            rendered.append(_render_slot(renderer, facts, slot, paper, next_page, warnings))
        except PaperError:
            raise
        except Exception as error:  # say which paper broke the renderer, keep the cause
            raise RuntimeError(f"rendering {paper.source} failed: {error}") from error
        next_page = slot.last + 1

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
    back = _render(renderer, warnings, "the back cover", "back_cover.html", facts,
                   travel_html=texts.get("travel"),
                   map=spec.meeting.place.map and spec.meeting.place.map.as_uri())

    front_pages = sum(len(document.pages) for document in front)
    editions = {name: write_edition(_edition(name, front, rendered, back, front_pages, slots))
                for name in ("members", "public")}
    _check_public_edition(editions, slots, papers, front_pages, _spec_texts(spec))
    members, public = write_together(out_dir or root, {
        edition_name(spec.meeting.body, spec.meeting.date, name): data for name, data in editions.items()})
    numbered = next_page - 1
    total = front_pages + numbered + len(back.pages)
    return BuildResult(members, public, total, numbered, warnings)


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
    offset = front_pages - slots[0].first
    private_pages = {page + offset for slot in slots if slot.private for page in range(slot.first, slot.last + 1)}
    leaks = find_leaks(editions["public"], editions["members"], private_pages, private_papers, public_texts)
    if leaks:
        raise LeakError(
            "the public edition would contain private content ("
            + "; ".join(f"{leak.paper}: \"{leak.words}\"" for leak in leaks[:3])
            + "); neither edition was written. This is a bug in assemble: please report it."
        )


def _edition(name, front, rendered, back, front_pages, slots):
    documents, imported = list(front), []
    page_index = front_pages
    for slot, part in zip(slots, rendered):
        document = part.members if name == "members" else part.public
        documents.append(document)
        if part.imported is not None and (name == "members" or not slot.private):
            imported.append(Imported(part.imported, page_index))
        page_index += len(document.pages)
    documents.append(back)
    labels = [Label(0, style="/r"), Label(front_pages, style="/D", start=1), Label(page_index, prefix="Back cover")]
    return Edition(documents, imported, labels)


def _read_papers(slots, previous_note):
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


def _read_venue_texts(spec):
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
        return _Rendered(members, members, imported)
    public_frame = {**frame, "private_reason": None}
    public = _render(renderer, warnings, what, "restricted.html", facts,
                     slot=slot, frame=public_frame, page_count=len(members.pages))
    return _Rendered(members, public, imported)
