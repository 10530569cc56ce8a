"""Word drafts from the house templates (docxtpl): report drafts before the
meeting (`assemble scaffold`), the skeleton of its note after it (`assemble minutes`)."""

import io
import os
from pathlib import Path

from docxtpl import DocxTemplate

from assembler.bind.plan import number_items
from assembler.errors import InputError
from assembler.opened import read_checked, unreadable
from assembler.render import TEMPLATES
from assembler.render.templates import day_date, letter, long_date
from assembler.spec import load_spec


def scaffold(spec_path):
    """Write a draft report for every Word paper the spec names that does not exist yet.

    Returns the files written; an existing file is never touched.
    """
    spec = load_spec(spec_path, drafts=True)
    template = _template(spec, "report.docx")
    written = []
    for entry, item in zip(number_items(spec.agenda), _numbered_order(spec.agenda)):
        drafts = [(item.paper, entry.number, item.title)]
        drafts += [(appendix.file, f"{entry.number}{letter(n)}", appendix.title)
                   for n, appendix in enumerate(item.appendices)]
        for path, number, title in drafts:
            if not isinstance(path, Path) or path.suffix.lower() != ".docx" or path.exists():
                continue
            context = {"body": spec.meeting.body, "date": long_date(spec.meeting.date), "number": number,
                       "title": title, "implications": spec.house.implications}
            written.append(_write(template, context, path))
    return written


def minutes(spec_path, out=None):
    """Write the skeleton of the meeting's note; returns its path.  Never overwrites."""
    spec = load_spec(spec_path)
    meeting = spec.meeting
    spec_path = Path(spec_path)
    out = Path(out) if out else spec_path.parent / f"note-{meeting.date.isoformat()}.docx"
    if out.suffix.lower() != ".docx":
        raise InputError(f"{out}: the note is written as a Word file; give a name ending .docx")
    venue = ", ".join(part for part in (meeting.room, meeting.place.full) if part)
    context = {
        "body": meeting.body,
        "date": day_date(meeting.date),
        "venue": venue,
        "items": [{"number": entry.number, "title": entry.title} for entry in number_items(spec.agenda)],
        "attendance": _attendance(spec.membership),
    }
    return _write(_template(spec, "note.docx"), context, out)


def _numbered_order(agenda):
    """The spec's items in the order ``number_items`` numbers them."""
    return [item for item in agenda if not item.private] + [item for item in agenda if item.private]


def _attendance(membership):
    """Who is expected: members with a role first, then members, then observers."""
    if membership is None:
        return []
    members = [member for group in membership.groups for member in group.members]
    with_role = [m for m in members if m.role and m.role.lower() != "observer"]
    observers = [m for m in members if m.role and m.role.lower() == "observer"] + list(membership.observers)
    rows = [{"role": m.role, "name": m.name, "authority": m.authority or ""} for m in with_role]
    rows += [{"role": "Members", "name": m.name, "authority": m.authority or ""} for m in members if not m.role]
    rows += [{"role": "Observers", "name": m.name, "authority": m.authority or ""} for m in observers]
    shown, last = [], None
    for row in rows:  # the role is written once, on its first row
        shown.append({**row, "role": row["role"] if row["role"] != last else ""})
        last = row["role"]
    return shown


def _template(spec, name):
    """The house's Word template ``name`` (``word/`` in its folder, really inside it, as the
    HTML templates are: a link leading out is passed over), read once where it was
    checked; else the shipped one.  Raises ``InputError`` if the house's cannot be read."""
    if spec.house.templates:
        folder = Path(spec.house.templates).resolve()
        house = Path(os.path.realpath(folder / "word" / name))
        if house.is_relative_to(folder) and house.is_file():
            try:
                return io.BytesIO(read_checked(house))
            except OSError as error:
                raise InputError(f"{house}: {unreadable(error)}") from None
    return TEMPLATES / "word" / name


def _write(template, context, path):
    document = DocxTemplate(template)
    document.render(context, autoescape=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "xb") as stream:  # never overwrite an officer's file
            document.save(stream)
    except FileExistsError:
        raise InputError(f"{path}: already exists; it is left as it is") from None
    return path
