"""Find shipped resources (icons, themes) by path, in a checkout, a wheel or a frozen build."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from incidentdesk.app.profile import resource_path, resources_dir

__all__ = ["icon", "resource_path", "resources_dir"]


@cache
def icon(name: str) -> QIcon:
    """An SVG icon from ``resources/icons`` (an empty icon if it is missing)."""
    path = resource_path("icons", f"{name}.svg")
    return QIcon(str(path)) if path.exists() else QIcon()
