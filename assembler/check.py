"""`assemble check`: can this pack be built, and is it on time?  Writes nothing.

Everything the build would refuse is reported at once (the spec, every paper,
the venue's files and pictures, words hidden in public papers); then the
deadlines of the law on access to meetings are checked and reported as
warnings:

* the agenda and reports must be open to inspection at least five clear days
  before the meeting (Local Government Act 1972, s100B(3)); a clear day
  counts neither the day of publication nor the day of the meeting;
* a meeting held partly in private needs 28 clear days' notice of that
  intention (the Local Authorities (Executive Arrangements) (Meetings and
  Access to Information) (England) Regulations 2012, reg. 5).
"""

import datetime
from dataclasses import dataclass, field

from assembler.bind.plan import number_items, pack_order
from assembler.build import check_pictures, read_papers, read_venue_texts
from assembler.errors import InputError
from assembler.redaction import refuse_covered_words
from assembler.spec import load_spec

PUBLICATION_CLEAR_DAYS = 5
PRIVATE_NOTICE_CLEAR_DAYS = 28


@dataclass
class CheckResult:
    items: int
    papers: int
    private_items: int
    warnings: list[str] = field(default_factory=list)


def clear_days(before, after):
    """Whole days strictly between two dates."""
    return (after - before).days - 1


def check(spec_path, today=None):
    """Raise ``InputError`` with every problem; else say what the pack holds and what is late."""
    spec = load_spec(spec_path)
    entries = number_items(spec.agenda)
    slots = pack_order(entries, spec.previous_note)
    problems, read, let_through = [], [], []
    for step in (lambda: read.extend(read_papers(slots, spec.previous_note)), lambda: read_venue_texts(spec),
                 lambda: check_pictures(spec)):
        try:
            step()
        except InputError as error:
            problems.extend(error.problems)
    if read:  # every paper read: the public ones are looked at for hidden words
        try:
            let_through = refuse_covered_words(slots, *read)
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    result = CheckResult(len(entries), len(slots), sum(entry.private for entry in entries))
    result.warnings = let_through + deadlines(spec, today or datetime.date.today(), result.private_items)
    return result


def dispatch_by(meeting_date):
    """The last day the pack can go out and still give five clear days (s100B)."""
    return meeting_date - datetime.timedelta(days=PUBLICATION_CLEAR_DAYS + 1)


def deadlines(spec, today, private_items):
    """Warnings (lines) if the pack, going out on ``meeting.dispatch`` or ``today``, is late."""
    meeting = spec.meeting
    dispatch = meeting.dispatch or today
    warnings = []
    days = clear_days(dispatch, meeting.date)
    if dispatch >= meeting.date:
        warnings.append(f"the meeting on {meeting.date:%d %B %Y} is not after the dispatch date {dispatch:%d %B %Y}: "
                        "give meeting.dispatch in the spec if the pack went out earlier")
    elif days < PUBLICATION_CLEAR_DAYS:
        warnings.append(
            f"published on {dispatch:%d %B %Y}, the pack gives {max(days, 0)} clear days before the meeting on "
            f"{meeting.date:%d %B %Y}; the law asks for {PUBLICATION_CLEAR_DAYS} (Local Government Act 1972, s100B)")
    if private_items and meeting.private_notice is not None:
        notice = clear_days(meeting.private_notice, meeting.date)
        if notice < PRIVATE_NOTICE_CLEAR_DAYS:
            warnings.append(
                f"{private_items} private item(s), but notice of meeting in private was given on "
                f"{meeting.private_notice:%d %B %Y}: {max(notice, 0)} clear days, where "
                f"{PRIVATE_NOTICE_CLEAR_DAYS} are needed (2012 Regulations, reg. 5)")
    return warnings
