"""The pack's running order: item numbers, papers in order, and their page ranges.

Pure computation on the spec; nothing here reads a file or renders a page.

Items are numbered in the spec's order, except that private (Part 2) items
come after every public one, keeping their relative order.  The note of the
previous meeting is the first paper after the agenda; then every other paper
in item order, each followed by its appendices.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from assembler.render.templates import letter


@dataclass
class Slot:
    """One paper or appendix in the pack, and the printed pages it occupies."""

    anchor: str  # link target; never derived from a paper's text
    title: str
    bookmark: str
    level: int  # 1 for a paper, 2 for an appendix
    source: Path | str  # a file, or "previous_note"
    private: bool
    exempt_reason: str | None
    item_label: str | None
    is_appendix: bool = False
    supplement: int | None = None  # a late paper: in supplementary agenda N, numbered S1, S2, …
    redaction_checked: bool = False  # the officer has looked at what the redaction check finds here
    first: int | None = None
    last: int | None = None

    @property
    def pages(self):
        """The printed range, as the agendas print it: ``9 - 14``, ``S1 - S3``."""
        prefix = "S" if self.supplement else ""
        return f"{prefix}{self.first}" + (f" - {prefix}{self.last}" if self.last != self.first else "")

    def view(self):
        """What a template may show of the slot: never where it falls in the pack, so
        that a paper's rendered pages stay valid (and cached) when others change."""
        return {"anchor": self.anchor, "title": self.title, "bookmark": self.bookmark, "level": self.level,
                "item_label": self.item_label, "is_appendix": self.is_appendix,
                "exempt_reason": self.exempt_reason, "private": self.private}


@dataclass
class Entry:
    """An agenda item as it is printed: number, title, its paper and appendices."""

    number: int
    title: str
    private: bool
    exempt_reason: str | None
    supplement: int | None = None
    slot: Slot | None = None
    appendix_slots: list[Slot] = field(default_factory=list)

    @property
    def anchor(self):
        return f"item-{self.number}"


def _appendix_name(title, index):
    """``Appendix A`` from "Appendix A - Slides"; else by its place on the agenda."""
    match = re.match(r"(appendix|annex|annexe|schedule)\s+([A-Z0-9]+)\b", title, re.I)
    return f"{match[1].title()} {match[2].upper()}" if match else f"Appendix {letter(index).upper()}"


def number_items(agenda):
    """The agenda entries, public then private, numbered from 1."""
    ordered = [item for item in agenda if not item.private] + [item for item in agenda if item.private]
    entries = []
    for number, item in enumerate(ordered, 1):
        entry = Entry(number, item.title, item.private, item.exempt_reason, item.supplement)
        if item.paper is not None:
            entry.slot = Slot(
                anchor=entry.anchor,
                title=item.title,
                bookmark=f"{number}. {item.title}",
                level=1,
                source=item.paper,
                private=item.private,
                exempt_reason=item.exempt_reason,
                item_label=f"Agenda Item {number}",
                supplement=item.supplement,
                redaction_checked=item.redaction_checked,
            )
        for index, appendix in enumerate(item.appendices):
            entry.appendix_slots.append(
                Slot(
                    anchor=f"{entry.anchor}-{letter(index)}",
                    title=appendix.title,
                    bookmark=f"{letter(index)}) {appendix.title}",
                    level=2,
                    source=appendix.file,
                    private=item.private,
                    exempt_reason=item.exempt_reason,
                    item_label=f"Agenda Item {number} · {_appendix_name(appendix.title, index)}",
                    is_appendix=True,
                    supplement=item.supplement,
                    redaction_checked=item.redaction_checked or appendix.redaction_checked,
                )
            )
        entries.append(entry)
    return entries


def pack_order(entries, previous_note=None):
    """Every slot in the order its pages appear: the note first, then item by item.

    A ``previous_note`` that no agenda item points at still goes in first,
    under a slot of its own.
    """
    note_entry = next((e for e in entries if e.slot and e.slot.source == "previous_note"), None)
    order = []
    if note_entry is not None:
        order += [note_entry.slot] + note_entry.appendix_slots
    elif previous_note is not None:
        order.append(
            Slot(
                anchor="previous-note",
                title="Note of the previous meeting",
                bookmark="Note of the previous meeting",
                level=1,
                source="previous_note",
                private=False,
                exempt_reason=None,
                item_label=None,
            )
        )
    for entry in entries:
        if entry is not note_entry:
            order += ([entry.slot] if entry.slot else []) + entry.appendix_slots
    return order
