"""Renderers: the document model and the meeting's facts, through the house
templates, into PDF pages (``renderer``); parts rendered across processes
(``jobs``) through a cache of rendered parts (``cache``).  WeasyPrint is
imported only where pages are drawn (the workers), never by the process
that reads the spec and binds, and it is loaded with ``load_weasyprint``."""

from importlib.resources import files
from pathlib import Path

PDF_VARIANT = "pdf/ua-1"
# templates/ and assets/ of the repo, installed as these packages (pyproject.toml)
TEMPLATES = Path(str(files("assembler.templates")))  # the shipped templates and stylesheet
ASSETS = Path(str(files("assembler.assets")))  # fonts and pictures
LINK_PREFIX = "https://pack.invalid/"  # a link to another part; the binder turns it into a jump


def load_weasyprint():
    """Import WeasyPrint without letting it search for its libraries the slow way.

    WeasyPrint tries several names for each library it loads, and for every
    name the dynamic loader does not know, cffi asks ``ctypes.util.find_library``,
    which runs ldconfig, gcc and ld: about 0.15 s of each worker's start.  Its
    lists also hold the names the loader knows (``libpango-1.0.so.0``), so
    that search is switched off while it loads, and used only if WeasyPrint
    cannot load without it (or would go without HarfBuzz's subsetter).

    Without HarfBuzz's subsetter (Debian's libharfbuzz-subset0) WeasyPrint
    subsets fonts with fontTools, which stamps each subset's ``head`` table
    with the time it was made: the same pack would differ build after build.
    fontTools takes that time from ``SOURCE_DATE_EPOCH`` when it is set
    (reproducible-builds.org), so it is set here, to 0, unless the user set it.
    """
    import os

    ffi = _import_weasyprint()
    if ffi.harfbuzz_subset is None:
        os.environ.setdefault("SOURCE_DATE_EPOCH", "0")


def font_subsetter():
    """``"harfbuzz"`` where HarfBuzz's subsetter loads, else ``"fontTools"``: the one
    WeasyPrint subsets fonts with.  Their subsets differ (each the same build after
    build), so the part cache keeps parts drawn with one apart from the other's."""
    import ctypes

    for name in ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll"):
        try:
            ctypes.CDLL(name)
            return "harfbuzz"
        except OSError:
            continue
    return "fontTools"


def _import_weasyprint():
    """WeasyPrint's library bindings (``weasyprint.text.ffi``), loaded the fast way if it can be."""
    import contextlib
    import ctypes.util
    import io
    import sys

    if "weasyprint" in sys.modules:
        from weasyprint.text import ffi

        return ffi
    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # its advice on a failed load is for the search below
            from weasyprint.text import ffi
        if ffi.harfbuzz_subset is not None:
            return ffi
    except OSError:
        pass
    finally:
        ctypes.util.find_library = find_library
    for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
        del sys.modules[name]
    from weasyprint.text import ffi

    return ffi
