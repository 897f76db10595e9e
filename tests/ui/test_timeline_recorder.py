"""The timeline names who recorded an entry where it is not its author (the scribe case)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from incidentdesk.app.desk import Desk
from incidentdesk.core.catalog.model import parse_toml
from incidentdesk.core.journal.events import Event, validate_payload
from incidentdesk.core.journal.ids import hlc_pack, new_event_id
from incidentdesk.core.timefmt import format_utc
from incidentdesk.ui.command.timeline_model import AUTHOR, TEXT, RecorderRole
from incidentdesk.ui.command.timeline_panel import TimelinePanel
from incidentdesk.ui.common.client import DeskClient

STAMPED_AT = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)


def from_the_server(desk: Desk, incident: str, text: str, recorder: str) -> None:
    """A note from another workstation, as pulled from the shared server."""
    hlc = hlc_pack(int(STAMPED_AT.timestamp() * 1000), 0) + desk.incidents.snapshot(incident).seq
    note = Event(
        new_event_id(),
        incident,
        "note.added",
        validate_payload("note.added", {"text": text}),
        STAMPED_AT,
        hlc,
        "Priya Patel",
        "other-device",
        recorder,
        STAMPED_AT,
    )
    assert desk.exchange.receive([note]) == [incident]


def row_of(panel: TimelinePanel, text: str) -> int:
    model = panel.model
    return next(r for r in range(model.rowCount()) if model.index(r, TEXT).data() == text)


CATALOG = """
[[people]]
handle = "ppatel"
name = "Priya Patel"
email = "priya@example.com"
team = "payments"
[[teams]]
name = "payments"
"""


def test_the_recorder_shows_beside_the_author_only_where_it_differs(
    qtbot: QtBot, client: DeskClient, desk: Desk
) -> None:
    desk.catalog.import_catalog(parse_toml(CATALOG))
    incident = desk.incidents.declare("Checkout errors", "SEV2")
    from_the_server(desk, incident, "typed by Priya herself", "ppatel")  # her catalog handle
    from_the_server(desk, incident, "typed by the scribe for Priya", "sam")
    desk.with_author("Priya Patel").incidents.add_note(incident, "not on the server yet")

    panel = TimelinePanel(client)
    qtbot.addWidget(panel)
    panel.resize(1000, 300)
    panel.show()
    panel.show_incident(incident, desk.incidents.snapshot(incident))
    model = panel.model
    qtbot.waitUntil(lambda: bool(model.identities), timeout=10_000)

    own = model.index(row_of(panel, "typed by Priya herself"), AUTHOR)
    assert own.data() == "Priya Patel" and own.data(RecorderRole) is None
    assert "Recorded by ppatel" in own.data(Qt.ItemDataRole.ToolTipRole)

    other = model.index(row_of(panel, "typed by the scribe for Priya"), AUTHOR)
    assert other.data() == "Priya Patel · sam" and other.data(RecorderRole) == "sam"
    tip = other.data(Qt.ItemDataRole.ToolTipRole)
    assert "Recorded by sam" in tip and format_utc(STAMPED_AT) in tip

    mine = model.index(row_of(panel, "not on the server yet"), AUTHOR)
    assert mine.data() == "Priya Patel" and mine.data(RecorderRole) is None
    assert "Not on the shared server yet" in mine.data(Qt.ItemDataRole.ToolTipRole)
    # The search box finds an entry by who recorded it, too.
    panel.search.setText("sam")
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 1, timeout=5000)
    assert panel.proxy.index(0, TEXT).data() == "typed by the scribe for Priya"
    # It paints (the delegate's muted part) without a warning.
    panel.grab()
