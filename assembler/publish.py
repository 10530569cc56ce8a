"""`assemble publish`: everything a council puts out for a meeting, from one spec.

    OUTDIR/members/  the members' edition, for dispatch to members
    OUTDIR/public/   ready to upload as it is, holding nothing private:
                     the public edition, the agenda front sheet (cover,
                     notice, agenda), each public item's paper with its
                     appendices (the pack's printed page numbers and running
                     header), index.html (the meeting as an accessible web
                     page, no JavaScript) and meeting.json (the same facts
                     for a website to import, with each file's sha256)

Every file is built from the same rendered parts as the pack; each folder
is written as a whole (all its files change, or none).  Late papers go in
supplementary agendas (both folders), numbered S1, S2, …
"""

import hashlib
import json
import re
from pathlib import Path

from assembler.bind.merge import Edition
from assembler.bind.output import edition_name, replace_folder
from assembler.bind.leakcheck import pdf_texts
from assembler.build import add_part, assemble, refuse_leaks, refuse_overwriting
from assembler.render import TEMPLATES
from assembler.render.jobs import Workers
from assembler.render.templates import long_date, make_environment, render_template


def publish(spec_path, out_dir=None, workers=None, use_cache=True, duplex=False, strict=False):
    """Write the members' and public folders; return the public folder and the build's warnings.

    ``duplex`` and ``strict`` as for ``build``: strict refuses (``InputError``) a pack with warnings."""
    if workers is None:
        with Workers() as workers:
            return publish(spec_path, out_dir, workers, use_cache, duplex, strict)
    pack = assemble(spec_path, duplex, use_cache, None, workers, strict)
    meeting = pack.spec.meeting
    out = Path(out_dir) if out_dir else pack.root / "publish"
    slug = edition_name(meeting.body, meeting.date, "x")[: -len("-x.pdf")]
    editions = pack.files()
    public = {name: data for name, data in editions.items() if name.endswith("-public.pdf")}
    public[f"{slug}-agenda.pdf"] = _front_sheet(pack)
    items, titles = [], {}
    for entry in pack.entries:
        slots = ([entry.slot] if entry.slot else []) + entry.appendix_slots
        item = {"number": entry.number, "title": entry.title, "private": entry.private,
                "exempt_reason": entry.exempt_reason, "supplement": entry.supplement, "file": None, "pages": None,
                "appendices": [{"title": slot.title, "pages": slot.pages} for slot in entry.appendix_slots]}
        if slots and not entry.private:
            name = f"{slug}-item-{entry.number:02d}-{_slug(entry.title)}.pdf"
            public[name] = _item_pdf(pack, entry, slots)
            titles[name] = _item_title(pack, entry)
            prefix = "S" if entry.supplement else ""
            item.update(file=name, page_count=slots[-1].last - slots[0].first + 1,
                        pages=f"{prefix}{slots[0].first} - {prefix}{slots[-1].last}"
                        if slots[-1].last != slots[0].first else f"{prefix}{slots[0].first}")
        items.append(item)
    for n, suspects in pack.suspects.items():  # the second lock, on every file the editions' check did not see
        made = [f"{slug}-agenda.pdf"] if n == 0 else []
        made += [item["file"] for item in items if item["file"] and (item["supplement"] or 0) == n]
        suspects = suspects.allowing(titles.values())  # each item PDF is titled so
        for name in made:
            refuse_leaks(pdf_texts(public[name]), suspects, name)
    for item in items:
        if item["file"]:
            data = public[item["file"]]
            item.update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    files = [{"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
             for name, data in public.items()]
    facts = _facts(pack, items, files)
    public["meeting.json"] = json.dumps(facts, indent=2, ensure_ascii=False).encode()
    public["index.html"] = _index(pack, facts).encode()
    members = {name: data for name, data in editions.items() if name.endswith("-members.pdf")}
    refuse_overwriting(spec_path, pack.spec, [out])
    out = replace_folder(out, {"members": members, "public": public})
    return out / "public", pack.warnings


def _front_sheet(pack):
    """Cover, notice and agenda alone, as on the front of the pack."""
    book = pack.books[0]
    cover, _, notice, *_ = book.front
    edition = Edition(cover.pdf)
    for part in (notice, book.agenda):
        edition.add_rendered(part.pdf)
    return edition.finish(None, edition.page_count, [(0, "r", None, 1)], {})


def _item_pdf(pack, entry, slots):
    """An item's paper and appendices, with the pack's printed numbers and running header."""
    book = pack.books[entry.supplement or 0]
    edition = Edition(pack.books[0].front[0].pdf, title=_item_title(pack, entry))
    parts = {part.slot.anchor: part for part in book.body if part.slot is not None}
    anchors = {slot.anchor: add_part(edition, slot, parts[slot.anchor].public) for slot in slots}
    labels = [(0, "D", book.prefix or None, slots[0].first)]
    return edition.finish(book.furniture["public"].pdf, 0, labels, anchors, furniture_from=slots[0].first - 1)


def _item_title(pack, entry):
    meeting = pack.spec.meeting
    return f"{entry.number}. {entry.title}: {meeting.body}, {long_date(meeting.date)}"


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower())[:50].strip("-") or "item"


def _facts(pack, items, files):
    meeting = pack.spec.meeting
    contact = meeting.contact
    return {
        "body": meeting.body,
        "date": meeting.date.isoformat(),
        "time": meeting.time.strftime("%H:%M"),
        "venue": meeting.place.full,
        "room": meeting.room,
        "contact": contact and {"name": contact.name, "phone": contact.phone, "email": contact.email},
        "items": items,
        "files": files,
    }


def _index(pack, facts):
    environment = make_environment(pack.spec.house.templates and Path(pack.spec.house.templates))
    colours, warnings = house_colours(pack.spec.house.stylesheet)
    pack.warnings.extend(warnings)
    return render_template(
        environment, "publish/index.html", meeting=pack.spec.meeting, house=pack.spec.house, facts=facts, lang=pack.spec.meeting.language,
        colours=colours)


def house_colours(stylesheet):
    """The pack's colours for the web page: ``--accent`` and ``--rule`` from the shipped
    stylesheet's ``:root``, then the house stylesheet's; with the warnings about them.

    Only plain hex colours are taken, and an accent too light for links on white
    (contrast under 4.5:1, WCAG AA) is left at the shipped one.
    """
    colours = _root_colours(TEMPLATES / "pack.css")
    shipped = dict(colours)
    warnings = []
    for name, value in (_root_colours(stylesheet) if stylesheet else {}).items():
        if name == "accent" and _contrast(value, "#ffffff") < 4.5:
            warnings.append(f"{stylesheet}: --accent {value} is too light for links on the web page "
                            f"(contrast {_contrast(value, '#ffffff'):.1f}:1, at least 4.5:1 is needed); "
                            f"index.html uses {shipped['accent']}")
            continue
        colours[name] = value
    return colours, warnings


def _root_colours(path):
    import tinycss2

    found = {}
    from assembler.opened import read_paper_file

    text = read_paper_file(Path(path)).decode("utf-8", "replace")  # (drawn, it was read as CSS reads it)
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    for rule in rules:
        if rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() == ":root":
            for declaration in tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True):
                name = getattr(declaration, "lower_name", "")  # (a parse error has none)
                value = tinycss2.serialize(getattr(declaration, "value", [])).strip()
                if name in ("--accent", "--rule") and re.fullmatch(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}", value):
                    found[name[2:]] = value.lower()
    return found


def _contrast(first, second):
    """The WCAG contrast ratio of two hex colours."""
    def luminance(colour):
        digits = colour[1:] if len(colour) == 7 else "".join(c * 2 for c in colour[1:])
        channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
