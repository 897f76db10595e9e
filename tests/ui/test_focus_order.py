"""Keyboard: Tab walks the command view in reading order, and every stop says what it is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from incidentdesk.app.demo import seed_demo, seed_demo_catalog
from incidentdesk.app.desk import Desk
from incidentdesk.ui.shell.app import build_window
from incidentdesk.ui.shell.main_window import MainWindow


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    desk = Desk.open(data_dir, "Maya Chen")
    seed_demo_catalog(desk)
    seed_demo(desk)
    desk.close()
    opened = build_window(data_dir, "Maya Chen")
    qtbot.addWidget(opened)
    opened.resize(1400, 900)
    opened.show()
    qtbot.waitUntil(lambda: opened.command_view.incident_id is not None, timeout=10_000)
    qtbot.waitUntil(lambda: bool(opened.command_view.escalation.rows), timeout=10_000)
    yield opened
    opened.client.stop()


def name_of(widget: QWidget) -> str:
    """What a screen reader would say for the widget."""
    if widget.accessibleName():
        return widget.accessibleName()
    if isinstance(widget, QAbstractButton) and widget.text():
        return widget.text()
    if isinstance(widget, QLineEdit) and widget.placeholderText():
        return widget.placeholderText()
    return ""


def tab_stops(window: MainWindow, start: QWidget, limit: int = 200) -> list[QWidget]:
    start.setFocus()
    QApplication.processEvents()
    stops: list[QWidget] = []
    for _ in range(limit):
        widget = QApplication.focusWidget()
        assert widget is not None
        if stops and widget is stops[0]:
            break
        stops.append(widget)
        window.focusNextChild()
        QApplication.processEvents()
    return stops


def test_tab_reaches_every_panel_in_reading_order_and_every_stop_has_a_name(
    window: MainWindow,
) -> None:
    view = window.command_view
    stops = tab_stops(window, window.incident_list.view)
    for widget in stops:
        assert widget.isVisible() and widget.isEnabled()
    unnamed = [f"{type(w).__name__}({w.objectName()})" for w in stops if not name_of(w)]
    assert unnamed == []

    def first(panel: QWidget) -> int:
        return next(i for i, w in enumerate(stops) if w is panel or panel.isAncestorOf(w))

    order = [
        first(window.incident_list),
        first(view.role_board),
        first(view.escalation),
        first(view.timeline),
        first(view.quick_entry),
    ]
    assert order == sorted(order), order


def test_every_tab_stop_of_the_post_mortem_editor_has_a_name(qtbot: QtBot, data_dir: Path) -> None:
    from incidentdesk.ui.postmortem.screenshot import render_postmortem_for_screenshot

    desk = Desk.open(data_dir, "Lena Novak")
    incident = seed_demo(desk)
    desk.postmortems.start(incident, "standard")
    editor = render_postmortem_for_screenshot(desk, incident, (1400, 900))
    qtbot.addWidget(editor)
    stops: list[QWidget] = []
    editor.navigator.setFocus()
    QApplication.processEvents()
    for _ in range(100):
        widget = QApplication.focusWidget()
        if widget is None or (stops and widget is stops[0]):
            break
        stops.append(widget)
        editor.focusNextChild()
        QApplication.processEvents()
    assert editor.edit in stops
    unnamed = [f"{type(w).__name__}({w.objectName()})" for w in stops if not name_of(w)]
    assert unnamed == []
    desk.close()
