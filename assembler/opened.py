"""A file of the pack read once, through one descriptor, only if it is where it was checked.

The spec resolves every path it names and checks that it is inside the pack
(``spec``); the URL fetcher does the same for every file a part draws.
Between that check and the read, the file (or a folder on its way) may be
replaced by a symbolic link leading out of the pack.  So a file is opened
once, without following a final link (``O_NOFOLLOW``), and the kernel is
asked where what was opened really is (``/proc/self/fd``, Linux): it must be
the resolved path that was checked, a regular file; its bytes are then read
from that descriptor and handed on, and the file is never opened by its name
again.  (Without ``/proc``, the opened file must be the same file, by device
and inode, as the one the path leads to now.)
"""

import errno
import hashlib
import os
import stat
from pathlib import Path


class Replaced(OSError):
    """The file at a checked path is no longer the file that was checked: a link, or
    somewhere else (``where``).  Its message says so, for a line naming the file."""

    def __init__(self, path, where):
        self.path, self.where = Path(path), where
        super().__init__(errno.ELOOP, f"was replaced by a link (to {where}) after it was checked; refused")

    def __str__(self):
        return self.strerror


def read_checked(path, limit=None):
    """The bytes of the file at ``path`` (absolute and resolved, as the spec or the fetcher
    checked it), read once through one descriptor; at most ``limit`` + 1 bytes when
    ``limit`` is given (the caller refuses a larger file).

    Raises ``Replaced`` if what opens is not that file (a final link, or a folder on the
    way now a link: the opened file's real location differs), ``IsADirectoryError`` if
    it is a folder, ``OSError`` (``EINVAL``) if it is not a regular file (a FIFO, a
    device), and the ``OSError`` of the open or read otherwise
    (``FileNotFoundError``, ``PermissionError`` …)."""
    path = Path(path)
    try:
        # O_NONBLOCK: a FIFO put in a paper's place must not hang the build at the open
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ELOOP:  # the final component is a link
            raise Replaced(path, os.path.realpath(path)) from None
        raise
    try:
        status = os.fstat(descriptor)
        where = _opened_at(descriptor, path, status)
        if where != str(path):
            raise Replaced(path, where)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
        if not stat.S_ISREG(status.st_mode):  # a device, a FIFO, a socket
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    with os.fdopen(descriptor, "rb") as stream:
        return stream.read() if limit is None else stream.read(limit + 1)


def _opened_at(descriptor, path, status):
    """Where the file open on ``descriptor`` really is: its path as the kernel knows it."""
    try:
        return os.readlink(f"/proc/self/fd/{descriptor}")
    except OSError:  # no /proc: the same file as the path leads to now, or not
        try:
            now = os.stat(path)
        except OSError:
            return "a file since removed"
        return str(path) if os.path.samestat(now, status) else os.path.realpath(path)


def read_paper_file(path, limit=None):
    """``read_checked``, a file that cannot be read (or was replaced) a ``PaperError``
    naming it: for the readers and the venue's files."""
    from assembler.errors import PaperError

    try:
        return read_checked(path, limit)
    except OSError as error:
        raise PaperError(path, unreadable(error)) from None


def unreadable(error):
    """Why a file could not be read, for the officer, from the ``OSError`` of ``read_checked``."""
    if isinstance(error, Replaced):
        return str(error)
    if isinstance(error, IsADirectoryError):
        return "is not a file"
    return f"cannot be read ({error.strerror or error})"


def checked_digest(path):
    """The sha256 (hex) of the file at ``path`` (resolved, as the spec or the fetcher
    resolved it), read where it was checked (``read_checked``); None if it is not there,
    is a link now, or cannot be read."""
    try:
        return hashlib.sha256(read_checked(path)).hexdigest()
    except OSError:
        return None
