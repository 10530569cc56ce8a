"""Put a command's outputs in place together, or not at all.

Two ways, one per command:

* ``write_together`` (the build): each edition is written to a temporary
  file beside its target and flushed to disk; when every one is complete, a
  journal naming each temporary and its target is put beside them (flushed,
  then renamed into place: it is there whole or not at all), the temporaries
  are renamed over their targets, the public editions first, and the journal
  is removed.  Before the journal, a failure or a ``kill -9`` leaves the
  earlier editions as they were (and temporaries, which the next command
  removes); from the journal on, the new set is the one, and the next command
  on the folder (``settle``) finishes the renames a killed build left undone.
  Two files cannot change in one step, so between a kill and that next
  command the folder may hold a new public edition beside the old members'
  one, never an old public edition (which may carry a paper made private
  since) beside a new members' one.
* ``replace_folder`` (``publish``): the whole output folder (``members/`` and
  ``public/``) is written afresh beside it, flushed, and exchanged with the
  old one in one step (``renameat2(RENAME_EXCHANGE)``, Linux 3.15).  Nothing
  of an earlier publish survives in it (a paper made private since has no
  per-item PDF left behind), and a killed or failing publish leaves the old
  folder whole: temporaries live in a hidden folder beside it, never in
  ``public/``.

A full disk or a folder that cannot be written is the officer's problem
(``InputError``, naming the folder), not a crash.
"""

import ctypes
import errno
import fcntl
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from assembler.errors import InputError

TEMP_PREFIX = ".assemble-"
JOURNAL = f"{TEMP_PREFIX}journal.json"  # temporary -> target, while a build renames
_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def edition_name(body, date, edition):
    """``improvement-and-innovation-board-2017-01-24-members.pdf``."""
    slug = re.sub(r"[^a-z0-9]+", "-", body.lower()).strip("-") or "meeting"
    return f"{slug}-{date.isoformat()}-{edition}.pdf"


def write_together(out_dir, files):
    """Write ``{name: bytes}`` into ``out_dir`` so that all appear or none change; return
    the paths written.  They are renamed into place in the order given: the file that
    must never be older than the others (a public edition) first.

    Raises ``InputError`` if the folder cannot be written (full, read-only, not a
    folder).  Two builds into one folder take turns (a lock on it), so neither removes
    the other's temporaries; a build killed while renaming is finished by the next
    (``settle``).
    """
    out_dir = Path(out_dir)
    refuse_publish_folder(out_dir)
    staged, committed = [], False
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with _locked(out_dir):
            _settle(out_dir)
            try:
                for name, data in files.items():
                    staged.append((_temporary(out_dir, ".pdf"), out_dir / name))
                    _write_file(staged[-1][0], data)
                _commit(out_dir, staged)
                committed = True
                _finish(out_dir, staged)
            finally:
                for temp, _ in staged if not committed else ():
                    temp.unlink(missing_ok=True)
    except OSError as error:
        if committed:  # the journal is in place: the next command finishes the renames
            raise _cannot_write(out_dir, error, "the next build into it puts the new files in place") from None
        raise _cannot_write(out_dir, error) from None
    return [target for _, target in staged]


def settle(out_dir):
    """Finish what a build killed while renaming into ``out_dir`` left undone (the renames
    its journal names), and remove the temporaries of a build killed before that; nothing
    when the folder does not exist.  Raises ``InputError`` if the folder cannot be written."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return
    try:
        with _locked(out_dir):
            _settle(out_dir)
    except OSError as error:
        raise _cannot_write(out_dir, error) from None


def _temporary(out_dir, suffix):
    handle, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=suffix, dir=out_dir)
    os.close(handle)
    return Path(temp)


def _commit(out_dir, staged):
    """The journal of ``staged`` (temporary, target) put in place, on disk: from now on
    the new files are the folder's."""
    temp = _temporary(out_dir, ".json")
    _write_file(temp, json.dumps([[source.name, target.name] for source, target in staged]).encode())
    _rename(temp, out_dir / JOURNAL)
    _sync_folder(out_dir)


def _finish(out_dir, staged):
    """Each temporary renamed over its target, in order, then the journal removed."""
    for temp, target in staged:
        if temp.exists():  # not renamed yet by a build killed after it
            _rename(temp, target)
    _sync_folder(out_dir)
    _remove(out_dir / JOURNAL)
    _sync_folder(out_dir)


def _settle(out_dir):
    """``settle``, with the folder locked: the journal's renames finished, temporaries gone."""
    try:
        names = json.loads((out_dir / JOURNAL).read_bytes())
    except FileNotFoundError:
        names = []
    except ValueError:  # cannot be: the journal is renamed into place whole; then trust nothing in it
        names = []
        _remove(out_dir / JOURNAL)
    staged = [(out_dir / source, out_dir / target) for source, target in names
              if _plain_name(source) and source.startswith(TEMP_PREFIX) and _plain_name(target)]
    if names:
        _finish(out_dir, staged)
    for stale in [*out_dir.glob(f"{TEMP_PREFIX}*.pdf"), *out_dir.glob(f"{TEMP_PREFIX}*.json")]:
        stale.unlink(missing_ok=True)


def _plain_name(name):
    """A file name of this folder (no folder part, not the folder itself)."""
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name and "\0" not in name


def refuse_publish_folder(out_dir):
    """Raise ``InputError`` if ``out_dir`` is a folder ``assemble publish`` wrote, or inside
    one: its ``public/`` is uploaded as it is, so a build's members' edition must never go
    there (nor beside it, where the next publish would refuse the folder).  Such a folder
    is known by what publish always writes: ``public/`` holding ``meeting.json`` and
    ``index.html``."""
    for folder in [Path(os.path.abspath(out_dir)), *Path(os.path.abspath(out_dir)).parents]:
        if all((folder / "public" / name).is_file() for name in ("meeting.json", "index.html")):
            raise InputError(f"{out_dir}: is in a folder assemble publish wrote ({folder}), whose public/ is "
                             "uploaded as it is: no members' edition may go there; write it elsewhere with -o")


def replace_folder(out_dir, folders):
    """Make ``out_dir`` hold exactly ``{subfolder: {name: bytes}}``, in one step; return it.

    ``out_dir`` may hold nothing but those subfolders (it is replaced whole): anything
    else in it (the pack itself, say, with ``-o .``) is refused with ``InputError``.
    Raises ``InputError`` too if it cannot be written; the old folder is then unchanged.
    """
    out_dir = Path(os.path.abspath(out_dir))
    if out_dir.is_symlink():
        out_dir = out_dir.resolve()
    if out_dir.exists():
        if not out_dir.is_dir():
            raise InputError(f"{out_dir}: is not a folder")
        foreign = sorted(entry.name for entry in out_dir.iterdir() if entry.name not in folders)
        if foreign:
            raise InputError(f"{out_dir}: holds files this command did not write ({', '.join(foreign[:3])}); "
                             "give it a folder of its own with -o")
    parent, stage = out_dir.parent, None
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with _locked(parent):
            for stale in parent.glob(f".{out_dir.name}{TEMP_PREFIX}*"):  # a killed publish's
                shutil.rmtree(stale, ignore_errors=True)
            stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}{TEMP_PREFIX}", dir=parent))
            os.chmod(stage, 0o755)  # mkdtemp makes it 0700
            for folder, files in folders.items():
                (stage / folder).mkdir()
                for name, data in files.items():
                    _write_file(stage / folder / name, data)
                _sync_folder(stage / folder)
            _sync_folder(stage)
            if out_dir.exists():
                _exchange(stage, out_dir)
            else:
                _rename(stage, out_dir)
            _sync_folder(parent)
            shutil.rmtree(stage, ignore_errors=True)  # now the old folder
    except OSError as error:
        raise _cannot_write(out_dir, error) from None
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
    return out_dir


def _write_file(path, data):
    """``data`` into ``path``, on disk (flushed and synced), readable by all."""
    with open(path, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(path, 0o644)  # mkstemp makes 0600 files


def _rename(source, target):
    os.replace(source, target)


def _remove(path):
    path.unlink(missing_ok=True)


def _exchange(first, second):
    """Swap two folders' names in one step; where the system cannot, move the old one
    aside first (a moment in which ``second`` is missing)."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(code, os.strerror(code), str(second))
    aside = Path(f"{first}-old")
    _rename(second, aside)
    _rename(first, second)
    _rename(aside, first)


def _cannot_write(folder, error, then="earlier files are unchanged"):
    reason = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
              errno.EROFS: "the disk is read-only", errno.EACCES: "permission denied",
              errno.EPERM: "permission denied"}.get(error.errno, error.strerror or str(error))
    return InputError(f"{folder}: cannot write the output there ({reason}); {then}")


class _locked:
    """An exclusive lock on ``folder`` itself (``flock`` on its descriptor: no file is left
    behind), held while a command writes there."""

    def __init__(self, folder):
        self.folder = folder

    def __enter__(self):
        self.descriptor = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(self.descriptor, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        os.close(self.descriptor)


def _sync_folder(folder):
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
