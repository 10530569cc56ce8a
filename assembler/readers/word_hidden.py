"""Which runs of a Word part Word hides, through the whole cascade of run properties.

A run's properties come, in order (ECMA-376 Part 1, 17.7.2), from the
document defaults (``w:docDefaults``), the table's style (its conditional
formatting for the cell's row and column, 17.7.6), the paragraph's style, the
run's character style (each style with those it is ``w:basedOn``), then the
run's own (direct) formatting.  A numbering level's run properties dress the
list number only (17.9.24), never the paragraph's text.

* ``w:vanish`` (17.3.2.41) is a toggle property (17.7.3): set directly, its
  value stands; otherwise each level of styles (table, paragraph, character)
  contributes the first value found up its ``basedOn`` chain, and a ``true``
  switches the value so far (starting from the document defaults) while a
  ``false`` leaves it.
* ``w:specVanish`` (17.3.2.36: hidden even when hidden text is shown) is not
  a toggle: the nearest value stands (direct, then character style, paragraph
  style, table style, defaults).
* ``w:webHidden`` (17.3.2.44) hides text in a web view only: Word prints it,
  and so does the pack.

A paragraph whose mark is hidden too, and all of whose runs are, goes whole
(as Word shows nothing of it).
"""

from assembler.readers.word_numbering import W

M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
# Table style conditional formatting (17.7.6, 17.18.89), least to most specific: a later one
# that sets a property overrides an earlier one
_CONDITIONS = ("wholeTable", "band1Vert", "band2Vert", "band1Horz", "band2Horz", "firstCol", "lastCol",
               "firstRow", "lastRow", "nwCell", "neCell", "swCell", "seCell")
_LOOK_BITS = {"firstRow": 0x20, "lastRow": 0x40, "firstColumn": 0x80, "lastColumn": 0x100, "noHBand": 0x200,
              "noVBand": 0x400}


def on(toggle):
    """A Word on/off property (``w:vanish``, ``w:b`` ...) that is present and not switched off
    (ST_OnOff, 17.17.4: ``0``, ``false``, ``off`` switch it off)."""
    return toggle is not None and toggle.get(f"{W}val", "true").lower() not in ("0", "false", "off")


class Hiding:
    """Decides, for the styles part ``styles`` (an lxml root, or None when the package has
    none), which runs and paragraphs of a part Word hides."""

    def __init__(self, styles):
        styles_found = styles.iter(f"{W}style") if styles is not None else ()
        self._styles = {style.get(f"{W}styleId"): style for style in styles_found}
        self._default = {}  # style type -> the default style's id
        for key, style in self._styles.items():
            if style.get(f"{W}default") in ("1", "true", "on"):
                self._default.setdefault(style.get(f"{W}type", "paragraph"), key)
        self._defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr") if styles is not None else None
        # no style hides anything (most files): only a run's own properties can
        self._styled = styles is not None and next(styles.iter(f"{W}vanish", f"{W}specVanish"), None) is not None
        self._tables = {}  # table -> (its style's id, {its own row: index}, its look), each read once
        self._paragraph_levels = {}  # paragraph -> its table's and its own style level (``_levels``)
        self._found = {}  # (style id, property, condition) -> its first value up the basedOn chain

    def hidden(self, root):
        """The runs (``w:r``, and an equation's ``m:r``) and whole paragraphs of the part
        ``root`` that Word hides, in document order (runs first)."""
        runs = [run for run in root.iter(f"{W}r", f"{M}r") if self._run_hidden(run)]
        hidden_runs = set(runs)
        paragraphs = []
        for paragraph in root.iter(f"{W}p"):
            mark = paragraph.find(f"{W}pPr/{W}rPr")
            own = [run for run in paragraph.iter(f"{W}r", f"{M}r") if _paragraph_of(run) is paragraph]
            if all(run in hidden_runs for run in own) and self._hides(paragraph, mark):
                paragraphs.append(paragraph)
        return runs + paragraphs

    def _run_hidden(self, run):
        return self._hides(_paragraph_of(run), run.find(f"{W}rPr"))

    def _hides(self, paragraph, rpr):
        """Whether text with the direct run properties ``rpr`` in ``paragraph`` is hidden."""
        if not self._styled:
            return bool(_own(rpr, "specVanish") or _own(rpr, "vanish"))
        levels = self._levels(paragraph, rpr)
        special = _own(rpr, "specVanish")
        for level in reversed(levels):
            special = self._level_value(level, "specVanish") if special is None else special
        if special is None:
            special = _own(self._defaults, "specVanish")
        if special:
            return True
        direct = _own(rpr, "vanish")
        if direct is not None:
            return direct
        hidden = bool(_own(self._defaults, "vanish"))
        for level in levels:
            hidden ^= bool(self._level_value(level, "vanish"))
        return hidden

    def _levels(self, paragraph, rpr):
        """The style levels that dress a run in ``paragraph`` with direct properties ``rpr``,
        in order (table, paragraph, character): each a style id and the conditional formats
        that apply (most specific first; ``wholeTable`` alone but for a table style)."""
        if paragraph not in self._paragraph_levels:
            levels = []
            table = _table_of(paragraph) if paragraph is not None else None
            if table is not None:
                if table not in self._tables:
                    style = table.find(f"{W}tblPr/{W}tblStyle")
                    rows = [row for row in table.iter(f"{W}tr") if next(row.iterancestors(f"{W}tbl"), None) is table]
                    self._tables[table] = (style.get(f"{W}val") if style is not None else self._default.get("table"),
                                           {row: index for index, row in enumerate(rows)}, _look(table))
                key, rows, look = self._tables[table]
                levels.append((key, tuple(reversed(_conditions(table, rows, look, paragraph)))))
            style = paragraph.find(f"{W}pPr/{W}pStyle") if paragraph is not None else None
            levels.append((style.get(f"{W}val") if style is not None else self._default.get("paragraph"),
                           ("wholeTable",)))
            self._paragraph_levels[paragraph] = levels
        style = rpr.find(f"{W}rStyle") if rpr is not None else None
        key = style.get(f"{W}val") if style is not None else self._default.get("character")
        return [*self._paragraph_levels[paragraph], (self._character(key), ("wholeTable",))]

    def _level_value(self, level, name):
        """The value a level (``_levels``) gives the property ``name``: that of its most
        specific conditional format that sets it, or None."""
        key, conditions = level
        return next((found for condition in conditions if (found := self._first(key, name, condition)) is not None),
                    None)

    def _character(self, key):
        """A character style's id; a paragraph style named as a run's style stands for the
        character style linked to it (``w:link``, 17.7.4.6), as Word applies it."""
        style = self._styles.get(key)
        link = style.find(f"{W}link") if style is not None and style.get(f"{W}type") == "paragraph" else None
        return link.get(f"{W}val") if link is not None else key

    def _first(self, key, name, condition="wholeTable"):
        """The first value of the property ``name`` up the ``basedOn`` chain of the style
        ``key`` (for a table style, in its conditional formatting ``condition``)."""
        remembered = (key, name, condition)
        if remembered in self._found:
            return self._found[remembered]
        found, seen = None, set()
        while found is None and key in self._styles and key not in seen:
            seen.add(key)
            style = self._styles[key]
            places = [style.find(f"{W}rPr")] if condition == "wholeTable" else []
            places += [conditional.find(f"{W}rPr") for conditional in style.findall(f"{W}tblStylePr")
                       if conditional.get(f"{W}type") == condition]
            found = next((value for place in places if (value := _own(place, name)) is not None), None)
            based = style.find(f"{W}basedOn")
            key = based.get(f"{W}val") if based is not None else None
        self._found[remembered] = found
        return found


def _own(rpr, name):
    """The value of the on/off property ``name`` in the run properties ``rpr``, or None."""
    element = rpr.find(f"{W}{name}") if rpr is not None else None
    return None if element is None else on(element)


def _paragraph_of(element):
    return next(element.iterancestors(f"{W}p"), None)


def _table_of(paragraph):
    """The table whose cell holds ``paragraph`` (the innermost), or None; a text box's own
    paragraphs are not in the table its anchor is in."""
    for ancestor in paragraph.iterancestors(f"{W}tbl", f"{W}txbxContent"):
        return ancestor if ancestor.tag == f"{W}tbl" else None
    return None


def _conditions(table, rows, look, paragraph):
    """The table style conditional formats that apply to ``paragraph``'s cell, by its row
    (``rows``: the table's rows, {row: index}) and column and the table's ``look``
    (``_look``), least specific first."""
    cell = next(paragraph.iterancestors(f"{W}tc"), None)
    row = next(cell.iterancestors(f"{W}tr"), None) if cell is not None else None
    if row not in rows:
        return ["wholeTable"]
    cells = [found for found in row.iter(f"{W}tc") if next(found.iterancestors(f"{W}tr"), None) is row]
    column = sum(_span(found) for found in cells[:cells.index(cell)])
    columns = sum(_span(found) for found in cells)
    first_row, last_row = look["firstRow"] and rows[row] == 0, look["lastRow"] and rows[row] == len(rows) - 1
    first_col = look["firstColumn"] and column == 0
    last_col = look["lastColumn"] and column + _span(cell) == columns
    found = ["wholeTable"]
    if not look["noVBand"] and not (first_col or last_col):
        found.append("band1Vert" if (column - look["firstColumn"]) // look["columnBand"] % 2 == 0 else "band2Vert")
    if not look["noHBand"] and not (first_row or last_row):
        found.append("band1Horz" if (rows[row] - look["firstRow"]) // look["rowBand"] % 2 == 0 else "band2Horz")
    found += [name for name, applies in (("firstCol", first_col), ("lastCol", last_col), ("firstRow", first_row),
                                         ("lastRow", last_row)) if applies]
    found += [name for name, applies in (("nwCell", first_row and first_col), ("neCell", first_row and last_col),
                                         ("swCell", last_row and first_col), ("seCell", last_row and last_col))
              if applies]
    return found


def _span(cell):
    span = cell.find(f"{W}tcPr/{W}gridSpan")
    value = span.get(f"{W}val", "1") if span is not None else "1"
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _band_size(table, name):
    element = table.find(f"{W}tblPr/{W}{name}")
    value = element.get(f"{W}val", "1") if element is not None else "1"
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _look(table):
    """The table's ``w:tblLook`` as {name: on}: its attributes, else its ``w:val`` bit mask
    (17.4.55: without one, the bands apply, and none of the first or last row or column);
    and how many rows and columns make a band (``rowBand``, ``columnBand``)."""
    look = table.find(f"{W}tblPr/{W}tblLook")
    try:
        mask = int(look.get(f"{W}val", "0"), 16) if look is not None else 0
    except ValueError:
        mask = 0
    found = {name: look.get(f"{W}{name}").lower() in ("1", "true", "on")
             if look is not None and look.get(f"{W}{name}") is not None else bool(mask & bit)
             for name, bit in _LOOK_BITS.items()}
    return {**found, "rowBand": _band_size(table, "tblStyleRowBandSize"),
            "columnBand": _band_size(table, "tblStyleColBandSize")}
