"""One private folder for a command's temporary files, removed when it ends.

WeasyPrint (70.0, ``weasyprint.text.fonts.FontConfiguration``) copies every
font a part uses into a ``weasyprint-*`` folder of the system's temporary
directory, and removes it only from ``__del__``.  Neither a worker process
(``multiprocessing`` leaves it with ``os._exit``) nor the command itself
(``cli.run`` leaves with ``os._exit``, to skip the interpreter's slow tidying)
runs that, so each build left a few megabytes of fonts behind, and a machine
that builds all day filled its disk.

So the command points ``tempfile`` at a folder of its own
(``assemble-scratch-<process id>-*`` in the system's temporary directory), which the
workers inherit as they fork, and removes it whole on the way out.  A command
killed before it could (``kill -9``, a power cut) leaves its folder; the next
command removes every such folder whose process is no longer running.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

PREFIX = "assemble-scratch-"
_folder = None  # (process id, path) of this process's folder


def use_scratch_folder():
    """Make ``tempfile`` (and so WeasyPrint) write inside a new folder of this process's
    own, once per process; remove the folders of commands that died without removing
    theirs.  Returns the folder's path.  Raises nothing: a system temporary directory
    that cannot be written is left as it is, for the first write to report."""
    global _folder
    if _folder is not None:
        return _folder[1]
    system = Path(tempfile.gettempdir())
    _remove_orphans(system)
    try:
        path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=system))
    except OSError:
        return system
    _folder = (os.getpid(), path)
    tempfile.tempdir = str(path)
    atexit.register(remove_scratch_folder)
    return path


def remove_scratch_folder():
    """Remove this process's folder and everything in it (a forked worker's call does
    nothing: the folder is its parent's)."""
    global _folder
    if _folder is None or _folder[0] != os.getpid():
        return
    shutil.rmtree(_folder[1], ignore_errors=True)
    tempfile.tempdir = str(_folder[1].parent)
    _folder = None


def _remove_orphans(system):
    """This user's folders ``assemble-scratch-<pid>-*`` whose process has ended."""
    for folder in system.glob(f"{PREFIX}*-*"):
        pid = folder.name[len(PREFIX):].split("-", 1)[0]
        if (pid.isdigit() and folder.is_dir() and not folder.is_symlink()
                and folder.stat().st_uid == os.getuid() and not _running(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: running
        return True
    return True
