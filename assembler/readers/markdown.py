"""Markdown papers: optional YAML front matter (the report's cover block) and a body.

The front matter keys are those of ``pack-format.md``: ``purpose``,
``summary``, ``recommendations`` (a list), ``action`` and ``contact`` (one
mapping or a list of them); ``recommendations_intro`` may give the line that
leads into the list.  A note of a meeting written in Markdown gives ``meeting``,
``date`` and ``venue`` besides (and may give those too: printed above its text).
"""

import re

from markdown_it import MarkdownIt

from assembler.errors import PaperError
from assembler.model import Contact, CoverBlock, Note, Report
from assembler.opened import read_paper_file
from assembler.readers.html_clean import TooDeep, clean_html, drop_hidden, images_without_alt, outside_references, own_title
from assembler.readers.symbols import undrawable_warnings
from assembler.yaml_source import YamlSource

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_REPORT_KEYS = {"purpose", "summary", "recommendations", "recommendations_intro", "action", "contact"}
_NOTE_KEYS = {"meeting", "date", "venue", "heading"}
_markdown = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def markdown_to_html(text):
    """Markdown (raw HTML allowed, then sanitised) to a clean HTML fragment."""
    return clean_html(_markdown.render(text))


def read_markdown(path, data=None, as_note=False):
    """Read a Markdown paper (``data``: its bytes, read once; by default read from ``path``);
    ``as_note`` reads it as the note of a meeting.  Raises ``PaperError`` naming it."""
    text = _read_text(path, data)
    front, body = _split_front_matter(path, text)
    body_html = markdown_to_html(body)
    outside = outside_references(_markdown.render(body))
    _, hidden = drop_hidden(_markdown.render(body))
    allowed = _NOTE_KEYS | _REPORT_KEYS if as_note else _REPORT_KEYS
    unknown = sorted(set(front) - allowed)
    if unknown:
        raise PaperError(path, f"front matter: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
    if as_note:
        report_keys = {key: value for key, value in front.items() if key in _REPORT_KEYS}
        return Note(
            source=path,
            meeting=_text(path, front, "meeting"),
            date=_text(path, front, "date"),
            venue=_text(path, front, "venue"),
            heading=_text(path, front, "heading"),
            body_html=(_cover_html(_cover_block(path, report_keys)) if report_keys else "") + body_html,
        )
    cover = _cover_block(path, front) if front else None
    title, body_html = own_title(body_html)
    return Report(
        source=path,
        body_html=body_html,
        title=title,
        cover=cover,
        images_without_alt=images_without_alt(body_html),
        warnings=[f"left out {reference}: it points outside the paper" for reference in outside]
        + undrawable_warnings(body_html + (title or ""))
        + ([f"{hidden} hidden part(s) left out (hidden, display: none or visibility: hidden)"] if hidden else []),
    )


def _read_text(path, data=None):
    try:
        return (read_paper_file(path) if data is None else data).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PaperError(path, "is not UTF-8 text; save the Markdown file as UTF-8") from None


def _split_front_matter(path, text):
    text = text.replace("\r\n", "\n")
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    source = YamlSource(str(path), match[1] or "")
    if source.problems:
        raise PaperError(path, "front matter: " + next(iter(source.problems.values())))
    if source.data is None:
        return {}, text[match.end():]
    if not isinstance(source.data, dict):
        raise PaperError(path, "front matter must be a mapping of keys (purpose, summary, ...)")
    return source.data, text[match.end():]


def _text(path, front, key):
    value = front.get(key)
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise PaperError(path, f"front matter: {key} must be text")
    return str(value).strip()


def _inline(text):
    """A short front-matter text as inline HTML (Markdown emphasis allowed)."""
    html = markdown_to_html(text).strip()
    return html[3:-4] if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1 else html


def _cover_block(path, front):
    recommendations = front.get("recommendations") or []
    if isinstance(recommendations, str):
        recommendations = [recommendations]
    if not isinstance(recommendations, list):
        raise PaperError(path, "front matter: recommendations must be a list")
    contacts = front.get("contact") or []
    if isinstance(contacts, dict):
        contacts = [contacts]
    if not isinstance(contacts, list) or not all(isinstance(c, dict) for c in contacts):
        raise PaperError(path, "front matter: contact must be a mapping {name, position, phone, email}, or a list of them")
    people = []
    for contact in contacts:
        extra = sorted(set(contact) - {"name", "position", "phone", "email"})
        if extra or "name" not in contact:
            problem = f"unknown key {extra[0]!r}" if extra else "needs a name"
            raise PaperError(path, f"front matter: contact {problem}")
        people.append(Contact(**{key: str(value) for key, value in contact.items() if value is not None}))
    summary = _text(path, front, "summary")
    return CoverBlock(
        purpose=_text(path, front, "purpose"),
        summary_html=markdown_to_html(summary) if summary else None,
        recommendations_html=[_inline(str(item)) for item in recommendations],
        recommendations_intro=_text(path, front, "recommendations_intro"),
        action=_text(path, front, "action"),
        contacts=people,
    )


def _cover_html(cover):
    """A cover block as plain HTML, for a note of a meeting (which has no cover page): every
    key the contract gives a Markdown paper is printed, none lost."""
    from html import escape

    parts = [f"<h2>Purpose</h2><p>{escape(cover.purpose)}</p>" if cover.purpose else "",
             f"<h2>Summary</h2>{cover.summary_html}" if cover.summary_html else ""]
    if cover.recommendations_html:
        intro = f"<p>{escape(cover.recommendations_intro)}</p>" if cover.recommendations_intro else ""
        items = "".join(f"<li>{item}</li>" for item in cover.recommendations_html)
        parts.append(f"<h2>Recommendations</h2>{intro}<ol>{items}</ol>")
    parts.append(f"<h2>Action</h2><p>{escape(cover.action)}</p>" if cover.action else "")
    for contact in cover.contacts:
        details = ", ".join(escape(value) for value in (contact.name, contact.position, contact.phone, contact.email) if value)
        parts.append(f"<p><strong>Contact officer:</strong> {details}</p>")
    return clean_html("".join(parts))


def read_markdown_html(path, data=None):
    """A plain Markdown file (venue notes, travel notes) as clean HTML."""
    _, body = _split_front_matter(path, _read_text(path, data))
    try:
        return markdown_to_html(body)
    except TooDeep as error:
        raise PaperError(path, str(error)) from None


def read_markdown_note(path, data=None):
    """A note of a meeting written in Markdown."""
    return read_markdown(path, data, as_note=True)
