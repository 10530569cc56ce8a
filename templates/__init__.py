"""The shipped templates and stylesheet, installed as ``assembler.templates``
(``assembler.render.TEMPLATES``); a house overrides them by name."""
