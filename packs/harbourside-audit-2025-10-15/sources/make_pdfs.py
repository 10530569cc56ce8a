"""Make this example's finished-PDF appendices (run from the pack folder).

They are tagged PDFs (PDF/UA: headings, table header cells, the language
and a title), as an accessible appendix should be, so the pack builds
without warnings.  The files are committed; this script shows where they
came from and lets anyone regenerate them:  ../../.venv/bin/python sources/make_pdfs.py
"""

from pathlib import Path

from weasyprint import HTML

HERE = Path(__file__).resolve().parent.parent
STYLE = """
@page { size: A4 landscape; margin: 14mm 16mm; }
body { font-family: "Liberation Sans", sans-serif; font-size: 9.5pt; color: #222; }
h1 { font-size: 16pt; color: #0b5345; margin: 0 0 4mm; }
p.sub { color: #555; margin: 0 0 5mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5pt solid #8aa; padding: 2.2mm 2mm; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #0b5345; color: white; }
tr.total td { font-weight: bold; border-top: 1.5pt solid #0b5345; }
td.red { background: #f5c6c6; } td.amber { background: #fbe3b5; } td.green { background: #cde8d4; }
"""

SERVICES = [
    ("Adult social care", 41.20, 43.85, 44.10), ("Children's services", 28.40, 30.95, 31.60),
    ("Waste and recycling", 9.75, 9.60, 9.45), ("Highways and transport", 7.30, 7.55, 7.80),
    ("Housing and homelessness", 5.10, 6.45, 6.90), ("Planning and building control", 3.05, 2.90, 2.85),
    ("Leisure and culture", 4.60, 4.40, 4.35), ("Corporate services", 12.80, 12.35, 12.10),
]


def budget_monitor():
    rows = []
    totals = [0.0, 0.0, 0.0]
    for name, budget, forecast, outturn in SERVICES:
        variance = forecast - budget
        rag = "red" if variance > 1 else "amber" if variance > 0 else "green"
        rows.append(
            f"<tr><td>{name}</td><td>{budget:.2f}</td><td>{forecast:.2f}</td><td>{outturn:.2f}</td>"
            f"<td class='{rag}'>{variance:+.2f}</td><td>{variance / budget:+.1%}</td></tr>"
        )
        totals = [totals[0] + budget, totals[1] + forecast, totals[2] + outturn]
    variance = totals[1] - totals[0]
    rows.append(
        f"<tr class='total'><td>Total</td><td>{totals[0]:.2f}</td><td>{totals[1]:.2f}</td>"
        f"<td>{totals[2]:.2f}</td><td>{variance:+.2f}</td><td>{variance / totals[0]:+.1%}</td></tr>"
    )
    return f"""<h1>Revenue budget monitoring: quarter 2, 2025/26</h1>
<p class="sub">All figures in £ million. Forecast at 30 September 2025. Red: overspend above £1m; amber: any overspend; green: on or under budget.</p>
<table><thead><tr><th>Service</th><th>Budget</th><th>Forecast outturn</th><th>Last year's outturn</th><th>Variance</th><th>Variance %</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<p style="margin-top:6mm">Appendix B to the Treasury and Budget Monitoring report. Prepared by Finance, Harbourside District Council.</p>"""


def risk_register():
    risks = [
        ("CR1", "Demand for adult social care exceeds the budget", "Director of Adult Services", 4, 4, "Red"),
        ("CR2", "Temporary accommodation costs keep rising", "Head of Housing", 4, 3, "Red"),
        ("CR3", "Cyber attack disrupts council services", "Head of Digital", 3, 4, "Amber"),
        ("CR4", "Harbour wall repairs overrun", "Director of Place", 2, 4, "Amber"),
        ("CR5", "Recruitment to planning posts fails", "Head of Planning", 3, 2, "Amber"),
        ("CR6", "Late audit opinion on 2024/25 accounts", "Chief Finance Officer", 2, 3, "Green"),
    ]
    rows = "".join(
        f"<tr><td>{ref}</td><td style='text-align:left'>{what}</td><td style='text-align:left'>{owner}</td>"
        f"<td>{likely}</td><td>{impact}</td><td>{likely * impact}</td><td class='{rag.lower()}'>{rag}</td></tr>"
        for ref, what, owner, likely, impact, rag in risks
    )
    return f"""<h1>Corporate risk register: October 2025</h1>
<p class="sub">Likelihood and impact are scored 1 (low) to 4 (high); the score is their product.</p>
<table><thead><tr><th>Ref</th><th style='text-align:left'>Risk</th><th style='text-align:left'>Owner</th><th>Likelihood</th><th>Impact</th><th>Score</th><th>Rating</th></tr></thead>
<tbody>{rows}</tbody></table>"""


for name, title, body in [
    ("04b-budget-monitor.pdf", "Revenue budget monitoring: quarter 2, 2025/26", budget_monitor()),
    ("05a-risk-register.pdf", "Corporate risk register: October 2025", risk_register()),
]:
    html = (f"<html lang='en-GB'><head><title>{title}</title><meta name='author' content='Harbourside District Council'>"
            f"<style>{STYLE}</style></head><body>{body}</body></html>")
    HTML(string=html).write_pdf(HERE / "papers" / name, pdf_variant="pdf/ua-1")
    print("wrote", name)
