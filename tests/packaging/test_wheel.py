"""The wheel carries everything the app needs at run time.

Builds the wheel from a copy of the source tree, installs it into a fresh virtual environment
outside the source tree, and runs ``incidentdesk --version``, ``demo`` (needs the Alembic
migrations in the wheel) and ``screenshot`` (needs the icons and themes) from an empty working
directory, so nothing can come from the checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path

import pytest

import incidentdesk

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
# "incidentdesk.resources" -> "resources": folders shipped inside the package.
PACKAGE_DIRS: dict[str, str] = PYPROJECT["tool"]["setuptools"]["package-dir"]
STEP_TIMEOUT_S = 180


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    python: Path
    command: Path
    workdir: Path  # an empty folder outside the source tree: the working directory of each run


def _copy_sources(dest: Path) -> Path:
    """Copy what the build reads (top-level files, the package and its mapped folders).

    Building from a copy keeps ``build/`` and ``*.egg-info`` out of the checkout, and a stale
    ``build/lib`` (setuptools never prunes it) out of the wheel.
    """
    dest.mkdir()
    for path in ROOT.iterdir():
        if path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, dest / path.name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for folder in {"incidentdesk", *PACKAGE_DIRS.values()}:
        shutil.copytree(ROOT / folder, dest / folder, ignore=ignore)
    return dest


def _can_build_without_network() -> bool:
    """Whether this environment's setuptools can build the wheel itself (no build isolation).

    setuptools builds wheels on its own from 70.1 on, and from 68 (pyproject's minimum) with
    the ``wheel`` package. An older one (a venv made by Python 3.11's ensurepip has 65.5) means
    an isolated build, which fetches setuptools from the package index as ``pip install -e .``
    does.
    """
    try:
        found = tuple(int(part) for part in re.findall(r"\d+", version("setuptools"))[:2])
    except PackageNotFoundError:
        return False
    return found >= (70, 1) or (found >= (68, 0) and find_spec("wheel") is not None)


def _run(args: list[str | Path], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
        **kwargs,  # type: ignore[call-overload]
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    return result


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "INCIDENTDESK_HOME"):
        env.pop(name, None)
    env["PYTHONNOUSERSITE"] = "1"
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("wheel-test")
    assert not base.is_relative_to(ROOT), "the test venv must live outside the source tree"
    source = _copy_sources(base / "source")
    dist = base / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check"]
    if _can_build_without_network():
        build.append("--no-build-isolation")
    _run([*build, "-q", "-w", dist, source], cwd=base)
    (wheel,) = dist.glob("incidentdesk-*.whl")

    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=base)
    python = venv / "bin" / "python"
    # pip from this environment installs into the new one (--python): no pip in the new venv,
    # no index, no dependencies, just the wheel.
    pip = [sys.executable, "-m", "pip", "--python", python, "--disable-pip-version-check"]
    _run([*pip, "install", "-q", "--no-deps", "--no-index", wheel], cwd=base)
    # The dependencies (PySide6 is ~100 MB) come from this test environment instead of being
    # downloaded again: a .pth file in the new venv's site-packages appends this environment's
    # site-packages to sys.path. Plain path lines in a .pth file are only appended to sys.path;
    # the .pth files inside the added folder (such as an editable install of incidentdesk
    # pointing at the checkout) are not processed, so the package itself still comes from the
    # wheel, which the new venv's own site-packages, earlier on sys.path, holds.
    purelib = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        cwd=base,
        env=_clean_env(),
    ).stdout.strip()
    ours = dict.fromkeys(
        [*site.getsitepackages(), sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]
    )
    (Path(purelib) / "_incidentdesk_test_deps.pth").write_text(
        "".join(f"{path}\n" for path in ours if Path(path).is_dir()), "utf-8"
    )
    workdir = base / "work"
    workdir.mkdir()
    yield Installed(wheel, venv, python, venv / "bin" / "incidentdesk", workdir)


def _in_wheel(names: set[str], package: str, folder: Path) -> list[str]:
    """The files of ``folder`` (shipped as ``package``) that the wheel lacks."""
    prefix = package.replace(".", "/")
    missing = []
    for path in folder.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            name = f"{prefix}/{path.relative_to(folder).as_posix()}"
            if name not in names:
                missing.append(name)
    return missing


def test_wheel_ships_every_resource_and_migration(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for package, folder in PACKAGE_DIRS.items():
        assert not _in_wheel(names, package, ROOT / folder), "add them to package-data"
    for required in (
        "incidentdesk/migrations/env.py",
        "incidentdesk/migrations/script.py.mako",
        "incidentdesk/resources/themes/light.qss",
        "incidentdesk/resources/themes/dark.qss",
        "incidentdesk/resources/icons/io.incidentdesk.IncidentDesk.svg",
        "incidentdesk/resources/icons/io.incidentdesk.IncidentDesk-256.png",
    ):
        assert required in names
    assert any(n.startswith("incidentdesk/migrations/versions/0001_") for n in names)


def test_the_installed_package_comes_from_the_new_venv(installed: Installed) -> None:
    probe = (
        "import incidentdesk, incidentdesk.migrations as m\n"
        "from incidentdesk.ui.common.resources import resource_path\n"
        "print(incidentdesk.__file__); print(m.__file__)\n"
        "print(resource_path('themes', 'dark.qss'))\n"
        "print(resource_path('icons', 'io.incidentdesk.IncidentDesk.svg'))\n"
    )
    result = _run([installed.python, "-c", probe], cwd=installed.workdir, env=_clean_env())
    files = [Path(line).resolve() for line in result.stdout.split()]
    assert len(files) == 4
    assert all(file.is_file() for file in files), files
    venv = installed.venv.resolve()
    for file in files:
        assert file.is_relative_to(venv), f"{file} is not inside {venv}"
        assert not file.is_relative_to(ROOT)


def test_version(installed: Installed) -> None:
    result = _run([installed.command, "--version"], cwd=installed.workdir, env=_clean_env())
    assert result.stdout.strip() == f"incidentdesk {incidentdesk.__version__}"


def test_demo_then_screenshot(installed: Installed, qapp: object) -> None:
    from PySide6.QtGui import QImage

    env = _clean_env()
    data = installed.workdir / "profile"
    data.mkdir()
    cli = [installed.command, "--data-dir", data]
    # The demo creates the database, which runs every migration shipped in the wheel.
    incident = _run([*cli, "demo"], cwd=installed.workdir, env=env).stdout.strip().split()[-1]
    shown = _run([*cli, "show", incident, "--json"], cwd=installed.workdir, env=env).stdout
    assert '"severity": "SEV2"' in shown

    out = installed.workdir / "out.png"
    _run(
        [*cli, "screenshot", out, "--incident", incident, "--size", "1000x700"],
        cwd=installed.workdir,
        env=env,
    )
    image = QImage(str(out))
    assert not image.isNull(), "the screenshot is not a PNG"
    assert (image.width(), image.height()) == (1000, 700)
    # A real window, not a blank surface: text, badges and lines make many colours.
    colours = {image.pixel(x, y) for x in range(0, 1000, 7) for y in range(0, 700, 7)}
    assert len(colours) > 20, f"only {len(colours)} colours: the window did not draw"


def test_installed_blameless_check_and_post_mortem_export(installed: Installed) -> None:
    """The rules, the templates and the demo's catalog are read from the installed package."""
    env = _clean_env()
    doc = installed.workdir / "pm.md"
    doc.write_text("# Post-mortem\n\nThe fix was simply a restart.\n", encoding="utf-8")
    lint = subprocess.run(
        [str(installed.command), "postmortem", "lint", str(doc)],
        cwd=installed.workdir,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
        env=env,
    )
    assert lint.returncode == 1, lint.stderr
    assert "pm.md:3:13: minimizing" in lint.stdout

    data = installed.workdir / "pm-profile"
    data.mkdir()
    cli = [installed.command, "--data-dir", data]
    incident = _run([*cli, "demo"], cwd=installed.workdir, env=env).stdout.strip().split()[-1]
    probe = (
        "import sys\nfrom pathlib import Path\nfrom incidentdesk.app.desk import Desk\n"
        "d = Desk.open(Path(sys.argv[1]), 'Ana')\n"
        "print(d.postmortems.start(sys.argv[2], 'google-sre'))\n"
        "print(len(d.postmortems.templates()))\n"
    )
    out = _run(
        [installed.python, "-c", probe, data, incident], cwd=installed.workdir, env=env
    ).stdout.split()
    assert out[-1] == "3"  # the three shipped templates
    md = installed.workdir / "pm-out.md"
    _run([*cli, "postmortem", "export", incident, "-o", md], cwd=installed.workdir, env=env)
    assert "Google SRE" in md.read_text(encoding="utf-8")
    shown = _run([*cli, "catalog", "show", "--json"], cwd=installed.workdir, env=env).stdout
    assert "ledger-service" in shown  # the demo's catalog came from the package
