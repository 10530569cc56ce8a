"""Notes of meetings exported by the committee system as text (.txt).

Two forms are known (see ``shared/seeds``):

* the tagged form: a header (Title, Date, Venue), each item between
  ``<AI1>`` … ``</AI1>`` (number, title, then its decisions, and its action in a
  cell of its own), and the attendance appendix after ``<TRAILER_SECTION>``,
  one tab-indented row per person;
* the flattened form: the same header as ``Label:<tab>value`` lines, the first
  items as table rows ``N<tab>title and text<tab>action``, later items as a
  line ``N Title`` followed by their paragraphs, and the attendance appendix
  as rows ``role<tab>names<tab>authorities`` with the names run together.

Both become a ``Note``: items (number, title, decisions and action as clean
HTML) and the attendance rows.  No export markup survives: tags are dropped
(``<b>`` becomes bold), entities are decoded.  Variations seen in the same system are
tolerated: no appendix, a trailer section between items, repeated or missing
closing tags.
"""

import html
import re

from assembler.errors import PaperError
from assembler.model import AttendanceRow, Note, NoteItem
from assembler.opened import read_paper_file
from assembler.readers.markdown import markdown_to_html

MAX_BYTES = 5 * 1024 * 1024
_ITEM_TAG = re.compile(r"<\s*AI\s*(\d+)\s*>", re.I)
_TRAILER_TAG = re.compile(r"<\s*TRAILER_SECTION\s*>", re.I)
_ANY_TAG = re.compile(r"</?\s*[A-Za-z_][\w:-]*(\s[^<>]*)?/?>")
_HEADER_LABELS = ("title", "date", "venue")
_SUBHEADINGS = re.compile(r"^(discussion|decisions?|actions?|resolved|recommendations?)\s*:?\s*$", re.I)
_HONORIFIC = r"(?:Cllr|Councillor|Mayor|Sir|Dame|Lord|Lady|Baroness|Baron|Mr|Mrs|Ms|Miss|Dr|Professor|Prof|Rev|Revd)\.?"
_CONNECTORS = {"of", "and", "the", "for", "to", "on", "in", "with", "a", "an", "&", "-", "–", "by", "at", "from", "or",
               "vs", "v", "per", "into", "its"}
_AUTHORITY_END = r"(?:(?<=Council)|(?<=Trust)|(?<=\(EST\))|(?<=Development)|(?<=Associates)|(?<=Authority))\s+(?=[A-Z])"
_ONE_WORD_STARTERS = {"no", "there", "the", "this", "it", "members", "officers", "a", "an", "all", "following",
                      "apologies", "nothing", "none", "we", "he", "she", "they"}


def read_note_export(path, data=None):
    """The note of a meeting from the committee system's export (``data``: its bytes, read
    once; by default read from ``path``).  Raises ``PaperError`` naming it."""
    text = _decode(path, read_paper_file(path, MAX_BYTES) if data is None else data)
    if _ITEM_TAG.search(text):
        return _read_tagged(path, text)
    return _read_flattened(path, text)


def _decode(path, data):
    if len(data) > MAX_BYTES:
        raise PaperError(path, f"is larger than {MAX_BYTES // 2**20} MB; is it really a note export?")
    if b"\x00" in data[:4096]:
        raise PaperError(path, "is not a text file (a note export is plain text)")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            continue
    raise PaperError(path, "is not text in UTF-8 or Windows-1252")


def _plain(text):
    """Export markup out: ``<b>`` to Markdown bold, other tags dropped, entities decoded."""
    text = re.sub(r"<\s*/?\s*(b|strong)\s*>", "**", text, flags=re.I)
    text = re.sub(r"<\s*br\s*/?\s*>", "\n", text, flags=re.I)
    text = _ANY_TAG.sub("", text)
    return html.unescape(text).replace("\xa0", " ")


# -- the tagged form -------------------------------------------------------

def _read_tagged(path, text):
    cut = _ITEM_TAG.search(text)
    header = _header_from_lines(_plain(text[:cut.start()]))
    items, attendance = [], []
    pieces = re.split(r"(<\s*AI\s*\d+\s*>|<\s*TRAILER_SECTION\s*>)", text[cut.start():], flags=re.I)
    kind = None
    for piece in pieces:
        if _ITEM_TAG.fullmatch(piece.strip()):
            kind = "item"
        elif _TRAILER_TAG.fullmatch(piece.strip()):
            kind = "trailer"
        elif kind == "item":
            item = _tagged_item(_plain(piece))
            if item:
                items.append(item)
        elif kind == "trailer":
            title, rows = _tagged_attendance(_plain(piece))
            attendance.extend(rows)
            header.setdefault("attendance_title", title)
    return _note(path, header, items, attendance)


def _tagged_item(text):
    raw = text.split("\n")
    lines = [line.strip() for line in raw]
    content = [n for n, line in enumerate(lines) if line]
    if not content:
        return None
    first = lines[content[0]]
    if re.fullmatch(r"\d+[a-z]?\.?", first) and len(content) > 1:
        number, title_at = first.rstrip("."), content[1]
    else:
        match = re.match(r"(\d+[a-z]?)\.?\s+(.*)", first)
        number, title_at = (match[1], content[0]) if match else ("", content[0])
        if match:
            lines[title_at] = match[2]
    decisions, action = _decisions_and_action(raw[title_at + 1:])
    return NoteItem(number, lines[title_at].strip("* "), _body_html(decisions), _body_html(action))


def _decisions_and_action(lines):
    """An item's lines after its title, as its two columns: "Decisions and actions", and
    "Action" (who is to do what).  The export opens each cell of its table with a tab, and
    runs a cell's further paragraphs on at the margin; the decisions' cell comes first, so a
    later cell opened with a tab is the Action column's."""
    opened = [n for n, line in enumerate(lines) if line.startswith("\t") and line.strip()]
    if len(opened) < 2:
        return lines, []
    return lines[:opened[-1]], lines[opened[-1]:]


def _tagged_attendance(text):
    lines = text.split("\n")
    title = next((line.strip() for line in lines if line.strip()), "Appendix A - Attendance")
    title = re.sub(r"\s*-\s*", " - ", title, count=1) if re.match(r"appendix", title, re.I) else "Appendix A - Attendance"
    groups, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    rows, role = [], ""
    for group in groups:
        if group[0].lower().startswith("appendix") or [cell.lower() for cell in group[:1]] == ["position/role"]:
            continue
        if len(group) >= 3:
            role, name, authority = group[0], group[1], " ".join(group[2:])
        elif len(group) == 2:
            name, authority = group
        else:
            continue
        if rows and rows[-1].role == role:
            rows[-1].people.append((name, authority))
        else:
            rows.append(AttendanceRow(role, [(name, authority)]))
    return title, rows


# -- the flattened form ----------------------------------------------------

_ROW = re.compile(r"^(\d+[a-z]?)\t(.*?)(?:\t(.*))?$")
_ITEM_LINE = re.compile(r"^\**\s*(\d+[a-z]?)\.?\s+([A-Z#\"'‘“(].{2,160})$")


def _read_flattened(path, text):
    text = _plain(text)
    lines = text.split("\n")
    header = _header_from_lines("\n".join(lines[:40]))
    appendix_at = next((n for n, line in enumerate(lines) if re.match(r"\s*appendix\s+[a-z0-9]+\s*-\s*attendance", line, re.I)), None)
    body_lines = lines[:appendix_at] if appendix_at is not None else lines
    attendance = _flat_attendance(lines[appendix_at + 1:]) if appendix_at is not None else []
    if appendix_at is not None:
        header["attendance_title"] = re.sub(r"\s*-\s*", " - ", lines[appendix_at].strip(), count=1)
    start = next((n for n, line in enumerate(body_lines) if re.match(r"item\t", line, re.I)), None)
    if start is None:
        start = next((n for n, line in enumerate(body_lines) if _ROW.match(line) or _ITEM_LINE.match(line.strip())), len(body_lines))
    else:
        start += 1
    items, current, body = [], None, []
    for line in body_lines[start:]:
        row = _ROW.match(line)
        item_line = _ITEM_LINE.match(line.strip()) if not line.startswith(("-", "\t")) else None
        if row or (item_line and _is_item_heading(item_line, items, current)):
            if current:
                items.append(NoteItem(current[0], current[1], _body_html(body), _body_html(current[2])))
            if row:
                title, rest = _split_title(row[2].strip())
                body = _unflatten(rest).split("\n")
                current = (row[1], title, [row[3] or ""])  # the third cell: the Action column
            else:
                current, body = (item_line[1], item_line[2].strip("* "), []), []
        elif current:
            body.append(line.strip())
    if current:
        items.append(NoteItem(current[0], current[1], _body_html(body), _body_html(current[2])))
    return _note(path, header, items, attendance)


def _unflatten(text):
    """A table cell's text run onto one line, given back its paragraphs and lists."""
    text = re.sub(r"(^|(?<=[.;:!?]))\s*\b(Discussion|Decisions?|Actions?|Resolved)\b:?\s+(?=[A-Z])", r"\n\n\2\n\n", text)
    text = re.sub(r"(?<=[.;:])\s*(\d{1,2})\.\s+(?=[A-Z*])", r"\n\1. ", text)
    return text.strip()


def _is_item_heading(match, items, current):
    """``4 Performance Report`` is the next item only if it follows in sequence."""
    numbers = [item.number for item in items] + ([current[0]] if current else [])
    last = next((int(re.match(r"\d+", n)[0]) for n in reversed(numbers) if re.match(r"\d+", n)), 0)
    return int(re.match(r"\d+", match[1])[0]) == last + 1


def _split_title(text):
    """``Declarations of Interest No declarations were made.`` -> title, text.

    The flattened export runs an item's title into its first sentence.  The
    sentence starts at a name with an honorific, or at the subject of the
    first lower-case word that is not a title's connecting word.  When
    neither is found the whole text is kept as the title: nothing is lost.
    """
    words = text.split(" ")
    for index in range(2, len(words)):
        if re.fullmatch(_HONORIFIC, words[index]) or " ".join(words[index:index + 2]) in ("The Chairman", "The Chair"):
            return " ".join(words[:index]), " ".join(words[index:])
    for index, word in enumerate(words):
        if index < 2 or not word or not word[0].islower() or word.lower() in _CONNECTORS:
            continue
        start = index
        if words[start - 1].endswith(")"):
            while start > 0 and not words[start - 1].startswith("("):
                start -= 1
            start -= 1
        if start >= 1 and words[start - 1].lower() in _ONE_WORD_STARTERS:
            start -= 1
        elif start >= 2 and all(w[:1].isupper() for w in words[start - 2:start]):
            start -= 2
        else:
            return text, ""
        if start < 1:
            return text, ""
        return " ".join(words[:start]), " ".join(words[start:])
    return text, ""


def _flat_attendance(lines):
    rows = []
    for line in lines:
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) < 2 or not cells[0] or cells[0].lower() == "position/role":
            continue
        names = _split_names(cells[1])
        authorities = _split_authorities(cells[2] if len(cells) > 2 else "", len(names))
        rows.append(AttendanceRow(cells[0], list(zip(names, authorities))))
    return rows


def _split_names(text):
    parts = [part.strip() for part in re.split(rf"\s+(?={_HONORIFIC}\s)", text) if part.strip()]
    return parts or [text]


def _split_authorities(text, count):
    """Authorities run together: split where one ends (``… Council``) and the next begins."""
    if count <= 1:
        return [text.strip()]
    parts = [part for part in re.split(r"\s{2,}", text.strip()) if part]
    pieces = []
    for part in parts:
        pieces.extend(p.strip() for p in re.split(
            _AUTHORITY_END, part) if p.strip())
    if len(pieces) == count:
        return pieces
    if len(pieces) > count:  # keep every word: the last name takes what is left
        return pieces[:count - 1] + [" ".join(pieces[count - 1:])]
    return pieces + [""] * (count - len(pieces))


# -- shared ----------------------------------------------------------------

def _header_from_lines(text):
    lines = [line.strip() for line in text.split("\n")]
    header = {}
    for n, line in enumerate(lines):
        if not line:
            continue
        if "heading" not in header and re.match(r"note of", line, re.I):
            header["heading"] = line
        match = re.match(r"(title|date|venue)\s*:\s*(.*)$", line, re.I)
        if match and match[1].lower() not in header:
            value = match[2].strip()
            if not value:
                value = next((later for later in lines[n + 1:n + 6] if later and not re.match(r"(title|date|venue)\s*:", later, re.I)), "")
            header[match[1].lower()] = value
    return header


def _body_html(lines):
    """An item's text (Markdown-like, as the system exports it) as clean HTML; ``""`` when
    it has none."""
    out = []
    for line in lines:
        line = line.strip()
        if _SUBHEADINGS.match(line):
            line = f"**{line.rstrip(':').strip()}**"
        line = re.sub(r"^[·•▪]\s*", "- ", line)
        out.append(line)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # text, not HTML
    text = re.sub(r"(?m)^(- .*)\n\n(?=- )", r"\1\n", text)  # one list, not many
    return markdown_to_html(text)


def _note(path, header, items, attendance):
    if not items and not attendance:
        raise PaperError(path, "has no items: is it a note exported by the committee system?")
    return Note(
        source=path,
        meeting=header.get("title"),
        date=header.get("date"),
        venue=header.get("venue"),
        items=items,
        attendance=attendance,
        attendance_title=header.get("attendance_title") or "Appendix A - Attendance",
    )
