"""The document model and the meeting's facts, through the house templates,
into WeasyPrint pages.  One ``Renderer`` serves a process for a whole build,
so its parts share one font configuration and one URL fetcher."""

from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from assembler.render import ASSETS, LINK_PREFIX, PDF_VARIANT, TEMPLATES, load_weasyprint

load_weasyprint()  # before WeasyPrint imports itself, slowly

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.urls import URLFetchingError  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from assembler.completeness import split_rows  # noqa: E402
from assembler.render.fetcher import PackFetcher  # noqa: E402
from assembler.render.fill import balance, fit_pictures, nearly_empty  # noqa: E402
from assembler.render.templates import make_environment, render_template  # noqa: E402

# Parts whose last page is filled (render.fill): papers are set closer first, then balanced;
# the front matter, in its own style, only balanced.
FILLABLE = {"report.html", "note.html"}
BALANCED = FILLABLE | {"guidance.html", "notice.html", "membership.html", "agenda.html"}


class Renderer:
    """``private_files``: resolved paths of the files private papers use, which only a
    private paper's own part may draw; ``paper_anchors``: (resolved path, anchor) of
    every paper and appendix in the pack, so that a link naming one jumps to it."""

    def __init__(self, pack_root, house_templates=None, house_stylesheet=None, language="en-GB", private_files=(),
                 paper_anchors=()):
        roots = [pack_root, TEMPLATES, ASSETS] + ([house_templates] if house_templates else [])
        self.fetcher = PackFetcher(roots)
        self.private_files = frozenset(private_files)
        self.paper_anchors = dict(paper_anchors)
        self.font_config = FontConfiguration()
        self.environment = make_environment(house_templates)
        self.pack_root = pack_root
        self.language = language
        sheets = [TEMPLATES / "pack.css"] + ([house_stylesheet] if house_stylesheet else [])
        # the stylesheets are read for every part: what they read is checked after drawing, by
        # content (build.confine), which refuses the build naming them
        self.stylesheets = [self._stylesheet(Path(sheet)) for sheet in sheets]
        self.shared_reads = dict(self.fetcher.reads)  # what the stylesheets read: every part depends on it

    def _stylesheet(self, path):
        """A stylesheet read through the fetcher (once, where it was checked, its digest among
        every part's reads).  Raises ``InputError`` naming it if it cannot be read."""
        try:
            return CSS(url=path.resolve().as_uri(), font_config=self.font_config, url_fetcher=self.fetcher)
        except URLFetchingError:
            from assembler.errors import InputError

            reason = self.fetcher.refused[-1][1] if self.fetcher.refused else "cannot be read"
            raise InputError(f"{path}: {reason}") from None

    def html(self, template, **context):
        """The HTML text of ``template`` (useful to tests and to house-style authors)."""
        return render_template(self.environment, template, lang=self.language, **context)

    def render(self, template, base_dir=None, private=False, **context):
        """Render ``template`` to a WeasyPrint ``Document``, with no attachments (a ``<link
        rel=attachment>`` or ``<a rel=attachment>`` would embed a file) and no ``file:``
        links (``_pack_link``).  ``private``: the part is a private paper's own, which may
        draw its files.  Returns the document, the URLs refused, and {path: sha256 or
        None} of every local file it asked for.

        A paper (``FILLABLE``) of two pages or more whose last page would hold only a
        few lines (under ``fill.NEARLY_EMPTY`` of the text area) is set again with
        ``tight`` (a little less space between lines and paragraphs), kept if it has a
        page fewer.  Then, in a paper or a front-matter section (``BALANCED``), a
        picture that left the page before it nearly empty is scaled down a little to
        stay there (``fill.fit_pictures``), and a last page still nearly empty is
        balanced with the one before (``fill.balance``): no page of two lines.
        """
        before = len(self.fetcher.refused)
        self.fetcher.reads = dict(self.shared_reads)
        self.fetcher.off_limits = frozenset() if private else self.private_files
        html = self._html(template, base_dir, context)
        document = self._lay_out(html)
        refused = self.fetcher.refused[before:]  # what it fetches: the same again if laid out again
        if template in FILLABLE and nearly_empty(document):
            tight_html = self._html(template, base_dir, {**context, "tight": True})
            tight = self._lay_out(tight_html)
            if len(tight.pages) < len(document.pages):
                document, html = tight, tight_html
        if template in BALANCED:
            document = fit_pictures(document, lambda: self._lay_out(html))
            if nearly_empty(document):
                document = balance(document, lambda: self._lay_out(html))
        document.metadata.attachments = []
        links_from = len(self.fetcher.refused)
        for page in document.pages:
            page.links = [link for link in map(self._pack_link, page.links) if link is not None]
        return document, refused + self.fetcher.refused[links_from:], dict(self.fetcher.reads)

    def _html(self, template, base_dir, context):
        return HTML(
            string=self.html(template, **context),
            base_url=(base_dir or self.pack_root).as_uri() + "/",
            url_fetcher=self.fetcher,
        )

    def _lay_out(self, html):
        """``html`` (a WeasyPrint ``HTML``) laid out into pages; its elements' styles may have
        been changed since the last layout (``split_rows``, ``fill.balance``)."""
        # presentational hints: WeasyPrint honours <ol start> and <li value> only with them
        options = dict(stylesheets=self.stylesheets, font_config=self.font_config, pdf_variant=PDF_VARIANT,
                       presentational_hints=True)
        document = html.render(**options)
        if split_rows(document):  # kept together where it cannot be: laid out again, starting at once
            document = html.render(**options)
        return document

    def _pack_link(self, link):
        """A link as the pack may carry it: a ``file:`` link (a relative link in a paper,
        resolved against its folder) to a paper or appendix of the pack becomes a jump to
        it; to any other file it is left out (and refused, to warn of), so no PDF ever
        names a file of the officer's computer.  Attachments are left out."""
        kind, target = link[0], link[1]
        if kind == "attachment":
            return None
        if kind != "external" or urlsplit(target).scheme.lower() != "file":
            return link
        anchor = self.paper_anchors.get(str(Path(url2pathname(unquote(urlsplit(target).path))).resolve()))
        if anchor is None:
            self.fetcher.refused.append((target, "a link to a file that is not a paper of the pack: the link is left out"))
            return None
        return ("external", f"{LINK_PREFIX}#{anchor}", *link[2:])

