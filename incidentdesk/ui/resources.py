"""Find shipped resources (icons, themes) by path, in a checkout, a wheel or a frozen build."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon


@cache
def resources_dir() -> Path:
    """The folder holding ``resources/`` content."""
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller unpacks data files here
    if frozen:
        return Path(frozen) / "incidentdesk" / "resources"
    import incidentdesk.resources as package  # type: ignore[import-not-found]

    return Path(package.__file__).resolve().parent


def resource_path(*parts: str) -> Path:
    """The path of one resource, such as ``resource_path("themes", "dark.qss")``."""
    return resources_dir().joinpath(*parts)


@cache
def icon(name: str) -> QIcon:
    """An SVG icon from ``resources/icons`` (an empty icon if it is missing)."""
    path = resource_path("icons", f"{name}.svg")
    return QIcon(str(path)) if path.exists() else QIcon()
