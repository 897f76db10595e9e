"""The post-mortem editor inside the main window, and its screenshot rendering."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from incidentdesk.app.demo import seed_demo
from incidentdesk.app.desk import Desk
from incidentdesk.ui.postmortem.editor import PostmortemEditor
from incidentdesk.ui.postmortem.my_action_items import MyActionItems
from incidentdesk.ui.postmortem.screenshot import render_postmortem_for_screenshot
from incidentdesk.ui.shell.app import build_window
from incidentdesk.ui.shell.main_window import MainWindow


@pytest.fixture
def demo_id(data_dir: Path) -> str:
    desk = Desk.open(data_dir, "Seeder")
    incident = seed_demo(desk)
    desk.postmortems.start(incident, "lightweight")
    desk.action_items.save(incident, description="Tune the pool", owner="Alice")
    desk.close()
    return incident


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, demo_id: str) -> Iterator[MainWindow]:
    opened = build_window(data_dir, "Alice")
    qtbot.addWidget(opened)
    opened.show()
    qtbot.waitUntil(lambda: opened.command_view.state is not None, timeout=10_000)
    yield opened
    opened.client.stop()


def menu(window: MainWindow, title: str) -> QMenu:
    for action in window.menuBar().actions():
        if action.text() == title and action.menu() is not None:
            found = action.menu()
            assert isinstance(found, QMenu)
            return found
    raise AssertionError(f"no menu {title}")


def test_menu_opens_the_selected_incidents_post_mortem_and_my_items(
    qtbot: QtBot, window: MainWindow, demo_id: str
) -> None:
    incident_menu = menu(window, "&Incident")
    windows = window.postmortems  # the main window installs the post-mortem entries
    texts = [a.text() for a in incident_menu.actions()]
    assert texts.index("&Post-mortem…") == texts.index("Se&ttings…") - 1
    action = incident_menu.actions()[texts.index("&Post-mortem…")]
    assert action.shortcut().toString() == "Ctrl+Shift+P"

    action.trigger()
    editor = windows.editors[demo_id]
    qtbot.waitUntil(lambda: editor.current_section() == "contributors", timeout=5000)
    assert editor.isWindow() and editor.isVisible()
    assert editor.subtitle_label.text().startswith("SEV2 · Lightweight template")
    action.trigger()  # the same window again, not a second one
    assert list(windows.editors) == [demo_id]

    mine = next(a for a in menu(window, "&View").actions() if a.text() == "My &action items")
    mine.trigger()
    view = windows.my_items
    assert isinstance(view, MyActionItems)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=5000)
    assert view.model.index(0, 1).data() == "Tune the pool"


def test_render_for_screenshot(qtbot: QtBot, desk: Desk) -> None:
    incident = seed_demo(desk)
    desk.postmortems.start(incident, "standard")
    desk.postmortems.save_section(incident, "overview", "It was simply careless.", None)
    editor = render_postmortem_for_screenshot(desk, incident, (1200, 800))
    qtbot.addWidget(editor)
    assert isinstance(editor, PostmortemEditor)
    assert editor.size().width() == 1200
    assert editor.edit.toPlainText() == "It was simply careless."
    assert len(editor.findings()) == 2
    assert not editor.grab().isNull()
