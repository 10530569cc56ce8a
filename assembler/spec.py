"""The meeting spec (``pack.yaml``): its models, declared once, and its loader.

The models follow ``shared/pack-format.md`` and only ever extend it with
optional keys.  Every file the spec names is resolved against the spec's own
folder and must stay inside it.  All problems are collected and reported
together, each with file, line and key path.
"""

import datetime
import difflib
import os
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, WithJsonSchema, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo
from pydantic import field_validator, model_validator

from assembler.errors import InputError
from assembler.opened import read_checked
from assembler.yaml_source import YamlSource, format_path

SPEC_FORMAT = 1


def _inside_pack(value, info: ValidationInfo) -> Path:
    """Resolve a spec path against the spec's folder; refuse one that leaves it."""
    root = Path(info.context["root"])
    if not isinstance(value, str):
        raise ValueError("must be a file path relative to the spec's folder, like papers/report.docx")
    if not value.strip():
        raise ValueError("is empty: give a file path relative to the spec's folder")
    raw = Path(value)
    if raw.is_absolute():
        raise ValueError(f"{value!r} is an absolute path; paths must be relative to the spec's folder")
    try:
        path = (root / raw).resolve()
    except OSError as error:  # a link on the way changed while it was followed (EINVAL, ELOOP)
        raise ValueError(f"{value!r} could not be followed ({error.strerror}): was it being changed?") from None
    if not path.is_relative_to(root.resolve()):
        raise ValueError(f"{value!r} leads outside the spec's folder")
    if not path.exists() and info.context.get("drafts") and path.suffix.lower() == ".docx":
        return path  # `assemble scaffold` is about to write it
    if not path.exists():
        raise ValueError(f"file not found: {value}")
    if not path.is_file():
        raise ValueError(f"{value!r} is not a file")
    return path


PackPath = Annotated[Path, BeforeValidator(_inside_pack),
                     WithJsonSchema({"type": "string", "description": "a file inside the spec's folder"})]


def _clock(value):
    """``"11:00"`` -> ``time(11, 0)``; 24-hour clock, as pack-format.md says."""
    if isinstance(value, datetime.time):
        return value
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", str(value).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"{value!r} is not a time on the 24-hour clock, like \"18:30\"")
    return datetime.time(int(match[1]), int(match[2]))


Clock = Annotated[datetime.time, BeforeValidator(_clock),
                  WithJsonSchema({"type": "string", "pattern": r"^([01]?\d|2[0-3])[:.][0-5]\d$", "examples": ["18:30"]})]
Phone = Annotated[str, BeforeValidator(lambda value: str(value) if isinstance(value, int) else value)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Contact(Model):
    """A person to contact: the meeting's clerk, or a report's author."""

    name: str
    position: str | None = None
    phone: Phone | None = None
    email: str | None = None


class Venue(Model):
    """Where the meeting is held, with the files that describe it."""

    name: str
    address: str | None = None
    guidance: PackPath | None = Field(None, description="Markdown: notes for members and visitors")
    travel: PackPath | None = Field(None, description="Markdown: travel notes for the back cover")
    map: PackPath | None = Field(None, description="An image: the map for the back cover")

    @classmethod
    def from_text(cls, text):
        """``"Layden House, 76-86 Turnmill Street, London"`` -> name and address."""
        name, _, address = text.partition(",")
        return cls(name=name.strip(), address=address.strip() or None)

    @property
    def full(self):
        return ", ".join(part for part in (self.name, self.address) if part)


class NextMeeting(Model):
    date: datetime.date
    time: Clock | None = None
    venue: str | None = Field(None, description="Defaults to this meeting's venue and room")


class Meeting(Model):
    body: str = Field(description="The committee or board")
    heading: str | None = Field(None, description='The body as the headings and running header print it, '
                                                  'e.g. "Improvement & Innovation Board" (default: body)')
    date: datetime.date
    time: Clock
    venue: str | Venue
    room: str | None = None
    contact: Contact | None = None
    next_meeting: NextMeeting | None = None
    language: str = Field("en-GB", description="The language of the pack, for screen readers")
    dispatch: datetime.date | None = Field(None, description="When the pack goes out (default: today), for the notice checks")
    private_notice: datetime.date | None = Field(
        None, description="When notice of the intention to meet in private was published (28 clear days needed)")
    cc: str | None = Field(None, description="Who else receives the pack, printed on the cover")

    @property
    def headed(self) -> str:
        """The body's name in headings and the running header: ``heading``, else ``body``."""
        return self.heading or self.body

    @property
    def place(self) -> Venue:
        return Venue.from_text(self.venue) if isinstance(self.venue, str) else self.venue


class House(Model):
    """The organisation's own look."""

    name: str | None = None
    short_name: str | None = Field(None, description='e.g. "LGA", as in "LGA contact"')
    logo: PackPath | None = None
    templates: str | None = Field(None, description="A folder of templates overriding the shipped ones by name")
    stylesheet: PackPath | None = None
    website: str | None = None
    implications: str = Field("Implications for Wales", description="The devolved-nation heading of report drafts")

    @field_validator("templates")
    @classmethod
    def _templates_folder(cls, value, info: ValidationInfo):
        if value is None:
            return None
        root = Path(info.context["root"]).resolve()
        path = (root / value).resolve()
        if Path(value).is_absolute() or not path.is_relative_to(root):
            raise ValueError(f"{value!r} leads outside the spec's folder")
        if not path.is_dir():
            raise ValueError(f"folder not found: {value}")
        return str(path)


class Member(Model):
    name: str
    role: str | None = None
    authority: str | None = None


class Group(Model):
    name: str
    members: list[Member] = []
    substitutes: list[Member] = []


class Membership(Model):
    term: str | None = None
    groups: list[Group] = []
    observers: list[Member] = []


class GroupOffice(Model):
    group: str
    phone: Phone | None = None
    email: str | None = None


class Notice(Model):
    """Optional paragraphs of the meeting notice (all printed when given)."""

    lunch: str | None = Field(None, description='e.g. "A sandwich lunch will be available at 1.00pm"')
    pre_meeting: str | None = Field(None, description="A pre-meeting for lead members")
    group_meetings: str | None = Field(None, description='e.g. "10.00 - 11.00am"')
    group_offices: list[GroupOffice] = []
    carers_allowance: str | None = Field(None, description='e.g. "£6.70 per hour"')
    hashtag: str | None = None
    social_media: str | None = Field(None, description="The organisation's social media policy, before the hashtag")
    notes: PackPath | None = Field(None, description="Markdown: further paragraphs for the notice")


class Appendix(Model):
    title: str
    file: PackPath
    redaction_checked: bool = Field(
        False, description="An officer has looked at what the redaction check found here and it hides nothing: "
                           "build anyway, with a warning")


class Item(Model):
    title: str
    paper: Literal["previous_note"] | PackPath | None = None
    appendices: list[Appendix] = []
    private: bool = False
    exempt_reason: str | None = None
    supplement: int | None = Field(
        None, ge=1, description="A late paper: sent in supplementary agenda N; the pack's agenda says 'to follow'")
    redaction_checked: bool = Field(
        False, description="An officer has looked at what the redaction check found in the item's paper and "
                           "appendices and it hides nothing: build anyway, with a warning")

    @model_validator(mode="after")
    def _private_needs_reason(self):
        if self.private and not self.exempt_reason:
            raise ValueError("a private item needs an exempt_reason (e.g. \"Paragraph 3 of Schedule 12A\")")
        if self.appendices and self.paper is None:
            raise ValueError("an item with appendices needs a paper")
        if self.supplement and self.paper in (None, "previous_note"):
            raise ValueError("only an item with its own paper can come in a supplement")
        return self


class Spec(Model):
    """A meeting and its papers: everything ``assemble`` needs to build the pack."""

    meeting: Meeting
    house: House = House()
    membership: Membership | None = None
    notice: Notice = Notice()
    previous_note: PackPath | None = None
    agenda: list[Item] = Field(min_length=1)
    strict: bool = False  # every warning refuses the build, as --strict does

    @model_validator(mode="after")
    def _previous_note_given(self):
        if self.previous_note is None and any(i.paper == "previous_note" for i in self.agenda):
            raise ValueError("an agenda item's paper is previous_note, but the spec gives no previous_note file")
        return self


def json_schema():
    """The spec's JSON Schema, from the same models the loader validates with."""
    schema = Spec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Agenda pack spec (pack.yaml)"
    return schema


def load_spec(path, drafts=False):
    """Read and check ``pack.yaml``; raise ``InputError`` listing every problem.

    With ``drafts`` a Word paper that does not exist yet is no problem: it is
    about to be scaffolded.
    """
    path = Path(path)
    try:
        text = read_checked(Path(os.path.realpath(path))).decode("utf-8-sig")  # once, through one descriptor
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; give the spec file (pack.yaml)") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not a text file (expected YAML in UTF-8)") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None
    source = YamlSource(str(path), text)
    if not isinstance(source.data, dict):
        raise InputError(f"{path}: the spec must be a mapping with meeting: and agenda: keys")
    problems = dict(source.problems)
    try:
        spec = Spec.model_validate(source.data, context={"root": path.parent.resolve(), "drafts": drafts})
    except ValidationError as error:
        found = _unique(error.errors())
        for problem in found:
            if not _misspelt(problem, found, source.data):
                problems.setdefault(problem["loc"], _describe(source, problem))
        spec = None
    if spec is not None:
        problems.update(_private_slips(spec, source))
    if problems:
        raise InputError(sorted(problems.values(), key=lambda text: _line_of(text)))
    return spec


def _private_slips(spec, source):
    """{key path: message} for the slips that would publish a private paper: an exempt
    reason on an item not marked private (Part 2 is ``private: true``; the reason
    alone is ambiguous, so neither edition is guessed), and a private item's file named
    again where the public edition would print it (a public item, the notice's notes,
    the venue's files, the logo, the stylesheet, the previous note)."""
    problems = {}
    private_files = {}  # (device, inode) -> what names it
    for number, item in enumerate(spec.agenda):
        if item.exempt_reason and not item.private:
            loc = ("agenda", number, "exempt_reason")
            problems[loc] = (f"{source.where(loc)}: the item has an exempt reason but is not private: "
                             "add private: true (Part 2), or remove the reason if it is public")
        if item.private:
            for loc, path in _item_files(item, number):
                private_files.setdefault(_identity(path), f"{format_path(loc)} (private item {item.title!r})")
    public_uses = [(("previous_note",), spec.previous_note), (("notice", "notes"), spec.notice.notes),
                   (("house", "logo"), spec.house.logo), (("house", "stylesheet"), spec.house.stylesheet)]
    if isinstance(spec.meeting.venue, Venue):
        public_uses += [(("meeting", "venue", key), getattr(spec.meeting.venue, key))
                        for key in ("guidance", "travel", "map")]
    for number, item in enumerate(spec.agenda):
        if not item.private:
            public_uses += _item_files(item, number)
    for loc, path in public_uses:
        owner = path is not None and private_files.get(_identity(path))
        if owner:
            problems[loc] = (f"{source.where(loc)}: {path.name} is private: it is {owner}'s file, "
                             "and would be published here")
    return problems


def _item_files(item, number):
    """(key path, file) of an item's paper and appendices."""
    found = [(("agenda", number, "paper"), item.paper)] if isinstance(item.paper, Path) else []
    return found + [(("agenda", number, "appendices", index, "file"), appendix.file)
                    for index, appendix in enumerate(item.appendices)]


def _identity(path):
    """A file's identity on disk, the same through any other name for it (a hard link)."""
    try:
        status = Path(path).stat()
        return status.st_dev, status.st_ino
    except OSError:
        return Path(path).resolve()


def _line_of(message):
    match = re.match(r"[^:]*:(\d+):", message)
    return int(match[1]) if match else 0


def _unique(problems):
    """Pydantic reports a union's failure once per branch; keep the most useful one."""
    seen, kept = set(), []
    for problem in problems:
        loc = tuple(part for part in problem["loc"] if not _is_branch(part))
        if problem["type"] in ("literal_error", "none_required") and len(problems) > 1:
            continue
        if loc in seen:
            continue
        seen.add(loc)
        kept.append({**problem, "loc": loc})
    return kept or problems


def _misspelt(problem, problems, data):
    """A missing key whose did-you-mean is already suggested for a misspelt sibling."""
    if problem["type"] != "missing":
        return False
    parent, key = problem["loc"][:-1], problem["loc"][-1]
    return any(
        other["type"] == "extra_forbidden"
        and other["loc"][:-1] == parent
        and difflib.get_close_matches(str(other["loc"][-1]), _allowed_keys(parent, data), n=1) == [key]
        for other in problems
    )


def _is_branch(part):
    return isinstance(part, str) and (part.startswith("function-") or part in ("str", "Venue", "literal['previous_note']"))


def _describe(source, problem):
    loc = problem["loc"]
    kind = problem["type"]
    if kind == "extra_forbidden":
        parent = loc[:-1]
        allowed = _allowed_keys(parent, source.data)
        guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else (f"; allowed: {', '.join(allowed)}" if allowed else "")
        return f"{source.where(loc)}: unknown key{hint}"
    if kind == "missing":
        return f"{source.where(loc)}: is required"
    message = str(problem.get("ctx", {}).get("error") or problem["msg"])
    message = message.removeprefix("Value error, ")
    if kind.startswith("date"):
        message = f"{problem.get('input')!r} is not a date like 2017-01-24"
    elif kind == "too_short" and loc == ("agenda",):
        message = "the agenda needs at least one item"
    return f"{source.where(loc)}: {message}"


def _allowed_keys(parent, data):
    """The keys a mapping at ``parent`` may hold, for did-you-mean."""
    model = Spec
    for part in parent:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        model = _model_in(field.annotation)
        if model is None:
            return []
    return sorted(model.model_fields)


def _model_in(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


__all__ = ["Spec", "Item", "Appendix", "Meeting", "Venue", "load_spec", "format_path", "SPEC_FORMAT"]
