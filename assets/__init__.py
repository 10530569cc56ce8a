"""The shipped fonts and pictures, installed as ``assembler.assets``
(``assembler.render.ASSETS``)."""
