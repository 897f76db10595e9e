"""Find shipped resources (templates, rules, icons, themes) by path, without Qt.

Works in a checkout, an installed wheel and a frozen (PyInstaller) build.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    """The folder holding ``resources/`` content."""
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller unpacks data files here
    if frozen:
        return Path(frozen) / "incidentdesk" / "resources"
    import incidentdesk.resources as package  # type: ignore[import-not-found]

    return Path(package.__file__).resolve().parent


def resource_path(*parts: str) -> Path:
    """The path of one resource, such as ``resource_path("templates", "standard.toml")``."""
    return resources_dir().joinpath(*parts)
