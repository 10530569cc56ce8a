"""The document model and the meeting's facts, through the house templates,
into WeasyPrint pages.  One ``Renderer`` serves a process for a whole build,
so its parts share one font configuration and one URL fetcher."""

from assembler.render import ASSETS, PDF_VARIANT, TEMPLATES, load_weasyprint

load_weasyprint()  # before WeasyPrint imports itself, slowly

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from assembler.completeness import split_rows  # noqa: E402
from assembler.render.fetcher import PackFetcher  # noqa: E402
from assembler.render.templates import make_environment  # noqa: E402


class Renderer:
    def __init__(self, pack_root, house_templates=None, house_stylesheet=None, language="en-GB"):
        roots = [pack_root, TEMPLATES, ASSETS] + ([house_templates] if house_templates else [])
        self.fetcher = PackFetcher(roots)
        self.font_config = FontConfiguration()
        self.environment = make_environment(house_templates)
        self.pack_root = pack_root
        self.language = language
        sheets = [TEMPLATES / "pack.css"] + ([house_stylesheet] if house_stylesheet else [])
        self.stylesheets = [
            CSS(filename=str(sheet), font_config=self.font_config, url_fetcher=self.fetcher) for sheet in sheets
        ]

    def html(self, template, **context):
        """The HTML text of ``template`` (useful to tests and to house-style authors)."""
        return self.environment.get_template(template).render(lang=self.language, **context)

    def render(self, template, base_dir=None, **context):
        """Render ``template`` to a WeasyPrint ``Document``; returns it and the URLs refused."""
        before = len(self.fetcher.refused)
        html = HTML(
            string=self.html(template, **context),
            base_url=(base_dir or self.pack_root).as_uri() + "/",
            url_fetcher=self.fetcher,
        )
        # presentational hints: WeasyPrint honours <ol start> and <li value> only with them
        options = dict(stylesheets=self.stylesheets, font_config=self.font_config, pdf_variant=PDF_VARIANT,
                       presentational_hints=True)
        document = html.render(**options)
        if split_rows(document):  # kept together where it cannot be: laid out again, starting at once
            document = html.render(**options)
        return document, self.fetcher.refused[before:]
