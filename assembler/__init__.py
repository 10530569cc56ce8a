"""Agenda pack assembler: YAML meeting spec in, members' and public PDF editions out.

The pipeline runs in this order, one package per stage:
``spec`` (load and check the officer's YAML) -> ``readers`` (papers to the
document ``model``) -> ``render`` (model to WeasyPrint pages through the
templates) -> ``bind`` (number, range, bookmark, label and write the editions).
"""

__version__ = "0.1.0"
