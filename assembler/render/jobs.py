"""Render parts to PDF bytes across the machine's cores, through the part cache.

A rendered WeasyPrint document cannot be pickled, so each worker process
renders and writes its parts itself and sends back PDF bytes; every worker
holds one ``Renderer`` (one font configuration, one URL fetcher) for the
whole build.  Parts are independent: page numbers are stamped later by the
binder, so a part never depends on where it falls in the pack.
"""

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from assembler.render import PDF_VARIANT, Renderer

_renderer = None  # the worker's own


@dataclass(frozen=True)
class Job:
    what: str  # for messages: "the cover", "3. Budget (budget.docx)"
    template: str
    context: dict
    base_dir: Path | None = None


@dataclass
class Part:
    pdf: bytes
    pages: int
    refused: list = field(default_factory=list)  # (url, reason) the fetcher turned away
    cached: bool = False


def read_request(request):
    """Read one paper in a worker: its model, or the problems that refuse it."""
    from assembler.errors import PaperError
    from assembler.readers import read_paper

    path, as_note, id_prefix = request
    try:
        return read_paper(path, as_note=as_note, id_prefix=id_prefix)
    except PaperError as error:  # sent back as a value: it names the file
        return error.problems


def _start(settings):
    global _renderer
    _renderer = Renderer(**settings)


def _render(job):
    document, refused = _renderer.render(job.template, base_dir=job.base_dir, **job.context)
    try:
        return Part(document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages), refused)
    except Exception as error:  # name the part; the cause stays attached
        raise RuntimeError(f"rendering {job.what} failed: {error}") from error


class Workers:
    """Renders jobs in a pool of processes (or in this one), using ``cache`` when given."""

    def __init__(self, settings, cache=None, processes=None, progress=None):
        self.settings = settings
        self.cache = cache
        self.processes = processes or os.cpu_count() or 1
        self.progress = progress
        self.stats = {"rendered": 0, "cached": 0}
        self._pool = None
        self._started_here = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def run(self, jobs):
        """A ``Part`` for each job, in order."""
        keys = [self.cache.key(job.template, job.context, job.base_dir) if self.cache else None for job in jobs]
        parts = [self._cached(key) for key in keys]
        missing = [index for index, part in enumerate(parts) if part is None]
        for index, part in zip(missing, self._map([jobs[index] for index in missing])):
            parts[index] = part
            if self.cache:
                self.cache.put(keys[index], part.pdf, part.pages, part.refused)
        self.stats["rendered"] += len(missing)
        self.stats["cached"] += len(jobs) - len(missing)
        return parts

    def read(self, requests):
        """Read papers, ``(path, as_note, id_prefix)`` each, in parallel: a model, or a
        list of problems, for each."""
        keys = [self.cache.paper_key(request) if self.cache else None for request in requests]
        models = [self.cache.get_paper(key) if key else None for key in keys]
        missing = [index for index, model in enumerate(models) if model is None]
        todo = [requests[index] for index in missing]
        if self.processes == 1 or len(todo) < 4:
            read = [read_request(request) for request in todo]
        else:
            read = list(self._ensure_pool().map(read_request, todo, chunksize=2))
        for index, model in zip(missing, read):
            models[index] = model
            if self.cache and not isinstance(model, list):
                self.cache.put_paper(keys[index], model)
        return models

    def _ensure_pool(self):
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.processes, initializer=_start, initargs=(self.settings,))
        return self._pool

    def _cached(self, key):
        found = self.cache.get(key) if key else None
        return Part(found[0], found[1], found[2], cached=True) if found else None

    def _map(self, jobs):
        if not jobs:
            return []
        if self.processes == 1 or len(jobs) == 1:
            if not self._started_here:  # this process renders too: with this build's settings
                _start(self.settings)
                self._started_here = True
            results = []
            for job in jobs:
                results.append(_render(job))
                self._tick(job)
            return results
        results = []
        for job, part in zip(jobs, self._ensure_pool().map(_render, jobs)):
            results.append(part)
            self._tick(job)
        return results

    def _tick(self, job):
        if self.progress:
            self.progress(job.what)
