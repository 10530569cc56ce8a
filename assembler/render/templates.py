"""The Jinja2 environment: house templates first, then the shipped ones.

Templates receive plain values and model objects; they never open files.
Paper HTML arrives already sanitised and is inserted with ``|safe``; all
other text is escaped (autoescape is on).
"""

import datetime
import re

import jinja2
from markupsafe import Markup

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
    """A quoted CSS string that is safe inside a ``<style>`` element."""
    escaped = re.sub(r'[\\"\n<>&]', lambda m: f"\\{ord(m[0]):x} ", str(value))
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


def make_environment(house_templates=None):
    folders = [str(house_templates)] if house_templates else []
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders + [str(TEMPLATES)]),
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
    return environment
