"""`assemble publish`: members/ and public/, every public item as its own PDF with the pack's numbers,
an accessible index.html and meeting.json, nothing private in public/."""

import html.parser
import json
import re
import shutil
import subprocess

import pytest

from tests.conftest import long_markdown, make_pdf, write_files
from tests.pdfs import agenda_ranges, all_strings, read_edition

SPEC = """\
meeting:
  body: Licensing Committee
  date: 2026-05-13
  time: "10:30"
  venue: Civic Centre, Park Road, Lowfield
  contact: {name: Dana Clerk, phone: 01234 000111, email: dana.clerk@lowfield.example}
agenda:
  - title: Apologies
  - title: Street trading policy
    paper: papers/street.md
    appendices:
      - {title: Appendix A - Consultation responses, file: papers/responses.md}
      - {title: Appendix B - Map of consent streets, file: papers/streets.pdf}
  - title: Review of a premises licence
    paper: papers/premises.md
    private: true
    exempt_reason: Paragraph 7 of Schedule 12A
    appendices:
      - {title: Appendix A - Police evidence, file: papers/police.pdf}
  - title: Fees and charges
    paper: papers/fees.md
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    from assembler.cli import main

    folder = tmp_path_factory.mktemp("publish")
    write_files(folder, {"pack.yaml": SPEC, "papers/street.md": long_markdown("street", 6),
                         "papers/responses.md": long_markdown("responses", 2),
                         "papers/premises.md": long_markdown("premises", 4) + "\nSECRET-PREMISES-TOKEN\n",
                         "papers/fees.md": long_markdown("fees", 3)})
    make_pdf(folder / "papers/streets.pdf", ["STREETS-MAP"], size="A3 landscape")
    make_pdf(folder / "papers/police.pdf", ["SECRET-POLICE-1", "SECRET-POLICE-2"])
    assert main(["publish", str(folder / "pack.yaml"), "-o", str(folder / "site")]) == 0
    assert main([str(folder / "pack.yaml"), "-o", str(folder / "pack"), "-q"]) == 0
    return folder


def test_the_two_folders(published):
    members = sorted(path.name for path in (published / "site/members").iterdir())
    public = sorted(path.name for path in (published / "site/public").iterdir())
    assert members == ["licensing-committee-2026-05-13-members.pdf"]
    assert public == ["index.html", "licensing-committee-2026-05-13-agenda.pdf",
                      "licensing-committee-2026-05-13-item-02-street-trading-policy.pdf",
                      "licensing-committee-2026-05-13-item-03-fees-and-charges.pdf",
                      "licensing-committee-2026-05-13-public.pdf", "meeting.json"]


def test_each_item_pdf_carries_the_packs_printed_numbers(published):
    pack = read_edition(next((published / "pack").glob("*-public.pdf")))
    ranges = agenda_ranges(pack, ["Street trading policy", "Fees and charges"])
    for title, name in [("Street trading policy", "item-02-street-trading-policy"), ("Fees and charges", "item-03-fees-and-charges")]:
        item = read_edition(next((published / "site/public").glob(f"*-{name}.pdf")))
        printed = [item.printed_number(index) for index in range(item.page_count)]
        assert printed == list(range(ranges[title][0], ranges[title][0] + item.page_count))
        assert item.reader.page_labels == [str(n) for n in printed]
        assert "Licensing Committee" in item.texts[0] and "13 May 2026" in item.texts[0]
        assert "/StructTreeRoot" in item.reader.trailer["/Root"]
    street = read_edition(next((published / "site/public").glob("*-item-02-*.pdf")))
    assert street.page_count == ranges["Street trading policy"][1] - ranges["Street trading policy"][0] + 3
    assert street.pages_with("STREETS-MAP") and street.reader.metadata.title.startswith("2. Street trading policy")


def test_the_front_sheet_is_cover_notice_and_agenda(published):
    sheet = read_edition(next((published / "site/public").glob("*-agenda.pdf")))
    text = " ".join(sheet.texts)
    assert "Notice of meeting" in text and "PART 1: PUBLIC" in text and "Guidance notes" not in text


def test_nothing_private_reaches_public(published):
    for path in (published / "site/public").iterdir():
        data = all_strings(path) if path.suffix == ".pdf" else path.read_bytes()
        text = " ".join(read_edition(path).texts) if path.suffix == ".pdf" else path.read_text()
        for token in ["SECRET-PREMISES-TOKEN", "SECRET-POLICE", "START-premises"]:
            assert token not in text and token.encode() not in data, (path.name, token)


class _Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.links, self.lang = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "a":
            self.links.append(attrs.get("href"))


def test_index_html_is_a_sound_accessible_page(published):
    page = _Page()
    source = (published / "site/public/index.html").read_text()
    page.feed(source)
    assert source.startswith("<!doctype html>") and page.lang == "en-GB"
    assert page.tags.count("h1") == 1 and "title" in page.tags and "script" not in page.tags
    assert page.links[0] == "#agenda" and 'id="agenda"' in source
    files = [link for link in page.links if not link.startswith(("#", "mailto:"))]
    assert files and all((published / "site/public" / link).is_file() for link in files)
    assert "Review of a premises licence" in source and "Paragraph 7 of Schedule 12A" in source
    assert not re.search(r'href="[^"]*premises', source)
    assert re.search(r'Appendix B - Map of consent streets <span class="meta">\(page \d+\)', source)
    assert re.search(r"KB; pages \d+ - \d+ of the pack\)", source)


def test_meeting_json_lists_items_ranges_files_and_hashes(published):
    import hashlib

    facts = json.loads((published / "site/public/meeting.json").read_text())
    assert facts["body"] == "Licensing Committee" and facts["date"] == "2026-05-13" and facts["time"] == "10:30"
    items = {item["number"]: item for item in facts["items"]}
    assert items[4]["private"] and items[4]["file"] is None and items[4]["exempt_reason"] == "Paragraph 7 of Schedule 12A"
    assert items[2]["file"].endswith("item-02-street-trading-policy.pdf") and len(items[2]["appendices"]) == 2
    for item in facts["items"]:
        if item["file"]:
            data = (published / "site/public" / item["file"]).read_bytes()
            assert item["sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium is not installed (Debian: chromium)")
def test_index_html_renders_in_a_real_browser(published, tmp_path):
    page = published / "site/public/index.html"
    result = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={tmp_path / 'page.pdf'}",
                             page.as_uri()], capture_output=True, text=True, timeout=120)
    assert (tmp_path / "page.pdf").exists(), result.stderr
    text = " ".join(read_edition(tmp_path / "page.pdf").texts)
    assert "Street trading policy" in text and "Fees and charges" in text
    shot = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={tmp_path / 'profile2'}", f"--screenshot={tmp_path / 'page.png'}",
                           "--window-size=1000,1100", page.as_uri()], capture_output=True, text=True, timeout=120)
    from PIL import Image

    with Image.open(tmp_path / "page.png") as picture:  # a picture to look at, and not a blank one
        assert picture.size == (1000, 1100) and len(picture.convert("L").getcolors(256)) > 10, shot.stderr


LATE = SPEC + """\
  - title: Taxi licensing fees
    paper: papers/taxi.md
    supplement: 1
    appendices:
      - {title: Appendix A - Fee table, file: papers/taxi-fees.md}
  - title: Licence holder hearing
    paper: papers/hearing.md
    supplement: 1
    private: true
    exempt_reason: Paragraph 1 of Schedule 12A
"""


@pytest.fixture(scope="module")
def with_late_papers(tmp_path_factory, published):
    from assembler.cli import main

    folder = tmp_path_factory.mktemp("late")
    shutil.copytree(published / "papers", folder / "papers")
    write_files(folder, {"pack.yaml": LATE, "papers/taxi.md": long_markdown("taxi", 14),
                         "papers/taxi-fees.md": long_markdown("taxifees", 1),
                         "papers/hearing.md": long_markdown("hearing", 3) + "\nSECRET-HEARING-TOKEN\n"})
    assert main([str(folder / "pack.yaml"), "-o", str(folder / "pack"), "-q"]) == 0
    assert main(["publish", str(folder / "pack.yaml"), "-o", str(folder / "site")]) == 0
    return folder


def test_late_papers_leave_the_packs_numbers_alone_and_are_to_follow(published, with_late_papers):
    before = read_edition(next((published / "pack").glob("*-members.pdf")))
    after = read_edition(next((with_late_papers / "pack").glob("licensing-committee-2026-05-13-members.pdf")))
    titles = ["Street trading policy", "Fees and charges", "Review of a premises licence"]
    assert agenda_ranges(after, titles) == agenda_ranges(before, titles)
    agenda = re.sub(r"\s+", " ", " ".join(after.texts[index] for index in after.pages_with("PART 1: PUBLIC")))
    assert "Taxi licensing fees To follow" in agenda and "Licence holder hearing To follow" in agenda
    assert not after.pages_with("START-taxi")


def test_the_supplement_is_numbered_from_s1(with_late_papers):
    for edition in ("members", "public"):
        supplement = read_edition(next((with_late_papers / "pack").glob(f"*-supplement-1-{edition}.pdf")))
        assert "supplementary agenda 1" in supplement.texts[0].lower()
        cover = re.sub(r"\s+", " ", supplement.texts[0])
        labels = supplement.reader.page_labels
        taxi = supplement.pages_with("START-taxi")[0]
        assert labels[taxi] == "S1" and re.search(r"S\d+$", supplement.numbers[taxi].strip())
        assert "Taxi licensing fees S1 - S" in cover and "a) Appendix A - Fee table S" in cover
        assert labels[1:] == [f"S{n}" for n in range(1, len(labels))]
    public = read_edition(next((with_late_papers / "pack").glob("*-supplement-1-public.pdf")))
    assert public.pages_with("Document is Restricted")
    assert "SECRET-HEARING-TOKEN" not in " ".join(public.texts)
    assert b"SECRET-HEARING-TOKEN" not in all_strings(public.path)


def test_a_duplex_supplement_starts_each_paper_on_a_right_hand_page(with_late_papers):
    from assembler.cli import main

    out = with_late_papers / "duplex"
    assert main([str(with_late_papers / "pack.yaml"), "-o", str(out), "--duplex", "-q"]) == 0
    for edition, marks in (("members", ["START-taxi", "START-taxifees", "START-hearing"]),
                           ("public", ["START-taxi", "START-taxifees", "Document is Restricted"])):
        supplement = read_edition(next(out.glob(f"*-supplement-1-{edition}.pdf")))
        labels = supplement.reader.page_labels
        assert labels.index("S1") % 2 == 0  # S1 is the front of a sheet
        assert supplement.page_count % 2 == 0
        for mark in marks:
            assert int(labels[supplement.pages_with(mark)[0]][1:]) % 2 == 1, (edition, mark)
    pack = read_edition(next(out.glob("licensing-committee-2026-05-13-members.pdf")))
    assert pack.reader.page_labels.index("1") % 2 == 0 and pack.page_count % 2 == 0


def test_publish_carries_the_supplement_and_nothing_private(with_late_papers):
    members = sorted(path.name for path in (with_late_papers / "site/members").iterdir())
    assert members == ["licensing-committee-2026-05-13-members.pdf",
                       "licensing-committee-2026-05-13-supplement-1-members.pdf"]
    public = with_late_papers / "site/public"
    taxi = read_edition(next(public.glob("*-item-04-taxi-licensing-fees.pdf")))
    assert taxi.reader.page_labels[0] == "S1" and taxi.pages_with("START-taxifees")
    assert (public / "licensing-committee-2026-05-13-supplement-1-public.pdf").exists()
    index = (public / "index.html").read_text()
    assert "item-04-taxi-licensing-fees.pdf" in index and "supplementary agenda 1" in index
    assert not re.search(r'href="[^"]*hearing', index)
    for path in public.iterdir():
        data = all_strings(path) if path.suffix == ".pdf" else path.read_bytes()
        assert b"SECRET-HEARING-TOKEN" not in data and b"START-hearing" not in data, path.name


@pytest.mark.parametrize("accent, shown", [("#0B5345", "#0b5345"), ("#ffcc00", "#004b6e")],
                         ids=["dark enough", "too light for links"])
def test_index_html_takes_the_house_colours_if_links_stay_readable(tmp_path, capsys, accent, shown):
    from assembler.cli import main

    spec = SPEC.split("agenda:")[0] + "house:\n  stylesheet: house.css\nagenda:\n  - title: Fees and charges\n" \
        "    paper: papers/fees.md\n"
    write_files(tmp_path, {"pack.yaml": spec, "papers/fees.md": "Fees.\n",
                           "house.css": f"/* house */\n:root {{ --accent: {accent}; --rule: #8FBCAE; }}\n"
                                        "h1 { color: red; }\n"})
    assert main(["publish", str(tmp_path / "pack.yaml"), "-o", str(tmp_path / "site")]) == 0
    page = (tmp_path / "site/public/index.html").read_text()
    assert re.search(rf":root {{ --accent: {shown}; --rule: #8fbcae; }}", page), page[:600]
    assert "color: var(--accent)" in page and "red" not in page
    warning = capsys.readouterr().err
    assert ("house.css: --accent #ffcc00 is too light for links" in warning) == (accent == "#ffcc00"), warning


def _members_edition_as_item(pack, entry, slots):
    """A broken publisher: every item's PDF is the whole members' edition."""
    return next(data for name, data in pack.files().items() if name.endswith("-members.pdf"))


def test_publish_checks_every_public_file_and_writes_nothing_if_one_leaks(published, tmp_path, capsys, monkeypatch):
    import assembler.publish
    from assembler.cli import main

    monkeypatch.setattr(assembler.publish, "_item_pdf", _members_edition_as_item)
    code = main(["publish", str(published / "pack.yaml"), "-o", str(tmp_path / "site")])
    error = capsys.readouterr().err
    assert code == 1
    assert "-item-02-street-trading-policy.pdf would contain private content" in error and "premises.md" in error
    assert not (tmp_path / "site").exists()


def test_a_private_paper_citing_the_meeting_and_a_public_item_still_publishes(tmp_path):
    """The public files carry the meeting's date and body and each item PDF's title in
    their metadata; a private paper that names them is no leak."""
    from assembler.cli import main

    spec = SPEC.split("agenda:")[0] + (
        "agenda:\n  - title: Street trading policy\n    paper: papers/street.md\n"
        "  - title: Review of a premises licence\n    paper: papers/premises.md\n"
        "    private: true\n    exempt_reason: Paragraph 7 of Schedule 12A\n")
    write_files(tmp_path, {"pack.yaml": spec, "papers/street.md": "The policy.\n",
                           "papers/premises.md": "Report to the meeting of the Licensing Committee on Wednesday "
                                                 "13 May 2026. Background paper: 1. Street trading policy: Licensing "
                                                 "Committee, 13 May 2026.\n"})
    assert main([str(tmp_path / "pack.yaml"), "-o", str(tmp_path / "pack"), "-q"]) == 0
    assert main(["publish", str(tmp_path / "pack.yaml"), "-o", str(tmp_path / "site")]) == 0


class _Links(html.parser.HTMLParser):
    """index.html in, ``links`` out: (href, the link's text with its spaces collapsed) for every <a>."""

    def __init__(self):
        super().__init__()
        self.links, self._open = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open = [dict(attrs).get("href"), ""]

    def handle_data(self, data):
        if self._open:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            self.links.append((self._open[0], " ".join(self._open[1].split())))
            self._open = None


def test_index_html_links_read_as_titles_never_file_names(published):
    links = _Links()
    links.feed((published / "site/public/index.html").read_text())
    facts = json.loads((published / "site/public/meeting.json").read_text())
    by_file = dict(links.links)
    for item in facts["items"]:
        if item["file"]:
            assert by_file[item["file"]] == item["title"]
    assert by_file[facts["files"][0]["name"]] == "The whole agenda pack"
    assert not [text for _, text in links.links if text.endswith((".pdf", ".json", ".html"))]


@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium is not installed (Debian: chromium)")
@pytest.mark.parametrize("width", [320, 1200])
def test_index_html_layout_holds_from_320_to_1200_pixels(published, tmp_path, width):
    """Nothing wider than the window; each item's metadata and appendices start where its title starts,
    right of its number."""
    from tests.test_serve import Chromium

    browser = Chromium(tmp_path / "profile")
    try:
        browser.open((published / "site/public/index.html").as_uri())
        browser.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False)
        browser.until("document.readyState === 'complete' && document.querySelector('ol.items') !== null")
        assert browser.value("document.documentElement.scrollWidth") <= width
        assert browser.value(f"[...document.querySelectorAll('body *')].every(e => e.getBoundingClientRect().right <= {width} + 0.5)")
        lefts = browser.value("""[...document.querySelectorAll('ol.items > li')].map(li => {
            const range = document.createRange();
            range.selectNodeContents(li.querySelector('.number'));
            const number = range.getBoundingClientRect();  // the number's own text, not its column
            const title = li.querySelector('.entry > a, .entry > .title').getBoundingClientRect();
            const rest = [...li.querySelectorAll('.entry > .meta, .entry > .exempt, .appendices')].map(e => e.getBoundingClientRect().left);
            const bullets = [...li.querySelectorAll('.appendices > li')].map(e => e.getBoundingClientRect().left);
            return {number: number.right, title: title.left, rest: rest, bullets: bullets};
        })""")
    finally:
        browser.close()
    assert len(lefts) == 4
    for item in lefts:
        assert item["title"] > item["number"]
        assert all(abs(left - item["title"]) < 1 for left in item["rest"])
        assert all(left > item["title"] for left in item["bullets"])
    assert len({round(item["title"]) for item in lefts}) == 1
