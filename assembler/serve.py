"""`assemble serve`: the pack live in the browser while the officer works.

One process stays warm: its workers keep WeasyPrint loaded, and the part
cache keeps what it reads and writes in memory (``PartCache(memory=…)``), so
a rebuild reads and draws only what a change touched.  Every build is the
command line's own (``build.assemble`` then ``build.write``): the editions
on disk are written as ``assemble`` writes them, atomically and both checked,
so what the officer previews is what they send.  The members' edition is
shown as soon as its parts are drawn and numbered (each page image is drawn
from the part the binder takes it from, with the same page furniture laid
over it); the public one follows once both are bound and it has passed its
leak check, and the editions are on disk.

A watcher (watchfiles) sees every file in the pack's folder (the spec, papers,
appendices, venue files, the house folder, pictures), except the editions
this server writes and hidden or temporary files; several saves in quick
succession give one rebuild.  The open page hears of each build through
Server-Sent Events (``/events``) and swaps in the new page; without
JavaScript it is a plain page to reload.

Safe by construction: the server answers only its own routes (the page, its
page images, its script and stylesheet, the two editions), never a file by
path, and nothing to a request whose ``Host`` is not the address it serves
on or whose ``Origin`` is another site's (so a web page elsewhere cannot
read the pack through the officer's browser, nor by DNS rebinding).
"""

import datetime
import hashlib
import io
import json
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from assembler.bind.output import TEMP_PREFIX
from assembler.build import assemble, write
from assembler.check import deadlines, dispatch_by
from assembler.errors import AssemblerError, InputError
from assembler.model import FinishedPdf
from assembler.render import TEMPLATES
from assembler.render.templates import make_environment

LOOPBACK = ("127.0.0.1", "localhost", "::1")
EDITIONS = ("members", "public")
SMALL_WIDTH = 180  # px: a page image in the list
FULL_WIDTH = 1000  # px: a page image opened on its own
MEMORY_LIMIT = 512 * 1024 * 1024  # bytes of cache entries kept in memory before they are dropped
STATIC = {"/live.js": ("live.js", "text/javascript"), "/serve.css": ("serve.css", "text/css")}


@dataclass(frozen=True)
class Page:
    """One page of an edition, as the binder makes it: page ``index`` of the part ``pdf``,
    with page ``overlay_index`` of the edition's page furniture (its printed number) over it."""

    token: str  # changes whenever what the page shows may have changed
    label: str  # as printed: "ii", "37", "S2", "Back cover"
    title: str  # the paper or part it belongs to
    mark: str | None  # "private" (members' edition) or "restricted" (public edition)
    pdf: bytes = field(repr=False, compare=False)
    index: int = 0
    overlay: bytes | None = field(default=None, repr=False, compare=False)
    overlay_index: int = 0
    content: tuple | None = None  # a finished PDF's page: the box it draws in, moved clear of the furniture


@dataclass(frozen=True)
class Preview:
    """What the page shows: one build's result, or the last good one with the errors of a failed one."""

    build: int = 0
    stage: str = "building"  # "building", "members" (public edition being checked), "ready", "failed"
    meeting: dict = field(default_factory=dict)
    agenda: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    editions: dict = field(default_factory=dict)  # "members"/"public" -> PDF bytes
    pages: dict = field(default_factory=dict)  # "members"/"public" -> [Page]
    seconds: float | None = None
    finished: str = ""  # clock time of the last build


class Server:
    """The preview of ``spec_path``: builds, watches and serves until ``stop``.

    ``host``/``port``: where to listen (port 0: any free one; ``self.port`` says which).
    ``tell(line)`` hears of each build.  Raises ``OSError`` if it cannot listen there.
    """

    def __init__(self, spec_path, workers, out_dir=None, host="127.0.0.1", port=8000, duplex=False, tell=None):
        self.spec_path = Path(spec_path).resolve()
        self.out_dir = Path(out_dir).resolve() if out_dir else self.spec_path.parent
        self.workers, self.duplex, self.tell = workers, duplex, tell or (lambda line: None)
        self.memory = {}
        self.preview = Preview()
        self.log = [{"build": 0, "stage": "building", "problems": 0}]  # every preview shown, for the update channel
        self.outputs = set()  # the files this server writes: changes to them are its own
        self.changed = threading.Event()
        self.stopping = threading.Event()
        self.updated = threading.Condition()
        self.images = _Images()
        self.httpd = ThreadingHTTPServer((host, port), _handler(self))
        self.httpd.daemon_threads = True
        self.host, self.port = host, self.httpd.server_address[1]
        self.hosts = {f"{name}:{self.port}" for name in (*LOOPBACK, "[::1]", host)}
        self.page = make_environment().get_template("serve/page.html")
        self.threads = [threading.Thread(target=target, daemon=True) for target in (self._builder, self._watcher)]

    @property
    def url(self):
        return f"http://{'127.0.0.1' if self.host in ('127.0.0.1', '0.0.0.0') else self.host}:{self.port}/"

    def start(self):
        """Build at once, watch, and serve in threads of this process."""
        self.images.start()
        self.changed.set()
        for thread in self.threads:
            thread.start()
        server = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        server.start()
        self.threads.append(server)
        return self

    def stop(self):
        self.stopping.set()
        self.changed.set()
        with self.updated:
            self.updated.notify_all()
        if len(self.threads) > 2:  # serving: its loop ends first
            self.httpd.shutdown()
        self.httpd.server_close()
        self.images.stop()

    # building

    def _builder(self):
        while not self.stopping.is_set():
            self.changed.wait()
            self.changed.clear()
            if not self.stopping.is_set():
                self.rebuild()

    def rebuild(self):
        """One build, as ``assemble`` makes it; the page told of each step.  Never raises."""
        started, number = time.monotonic(), self.preview.build + 1
        self._show(replace(self.preview, stage="building"))

        def on_numbered(pack):  # every page known: the members' edition shown while both are bound
            self._show(replace(self.preview, build=number, stage="members", problems=[], warnings=pack.warnings,
                               meeting=_meeting(pack), agenda=_agenda(pack),
                               pages={**self.preview.pages, "members": _pages(pack.books[0], "members")}))

        try:
            if sum(len(value) for value in self.memory.values()) > MEMORY_LIMIT:
                self.memory.clear()
            pack = assemble(self.spec_path, self.duplex, True, None, self.workers, False, self.memory, on_numbered)
            self.outputs = {self.out_dir / name for name in pack.files()}
            write(pack, self.out_dir)
        except AssemblerError as error:
            problems = getattr(error, "problems", [str(error)])
            self._show(replace(self.preview, build=number, stage="failed", problems=problems,
                               finished=_clock(), seconds=time.monotonic() - started))
            self.tell(f"build {number} refused: " + "; ".join(problems[:3]))
            return
        except Exception as error:  # a bug: shown, and the server goes on
            problem = f"internal error: {type(error).__name__}: {error} (a bug in assemble: please report it)"
            self._show(replace(self.preview, build=number, stage="failed", problems=[problem], finished=_clock()))
            self.tell(f"build {number}: {problem}")
            return
        seconds = time.monotonic() - started
        self._show(Preview(number, "ready", _meeting(pack), _agenda(pack), pack.warnings, [],
                           {name: pack.books[0].editions[name] for name in EDITIONS},
                           {name: _pages(pack.books[0], name) for name in EDITIONS}, seconds, _clock()))
        self.tell(f"build {number}: {pack.books[0].pages} pages in {seconds:.2f} s, both editions written to "
                  f"{self.out_dir}" + (f"; {len(pack.warnings)} warnings" if pack.warnings else ""))

    def _show(self, preview):
        with self.updated:
            self.preview = preview
            self.log.append({"build": preview.build, "stage": preview.stage, "problems": len(preview.problems)})
            self.updated.notify_all()

    # watching

    def _watcher(self):
        """Rebuild on every batch of relevant changes (saves within 30 ms of each other, up to
        0.4 s of them, come as one batch); if the folder cannot be watched for a moment (it was
        moved, say), look again a second later, and rebuild then."""
        from watchfiles import watch

        while not self.stopping.is_set():
            try:
                for changes in watch(self.spec_path.parent, watch_filter=self._relevant, debounce=400, step=30,
                                     stop_event=self.stopping, rust_timeout=500, raise_interrupt=False):
                    if changes:
                        self.changed.set()
            except (OSError, RuntimeError) as error:
                self.tell(f"watching {self.spec_path.parent}: {error}; trying again")
                self.stopping.wait(1)
                self.changed.set()

    def _relevant(self, change, path):
        """Whether a change to ``path`` should rebuild: anything in the pack's folder but the
        editions this server writes, their temporaries, hidden files and editors' back-ups."""
        path = Path(path)
        relative = path.relative_to(self.spec_path.parent) if path.is_relative_to(self.spec_path.parent) else path
        hidden = any(part.startswith(".") for part in relative.parts)
        backup = path.name.endswith(("~", ".swp", ".swx", ".tmp")) or path.name.startswith((TEMP_PREFIX, "~$", "#"))
        return not hidden and not backup and path not in self.outputs and "__pycache__" not in relative.parts

    # answering

    def respond(self, method, path, headers):
        """(status, content type, body or an iterator of chunks, extra headers) for a request."""
        if not self._trusted(headers):
            return 403, "text/plain", b"", {}
        if method not in ("GET", "HEAD"):
            return 405, "text/plain", b"", {"Allow": "GET, HEAD"}
        url = urlsplit(path)
        query = parse_qs(url.query, keep_blank_values=True)
        if url.path in ("/", "/public"):
            edition = "public" if url.path == "/public" else "members"
            return 200, "text/html; charset=utf-8", self.render(edition).encode(), {"Cache-Control": "no-cache"}
        if url.path == "/events":
            return 200, "text/event-stream", self._events(), {"Cache-Control": "no-cache"}
        if url.path in STATIC:
            name, kind = STATIC[url.path]
            return 200, kind, (TEMPLATES / "serve" / name).read_bytes(), {"Cache-Control": "no-cache"}
        if url.path in ("/members.pdf", "/public.pdf"):
            data = self.preview.editions.get(url.path[1:-4])
            return (200, "application/pdf", data, {}) if data else (404, "text/plain", b"", {})
        parts = url.path.split("/")
        if len(parts) == 4 and parts[1] == "page" and parts[2] in EDITIONS and parts[3].removesuffix(".png").isdigit():
            return self._image(parts[2], int(parts[3].removesuffix(".png")), "full" in query)
        return 404, "text/plain", b"", {}

    def _trusted(self, headers):
        host, origin = headers.get("Host"), headers.get("Origin")
        if host not in self.hosts:
            return False
        return origin is None or origin in {f"http://{name}" for name in self.hosts}

    def render(self, edition):
        preview = self.preview
        return self.page.render(preview=preview, edition=edition, pages=preview.pages.get(edition, []),
                                public=edition == "public", lang=preview.meeting.get("language", "en-GB"))

    def _image(self, edition, index, full):
        pages = self.preview.pages.get(edition, [])
        if not 0 <= index < len(pages):
            return 404, "text/plain", b"", {}
        png = self.images.get(pages[index], FULL_WIDTH if full else SMALL_WIDTH)
        return 200, "image/png", png, {"Cache-Control": "no-cache"}

    def _events(self):
        """The update channel: an event for the preview now and for every change after it
        (none skipped, however quickly they follow), a comment now and then."""
        yield b"retry: 1000\n\n"
        with self.updated:
            sent = len(self.log) - 1
        while not self.stopping.is_set():
            with self.updated:
                if sent == len(self.log):
                    self.updated.wait(15)
                events, sent = self.log[sent:], len(self.log)
            if not events:
                yield b": waiting\n\n"
            for event in events:
                yield f"event: update\ndata: {json.dumps(event)}\n\n".encode()


def _clock():
    return datetime.datetime.now().strftime("%H:%M:%S")


def _meeting(pack):
    """The meeting's facts as the page shows them, with the dispatch deadline and its warnings."""
    meeting = pack.spec.meeting
    private = sum(entry.private for entry in pack.entries)
    return {"body": meeting.body, "date": meeting.date, "time": meeting.time, "venue": meeting.place.full,
            "language": meeting.language, "dispatch_by": dispatch_by(meeting.date),
            "deadlines": deadlines(pack.spec, datetime.date.today(), private)}


def _agenda(pack):
    """Every item as the agenda prints it, with the printed range of its paper and each appendix."""
    rows = []
    for entry in pack.entries:
        slots = ([entry.slot] if entry.slot else []) + entry.appendix_slots
        rows.append({"number": entry.number, "title": entry.title, "private": entry.private,
                     "exempt_reason": entry.exempt_reason, "supplement": entry.supplement,
                     "papers": [{"title": slot.title, "source": Path(slot.source).name if slot.source != "previous_note"
                                 else "previous note", "pages": slot.pages, "first": slot.first} for slot in slots]})
    return rows


def _roman(number):
    numerals = (("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))
    text = ""
    for numeral, value in numerals:
        while number >= value:
            text, number = text + numeral, number - value
    return text


def _pages(book, edition):
    """Each page of one edition of ``book``, in order, with its printed label and a token that
    changes when the part it comes from, or its place (and so its number), changes."""
    pages = []

    furniture = book.furniture[edition].pdf

    def add(part, labels, title, mark, numbered=False):
        data = part.data if isinstance(part, FinishedPdf) else part.pdf
        part_digest = hashlib.sha256(data).hexdigest()
        for index, label in enumerate(labels):
            token = hashlib.sha256(f"{part_digest}:{index}:{len(pages)}:{label}:{edition}".encode()).hexdigest()[:16]
            content = part.pages[index].content if isinstance(part, FinishedPdf) else None
            pages.append(Page(token, label, title, mark, data, index, furniture if numbered else None, number - 1 + index,
                              content))

    number = 1
    for part in book.front:
        add(part, [_roman(len(pages) + n + 1) for n in range(part.pages)], "Front matter", None)
    for stretch in book.body:
        shown = stretch.public if edition == "public" else stretch.members
        slot = stretch.slot
        mark = None if slot is None or not slot.private else ("restricted" if edition == "public" else "private")
        add(shown, [f"{book.prefix}{number + n}" for n in range(stretch.pages)],
            slot.bookmark if slot is not None else "Blank page", mark, numbered=True)
        number += stretch.pages
    if book.back is not None:
        add(book.back, ["Back cover"] * book.back.pages, "Back cover", None)
    return pages


class _Images:
    """Page images drawn by pdfium on request, each from the part it comes from with its
    printed number laid over, as the binder lays it; kept by token.

    pdfium may not be called from two threads at once, not even on different documents,
    and the build calls it in this process (reading finished PDFs, gathering the leak
    check's words): so the images are drawn in a process of their own (started afresh,
    not forked from this threaded one), which keeps the parts it was sent by digest."""

    def __init__(self, limit=64 * 1024 * 1024):
        self.lock = threading.Lock()
        self.drawn = {}  # (token, width) -> PNG bytes
        self.limit = limit  # bytes of PNGs kept
        self.sent = set()  # digests of the parts the drawing process holds
        self.pool = None

    def start(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        self.pool.submit(_draw_page, {}, [], 0)  # started now, not on the first page asked for
        self.sent = set()

    def stop(self):
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def get(self, page, width):
        key = (page.token, width)
        with self.lock:
            if key not in self.drawn:
                if sum(map(len, self.drawn.values())) >= self.limit:
                    self.drawn.clear()
                self.drawn[key] = self._draw(page, width)
            return self.drawn[key]

    def _draw(self, page, width):
        from concurrent.futures.process import BrokenProcessPool

        layers = [(page.pdf, page.index)] + ([(page.overlay, page.overlay_index)] if page.overlay else [])
        keyed = [(hashlib.sha256(data).hexdigest(), data, index) for data, index in layers]
        for attempt in range(2):
            parts = {key: data for key, data, _ in keyed if attempt or key not in self.sent}
            try:
                png = self.pool.submit(_draw_page, parts, [(key, index) for key, _, index in keyed], width,
                                       page.content).result(60)
            except BrokenProcessPool:  # pdfium crashed on a page: a fresh process for the next one
                self.start()
                raise
            if png is not None:
                self.sent.update(parts)
                return png
            self.sent.clear()  # it let go of what it held: send everything again
        raise RuntimeError("the drawing process lost the page's parts twice")


_held = {}  # in the drawing process: digest -> PdfDocument


def _draw_page(parts, layers, width, content=None):
    """In the drawing process: the PNG of the first of ``layers`` ((digest, page index) each)
    with the others laid over it, transparent, at ``width`` pixels; None if it no longer holds
    one of them (``parts``, {digest: PDF bytes}, are the ones sent with this call).  A finished
    PDF's page (``content``: the box it draws in) is moved or scaled clear of the furniture
    over it as the binder does (``bind.merge.placement``)."""
    import pypdfium2
    from PIL import Image

    from assembler.bind.merge import furniture_bands, placement

    if len(_held) + len(parts) > 600:
        for document in _held.values():
            document.close()
        _held.clear()
        if any(key not in parts for key, _ in layers):
            return None
    for key, data in parts.items():
        if key not in _held:
            _held[key] = pypdfium2.PdfDocument(data)
    if not layers:
        return b""
    if any(key not in _held for key, _ in layers):
        return None
    image = None
    for key, index in layers:
        page = _held[key][index]
        if image is None:
            (page_width, page_height), scale = page.get_size(), width / page.get_width()
            moved = (1.0, 0.0, 0.0)
            if content is not None and len(layers) > 1:
                (over, at) = layers[1]
                moved = placement(page_width, page_height, content, *furniture_bands(_held[over][at]))
            drawn = page.render(scale=scale * moved[0], may_draw_forms=False).to_pil().convert("RGBA")
            image = Image.new("RGBA", (round(page_width * scale), round(page_height * scale)), "white")
            image.paste(drawn, (round(moved[1] * scale), round((page_height - moved[0] * page_height - moved[2]) * scale)))
        else:
            layer = page.render(scale=scale, may_draw_forms=False, fill_color=(255, 255, 255, 0)).to_pil().convert("RGBA")
            image.alpha_composite(layer.resize(image.size))
        page.close()
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG")
    return out.getvalue()


def _handler(server):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "assemble-serve"
        sys_version = ""

        def do_GET(self):
            self._answer("GET")

        def do_HEAD(self):
            self._answer("HEAD")

        def do_POST(self):
            self._answer("POST")

        def _answer(self, method):
            try:
                status, kind, body, extra = server.respond(method, self.path, self.headers)
            except Exception:  # a bug in answering: the server goes on
                status, kind, body, extra = 500, "text/plain", b"", {}
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("Content-Security-Policy",
                             "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
                             "connect-src 'self'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'")
            for name, value in extra.items():
                self.send_header(name, value)
            if isinstance(body, bytes):
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if method != "HEAD":
                    self.wfile.write(body)
                return
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            if method == "HEAD":
                return
            try:
                for chunk in body:
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except OSError:  # the page was closed
                pass

        def log_message(self, *args):
            pass

    return Handler


def check_host(host):
    """Whether ``host`` is this machine only (loopback)."""
    return host in LOOPBACK or host.startswith("127.")


def serve(spec_path, workers, out_dir=None, host="127.0.0.1", port=8000, duplex=False, tell=None, ready=None):
    """Serve the live preview of ``spec_path`` until interrupted (KeyboardInterrupt).

    ``ready(server)`` is called once it listens.  Raises ``InputError`` if the spec
    does not exist or the address cannot be listened on.
    """
    if not Path(spec_path).is_file():
        raise InputError(f"{spec_path}: file not found")
    try:
        server = Server(spec_path, workers, out_dir, host, port, duplex, tell)
    except OSError as error:
        raise InputError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    server.start()
    if ready:
        ready(server)
    try:
        while True:
            time.sleep(3600)
    finally:
        server.stop()
