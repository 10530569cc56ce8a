"""A content-addressed cache of rendered parts, so a rebuild renders only what changed.

The key covers everything a part's pages depend on: the template and its
context (the paper's content among it), the shipped templates, stylesheet,
fonts and assets, the house's templates and stylesheet, the files private
papers use, and the versions of this program and of the libraries that draw.
Every file the part drew (pictures, logo, map, SVG, a stylesheet's ``url()``:
whatever the renderer's URL fetcher served or found missing, as it resolved
the name) is stored with the entry by its digest, and an entry is used only
while each of those files is byte for byte the same.  An entry that is unreadable, truncated or written by
another version simply misses and is rendered again; nothing is trusted
that does not check out.
"""

import dataclasses
import datetime
import hashlib
import json
import os
import pickle
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from pydantic import BaseModel

import assembler
from assembler.opened import checked_digest
from assembler.render import font_subsetter

VERSIONS = {name: version(name) for name in
            ("weasyprint", "pydyf", "tinycss2", "pikepdf", "mammoth", "markdown-it-py", "nh3", "pypdf",
             "pypdfium2")}
VERSIONS["assembler"] = assembler.__version__
VERSIONS["font subsetter"] = font_subsetter()


def cache_folder():
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "agenda-pack-assembler" / "parts"


def folder_digest(*folders):
    """One digest of every file under ``folders`` (names and bytes): the files really inside
    each (a symbolic link leading out of it is passed over, as the house templates' loader
    passes it over), each read once where it was checked (``opened.read_checked``)."""
    from assembler.opened import read_checked

    digest = hashlib.sha256()
    for folder in folders:
        if folder is None:
            continue
        folder = Path(folder).resolve()
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            real = path.resolve()
            if real.is_relative_to(folder):
                try:
                    data = read_checked(real)
                except OSError:  # gone or replaced since: the loader will not load it either
                    continue
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


def _code_digest():
    """The program's own source: a changed reader or renderer never trusts an older entry."""
    digest = hashlib.sha256()
    for path in sorted(Path(assembler.__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


VERSIONS["code"] = _code_digest()


class PartCache:
    """Rendered parts by key, in ``folder``; ``setting_digest`` stands for the settings
    every part of a build is drawn with.  ``memory``: a dict kept by a long-running
    process (``assemble serve``), holding the entries it has read or written, so that its
    next build reads none from disk."""

    def __init__(self, folder, setting_digest, memory=None):
        self.folder = Path(folder)
        self.memory = memory
        self.setting_digest = setting_digest

    def key(self, template, context, base_dir, private=False):
        """The key of a part: what it is drawn from, apart from the files it draws (``get`` checks those)."""
        text = json.dumps({"template": template, "context": context, "base": str(base_dir), "private": private,
                           "setting": self.setting_digest, "versions": VERSIONS}, default=_plain, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, key):
        """(pdf bytes, page count, refused, overflowing pages, pictures drawn, page texts, reads)
        or None: the fields of a rendered ``Part``.  None too when a file the part drew has
        changed, appeared or gone since."""
        try:
            meta = json.loads(self._read(f"{key}.json"))
            reads = meta["reads"]
            if meta.get("versions") != VERSIONS or not isinstance(reads, dict):
                return None
            if any(checked_digest(Path(path)) != digest for path, digest in reads.items()):
                return None
            pdf = self._read(f"{key}.pdf")
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        if (hashlib.sha256(pdf).hexdigest() != meta.get("sha256")
                or not pdf.startswith(b"%PDF-") or b"%%EOF" not in pdf[-1024:]):
            return None
        return (pdf, int(meta["pages"]), [tuple(item) for item in meta.get("refused", [])], meta.get("overflow", []),
                meta.get("images", 0), meta.get("texts", []), reads)

    def paper_key(self, request):
        """The key of a paper read from ``(path, bytes, as_note, id_prefix)``: its bytes, where
        it is (the model names its file) and how it is read."""
        path, data, as_note, id_prefix = request
        text = json.dumps({"file": hashlib.sha256(data).hexdigest(), "path": str(Path(path).resolve()),
                           "as_note": as_note,
                           "prefix": id_prefix, "versions": VERSIONS}, sort_keys=True)
        return "paper-" + hashlib.sha256(text.encode()).hexdigest()

    def get_paper(self, key):
        """A document model read before, or None.  (Pickled: the cache is the user's own folder.)"""
        try:
            data = self._read(f"{key}.pickle")
            digest, body = data[:64], data[64:]
            if hashlib.sha256(body).hexdigest().encode() != digest:
                return None
            return pickle.loads(body)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None

    def put_paper(self, key, model):
        body = pickle.dumps(model)
        self._write(f"{key}.pickle", hashlib.sha256(body).hexdigest().encode() + body)

    def get_texts(self, pdf):
        """The page texts of a PDF (bytes) extracted before, or None."""
        try:
            texts = json.loads(self._read(f"text-{hashlib.sha256(pdf).hexdigest()}.json"))
        except (OSError, ValueError):
            return None
        return texts if isinstance(texts, list) and all(isinstance(text, str) for text in texts) else None

    def put_texts(self, pdf, texts):
        self._write(f"text-{hashlib.sha256(pdf).hexdigest()}.json", json.dumps(texts).encode())

    def get_scan(self, name):
        """{page digest: text} of the public edition last scanned under ``name``, or {}."""
        try:
            found = json.loads(self._read(f"scan-{hashlib.sha256(name.encode()).hexdigest()}.json"))
            pages = found["pages"] if found.get("versions") == VERSIONS else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}
        return {key: text for key, text in pages.items() if isinstance(text, str)} if isinstance(pages, dict) else {}

    def put_scan(self, name, pages):
        self._write(f"scan-{hashlib.sha256(name.encode()).hexdigest()}.json",
                    json.dumps({"versions": VERSIONS, "pages": pages}).encode())

    def _read(self, name):
        """An entry's bytes, its time set to now: pruning removes those unused longest."""
        if self.memory is not None and name in self.memory:
            return self.memory[name]
        path = self.folder / name
        data = path.read_bytes()
        if self.memory is not None:
            self.memory[name] = data
        try:
            os.utime(path)
        except OSError:  # a cache we may read but not write
            pass
        return data

    def prune(self):
        """Keep the cache under ``ASSEMBLE_CACHE_MB`` (default 1024): when it is over, the
        entries unused longest go, down to three quarters of it.  Looked at once an hour at
        most (a long-used cache holds tens of thousands of files)."""
        limit = _cache_bytes()
        stamp = self.folder / ".pruned"
        try:
            if time.time() - stamp.stat().st_mtime < 3600:
                return
        except OSError:
            pass
        try:
            entries = [(status.st_mtime, status.st_size, entry) for entry in os.scandir(self.folder)
                       if entry.is_file() for status in [entry.stat()]]
            for modified, _, entry in entries:  # a write that a killed build left half done
                if entry.name.startswith(".part-") and time.time() - modified > 3600:
                    os.unlink(entry.path)
            stems = {}  # a part's .pdf and .json go together: one without the other is no entry
            for modified, size, entry in (item for item in entries if not item[2].name.startswith(".")):
                stem = entry.name.split(".", 1)[0]
                used, held, paths = stems.get(stem, (0, 0, []))
                stems[stem] = (max(used, modified), held + size, paths + [entry.path])
            total = sum(size for _, size, _ in stems.values())
            for _, size, paths in sorted(stems.values()) if total > limit else []:
                if total <= limit * 3 // 4:
                    break
                for path in paths:
                    os.unlink(path)
                total -= size
            stamp.touch()
        except OSError:  # another build pruning at the same moment, or a read-only cache
            pass

    def _write(self, name, data):
        if self.memory is not None:
            self.memory[name] = data
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.folder, prefix=".part-")
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temp, self.folder / name)
        except OSError:  # a read-only or full cache only costs speed
            pass

    def put(self, key, part):
        """Keep a rendered ``Part`` under ``key``, with the digests of the files it drew."""
        pdf = part.pdf
        meta = {"pages": part.pages, "refused": part.refused, "overflow": part.overflow, "images": part.images,
                "texts": part.texts, "reads": part.reads, "sha256": hashlib.sha256(pdf).hexdigest(),
                "versions": VERSIONS}
        self._write(f"{key}.pdf", pdf)
        self._write(f"{key}.json", json.dumps(meta).encode())


def _cache_bytes():
    """``ASSEMBLE_CACHE_MB`` in bytes: 1 GB unless it is a positive, finite number."""
    try:
        megabytes = float(os.environ.get("ASSEMBLE_CACHE_MB", "1024"))
    except ValueError:
        megabytes = 1024
    return int((megabytes if 0 < megabytes < float("inf") else 1024) * 1024 * 1024)


def _plain(value):
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"cannot key {type(value).__name__}")
