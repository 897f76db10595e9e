"""The window's first paint: the last incident shows before the Desk is open, truly, and
what the user enters meanwhile is kept."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import incidentdesk.ui.shell.opening as opening
from incidentdesk.app.demo import seed_demo
from incidentdesk.app.desk import Desk
from incidentdesk.ui.command.incident_list import IncidentIdRole
from incidentdesk.ui.command.timeline_model import TEXT
from incidentdesk.ui.shell.app import build_window, ui_settings
from incidentdesk.ui.shell.main_window import COMMAND, MainWindow


@pytest.fixture
def last_incident(data_dir: Path) -> str:
    """A profile whose last session showed the demo incident."""
    desk = Desk.open(data_dir, "Seeder")
    incident = seed_demo(desk)
    desk.close()
    settings = ui_settings(data_dir)
    settings.setValue("last_incident", incident)
    settings.sync()
    return incident


@pytest.fixture
def held_desk(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The Desk opens only once the test sets the returned event (as on a slow start)."""
    release = threading.Event()
    real = opening.open_desk

    def held(data_dir: Path, name: str) -> Desk:
        release.wait(30)  # the test releases it; the timeout only guards a failing test
        return real(data_dir, name)

    monkeypatch.setattr(opening, "open_desk", held)
    yield release
    release.set()


def open_window(qtbot: QtBot, data_dir: Path) -> MainWindow:
    window = build_window(data_dir, "Alice")
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    return window


def texts(window: MainWindow) -> list[str]:
    proxy = window.command_view.timeline.proxy
    return [proxy.index(r, TEXT).data() for r in range(proxy.rowCount())]


def test_the_last_incident_shows_before_the_desk_opens_as_the_desk_then_shows_it(
    qtbot: QtBot, data_dir: Path, last_incident: str, held_desk: threading.Event
) -> None:
    window = open_window(qtbot, data_dir)
    view = window.command_view
    try:
        qtbot.waitUntil(lambda: view.timeline.model.rowCount() > 0, timeout=10_000)
        assert not window.rows_loaded  # the Desk is not open: this came from the first read
        assert view.incident_id == last_incident
        first_rows = texts(window)
        first_title = view.header.title.text()
        assert first_title.startswith("EU checkout failing")
        assert view.header.severity_badge.text() == "SEV2"
        assert len(first_rows) >= 55

        held_desk.set()
        loaded: list[str] = []
        view.loaded.connect(loaded.append)
        qtbot.waitUntil(lambda: loaded == [last_incident] and window.rows_loaded, timeout=10_000)
        assert texts(window) == first_rows
        assert view.header.title.text() == first_title
        assert window.incident_list.view.currentIndex().data(IncidentIdRole) == last_incident
    finally:
        window.client.stop()


def test_a_note_entered_before_the_desk_opens_is_saved_once(
    qtbot: QtBot, data_dir: Path, last_incident: str, held_desk: threading.Event
) -> None:
    window = open_window(qtbot, data_dir)
    view = window.command_view
    entry = view.quick_entry.line_edit
    try:
        qtbot.waitUntil(lambda: view.timeline.model.rowCount() > 0, timeout=10_000)
        assert entry.isEnabled()
        qtbot.keyClicks(entry, "Failover to the EU standby started")
        qtbot.keyClick(entry, Qt.Key.Key_Return)
        assert not window.rows_loaded
        assert entry.text() == "Failover to the EU standby started"  # kept while it waits

        held_desk.set()
        qtbot.waitUntil(
            lambda: "Failover to the EU standby started" in texts(window), timeout=10_000
        )
        qtbot.waitUntil(lambda: entry.text() == "", timeout=10_000)
    finally:
        window.client.stop()
    desk = Desk.open(data_dir, "Reader")
    notes = [
        e
        for e in desk.incidents.snapshot(last_incident).events
        if e.payload.get("text") == "Failover to the EU standby started"
    ]
    desk.close()
    assert len(notes) == 1 and notes[0].author == "Alice"


def test_without_a_last_incident_the_window_opens_as_before(
    qtbot: QtBot, data_dir: Path, last_incident: str
) -> None:
    settings = ui_settings(data_dir)
    settings.remove("last_incident")
    settings.sync()
    window = open_window(qtbot, data_dir)
    try:
        qtbot.waitUntil(lambda: window.command_view.state is not None, timeout=10_000)
        assert window.command_view.incident_id == last_incident  # the most urgent one
    finally:
        window.client.stop()


def test_a_window_reopened_on_the_library_lists_every_incident_in_both_views(
    qtbot: QtBot, data_dir: Path, last_incident: str
) -> None:
    desk = Desk.open(data_dir, "Seeder")
    for number in range(3):
        desk.incidents.declare(f"Queue backlog {number}", "SEV3")
    desk.close()
    settings = ui_settings(data_dir)
    settings.setValue("window/view", "Library")
    settings.sync()
    window = open_window(qtbot, data_dir)
    try:
        qtbot.waitUntil(lambda: window.library.proxy.rowCount() == 4, timeout=10_000)
        assert window.views.currentWidget().isVisible()
        qtbot.waitUntil(lambda: window.incident_list.model.rowCount() == 4, timeout=10_000)
        window.show_view(COMMAND)
        qtbot.waitUntil(lambda: window.command_view.state is not None, timeout=10_000)
        assert window.command_view.incident_id == last_incident
    finally:
        window.client.stop()
