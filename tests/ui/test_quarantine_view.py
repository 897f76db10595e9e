"""The status bar's "N events could not be read" and the Diagnostics view that lists them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostilekit import peer_note  # tests/hostilekit.py
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from incidentdesk.app.desk import Desk
from incidentdesk.ui.command.quarantine_view import QuarantineDialog
from incidentdesk.ui.shell.app import build_window
from incidentdesk.ui.shell.main_window import MainWindow


def hostile(incident: str, **changes: Any) -> dict[str, Any]:
    return peer_note(incident, **{"payload": "not json at all", **changes})


def keep_aside(data_dir: Path, ref: str, row: dict[str, Any]) -> None:
    """What a sync round does with a bad row, from another Desk on the same file."""
    other = Desk.open(data_dir, "Sync")
    try:
        received = other.exchange.receive_rows([(ref, row)])
        assert received.quarantined == 1
    finally:
        other.close()


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    seed = Desk.open(data_dir, "Alice")
    incident = seed.incidents.declare("Payments down", "SEV1", ["payments"])
    seed.close()
    keep_aside(data_dir, "42", hostile(incident))
    opened = build_window(data_dir, "Alice")
    opened.incident_for_tests = incident  # type: ignore[attr-defined]
    qtbot.addWidget(opened)
    opened.resize(1280, 720)
    opened.show()
    qtbot.waitUntil(lambda: opened.rows_loaded, timeout=10_000)
    yield opened
    opened.client.stop()


def test_the_status_bar_counts_what_could_not_be_read(qtbot: QtBot, window: MainWindow) -> None:
    label = window.quarantine_label
    qtbot.waitUntil(lambda: label.isVisible(), timeout=10_000)
    assert label.text() == "⚠ 1 event could not be read"
    assert window.incident_list.order.rowCount() == 1, "the rest of the journal is there"


def test_a_click_opens_the_diagnostics_view_listing_the_row(
    qtbot: QtBot, window: MainWindow, qtmodeltester: Any
) -> None:
    label = window.quarantine_label
    qtbot.waitUntil(lambda: label.isVisible(), timeout=10_000)
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton)
    dialog = window.findChild(QuarantineDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.model.rowCount() == 1, timeout=10_000)
    qtmodeltester.check(dialog.model)
    model = dialog.model
    cells = [model.index(0, c).data() for c in range(model.columnCount())]
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(cells))]
    assert headers == ["Id", "Author", "Device", "Kind", "Reason", "Source"]
    assert cells[1:] == [
        "Mallory",
        "badc0ffee000",
        "note.added",
        "payload is not JSON",
        "server (seq 42)",
    ]
    assert dialog.heading.text() == "1 event could not be read."
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert cells[0] in copied and "payload is not JSON" in copied and "Mallory" in copied
    dialog.reject()


def test_the_count_follows_new_rows_kept_aside(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    label = window.quarantine_label
    qtbot.waitUntil(lambda: label.isVisible(), timeout=10_000)
    incident = window.incident_for_tests  # type: ignore[attr-defined]
    keep_aside(data_dir, "43", hostile(incident, hlc=2**63 - 1, payload=json.dumps({})))
    assert window.sync is not None
    window.sync.start(connected=False)  # a sync state report, as after each round
    qtbot.waitUntil(lambda: label.text() == "⚠ 2 events could not be read", timeout=10_000)


def test_no_label_when_everything_could_be_read(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "clean"
    folder.mkdir()
    opened = build_window(folder, "Alice")
    qtbot.addWidget(opened)
    opened.show()
    try:
        qtbot.waitUntil(lambda: opened.rows_loaded, timeout=10_000)
        qtbot.waitUntil(lambda: opened.client.worker.pending == 0, timeout=10_000)
        assert not opened.quarantine_label.isVisible()
        dialog = opened.open_quarantine()
        qtbot.waitUntil(
            lambda: dialog.heading.text() == "Every event could be read.", timeout=10_000
        )
        assert not dialog.copy_button.isEnabled()
        dialog.reject()
    finally:
        opened.client.stop()
