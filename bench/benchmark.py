"""How fast is `assemble` on long packs?  Run by hand, never by the tests:

    .venv/bin/python bench/benchmark.py            # packs of about 50, 150 and 300 numbered pages
    .venv/bin/python bench/benchmark.py 300        # one size

For each size it generates a synthetic pack (Markdown and Word reports, PDF
appendices, a private item), then measures in one run on this machine:

* cold: `assemble` from a clean state (no cache), both editions;
* reference: the same papers' HTML rendered by one plain tagged WeasyPrint
  pass (one document, pdf/ua-1), as the bar to beat;
* rebuild: `assemble` again after one paper in the middle changed (the
  median of three changes, each checked to be in the new members' edition);
* serve: with `assemble serve` running (warm), the time from saving a changed
  paper in the middle to the new members' edition being on the page (its
  update event heard, the page fetched again and the images of the pages
  that changed), and to both editions on
  disk (the median of three changes, each checked in the served edition);
* peak RSS of the whole process tree (the command and its workers together,
  sampled every 10 ms during a cold build of its own, so that the sampling
  does not slow the timed builds).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PARAGRAPH = ("The committee considered the report of the Director in detail, asked questions about the costs and "
             "the timetable, and agreed that officers should return with a fuller options appraisal. ") * 3


def make_pack(folder, pages):
    """A pack of roughly ``pages`` numbered pages."""
    import docx
    from weasyprint import HTML

    papers = max(2, round(pages / 3.2))  # a report comes to about 3 pages, an appendix to 2
    (folder / "papers").mkdir(parents=True)
    agenda = []
    for number in range(1, papers + 1):
        name = f"papers/report-{number:03d}"
        body = "\n\n".join(f"{n}. {PARAGRAPH}" for n in range(1, 9))
        if number % 2:
            (folder / f"{name}.md").write_text(
                f"---\npurpose: For decision.\nsummary: Report {number} of the benchmark.\n"
                f"recommendations: [Agree the proposals]\naction: Officers to act.\n---\n## Background\n\n{body}\n")
            paper = f"{name}.md"
        else:
            document = docx.Document()
            document.add_heading("Background", 2)
            for n in range(8):
                document.add_paragraph(PARAGRAPH, style="List Number")
            document.save(folder / f"{name}.docx")
            paper = f"{name}.docx"
        item = {"title": f"Report number {number}", "paper": paper}
        if number % 3 == 0:
            appendix = folder / f"{name}-appendix.pdf"
            HTML(string="".join(f"<section style='break-after:page'><h1>Appendix page {p}</h1><p>{PARAGRAPH}</p></section>"
                                for p in range(2))).write_pdf(appendix)
            item["appendices"] = [{"title": "Appendix A - Supporting data", "file": f"papers/{appendix.name}"}]
        if number == papers:
            item.update(private=True, exempt_reason="Paragraph 3 of Schedule 12A")
        agenda.append(item)
    spec = {"meeting": {"body": "Benchmark Council", "date": "2026-01-14", "time": "18:00",
                        "venue": "Town Hall, High Street, Benchton"}, "agenda": agenda}
    (folder / "pack.yaml").write_text(json.dumps(spec, indent=1))  # JSON is YAML
    return folder / "pack.yaml"


def run(command, sample_memory=False):
    """Run ``command``: its seconds, and with ``sample_memory`` the peak RSS (MB) of its process tree."""
    with tempfile.TemporaryFile("w+") as errors:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, text=True)
        peak = 0
        while sample_memory and process.poll() is None:
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.01)
        process.wait()
        seconds = time.monotonic() - started
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{command} failed:\n{errors.read()}")
    return seconds, peak / 1024


def tree_rss(root):
    """The resident memory (kB) of ``root`` and all its descendants, now."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rpartition(")")[2].split()[1])
            except OSError:
                continue
    tree, total, found = {root}, 0, {root}
    while found:  # children, then their children, …
        found = {pid for pid, parent in parents.items() if parent in found} - tree
        tree |= found
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status") as status:
                total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
        except OSError:
            continue
    return total


def reference_seconds(spec_path):
    """One plain tagged WeasyPrint pass over the same papers, in its own process."""
    code = f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from weasyprint import CSS, HTML
from assembler.readers import read_paper
from assembler.spec import load_spec
from assembler.render.templates import TEMPLATES
from assembler.model import Report
spec = load_spec({str(spec_path)!r})
parts = []
for item in spec.agenda:
    paper = read_paper(item.paper)
    parts.append("<section style='break-before:page'><h1>" + item.title + "</h1>" + paper.body_html + "</section>")
started = time.monotonic()
html = HTML(string="<html lang=en-GB><title>Reference</title>" + "".join(parts), base_url=str(Path({str(spec_path)!r}).parent))
document = html.render(stylesheets=[CSS(filename=str(TEMPLATES / 'pack.css'))], pdf_variant='pdf/ua-1')
document.write_pdf(pdf_variant='pdf/ua-1')
print(time.monotonic() - started, len(document.pages))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, pages = result.stdout.split()
    return float(seconds), int(pages)


def bench(pages):
    from pypdf import PdfReader
    from pypdfium2 import PdfDocument

    folder = Path(tempfile.mkdtemp(prefix=f"bench-{pages}-"))
    try:
        spec = make_pack(folder / "pack", pages)
        command = [str(ROOT / ".venv/bin/assemble"), str(spec), "-o", str(folder / "out"), "-q"]
        cold, _ = run(command + ["--no-cache"])
        run(command)  # fills the cache, as the first build of the day would
        built = next((folder / "out").glob("*-members.pdf"))
        numbered = sum(1 for label in PdfReader(built).page_labels if label.isdigit())
        reports = sorted((folder / "pack/papers").glob("report-*.md"))
        middle = reports[len(reports) // 2]
        rebuilds = []
        for change in range(3):
            late = f"Late change number {change} to this paper."
            middle.write_text(middle.read_text().replace("## Background", f"## Background\n\n{late}", 1))
            rebuilds.append(run(command)[0])
            text = " ".join(page.get_textpage().get_text_range() for page in PdfDocument(built))
            if late not in text:
                raise SystemExit(f"the rebuilt pack does not carry the change to {middle.name}")
        rebuild = sorted(rebuilds)[1]
        shown, written = serve_seconds(spec, folder / "out", middle)
        reference, reference_pages = reference_seconds(spec)
        _, peak = run(command + ["--no-cache"], sample_memory=True)
        return {"pages": numbered, "cold_s": cold, "cold_s_per_page": cold / numbered,
                "reference_s": reference, "reference_pages": reference_pages,
                "ratio_per_page": (cold / numbered) / (reference / reference_pages),
                "rebuild_s": rebuild, "rebuild_ratio": rebuild / cold, "peak_rss_mb": peak,
                "serve_shown_s": shown, "serve_written_s": written}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def serve_seconds(spec, out, paper):
    """With `assemble serve` running: (seconds to the members' edition on the page, seconds
    to both editions on disk) after a change to ``paper``, the median of three changes."""
    import json
    import re
    import urllib.request

    from pypdfium2 import PdfDocument

    process = subprocess.Popen([str(ROOT / ".venv/bin/assemble"), "serve", str(spec), "-o", str(out), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = re.search(r"http://[\d.]+:\d+/", process.stdout.readline())[0]
        events = urllib.request.urlopen(url + "events", timeout=300)

        def until(stage, after):
            for line in events:
                if line.startswith(b"data: "):
                    event = json.loads(line[6:])
                    if event["build"] > after and event["stage"] == stage:
                        return event["build"]

        build = until("ready", 0)
        seen = set(re.findall(r'src="/(page/members/[^"]+)"', urllib.request.urlopen(url).read().decode()))
        shown, written = [], []
        for change in range(3):
            late = f"Served change number {change} to this paper."
            started = time.monotonic()
            paper.write_text(paper.read_text().replace("## Background", f"## Background\n\n{late}", 1))
            until("members", build)
            images = set(re.findall(r'src="/(page/members/[^"]+)"', urllib.request.urlopen(url).read().decode()))
            for image in sorted(images - seen):  # the pages that changed, drawn as a browser asks for them
                urllib.request.urlopen(url + image.replace("&amp;", "&")).read()
            seen = images
            shown.append(time.monotonic() - started)
            build = until("ready", build)
            written.append(time.monotonic() - started)
            served = urllib.request.urlopen(url + "members.pdf").read()
            if late not in " ".join(page.get_textpage().get_text_range() for page in PdfDocument(served)):
                raise SystemExit(f"the served pack does not carry the change to {paper.name}")
        return sorted(shown)[1], sorted(written)[1]
    finally:
        process.terminate()
        process.wait()


def _help():
    return subprocess.run([str(ROOT / ".venv/bin/assemble"), "--help"], capture_output=True, text=True).stdout


if __name__ == "__main__":
    sizes = [int(arg) for arg in sys.argv[1:]] or [50, 150, 300]
    import platform

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    results = [bench(size) for size in sizes]
    print(f"{'pages':>6} {'cold s':>8} {'s/page':>8} {'ref s':>7} {'ratio':>6} {'rebuild s':>10} {'rebuild/cold':>12} {'peak RSS MB':>12}")
    for r in results:
        print(f"{r['pages']:>6} {r['cold_s']:>8.1f} {r['cold_s_per_page']:>8.3f} {r['reference_s']:>7.1f} "
              f"{r['ratio_per_page']:>6.2f} {r['rebuild_s']:>10.2f} {r['rebuild_ratio']:>12.2f} {r['peak_rss_mb']:>12.0f}")
    print(f"{'pages':>6} {'serve: shown s':>15} {'shown/cold':>11} {'written s':>10} {'written/cold':>13}")
    for r in results:
        print(f"{r['pages']:>6} {r['serve_shown_s']:>15.2f} {r['serve_shown_s'] / r['cold_s']:>11.3f} "
              f"{r['serve_written_s']:>10.2f} {r['serve_written_s'] / r['cold_s']:>13.3f}")
    if len(results) > 1:
        print(f"time per page at {results[-1]['pages']} pages / at {results[0]['pages']} pages: "
              f"{results[-1]['cold_s_per_page'] / results[0]['cold_s_per_page']:.2f}")
