"""The command view while entries pour in: typed ones, refused ones, and a burst written by
another process, against a real Desk on a temporary store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from incidentdesk.app.desk import Desk
from incidentdesk.ui.command.timeline_model import TEXT
from incidentdesk.ui.command.view import CommandView
from incidentdesk.ui.common.client import DeskClient

# Another process appending notes, as an alerting script would (one Desk call a note).
WRITER = """
import sys
from pathlib import Path
from incidentdesk.app.desk import Desk
desk = Desk.open(Path(sys.argv[1]), 'alerting')
for i in range(int(sys.argv[3])):
    desk.incidents.add_note(sys.argv[2], f'alert {i:05d}', 'observation')
desk.close()
"""
BURST = 2_000  # enough for many feed looks and batches; the benchmark writes 10,000


def open_view(qtbot: QtBot, client: DeskClient, incident: str) -> CommandView:
    view = CommandView(client)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    loaded: list[str] = []
    view.loaded.connect(loaded.append)
    view.show_incident(incident)
    qtbot.waitUntil(lambda: loaded == [incident], timeout=10_000)
    return view


def texts(view: CommandView) -> list[str]:
    model = view.timeline.model
    return [model.index(r, TEXT).data() for r in range(model.rowCount())]


def type_entry(qtbot: QtBot, view: CommandView, text: str) -> None:
    field = view.quick_entry.line_edit
    field.setFocus()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_a_typed_note_shows_without_the_change_feed(
    qtbot: QtBot, client: DeskClient, desk: Desk
) -> None:
    incident = desk.incidents.declare("Checkout is failing", "SEV2", ["checkout"])
    view = open_view(qtbot, client, incident)  # the feed is not started: no look happens
    type_entry(qtbot, view, "rolled back 4.2.1")
    qtbot.waitUntil(lambda: texts(view)[-1:] == ["rolled back 4.2.1"], timeout=5000)
    assert view.state is not None and view.state.note_count == 1


def test_after_a_refused_command_the_next_entry_still_shows(
    qtbot: QtBot, client: DeskClient, desk: Desk
) -> None:
    incident = desk.incidents.declare("Checkout is failing", "SEV2", ["checkout"])
    view = open_view(qtbot, client, incident)
    entry = view.quick_entry
    type_entry(qtbot, view, "/at 2099-01-01T10:00Z /sev 1")  # refused: in the future
    qtbot.waitUntil(lambda: entry.error_label.isVisible(), timeout=5000)
    assert "is in the future" in entry.error_label.text()
    entry.line_edit.clear()
    type_entry(qtbot, view, "customers confirm checkout works")
    qtbot.waitUntil(lambda: texts(view)[-1:] == ["customers confirm checkout works"], timeout=5000)
    assert view.state is not None and view.state.severity == "SEV2"


def test_a_burst_from_another_process_ends_with_every_note_shown_in_order(
    qtbot: QtBot, client: DeskClient, desk: Desk, data_dir: Path
) -> None:
    incident = desk.incidents.declare("Checkout is failing", "SEV1", ["checkout"])
    view = open_view(qtbot, client, incident)
    client.incidents_changed.connect(view.on_incidents_changed)
    client.start_feed()
    qtbot.waitUntil(lambda: client.describe()["cursor"] is not None, timeout=5000)
    before = view.timeline.model.rowCount()

    writer = subprocess.run(
        [sys.executable, "-c", WRITER, str(data_dir), incident, str(BURST)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert writer.returncode == 0, writer.stderr
    qtbot.waitUntil(lambda: view.timeline.model.rowCount() == before + BURST, timeout=30_000)
    alerts = [t for t in texts(view) if t.startswith("alert ")]
    assert alerts == [f"alert {i:05d}" for i in range(BURST)]

    type_entry(qtbot, view, "paging the database team")  # the entry still works
    qtbot.waitUntil(lambda: texts(view)[-1:] == ["paging the database team"], timeout=5000)
    assert view.quick_entry.line_edit.text() == ""
