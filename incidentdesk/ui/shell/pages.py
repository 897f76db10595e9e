"""The window's pages: the command page's layout and the tabs that switch between views."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QTabWidget, QVBoxLayout, QWidget


def command_page(
    parent: QWidget, incident_list: QWidget, banner: QWidget, command_view: QWidget
) -> QSplitter:
    """The incident list beside the offline banner and the command view."""
    command_area = QWidget(parent)
    area_layout = QVBoxLayout(command_area)
    area_layout.setContentsMargins(0, 0, 0, 0)
    area_layout.setSpacing(0)
    banner_row = QHBoxLayout()  # lined up with the command view's own margins
    banner_row.setContentsMargins(6, 6, 6, 0)
    banner_row.addWidget(banner)
    area_layout.addLayout(banner_row)
    area_layout.addWidget(command_view, 1)
    splitter = QSplitter(Qt.Orientation.Horizontal, parent)
    splitter.addWidget(incident_list)
    splitter.addWidget(command_area)
    # A wider window gives the list a share too, so titles show more than their start.
    splitter.setStretchFactor(0, 1)
    splitter.setStretchFactor(1, 3)
    splitter.setSizes([400, 1000])
    return splitter


def view_tabs(parent: QWidget, pages: Mapping[str, QWidget]) -> QTabWidget:
    """One tab per view, in order, named as ``pages``' keys."""
    views = QTabWidget(parent)
    views.setObjectName("Views")
    names = ", ".join(name.lower() for name in pages)
    views.tabBar().setAccessibleName(f"Views: {names}")
    views.setDocumentMode(True)
    for name, page in pages.items():
        views.addTab(page, name)
    return views
