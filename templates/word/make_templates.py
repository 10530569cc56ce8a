"""Write the house Word templates (docxtpl) that `assemble scaffold` and `assemble minutes` fill in.

The .docx files beside this script are its output and are committed; run it
again after changing it:  .venv/bin/python templates/word/make_templates.py

report.docx receives: body, date (``15 October 2025``), number, title,
implications (the heading for the devolved-nation paragraph).
note.docx receives: body, date (``Tuesday 24 January 2017``), venue,
items [{number, title}], attendance [{role, name, authority}].
"""

import datetime
import zipfile
from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
WRITTEN = datetime.datetime(2025, 1, 1)


def bold(document, text):
    document.add_paragraph().add_run(text).bold = True


def report():
    document = docx.Document()
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    header = document.sections[0].header.paragraphs[0]
    header.text = "{{ body }}\t\t{{ date }}"
    document.add_heading("{{ title }}", 1)
    bold(document, "Purpose")
    document.add_paragraph("[For decision / for discussion / for information.]")
    bold(document, "Summary")
    document.add_paragraph("[Summarise the report in a few sentences.]")
    bold(document, "Recommendations")
    document.add_paragraph("That the {{ body }}:")
    document.add_paragraph("[Notes / agrees / approves …]", style="List Number 2")  # its own list: the body counts from 1
    # two, under the plural heading: the pack prints "Recommendation" over one, and the
    # completeness check would find the draft's "Recommendations" missing
    document.add_paragraph("[A further recommendation, or delete this line.]", style="List Number 2")
    bold(document, "Action")
    document.add_paragraph("[Who will do what as a result.]")
    table = document.add_table(rows=4, cols=2)
    for row, label in enumerate(["Contact officer:", "Position:", "Phone no:", "Email:"]):
        table.cell(row, 0).paragraphs[0].add_run(label).bold = True
        table.cell(row, 1).text = "[…]"
    for heading, text in [("Background", "[Why this report is before the {{ body }} (agenda item {{ number }}, {{ date }}).]"),
                          ("{{ implications }}", "[Any implications, or: There are no specific implications.]"),
                          ("Financial implications", "[Costs, funding, or: There are no additional financial implications.]"),
                          ("Next steps", "[What happens after the meeting.]")]:
        document.add_heading(heading, 2)
        document.add_paragraph(text, style="List Number")
    return document


def note():
    document = docx.Document()
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading("Note of last {{ body }} meeting", 1)
    table = document.add_table(rows=3, cols=2)
    for row, (label, value) in enumerate([("Title:", "{{ body }}"), ("Date:", "{{ date }}"), ("Venue:", "{{ venue }}")]):
        table.cell(row, 0).paragraphs[0].add_run(label).bold = True
        table.cell(row, 1).text = value
    document.add_heading("Attendance", 2)
    document.add_paragraph("An attendance list is attached as Appendix A to this note.")
    document.add_paragraph("{%p for item in items %}")
    document.add_heading("{{ item.number }} {{ item.title }}", 2)
    document.add_paragraph("[Who introduced the item, and what was said.]")
    bold(document, "Decisions")
    document.add_paragraph("[The decisions of the {{ body }}.]")
    bold(document, "Actions")
    document.add_paragraph("[Who will do what.]")
    document.add_paragraph("{%p endfor %}")
    document.add_heading("Appendix A - Attendance", 2)
    table = document.add_table(rows=4, cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for column, label in enumerate(["Position/Role", "Councillor", "Authority"]):
        table.cell(0, column).paragraphs[0].add_run(label).bold = True
    table.cell(1, 0).text = "{%tr for person in attendance %}"
    table.cell(2, 0).text = "{{ person.role }}"
    table.cell(2, 1).text = "{{ person.name }}"
    table.cell(2, 2).text = "{{ person.authority }}"
    table.cell(3, 0).text = "{%tr endfor %}"
    return document


def save(document, name):
    document.core_properties.created = document.core_properties.modified = WRITTEN
    path = HERE / name
    document.save(path)
    with zipfile.ZipFile(path) as package:  # fixed dates: same script, same bytes
        entries = [(info.filename, package.read(info)) for info in package.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for entry, data in entries:
            package.writestr(zipfile.ZipInfo(entry, date_time=WRITTEN.timetuple()[:6]), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    print("wrote", path.relative_to(HERE.parent.parent))


if __name__ == "__main__":
    save(report(), "report.docx")
    save(note(), "note.docx")
