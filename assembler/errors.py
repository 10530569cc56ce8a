"""Exceptions that carry their own exit status; only ``cli`` turns them into exits."""

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    internal_error = 1
    bad_input = 2


class AssemblerError(Exception):
    """Base of every error the assembler raises on purpose."""

    exit_code = ExitCode.internal_error


class InputError(AssemblerError):
    """Something the officer gave us is wrong; the message says what and where.

    ``problems`` holds one line per problem, each already naming its file,
    key and (for YAML) line.
    """

    exit_code = ExitCode.bad_input

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class PaperError(InputError):
    """A paper (or appendix, or venue file) cannot be used; names the file."""

    def __init__(self, path, message):
        self.path = path
        super().__init__([Problem(f"{path}: {message}", getattr(message, "detail", None))])


class LeakError(AssemblerError):
    """The public edition would carry something of a private paper: nothing is written."""


class Problem(str):
    """One line of a problem for the officer, carrying the library's own words as
    ``detail`` (shown with ``--debug``); it pickles, so a worker can send it back."""

    def __new__(cls, text, detail=None):
        line = super().__new__(cls, text)
        line.detail = detail
        return line
