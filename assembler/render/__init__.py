"""Renderers: the document model and the meeting's facts, through the house
templates, into PDF pages (``renderer``); parts rendered across processes
(``jobs``) through a cache of rendered parts (``cache``).  WeasyPrint is
imported only where pages are drawn, so a rebuild that finds every part in
the cache never loads it."""

from pathlib import Path

PDF_VARIANT = "pdf/ua-1"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"  # the shipped templates and stylesheet
ASSETS = Path(__file__).resolve().parents[2] / "assets"  # fonts and pictures
LINK_PREFIX = "https://pack.invalid/"  # a link to another part; the binder turns it into a jump
