"""Render parts to PDF bytes across the machine's cores, through the part cache.

A rendered WeasyPrint document cannot be pickled, so each worker process
renders and writes its parts itself and sends back PDF bytes.  Parts are
independent: page numbers are stamped later by the binder, so a part never
depends on where it falls in the pack.

The pool starts once the binder is loaded (its workers inherit it), and they
load WeasyPrint at once, while this process reads the spec and the papers (a
rebuild's one or two changed papers it reads itself, each in a process forked
for it); each worker then keeps one ``Renderer`` (one font configuration, one
URL fetcher) per build's settings.  The workers also bind the editions, and
scan the public ones.

Every job is bounded: in time (``part_seconds``), in memory (``memory_mb``,
the workers' and the forked readers' address space), and in depth (Python's
recursion limit); a job stopped at a bound, or whose process dies, is named.
"""

import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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
    except RecursionError:  # what the reader's own limits did not catch
        return [too_deep(path, "read")]
    except MemoryError:  # past ``memory_mb``: the paper is refused, once what it took is let go
        pass
    return [out_of_memory(path, "read")]


def _read_here(request, seconds):
    """``read_request`` in a process forked from this one for it (the readers are loaded
    already, so it starts at once), killed after ``seconds`` (``TooLong``), its memory
    capped as a worker's is (``memory_mb``), its death (``OutOfMemory``) named: this
    process is never stopped, capped or crashed by a paper.  Off the main thread (which
    alone may fork safely), ``read_request`` runs here, unbounded."""
    import multiprocessing
    import threading

    if threading.current_thread() is not threading.main_thread():
        return read_request(request)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    reader = context.Process(target=_read_apart, args=(os.getpid(), request, sender), daemon=True)
    reader.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise TooLong(0)
        try:
            model, error = receiver.recv()
        except EOFError:  # it died before it could answer
            raise OutOfMemory(0, died=True) from None
        if error is not None:
            raise error
        return model
    finally:
        reader.kill()
        reader.join()
        receiver.close()


def _read_apart(parent, request, sender):
    """In the process ``_read_here`` forked: read, and send back what was read, or what was
    raised (an ``InputError``: raised again in the command, as a worker's would be)."""
    _die_with_parent(parent)
    _cap_memory()
    try:
        answer = read_request(request), None
    except Exception as error:  # noqa: BLE001 - sent back whatever it is
        answer = None, error
    sender.send(answer)
    sender.close()


def memory_mb():
    """How much memory (address space) one process may use while it reads, renders or binds
    (``ASSEMBLE_MEMORY_MB``): megabytes, default 4096 (a 300-page pack's workers use under
    500; the 150-million-pixel picture a finished PDF may hold needs some 600 more)."""
    try:
        return max(256, int(os.environ.get("ASSEMBLE_MEMORY_MB", "4096")))
    except ValueError:
        return 4096


def too_deep(what, doing):
    """The officer's line for a paper or part nested too deeply to read or render."""
    return (f"{what}: is nested too deeply to {doing} (tables in tables, lists in lists, quotations in quotations, "
            "hundreds of levels down); refused")


def out_of_memory(what, doing):
    """The officer's line for a paper or part that needed more than ``memory_mb``."""
    return (f"{what}: needed more than {memory_mb()} MB of memory to {doing} and was stopped; is it unusually "
            "large? (ASSEMBLE_MEMORY_MB sets the limit)")


def _cap_memory():
    """Cap this process's address space at ``memory_mb`` (``RLIMIT_AS``: past it an allocation
    fails, and Python raises ``MemoryError``), never above the hard limit it already has."""
    import resource

    cap, hard = memory_mb() * 2**20, resource.getrlimit(resource.RLIMIT_AS)[1]
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))


def _preload(parent, doing):
    """A worker's first act: die with ``parent`` (the command's process id), cap its memory
    (``memory_mb``), take a slot in ``doing`` (where it writes its process id and the job
    it runs), then load what drawing needs, before any job arrives."""
    global _doing, _slot

    _die_with_parent(parent)
    _cap_memory()  # for the worker's life
    with doing.get_lock():
        _doing, _slot = doing, next(slot for slot in range(0, len(doing), 2) if doing[slot] == 0)
        doing[_slot] = os.getpid()
    from assembler.render import renderer  # noqa: F401  (and WeasyPrint with it)


_doing, _slot = None, 0  # in a worker: the pool's shared slots, and its own


def _tracked(index, function, *arguments):
    """``function(*arguments)``, the ``index`` of the job written in this worker's slot while it
    runs (so that the job a dead worker was running can be named); ``RecursionError``
    raised as ``TooDeep``, ``MemoryError`` as ``OutOfMemory``, naming the job."""
    _doing[_slot + 1] = index
    try:
        return function(*arguments)
    except RecursionError:
        raise TooDeep(index) from None
    except MemoryError:  # raised again below, once what it took is let go
        pass
    finally:
        _doing[_slot + 1] = -1
    raise OutOfMemory(index)


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
    except (MemoryError, RecursionError):
        raise
    except Exception as error:  # name the part; the cause stays attached
        raise RuntimeError(f"rendering {job.what} failed: {error}") from error


class TooLong(Exception):
    """The job at ``index`` was stopped: it took longer than it may (and, in the subclasses,
    nested too deeply or needed too much memory)."""

    def __init__(self, index):
        super().__init__(index)
        self.index = index

    def message(self, what, doing, variable="ASSEMBLE_PART_SECONDS"):
        """The officer's line: ``what`` took too long to ``doing`` (``variable`` sets how long)."""
        return (f"{what}: took more than {part_seconds(variable):g} s to {doing} and was stopped; is it unusually "
                f"large? ({variable} sets the limit)")


class TooDeep(TooLong):
    """The job at ``index`` is nested deeper than Python's recursion limit lets it be read or drawn."""

    def message(self, what, doing, variable=None):
        return too_deep(what, doing)


class OutOfMemory(TooLong):
    """The job at ``index`` needed more than ``memory_mb``, or (``died``) its worker died
    running it: killed for its memory, or a library crashed on it."""

    def __init__(self, index, died=False):
        super().__init__(index)
        self.died = died

    def message(self, what, doing, variable=None):
        if self.died:
            return (f"{what}: the process that was to {doing} it died (it needed more than the {memory_mb()} MB of "
                    "memory a process may have, or a library crashed on it); is it unusually large, or damaged? "
                    "(ASSEMBLE_MEMORY_MB sets the limit)")
        return out_of_memory(what, doing)


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
        self._doing = None  # each worker's process id and the job it runs (``_tracked``)

    def __enter__(self):
        self._start()
        return self

    def _start(self):
        if self.processes > 1:
            import multiprocessing

            self._doing = multiprocessing.Array("q", 2 * self.processes)
            self._pool = ProcessPoolExecutor(self.processes, initializer=_preload,
                                             initargs=(os.getpid(), self._doing))
            for _ in range(self.processes):
                self._pool.submit(_warm)

    def __exit__(self, *exc):
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def map(self, function, arguments, seconds=None):
        """``function`` over ``arguments`` (tuples), in the pool when there is one: an
        iterator of the results, in order, each as soon as it is ready.

        With ``seconds``, a result that takes longer than that after the one before
        it stops the workers and raises ``TooLong`` with its index; a job that
        needs more than ``memory_mb`` (or whose worker dies) raises ``OutOfMemory``
        with its index.  The next call starts fresh workers if these were stopped
        (a long-running ``assemble serve`` goes on).
        """
        if self._pool is None and self._stopped:
            self._stopped = False
            self._start()
        if self._pool is None or not arguments:
            return (function(*argument) for argument in arguments)
        futures = []
        for index, argument in enumerate(arguments):
            try:
                futures.append(self._pool.submit(_tracked, index, function, *argument))
            except BrokenProcessPool as broken:  # a worker died while the rest were handed out
                futures.append(Future())
                futures[-1].set_exception(broken)  # met in ``_results`` as the others' deaths are
                break
        return self._results(futures, seconds)

    def _results(self, futures, seconds):
        for index, future in enumerate(futures):
            try:
                yield future.result(timeout=seconds)
            except TimeoutError:
                self._stop()
                raise TooLong(index) from None
            except BrokenProcessPool:  # a worker died (killed for its memory, or a library crashed)
                dead = self._dead_job()
                self._stop()
                raise OutOfMemory(index if dead is None else dead, died=True) from None

    def _dead_job(self):
        """The index of the job a worker that died on its own was running, or None.  (The
        pool ends the other workers, by SIGTERM, once one has died: waited for here.)"""
        import signal
        import time

        processes = dict(getattr(self._pool, "_processes", None) or {})
        for process in processes.values():
            process.join(5)
        waited = time.monotonic() + 1  # (its exit status may still be on its way to the pool's thread)
        while any(process.exitcode is None for process in processes.values()) and time.monotonic() < waited:
            time.sleep(0.01)
        for pid, process in processes.items():
            if process.exitcode not in (None, -signal.SIGTERM):
                for slot in range(0, len(self._doing), 2):
                    if self._doing[slot] == pid and self._doing[slot + 1] >= 0:
                        return self._doing[slot + 1]
        return None

    def _stop(self):
        """End the workers at once (a runaway part: no waiting for it); the next ``map``
        starts fresh ones."""
        for process in list((getattr(self._pool, "_processes", None) or {}).values()):
            process.kill()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool, self._stopped = None, True


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
        except TooLong as error:
            from assembler.errors import InputError

            late = next(index for index in missing if models[index] is None) if here else missing[error.index]
            raise InputError(error.message(requests[late][0], "read", "ASSEMBLE_READ_SECONDS")) from None
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
        raise InputError(error.message(jobs[missing[error.index]].what, "render")) from None
