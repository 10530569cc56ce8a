"""Renderers: the document model and the meeting's facts, through the house
templates, into PDF pages (``renderer``); parts rendered across processes
(``jobs``) through a cache of rendered parts (``cache``).  WeasyPrint is
imported only where pages are drawn, so a rebuild that finds every part in
the cache never loads it."""

PDF_VARIANT = "pdf/ua-1"
