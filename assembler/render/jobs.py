"""Render parts to PDF bytes across the machine's cores, through the part cache.

A rendered WeasyPrint document cannot be pickled, so each worker process
renders and writes its parts itself and sends back PDF bytes.  Parts are
independent: page numbers are stamped later by the binder, so a part never
depends on where it falls in the pack.

The pool starts once the binder is loaded (its workers inherit it), and they
load WeasyPrint at once, while this process reads the spec and the papers (a
rebuild's one or two changed papers it reads itself); each worker then keeps
one ``Renderer`` (one font configuration, one URL fetcher) per build's
settings.  The workers also bind the editions, and scan the public ones.
"""

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from assembler.render import PDF_VARIANT

_renderers = {}  # in each process: settings -> Renderer


@dataclass(frozen=True)
class Job:
    what: str  # for messages: "the cover", "3. Budget (budget.docx)"
    template: str
    context: dict
    base_dir: Path | None = None
    private: bool = False  # a private paper's own part: the only kind that may draw its files


@dataclass
class Part:
    pdf: bytes
    pages: int
    refused: list = field(default_factory=list)  # (url, reason) the fetcher turned away
    overflow: list = field(default_factory=list)  # pages (1-based) drawn outside the text area
    images: int = 0  # pictures drawn on its pages
    texts: list = field(default_factory=list)  # the text drawn on each page, as laid out
    reads: dict = field(default_factory=dict)  # {path: sha256 or None}: every local file it asked for


def read_request(request):
    """Read one paper, ``(resolved path, bytes, as_note, id_prefix)`` (its bytes read once,
    where the spec confined it: ``build.read_papers``): its model, or the problems that
    refuse it."""
    from assembler.errors import PaperError
    from assembler.readers import read_paper

    path, data, as_note, id_prefix = request
    try:
        return read_paper(path, data, as_note=as_note, id_prefix=id_prefix)
    except PaperError as error:  # sent back as a value: it names the file
        return error.problems


def _read_here(request, seconds):
    """``read_request`` in this process, stopped (``TooLong``) after ``seconds`` by an alarm
    (only the main thread can take one; elsewhere it runs unbounded)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return read_request(request)

    def stop(*_):
        raise TooLong(0)

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return read_request(request)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _preload(parent):
    """A worker's first act: die with ``parent`` (the command's process id), then load
    what drawing needs, before any job arrives."""
    _die_with_parent(parent)
    from assembler.render import renderer  # noqa: F401  (and WeasyPrint with it)


def _die_with_parent(parent):
    """Have the kernel kill this process when its parent dies, even by ``kill -9``
    (``prctl(PR_SET_PDEATHSIG)``, Linux); a worker whose parent is already gone leaves."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown still applies
        pass
    if os.getppid() != parent:
        os._exit(1)


def _warm():
    """Nothing: a first task, so that a worker starts (and runs ``_preload``) early."""


def _render(settings, job):
    key = repr(sorted(settings.items()))
    if key not in _renderers:
        from assembler.render.renderer import Renderer

        _renderers.clear()
        _renderers[key] = Renderer(**settings)
    from assembler.completeness import layout_findings

    document, refused, reads = _renderers[key].render(job.template, base_dir=job.base_dir, private=job.private,
                                                      **job.context)
    try:
        return Part(document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages), refused,
                    *layout_findings(document), reads)
    except Exception as error:  # name the part; the cause stays attached
        raise RuntimeError(f"rendering {job.what} failed: {error}") from error


class TooLong(Exception):
    """The part at ``index`` took longer than it may."""

    def __init__(self, index):
        super().__init__(index)
        self.index = index


def part_seconds(variable="ASSEMBLE_PART_SECONDS"):
    """How long one part may take to render (``ASSEMBLE_PART_SECONDS``), or one paper to
    be read (``ASSEMBLE_READ_SECONDS``): seconds, default 300."""
    try:
        return float(os.environ.get(variable, "300"))
    except ValueError:
        return 300.0


class Workers:
    """A pool of processes (or just this one) for reading, rendering and binding."""

    def __init__(self, processes=None):
        self.processes = processes or os.cpu_count() or 1
        self._pool = None
        self._stopped = False  # its workers stopped on a runaway part

    def __enter__(self):
        self._start()
        return self

    def _start(self):
        if self.processes > 1:
            self._pool = ProcessPoolExecutor(self.processes, initializer=_preload, initargs=(os.getpid(),))
            for _ in range(self.processes):
                self._pool.submit(_warm)

    def __exit__(self, *exc):
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def map(self, function, arguments, seconds=None):
        """``function`` over ``arguments`` (tuples), in the pool when there is one: an
        iterator of the results, in order, each as soon as it is ready.

        With ``seconds``, a result that takes longer than that after the one before
        it stops the workers and raises ``TooLong`` with its index; the next call
        starts fresh ones (a long-running ``assemble serve`` goes on).
        """
        if self._pool is None and self._stopped:
            self._stopped = False
            self._start()
        if self._pool is None or not arguments:
            return (function(*argument) for argument in arguments)
        futures = [self._pool.submit(function, *argument) for argument in arguments]
        return self._results(futures, seconds)

    def _results(self, futures, seconds):
        for index, future in enumerate(futures):
            try:
                yield future.result(timeout=seconds)
            except TimeoutError:
                for process in list(getattr(self._pool, "_processes", {}).values()):
                    process.kill()  # a runaway part: no waiting for it
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool, self._stopped = None, True
                raise TooLong(index) from None


class Renderers:
    """Renders jobs with ``workers``, taking what it can from ``cache``; tells ``progress``
    (``stage(description, total)``, ``advance(what)``) of the work it does."""

    def __init__(self, workers, settings, cache=None, progress=None):
        self.workers = workers
        self.settings = settings
        self.cache = cache
        self.progress = progress
        self.stats = {"rendered": 0, "cached": 0}

    def run(self, jobs, stage="Drawing"):
        """A ``Part`` for each job, in order; for a dict of jobs, a dict of parts by the same names."""
        if isinstance(jobs, dict):
            return dict(zip(jobs, self.run(list(jobs.values()), stage)))
        keys = [self.cache.key(job.template, job.context, job.base_dir, job.private) if self.cache else None
                for job in jobs]
        parts = [self._cached(key) for key in keys]
        missing = [index for index, part in enumerate(parts) if part is None]
        self.stage(stage, len(missing))
        drawn = self.workers.map(_render, [(self.settings, jobs[index]) for index in missing], part_seconds())
        for index, part in _named(zip(missing, drawn), jobs, missing):
            parts[index] = part
            if self.cache:
                self.cache.put(keys[index], part)
            self.advance(jobs[index].what)
        self.stats["rendered"] += len(missing)
        self.stats["cached"] += len(jobs) - len(missing)
        return parts

    def read(self, requests):
        """Read papers, ``(path, bytes, as_note, id_prefix)`` each: a model, or a list of problems, for each."""
        keys = [self.cache.paper_key(request) if self.cache else None for request in requests]
        models = [self.cache.get_paper(key) if key else None for key in keys]
        missing = [index for index, model in enumerate(models) if model is None]
        self.stage("Reading the papers", len(missing))
        here = len(missing) <= self.workers.processes  # a rebuild's: the workers are still loading WeasyPrint
        wanted = [requests[index] for index in missing]
        seconds = part_seconds("ASSEMBLE_READ_SECONDS")
        read = ((_read_here(request, seconds) for request in wanted) if here
                else self.workers.map(read_request, [(r,) for r in wanted], seconds))
        try:
            for index, model in zip(missing, read):
                models[index] = model
                if self.cache and not isinstance(model, list):
                    self.cache.put_paper(keys[index], model)
                self.advance(Path(requests[index][0]).name)
        except TooLong:
            from assembler.errors import InputError

            late = next(index for index in missing if models[index] is None)
            raise InputError(f"{requests[late][0]}: took more than {seconds:g} s to read and was stopped; is it "
                             "unusually large? (ASSEMBLE_READ_SECONDS sets the limit)") from None
        return models

    def stage(self, description, total):
        if self.progress and total:
            self.progress.stage(description, total)

    def advance(self, what):
        if self.progress:
            self.progress.advance(what)

    def _cached(self, key):
        found = self.cache.get(key) if key else None
        return Part(*found) if found else None


def _named(results, jobs, missing):
    """The results, a part that ran too long turned into the officer's problem, naming it."""
    from assembler.errors import InputError

    try:
        yield from results
    except TooLong as error:
        limit = part_seconds()
        raise InputError(f"{jobs[missing[error.index]].what}: took more than {limit:g} s to render and was stopped; "
                         "is it unusually large? (ASSEMBLE_PART_SECONDS sets the limit)") from None
