"""`assemble serve`: the live preview, through the real command, over HTTP and in a real browser."""

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, long_markdown, write_files

SPEC = """\
meeting:
  body: Licensing Committee
  date: 2026-06-10
  time: "10:00"
  venue: Council Offices, Station Road, Ashby
agenda:
  - title: Street trading policy
    paper: papers/trading.md
  - title: Taxi fares review
    paper: papers/fares.md
  - title: Licence review - The Anchor
    paper: papers/anchor.md
    private: true
    exempt_reason: Paragraph 1 of Schedule 12A
"""
WAIT = 120  # seconds at most for a build to be seen: a bound on a hang, not a measure of speed


@pytest.fixture
def pack(tmp_path):
    return write_files(tmp_path / "pack", {
        "pack.yaml": SPEC, "papers/trading.md": long_markdown("trading", 3),
        "papers/fares.md": long_markdown("fares", 3), "papers/anchor.md": long_markdown("ANCHORSECRET", 2)})


class Serving:
    """``assemble serve`` running on a free port of 127.0.0.1."""

    def __init__(self, spec, *args, env=None):
        command = [sys.executable, "-m", "assembler", "serve", str(spec), "--port", "0", *args]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env={**os.environ, **(env or {})})
        self.first_line = self.process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", self.first_line)
        assert match, self.first_line + self.process.stderr.read()
        self.port = int(match[1])
        self.url = match[0]
        self.events = urllib.request.urlopen(self.url + "events", timeout=WAIT)

    def get(self, path, headers=None):
        """(status, body bytes) of a raw request: the path sent as it is."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        connection.putrequest("GET", path, skip_host=True)
        for name, value in {"Host": f"127.0.0.1:{self.port}", **(headers or {})}.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body

    def page(self, path="/"):
        status, body = self.get(path)
        assert status == 200
        return body.decode()

    def wait_for(self, stage, after=0):
        """The next update event of a build after ``after`` reaching ``stage``."""
        for line in self.events:
            if line.startswith(b"data: "):
                event = json.loads(line[6:])
                if event["build"] > after and event["stage"] == stage:
                    return event
        raise AssertionError("the update channel closed")

    def stop(self):
        self.events.close()
        self.process.terminate()  # as Ctrl-C: the server stops its workers
        try:
            self.process.wait(WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def serving():
    started = []

    def start(spec, *args, env=None):
        started.append(Serving(spec, *args, env=env))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def agenda_rows(html):
    """{title: printed range} of the page's agenda table."""
    rows = re.findall(r'<tr class="item[^"]*">\s*<th scope="row">\d+</th>\s*<td>([^<]+).*?</td>\s*<td>([^<]*)</td>',
                      html, re.S)
    return {title.strip(): pages for title, pages in rows}


def pdf_text(data):
    import pypdfium2

    return " ".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(data))


def test_the_page_follows_a_changed_paper_and_the_editions_on_disk_change_with_it(pack, serving):
    server = serving(pack / "pack.yaml")
    first = server.wait_for("ready")
    html = server.page()
    assert html.count("<h1>") == 1 and '<html lang="en-GB">' in html and "<main id=\"main\"" in html
    assert '<nav aria-label="Editions">' in html and 'href="#main"' in html and 'role="status"' in html
    assert "Licensing Committee: Wednesday 10 June 2026" in html and "Dispatch by" in html
    before = agenda_rows(html)
    assert before["Street trading policy"] == "1" and before["Taxi fares review"] == "2"
    members = next(pack.glob("*-members.pdf"))
    on_disk = members.read_bytes()
    status, served = server.get("/members.pdf")
    assert status == 200 and served == on_disk  # what is previewed is what is sent

    paper = pack / "papers/trading.md"
    for save in range(3):  # saved three times in quick succession: one rebuild
        paper.write_text(long_markdown("trading", 3) + "\n\n" + long_markdown(f"SAVE{save}", 8))
    server.wait_for("members", first["build"])  # the members' edition first
    second = server.wait_for("ready", first["build"])  # then both on disk
    after = agenda_rows(server.page())
    assert after["Street trading policy"] != before["Street trading policy"]
    assert after["Taxi fares review"] != before["Taxi fares review"]
    assert members.read_bytes() != on_disk and "END-SAVE2" in pdf_text(members.read_bytes())
    assert second["build"] == first["build"] + 1  # the last save's text, in the first rebuild

    public = server.page("/public")
    assert "ANCHORSECRET" not in public and "restricted" in public
    status, data = server.get("/public.pdf")
    assert status == 200 and "ANCHORSECRET" not in pdf_text(data) and "END-SAVE2" in pdf_text(data)
    assert "ANCHORSECRET" in pdf_text(server.get("/members.pdf")[1])
    status, image = server.get(re.search(r'src="(/page/public/\d+\.png\?v=\w+)"', public)[1])
    assert status == 200 and image.startswith(b"\x89PNG")


def test_a_bad_spec_is_shown_with_its_line_and_the_last_good_pack_stays(pack, serving):
    server = serving(pack / "pack.yaml")
    good = server.wait_for("ready")
    before = agenda_rows(server.page())
    spec = pack / "pack.yaml"
    spec.write_text(SPEC.replace("  venue:", "  venu:"))
    failed = server.wait_for("failed", good["build"])
    html = server.page()
    assert re.search(r"pack\.yaml:5: meeting\.venu: unknown key", html)
    assert agenda_rows(html) == before  # the last good pack
    assert 'src="/page/members/0.png' in html
    assert "ANCHORSECRET" not in server.page("/public")
    spec.write_text(SPEC.replace("agenda:", "loop: &loop [*loop]\nagenda:"))  # a spec that never ends
    looped = server.wait_for("failed", failed["build"])
    assert re.search(r"pack\.yaml:\d+: loop\[0\]: contains itself", server.page())
    spec.write_text(SPEC)
    server.wait_for("ready", looped["build"])
    html = server.page()
    assert "unknown key" not in html and "contains itself" not in html and agenda_rows(html) == before


def test_foreign_hosts_and_origins_get_nothing_and_no_file_is_served_by_path(pack, serving):
    server = serving(pack / "pack.yaml")
    server.wait_for("ready")
    assert server.get("/")[0] == 200
    assert server.get("/", {"Host": "attacker.example"}) == (403, b"")
    assert server.get("/members.pdf", {"Host": f"attacker.example:{server.port}"}) == (403, b"")
    assert server.get("/members.pdf", {"Origin": "http://attacker.example"}) == (403, b"")
    assert server.get("/", {"Origin": "null"}) == (403, b"")
    assert server.get("/", {"Origin": f"http://127.0.0.1:{server.port}"})[0] == 200
    for path in ("/../pack.yaml", "/pack.yaml", "/papers/anchor.md", "/%2e%2e/pack.yaml", "//etc/passwd",
                 "/page/members/../../pack.yaml", "/serve/page.html", "/live.js/../pack.yaml"):
        status, body = server.get(path)
        assert status == 404 and b"ANCHORSECRET" not in body and b"agenda" not in body, path


def test_it_listens_on_this_machine_only_unless_told(pack, serving):
    from assembler.render.jobs import Workers
    from assembler.serve import Server

    server = Server(pack / "pack.yaml", Workers(1), port=0)
    try:
        assert server.httpd.server_address[0] == "127.0.0.1"
    finally:
        server.stop()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for wrong, said in ((str(port), f"cannot listen on 127.0.0.1:{port}"), ("99999", "is not a port")):
            result = subprocess.run([sys.executable, "-m", "assembler", "serve", str(pack / "pack.yaml"), "--port",
                                     wrong], cwd=ROOT, capture_output=True, text=True, timeout=WAIT)
            assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr


def test_a_paper_that_renders_too_long_is_stopped_and_the_server_goes_on(pack, serving):
    filler = "\n\n".join(["A long paragraph of the report that takes its time to lay out on the page."] * 6000)
    (pack / "papers/fares.md").write_text(f"Paper.\n\n{filler}\n")
    server = serving(pack / "pack.yaml", env={"ASSEMBLE_PART_SECONDS": "5"})
    failed = server.wait_for("failed")
    assert "took more than 5 s to render and was stopped" in server.page()
    (pack / "papers/fares.md").write_text(long_markdown("fares", 3))
    server.wait_for("ready", failed["build"])
    assert "Taxi fares review" in agenda_rows(server.page())


def _high(fd):
    import fcntl

    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


class Chromium:
    """Debian's headless Chromium, driven over its DevTools pipe (fds 3 and 4)."""

    def __init__(self, profile):
        to_chromium, self._writer = os.pipe()
        self._reader, from_chromium = os.pipe()
        # above 9, so that giving them to Chromium as 3 and 4 cannot overwrite one with the other
        to_chromium, from_chromium = (_high(fd) for fd in (to_chromium, from_chromium))
        command = (f"exec chromium --headless --no-sandbox --disable-gpu --no-first-run --remote-debugging-pipe "
                   f"--user-data-dir={profile} 3<&{to_chromium} 4>&{from_chromium}")
        self.process = subprocess.Popen(["bash", "-c", command], pass_fds=(to_chromium, from_chromium),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chromium)
        os.close(from_chromium)
        self.buffer, self.ids, self.session = b"", 0, None

    def call(self, method, **params):
        self.ids += 1
        message = {"id": self.ids, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self._writer, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self._reader, 65536)
                assert chunk, "Chromium closed its pipe"
                self.buffer += chunk
            line, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(line)
            if reply.get("id") == self.ids:
                assert "error" not in reply, reply
                return reply["result"]

    def open(self, url):
        target = self.call("Target.createTarget", url=url)["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def value(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def until(self, expression):
        """Wait until ``expression`` is true in the page (a bound on a hang, not a timing)."""
        deadline = time.monotonic() + WAIT
        while not self.value(expression):
            assert time.monotonic() < deadline, f"never true in the page: {expression}"
            time.sleep(0.1)

    def close(self):
        self.process.kill()
        self.process.wait()
        os.close(self._writer)
        os.close(self._reader)


@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium is not installed (Debian: chromium)")
def test_in_a_browser_the_page_updates_itself_shows_errors_and_recovers(pack, serving, tmp_path):
    server = serving(pack / "pack.yaml")
    good = server.wait_for("ready")
    browser = Chromium(tmp_path / "profile")
    try:
        browser.open(server.url)
        browser.until("document.querySelector('main[data-stage=ready]') !== null")
        ranges = "[...document.querySelectorAll('table.agenda td:last-child')].map(td => td.textContent).join('|')"
        images = "[...document.querySelectorAll('ol.pages img')].map(img => img.src).join('|')"
        first_ranges, first_images = browser.value(ranges), browser.value(images)
        assert first_ranges.startswith("1|2|")
        browser.value("window.notReloaded = true")
        browser.until("[...document.querySelectorAll('ol.pages img')].every(img => img.complete && img.naturalWidth)")

        paper = pack / "papers/trading.md"
        paper.write_text(paper.read_text() + "\n\n" + long_markdown("LATEADDITION", 8))  # a page or more added
        changed = server.wait_for("ready", good["build"])
        browser.until(f"document.querySelector('main').dataset.build === '{changed['build']}'"
                      " && document.querySelector('main').dataset.stage === 'ready'")
        changed_ranges = browser.value(ranges)
        assert changed_ranges != first_ranges and browser.value(images) != first_images
        assert browser.value("window.notReloaded") is True  # updated in place

        (pack / "pack.yaml").write_text(SPEC.replace("agenda:", "agenda: [", 1))
        failed = server.wait_for("failed", changed["build"])
        browser.until(f"document.querySelector('main').dataset.build === '{failed['build']}'")
        assert re.search(r"pack\.yaml:\d+", browser.value("document.querySelector('.problems').textContent"))
        assert browser.value("document.querySelectorAll('ol.pages img').length") > 0  # the last good pack stays
        assert browser.value(ranges) == changed_ranges

        (pack / "pack.yaml").write_text(SPEC)
        back = server.wait_for("ready", failed["build"])
        browser.until(f"document.querySelector('main').dataset.build === '{back['build']}'"
                      " && document.querySelector('main').dataset.stage === 'ready'")
        assert browser.value("document.querySelector('.problems')") is None
        assert browser.value("window.notReloaded") is True
    finally:
        browser.close()
