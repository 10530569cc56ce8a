"""The Jinja2 environment: house templates first, then the shipped ones.

Templates receive plain values and model objects; they never open files.
Paper HTML arrives already sanitised and is inserted with ``|safe``; all
other text is escaped (autoescape is on).

A house template is the council's, but it is run as untrusted: in Jinja2's
immutable sandbox (no attributes starting with ``_``, no changing of values,
so no ``lipsum.__globals__`` to reach Python), loading only ``.html`` files
from the house folder (a symbolic link leading out of it is not followed)
and the shipped templates.  A template that cannot be run is the officer's
problem: one line naming the template and its line (``InputError``).
"""

import datetime
import os
import re
import traceback
from pathlib import Path

import jinja2
import jinja2.sandbox
from jinja2.loaders import split_template_path
from markupsafe import Markup

from assembler.errors import InputError
from assembler.opened import read_checked
from assembler.render import LINK_PREFIX, TEMPLATES


def long_date(value):
    """``24 January 2017``, as the seed pack prints dates."""
    return f"{value.day} {value:%B %Y}"


def day_date(value):
    """``Tuesday 24 January 2017``."""
    return f"{value:%A} {long_date(value)}"


def clock(value):
    """``11.00 am``, ``6.30 pm``, ``12.00 noon``."""
    if value == datetime.time(12, 0):
        return "12.00 noon"
    hour = value.hour % 12 or 12
    return f"{hour}.{value.minute:02d} {'am' if value.hour < 12 else 'pm'}"


def css_string(value):
    """A quoted CSS string that is safe inside a ``<style>`` element: quotes, backslashes,
    markup characters and every control character (a form feed or carriage return
    would end the string, CSS Syntax 4.3.5) written as hex escapes."""
    escaped = re.sub(r'[\\"<>&\x00-\x1f\x7f]', lambda m: f"\\{ord(m[0]) or 0xfffd:x} ", str(value))
    return Markup(f'"{escaped}"')


def letter(index):
    """0 -> ``a``, 1 -> ``b``: appendix letters on the agenda."""
    return "abcdefghijklmnopqrstuvwxyz"[index] if index < 26 else str(index + 1)


def repeats(title, agenda_title):
    """Whether a paper's own title (HTML) says no more than its agenda title, case,
    spacing, punctuation and markup aside: then it is not printed again under it."""
    def words(text):
        return " " + " ".join(re.findall(r"\w+", re.sub(r"<[^>]+>", "", str(text)).casefold())) + " "

    return words(title) in words(agenda_title)


class _HouseLoader(jinja2.BaseLoader):
    """The house's folder: ``.html`` templates only, each really inside the folder, read
    once where it was checked (``opened.read_checked``)."""

    def __init__(self, folder):
        self.folder = Path(folder).resolve()

    def get_source(self, environment, template):
        path = Path(os.path.realpath(self.folder.joinpath(*split_template_path(template))))
        if path.suffix.lower() != ".html" or not path.is_relative_to(self.folder):
            raise jinja2.TemplateNotFound(template)
        try:
            modified = os.path.getmtime(path)
            source = read_checked(path).decode("utf-8")
        except OSError:  # gone, a folder, replaced by a link since: not a template here
            raise jinja2.TemplateNotFound(template) from None
        except UnicodeDecodeError:
            raise jinja2.TemplateSyntaxError("is not UTF-8 text", 1, template, str(path)) from None
        return source, str(path), lambda: _modified(path) == modified


def _modified(path):
    try:
        return os.path.getmtime(path)
    except OSError:
        return None


def make_environment(house_templates=None):
    """The sandboxed environment of the house's templates (a folder, or None) over the shipped ones."""
    loaders = [_HouseLoader(house_templates)] if house_templates else []
    environment = jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders + [jinja2.FileSystemLoader(str(TEMPLATES))]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        long_date=long_date, day_date=day_date, clock=clock, css_string=css_string, letter=letter,
        repeats=repeats
    )
    environment.globals["pack_link"] = lambda anchor: f"{LINK_PREFIX}#{anchor}"
    for name in ("lipsum", "cycler", "joiner"):
        environment.globals.pop(name, None)
    return environment


def render_template(environment, name, **context):
    """``name`` rendered with ``context``, as text.  Raises ``InputError`` naming the
    template file and line when it is missing, malformed, or does what the sandbox forbids."""
    try:
        return environment.get_template(name).render(**context)
    except jinja2.TemplateError as error:
        where = name
        if isinstance(error, jinja2.TemplateSyntaxError) and error.lineno:
            where = f"{error.filename or error.name or name}:{error.lineno}"
        else:
            frames = [frame for frame in traceback.extract_tb(error.__traceback__)
                      if frame.filename.endswith(".html") and os.path.isfile(frame.filename)]
            if frames:
                where = f"{frames[-1].filename}:{frames[-1].lineno}"
        message = error.message or type(error).__name__
        if isinstance(error, jinja2.TemplateNotFound):
            message = f"template not found: {error.name} (a house template may include only .html files in its folder)"
        raise InputError(f"{where}: {message}") from None
