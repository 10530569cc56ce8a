"""The package as a stranger installs it: a wheel, in a fresh virtual environment, used away from the repo."""

import shutil
import subprocess
import sys
import sysconfig
import zipfile

import pytest

from tests.conftest import ROOT

NOT_SHIPPED = shutil.ignore_patterns(".git", ".venv", "out", "build", "dist", "*.egg-info", "__pycache__",
                                     ".pytest_cache")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built from a copy of the repo, installed (not editable) into a fresh
    virtual environment; returns (wheel, the environment's bin folder).

    Offline and fast: the wheel is built with this environment's setuptools, and the
    fresh environment borrows this one's dependencies (a .pth line), never its
    editable install, whose finder only runs from this environment's own .pth files."""
    base = tmp_path_factory.mktemp("package")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SHIPPED)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(base / "dist"), str(source)], check=True, capture_output=True)
    (wheel,) = (base / "dist").glob("*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True)
    site = subprocess.run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (venv.parent / site).joinpath("borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return wheel, venv / "bin"


def test_the_wheel_carries_every_template_asset_font_and_licence(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "assets"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert f"assembler/{folder}/{path.relative_to(ROOT / folder).as_posix()}" in names
    licences = {name.rsplit("/", 1)[-1] for name in names if "/licenses/" in name}
    assert licences == {"LICENSE"} | {path.name for path in (ROOT / "assets" / "fonts").glob("LICENSE*")}
    assert "LICENSE-LiberationSans.txt" in licences


@pytest.mark.parametrize("example", [path.name for path in sorted((ROOT / "packs").iterdir())])
def test_the_installed_command_builds_every_example_outside_the_repo(installed, tmp_path, example):
    _, bin_folder = installed
    pack = shutil.copytree(ROOT / "packs" / example, tmp_path / "pack")
    where = subprocess.run([bin_folder / "python", "-c", "import assembler.render as r; print(r.TEMPLATES)"],
                           cwd=tmp_path, check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(bin_folder.parent)) and "site-packages" in where
    version = subprocess.run([bin_folder / "assemble", "--version"], cwd=tmp_path, capture_output=True, text=True)
    from importlib.metadata import version as installed_version

    assert version.stdout.strip() == f"assemble {installed_version('agenda-pack-assembler')}"
    built = subprocess.run([bin_folder / "assemble", "pack.yaml", "-o", "out", "-q"], cwd=pack,
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0 and built.stderr == "", built.stderr  # and no warnings
    assert len(list((pack / "out").glob("*.pdf"))) == 2


def test_the_installed_command_makes_a_new_pack_that_builds(installed, tmp_path):
    _, bin_folder = installed
    made = subprocess.run([bin_folder / "assemble", "new", "committee"], cwd=tmp_path, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    built = subprocess.run([bin_folder / "assemble", "pack.yaml", "-q"], cwd=tmp_path / "committee",
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0 and built.stderr == "", built.stderr
    assert len(list((tmp_path / "committee").glob("*.pdf"))) == 2
