"""The desktop integration files in packaging/ and the application icons in resources/icons.

``desktop-file-validate`` (desktop-file-utils) and ``appstreamcli`` (appstream) check the
files when they are installed. Without them the checks are skipped, except when ``CI`` is set:
there their absence is a failure (``.ci/run`` installs both with apt).
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

import incidentdesk

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons"
APP_ID = "io.incidentdesk.IncidentDesk"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
PNG_SIZES = (16, 32, 48, 64, 128, 256)


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian package {package})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must install it (.ci/run does).")
        pytest.skip(message)
    return path


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def _render_icons_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_icons", PACKAGING / "render-icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_desktop_file_validates() -> None:
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    result = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, timeout=60)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, output
    # It exits 0 on warnings too: a warning is a failure here; hints are fine.
    problems = [line for line in output.splitlines() if "error:" in line or "warning:" in line]
    assert not problems, output


def test_metainfo_validates_offline() -> None:
    tool = _tool("appstreamcli", "appstream")
    result = subprocess.run(
        [tool, "validate", "--no-net", "--explain", str(METAINFO)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # appstreamcli fails on errors and warnings; infos and pedantic notes pass.
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_file_launches_the_installed_command_with_the_app_icon() -> None:
    entry = _desktop_entry()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert entry["Exec"].split()[0] in scripts
    assert entry["Icon"] == APP_ID
    assert (ICONS / f"{APP_ID}.svg").is_file()


def test_metainfo_matches_the_desktop_file_and_the_version() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    versions = [release.get("version") for release in root.iterfind("releases/release")]
    # The newest release comes first; a version bump needs its <release> entry.
    assert versions and versions[0] == incidentdesk.__version__, versions
    assert root.find("content_rating") is not None
    categories = {c.text for c in root.iterfind("categories/category")}
    assert categories <= set(_desktop_entry()["Categories"].strip(";").split(";"))


def test_scalable_icon_is_a_valid_svg(qapp: object) -> None:
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(ICONS / f"{APP_ID}.svg"))
    assert renderer.isValid()
    assert renderer.defaultSize().width() == renderer.defaultSize().height()


def _mean_channel_difference(a: object, b: object, size: int) -> float:
    from PySide6.QtGui import QImage

    assert isinstance(a, QImage) and isinstance(b, QImage)
    first = a.convertToFormat(QImage.Format.Format_ARGB32)
    second = b.convertToFormat(QImage.Format.Format_ARGB32)
    total = 0
    for y in range(size):
        for x in range(size):
            p, q = first.pixel(x, y), second.pixel(x, y)
            total += sum(abs((p >> s & 0xFF) - (q >> s & 0xFF)) for s in (0, 8, 16, 24))
    return total / (size * size * 4)


@pytest.mark.parametrize("size", PNG_SIZES)
def test_png_icons_are_rendered_from_the_svg(qapp: object, tmp_path: Path, size: int) -> None:
    """Each committed PNG has its size and matches a fresh rendering of the SVG (so a changed
    SVG without ``python packaging/render-icons.py`` fails here)."""
    from PySide6.QtGui import QImage

    committed = QImage(str(ICONS / f"{APP_ID}-{size}.png"))
    assert not committed.isNull()
    assert (committed.width(), committed.height()) == (size, size)
    assert committed.hasAlphaChannel()
    assert committed.pixelColor(size // 2, size // 4).alpha() == 255  # the tile is opaque
    assert committed.pixelColor(0, 0).alpha() == 0  # the corners are transparent

    render_icons = _render_icons_module()
    assert tuple(render_icons.SIZES) == PNG_SIZES
    fresh = tmp_path / "fresh.png"
    render_icons.render(ICONS / f"{APP_ID}.svg", size, fresh)
    # A little slack for antialiasing differences between Qt releases.
    diff = _mean_channel_difference(committed, QImage(str(fresh)), size)
    assert diff < 2, f"{APP_ID}-{size}.png is out of date: run python packaging/render-icons.py"
