"""`assemble new FOLDER`: a small, complete pack to start from.

The starter pack ships in ``templates/new-pack/``: a commented ``pack.yaml``
(its first line points editors at ``pack.schema.json``, written beside it),
a venue's guidance and travel notes, a Markdown report with its cover block
and a private (Part 2) item with its exempt reason; the Word report it names
is drafted from the house template (``assemble scaffold``).  Its meeting is
far enough ahead that the pack meets the deadlines ``assemble check`` checks
(five clear days for the agenda, 28 for notice of a private meeting).
"""

import datetime
import json
from pathlib import Path

import jinja2

from assembler.drafts import scaffold
from assembler.errors import InputError
from assembler.render import TEMPLATES
from assembler.spec import json_schema

STARTER = TEMPLATES / "new-pack"
WEEKS_AHEAD = 6  # more than the 28 clear days a private item needs
TUESDAY = 1


def new_pack(folder, today=None):
    """Write the starter pack into ``folder`` (made if missing); return the files written.

    Raises ``InputError`` naming every file that already exists; then nothing is written.
    """
    folder = Path(folder)
    today = today or datetime.date.today()
    sources = sorted(path for path in STARTER.rglob("*") if path.is_file())
    targets = [folder / path.relative_to(STARTER) for path in sources] + [folder / "pack.schema.json"]
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: is a file, not a folder; nothing was written")
    existing = [str(target.relative_to(folder)) for target in targets if target.exists()]
    if existing:
        raise InputError(f"{folder}: already holds {', '.join(existing)}; nothing was written "
                         "(assemble new never overwrites)")
    meeting = today + datetime.timedelta(weeks=WEEKS_AHEAD)
    meeting += datetime.timedelta(days=(TUESDAY - meeting.weekday()) % 7)
    year = meeting.year if meeting.month >= 5 else meeting.year - 1  # the municipal year starts in May
    dates = {"date": meeting, "dispatch": meeting - datetime.timedelta(days=7), "notice": today,
             "next_date": meeting + datetime.timedelta(weeks=8), "term": f"{year}/{str(year + 1)[-2:]}"}
    for source, target in zip(sources, targets):
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        if source.name == "pack.yaml":  # its dates, from today
            text = jinja2.Template(text, undefined=jinja2.StrictUndefined, keep_trailing_newline=True).render(dates)
        target.write_text(text, encoding="utf-8")
    targets[-1].write_text(json.dumps(json_schema(), indent=2) + "\n", encoding="utf-8")
    drafts = scaffold(folder / "pack.yaml")
    return targets + [folder / path.relative_to(folder.resolve()) for path in drafts]
