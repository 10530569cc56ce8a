"""The small document model: what readers produce and renderers consume.

Text that may carry markup is held as *sanitised HTML fragments* (``html``
fields): readers are the only place that turn a file format into HTML, and
they clean it; renderers put it on the page as it is.  Nothing here knows
about PDF output or about the spec.
"""

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Contact:
    name: str
    position: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class CoverBlock:
    """The block that opens a report in the house style (seed pack, p. 9)."""

    purpose: str | None = None
    summary_html: str | None = None
    recommendations_html: list[str] = field(default_factory=list)
    recommendations_intro: str | None = None
    action: str | None = None
    contacts: list[Contact] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    """A report or appendix whose content is re-set in the house style."""

    source: Path
    body_html: str
    cover: CoverBlock | None = None
    images_without_alt: list[str] = field(default_factory=list)
    title: str | None = None  # its own leading top heading (sanitised HTML), taken out of body_html
    warnings: list[str] = field(default_factory=list)  # what the reader left out, for the officer
    source_text: str = ""  # every word of the source, where the reader reads more than its HTML keeps (Word)
    source_pictures: list[str] = field(default_factory=list)  # the source's pictures, by alt text or name (Word)


@dataclass(frozen=True)
class AttendanceRow:
    """One row of a note's attendance appendix: a role and the people in it."""

    role: str
    people: list[tuple[str, str]]  # (name, authority)


@dataclass(frozen=True)
class NoteItem:
    """An item of a note: its number, title, decisions (HTML) and the export's Action column
    (HTML; empty when the item has none)."""

    number: str
    title: str
    body_html: str
    action_html: str = ""


@dataclass(frozen=True)
class Note:
    """The note (minutes) of a meeting."""

    source: Path
    meeting: str | None = None
    date: str | None = None
    venue: str | None = None
    items: list[NoteItem] = field(default_factory=list)
    body_html: str = ""
    attendance: list[AttendanceRow] = field(default_factory=list)
    attendance_title: str = "Appendix A - Attendance"
    heading: str | None = None  # the note's own title, if it gives one


@dataclass(frozen=True)
class PageBox:
    """The visible size of one page, in points, after its rotation, and where it draws."""

    width: float
    height: float
    # (left, bottom, right, top) in points on the page as it shows, from its lower left corner:
    # the box of its marks (readers.pdf_extent); None for a blank page
    content: tuple[float, float, float, float] | None = None

    @property
    def landscape(self):
        return self.width > self.height


@dataclass(frozen=True)
class FinishedPdf:
    """A finished PDF whose pages go into the pack as they show (see ``readers.pdf``)."""

    source: Path
    pages: list[PageBox]
    data: bytes = b""  # the file prepared for binding: decrypted, repaired, annotations drawn, plain links
    outline: list[tuple[int, str, int]] = field(default_factory=list)  # (level, title, page index)
    tagged: bool = False  # it has a structure tree (with a ParentTree), which comes into the pack
    unembedded_fonts: list[str] = field(default_factory=list)  # that no shipped font could stand in for
    warnings: list[str] = field(default_factory=list)  # what was repaired, enlarged or left out


Paper = Report | Note | FinishedPdf
