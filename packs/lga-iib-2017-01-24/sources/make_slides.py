"""Make item 8's appendix: the slide deck "Sector-Led Improvement for Care and Health".

The slides follow the text of the real deck as it appears in the seed pack
(Improvement and Innovation Board, 24 January 2017, pages 37 - 50). The seed
keeps no drawings, so the four diagram slides are redrawn here from the words
of the slides that go with them.

Every slide keeps a white strip along its foot, where the assembler prints the
pack's page number. The PDF is tagged (PDF/UA: each slide's heading, lists,
the language and a title), as an accessible appendix should be, so the pack
builds without warnings. The PDF is committed; this script shows where it
came from. Run it from the pack folder:  ../../.venv/bin/python sources/make_slides.py
"""

from html import escape
from pathlib import Path

from weasyprint import HTML

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "papers" / "08a-chip-slides.pdf"
FONTS = "../../../assets/fonts"  # relative to this folder (the HTML's base URL)

FOOTER = "SLI for Care and Health 17-18 to 19-20 StoryBoard v6.0 to IIB 24 January 2017"

STYLE = f"""
@font-face {{ font-family: "Slide Sans"; src: url({FONTS}/LiberationSans-Regular.ttf); }}
@font-face {{ font-family: "Slide Sans"; font-weight: bold; src: url({FONTS}/LiberationSans-Bold.ttf); }}
@font-face {{ font-family: "Slide Sans"; font-style: italic; src: url({FONTS}/LiberationSans-Italic.ttf); }}
@font-face {{ font-family: "Slide Sans"; font-weight: bold; font-style: italic; src: url({FONTS}/LiberationSans-BoldItalic.ttf); }}

@page {{ size: 297mm 210mm; margin: 0; }}
html {{ font-family: "Slide Sans", "Liberation Sans", sans-serif; color: #1d2b36; }}
body {{ margin: 0; }}

.slide {{ position: relative; width: 297mm; height: 210mm; overflow: hidden; break-after: page; background: #ffffff; }}
.slide:last-child {{ break-after: auto; }}
.bar {{ position: absolute; left: 0; top: 0; width: 297mm; height: 30mm; background: #003a5d; }}
.bar::after {{ content: ""; position: absolute; left: 0; bottom: -2mm; width: 297mm; height: 2mm; background: #5fb4d2; }}
.bar h1 {{ position: absolute; left: 16mm; right: 16mm; bottom: 6mm; margin: 0; color: #ffffff; font-size: 25pt; line-height: 1.1; }}
.content {{ position: absolute; left: 18mm; right: 18mm; top: 42mm; bottom: 22mm; font-size: 17pt; line-height: 1.3; }}
.content.dense {{ font-size: 15pt; }}
.content ul {{ margin: 0; padding-left: 8mm; list-style: none; }}
.content li {{ position: relative; margin: 0 0 3.2mm; }}
.content li::before {{ content: ""; position: absolute; left: -7mm; top: 0.45em; width: 2.6mm; height: 2.6mm; background: #5fb4d2; border-radius: 0.6mm; }}
.content li ul {{ margin-top: 2mm; padding-left: 9mm; }}
.content li li {{ font-size: 0.86em; margin-bottom: 1.6mm; color: #33434f; }}
.content li li::before {{ background: none; border: 0.4mm solid #003a5d; width: 1.8mm; height: 1.8mm; top: 0.5em; }}
.note {{ font-size: 12pt; color: #55636d; margin-top: 5mm; }}
.foot {{ position: absolute; left: 16mm; bottom: 9mm; width: 108mm; font-size: 7pt; color: #7b8891; }}
.num {{ position: absolute; right: 16mm; bottom: 9mm; font-size: 9pt; color: #7b8891; }}
.house {{ position: absolute; left: 16mm; top: 6.5mm; color: #9fd2e6; font-size: 9pt; font-weight: bold; letter-spacing: 0.6pt; text-transform: uppercase; }}

/* title slide */
.title-slide {{ background: #003a5d; color: #ffffff; }}
.title-slide .band {{ position: absolute; left: 0; top: 132mm; width: 297mm; height: 3mm; background: #5fb4d2; }}
.title-slide h1 {{ position: absolute; left: 22mm; right: 22mm; top: 48mm; margin: 0; font-size: 36pt; line-height: 1.1; }}
.title-slide .sub {{ position: absolute; left: 22mm; top: 90mm; margin: 0; font-size: 17pt; line-height: 1.4; }}
.title-slide .meet {{ position: absolute; left: 22mm; top: 145mm; margin: 0; font-size: 15pt; font-style: italic; }}
.title-slide .footband {{ position: absolute; left: 0; bottom: 0; width: 297mm; height: 18mm; background: #ffffff; }}

/* objective slide */
.objective {{ font-size: 21pt; line-height: 1.4; }}
.objective p {{ margin: 0 0 6mm; }}
.objective ul {{ margin: 0 0 6mm 8mm; }}
.objective li {{ margin-bottom: 4mm; font-weight: bold; color: #003a5d; }}

/* diagrams */
.diagram {{ position: absolute; left: 0; top: 34mm; width: 297mm; height: 152mm; }}
.diagram svg {{ position: absolute; left: 0; top: 0; }}
.node {{ position: absolute; display: flex; align-items: center; justify-content: center; text-align: center;
         box-sizing: border-box; padding: 2mm 3mm; border-radius: 3mm; font-size: 12.5pt; line-height: 1.2;
         background: #e3f1f7; border: 0.5mm solid #5fb4d2; color: #13324a; }}
.hub {{ border-radius: 50%; background: #003a5d; border: none; color: #ffffff; font-weight: bold; font-size: 15pt; padding: 6mm; }}
.tier {{ position: absolute; left: 30mm; width: 200mm; box-sizing: border-box; padding: 3mm 6mm; border-radius: 3mm; font-size: 13pt; line-height: 1.3; }}
.tier b {{ display: block; font-size: 15pt; margin-bottom: 1mm; }}
.tier.national {{ background: #003a5d; color: #ffffff; }}
.tier.regional {{ background: #2f7ca3; color: #ffffff; }}
.tier.local {{ background: #e3f1f7; color: #13324a; border: 0.5mm solid #5fb4d2; }}
.flow {{ position: absolute; left: 240mm; width: 40mm; font-size: 11.5pt; color: #33434f; text-align: center; line-height: 1.25; }}
.statement {{ position: absolute; left: 40mm; right: 40mm; top: 60mm; padding: 12mm 14mm; border-left: 3mm solid #5fb4d2;
              background: #e3f1f7; font-size: 24pt; line-height: 1.3; color: #003a5d; }}
.statement .kicker {{ display: block; font-size: 13pt; font-weight: bold; letter-spacing: 1pt; text-transform: uppercase; color: #2f7ca3; margin-bottom: 4mm; }}
"""


def bullets(items):
    """Nested bullets: a string, or (string, [sub-items])."""
    out = []
    for item in items:
        if isinstance(item, tuple):
            text, subs = item
            out.append(f"<li>{text}{bullets(subs)}</li>")
        else:
            out.append(f"<li>{item}</li>")
    return "<ul>" + "".join(out) + "</ul>"


def hub_and_spokes(hub, spokes, hub_size=(70, 46), node_size=(64, 21)):
    """A central hub with boxes around it on an ellipse (all sizes in mm)."""
    import math

    width, height = 297, 152
    cx, cy = width / 2, height / 2 + 2
    rx, ry = 100, 56
    hw, hh = hub_size
    nw, nh = node_size
    lines, nodes = [], []
    count = len(spokes)
    for index, text in enumerate(spokes):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        x, y = cx + rx * math.cos(angle), cy + ry * math.sin(angle)
        lines.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#9cc9db" stroke-width="0.8"/>')
        nodes.append(
            f'<div class="node" style="left:{x - nw / 2:.1f}mm; top:{y - nh / 2:.1f}mm; width:{nw}mm; height:{nh}mm">{text}</div>'
        )
    svg = (
        f'<svg width="{width}mm" height="{height}mm" viewBox="0 0 {width} {height}">'
        + "".join(lines)
        + "</svg>"
    )
    hub_div = (
        f'<div class="node hub" style="left:{cx - hw / 2:.1f}mm; top:{cy - hh / 2:.1f}mm; width:{hw}mm; height:{hh}mm">{hub}</div>'
    )
    return f'<div class="diagram">{svg}{hub_div}{"".join(nodes)}</div>'


def tiers():
    """The facilitated approach: national, regional and local working together."""
    rows = [
        ("national", 8, "National: LGA with ADASS",
         "Programme leadership, tools and self-assessments, good practice, insight and research; bringing sector experience to influence policy"),
        ("regional", 52, "Regional: networks and Care and Health Improvement Advisers",
         "Regional networks develop and deliver a sector-led approach in line with CHIP objectives; local and regional accounts"),
        ("local", 96, "Local: councils and their care and health partners",
         "Facilitated self-assessment, peer support and bespoke support to address resilience and support integration"),
    ]
    boxes = "".join(
        f'<div class="tier {kind}" style="top:{top}mm"><b>{escape(head)}</b>{escape(text)}</div>'
        for kind, top, head, text in rows
    )
    arrows = (
        '<svg width="297mm" height="152mm" viewBox="0 0 297 152">'
        '<defs><marker id="a" markerWidth="6" markerHeight="6" refX="3" refY="3" orient="auto">'
        '<path d="M0,0 L6,3 L0,6 Z" fill="#2f7ca3"/></marker></defs>'
        '<line x1="252" y1="14" x2="252" y2="128" stroke="#2f7ca3" stroke-width="1.2" marker-end="url(#a)"/>'
        '<line x1="268" y1="128" x2="268" y2="14" stroke="#2f7ca3" stroke-width="1.2" marker-end="url(#a)"/>'
        "</svg>"
    )
    flow = (
        '<div class="flow" style="top:136mm">support and challenge flow down; '
        "intelligence and insight flow up</div>"
    )
    return f'<div class="diagram">{arrows}{boxes}{flow}</div>'


def slide(number, title, body, dense=False, raw=False):
    content = body if raw else f'<div class="content{" dense" if dense else ""}">{body}</div>'
    return (
        f'<section class="slide"><div class="bar"><h1>{escape(title)}</h1>'
        f'<div class="house">Local Government Association</div></div>{content}'
        f'<div class="foot">{escape(FOOTER)}</div><div class="num">{number}</div></section>'
    )


def title_slide():
    return (
        '<section class="slide title-slide">'
        "<h1>Sector-Led Improvement for Care and Health</h1>"
        '<p class="sub">Local Government Association<br>Story Board for 2017/18 – 2019/20 Programme</p>'
        '<div class="band"></div>'
        '<p class="meet">Improvement and Innovation Board – 24 January 2017</p>'
        '<div class="footband"></div>'
        f'<div class="foot">{escape(FOOTER)}</div><div class="num">1</div></section>'
    )


def slides():
    yield title_slide()
    yield slide(2, "Health and adult social care environment", bullets([
        "Ageing population with complex needs, 85+ up by 33%",
        "Increasing fragility and less resilience in all parts of the system",
        "Increasing financial pressures on social care (est. £1.3bn new costs and £1.3bn demographic) "
        "that are mirrored in the NHS (£2.5bn)",
        "Long-term issues (commissioning, markets, workforce etc.) persist and restrict ability to change "
        "or implement policy",
        "Desire for BCF to accelerate the local integration of care and health services by 2020 through "
        "a focus on devolution and local solutions",
        "Aside from a ‘<i>Carer’s Strategy</i>’ no new major policies on horizon",
    ]))
    yield slide(3, "Sector-led improvement for social care", bullets([
        "LGA and DH have been working in co-operation since 2012 on a range of social care improvement and "
        "health integration programmes. Including discrete programmes focused on Health and Wellbeing Boards, "
        "the response to Winterbourne View (now Transforming Care), implementing the Care Act and more "
        "recently integration and informatics",
        "In 2014/15 the programmes were brought together as the <i>Care and Health Improvement Programme "
        "(CHIP)</i> to strengthen the strategic oversight and ensure a coherence",
        "<i>CHIP</i> is the SLI programme for adult social care and health integration delivered with the "
        "Association of Directors of Adult Social Care delivered in the context of the LGA’s SLI approach",
        "It is funded by the Department of Health with contributions from NHS for some informatics and "
        "Transforming Care activity",
    ]), dense=True)
    yield slide(4, "The LGA’s approach", bullets([
        ("Active contact with all councils at member, corporate and service levels", [
            "Strong relationships with Councillors, Chief Executives, DASSs",
            "Increasingly close working and links with NHS Confed/CC on policy and practice",
        ]),
        ("Proven sector-led approaches built on a consensus across all councils", [
            "Effective at supporting service delivery, delivering change and crisis support",
            "Understanding of the politics of places and the drivers that encourage change",
            "Cost effective leveraging of peer-to-peer support at minimal costs",
        ]),
        ("Able to adapt to change in policy and priorities", [
            "E.g. Redirecting planned resources mid-year to support tackling delayed transfers",
            "Supporting BCF planning with a forward looking approach to integration",
        ]),
        "Bespoke support based on approaches that are known to work",
        "Collection and use of soft intelligence and insight",
    ]), dense=True)
    yield slide(5, "Programme objective", (
        '<div class="objective"><p>Using sector-led improvement to support systems leaders to develop:</p>'
        "<ul><li>resilience in adult social care (including safeguarding)</li>"
        "<li>effective care and health systems</li></ul><p>and</p>"
        "<ul><li>to fulfil our role in the Transforming Care Programme</li></ul></div>"
    ))
    yield slide(6, "Facilitated sector-led approach", tiers(), raw=True)
    yield slide(7, "Local and regional support and engagement", bullets([
        ("Care and Health Improvement Advisers <i>(Regional and Specialist)</i>", [
            "Engagement and delivery of the programme at a regional and local level",
            "Linked to LGA Principal Advisers to bring wider council perspective",
            "Increased days available and additional funding allocated for brokered support",
        ]),
        ("Regional networks", [
            "Develop and deliver a sector-led approach inline with CHIP objectives",
            "Local and regional accounts",
        ]),
        "Bespoke support to address resilience and support integration",
        "Good practice, insight and research",
        "Bring sector experiences to influence policy development",
    ]), dense=True)
    yield slide(8, "Resilience in adult social care", hub_and_spokes(
        "Resilience in adult social care",
        [
            "Risk awareness and financial risk",
            "Delayed transfers of care",
            "Commissioning for Better Outcomes and iCBO",
            "Efficiency and demand management",
            "Provider relationships and market shaping",
            "Digital maturity",
            "Adult safeguarding",
        ],
    ), raw=True)
    yield slide(9, "To support resilience in adult social care, we will:", bullets([
        "Deliver facilitated risk awareness self-assessments with a strengthened financial risk assessment "
        "linked to corporate financial risk management",
        "Support councils (outside of the ECIP) to improve delayed transfers of care attributable to social care",
        "Embed Commissioning for Better Outcomes and develop integrated commissioning (<i>iCBO</i>) with CCGs",
        "Promote efficiency and demand management approaches*",
        "With provider organisations promote good local relationships with providers and sound market shaping, "
        "including market position statements",
        "Support digital maturity in councils and with care providers*",
        "Support resilience in adult safeguarding",
    ]) + '<p class="note">* Funded or part-funded by others</p>', dense=True)
    yield slide(10, "Effective care and health systems", hub_and_spokes(
        "Effective care and health systems",
        [
            "Integration self-assessments and BCF graduation",
            "Better Care Support Team",
            "Systems leadership: devolution, STPs, Local Digital Roadmaps",
            "Financial models for integration and iCBO",
            "Sharing data to support integration",
            "Strategic Care and Health Peer Challenge",
        ],
    ), raw=True)
    yield slide(11, "To support effective care and health systems we will:", bullets([
        "Deliver facilitated integration self-assessments, support graduation from the Better Care Fund and "
        "transformation to integrate by 2020",
        "Fulfil our role in the Better Care Support Team",
        ("Assist systems leaders to build capacity, understanding and develop local approaches to effective "
         "care and health systems", [
             "Devolution, Sustainability and Transformation Plans, Local Digital Roadmaps and prevention at scale",
         ]),
        "Build understanding of the financial models for integration and approaches for commissioning of "
        "integrated services (iCBO)",
        "Make the person-centred case for sharing data to support integration",
        "Review the development of the Strategic Care and Health Peer Challenge",
    ]), dense=True)
    yield slide(12, "Transforming care", hub_and_spokes(
        "Supporting councils to deliver the Transforming Care Programme",
        [
            "Embedding sustainable changes in care",
            "Approaches to community provision",
            "Reinforce funding flows",
            "Empowering people and families",
        ],
        hub_size=(84, 52), node_size=(70, 22),
    ), raw=True)
    yield slide(13, "Transforming care: Service Model", (
        '<div class="statement"><span class="kicker">Service Model</span>'
        "Commissioners understand their local population now and in the future</div>"
    ), raw=True)
    yield slide(14, "To support transforming care we will:", bullets([
        "Fulfil LGA role in supporting councils to deliver the <i>Transforming Care Programme</i>",
        "Support the empowerment of people and families",
        "Generate partnership approaches to support the development of appropriate community provision and "
        "reduce the reliance on inpatient settings",
        "Reinforce the development of funding flows for people with learning disabilities",
    ]))


def main():
    html = (
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
        "<title>Sector-Led Improvement for Care and Health: Story Board for 2017/18 – 2019/20 Programme</title>"
        "<meta name='author' content='Local Government Association'>"
        f"<style>{STYLE}</style></head><body>{''.join(slides())}</body></html>"
    )
    HTML(string=html, base_url=str(HERE) + "/").write_pdf(OUT, pdf_variant="pdf/ua-1")
    print("wrote", OUT.relative_to(HERE.parent))


if __name__ == "__main__":
    main()
