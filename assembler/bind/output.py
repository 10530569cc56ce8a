"""Put the editions in place together, or not at all.

Each edition is written to a temporary file beside its target, flushed to
disk, and only when every edition is complete are they renamed into place.
A failure before that point leaves the earlier editions exactly as they were.
"""

import os
import re
import tempfile
from pathlib import Path

TEMP_PREFIX = ".assemble-"


def edition_name(body, date, edition):
    """``improvement-and-innovation-board-2017-01-24-members.pdf``."""
    slug = re.sub(r"[^a-z0-9]+", "-", body.lower()).strip("-") or "meeting"
    return f"{slug}-{date.isoformat()}-{edition}.pdf"


def write_together(out_dir, files):
    """Write ``{name: bytes}`` into ``out_dir`` so that all appear or none change."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(out_dir)
    staged = []
    try:
        for name, data in files.items():
            handle, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".pdf", dir=out_dir)
            staged.append((Path(temp), out_dir / name))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temp, 0o644)  # mkstemp makes 0600 files
        for temp, target in staged:
            os.replace(temp, target)
        _sync_folder(out_dir)
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
    return [target for _, target in staged]


def _remove_stale_temporaries(out_dir):
    """Temporaries left by a build that was killed before it could clean up."""
    for stale in out_dir.glob(f"{TEMP_PREFIX}*.pdf"):
        stale.unlink(missing_ok=True)


def _sync_folder(folder):
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
