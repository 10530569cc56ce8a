"""Rewrite the reference pictures of tests/visual/ from the example packs as they build now.

Run on purpose, after a change to the look that is meant, then look at the new pictures (git diff shows them)
before committing them:  .venv/bin/python tests/visual/regenerate.py
No arguments in; the PNGs under tests/visual/<pack>/ out, and a line per picture written."""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.visual.pages import PAGES, build, reference_path, render  # noqa: E402


def main():
    """Build each example pack into a temporary folder, draw its pages and save them as the references."""
    with tempfile.TemporaryDirectory() as folder:
        for pack in PAGES:
            members = build(pack, Path(folder) / pack)
            for name, picture in render(members, pack).items():
                path = reference_path(pack, name)
                path.parent.mkdir(parents=True, exist_ok=True)
                picture.save(path, optimize=True)
                print(f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}: "
                      f"{picture.size[0]} x {picture.size[1]} px, {path.stat().st_size // 1024 + 1} KB")


if __name__ == "__main__":
    main()
