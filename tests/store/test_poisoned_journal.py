"""A journal an older version let a hostile row into (before the boundary existed) still
takes new entries: the local clock is computed from the events the boundary would accept."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from incidentdesk.app.desk import Desk
from incidentdesk.cli.main import main
from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.ids import hlc_pack, hlc_unpack, new_event_id
from incidentdesk.core.timefmt import to_micros, utc_now


def let_in_as_an_older_version_did(desk: Desk, incident: str, hlc: int) -> str:
    event = Event(
        new_event_id(),
        incident,
        "note.added",
        {"text": "from a hostile peer", "kind": "note"},
        utc_now(),
        hlc,
        "Mallory",
        "evil-device",
    )
    with desk.store.writing() as tx:
        assert tx.receive(event)  # straight in: no boundary, as before this version
    return event.id


def test_a_row_with_hlc_2_63_minus_1_does_not_stop_writing(desk: Desk) -> None:
    incident = desk.incidents.declare("Checkout errors", "SEV2")
    let_in_as_an_older_version_did(desk, incident, (1 << 63) - 1)
    note = desk.incidents.add_note(incident, "still writing")
    mine = next(e for e in desk.incidents.timeline(incident) if e.event.id == note).event
    physical_ms, _counter = hlc_unpack(mine.hlc)
    assert abs(physical_ms - to_micros(utc_now()) // 1000) < 60_000  # today's clock
    assert desk.incidents.declare("Another", "SEV3")  # and a new incident


def test_a_row_a_year_ahead_does_not_drag_the_clock_along(desk: Desk) -> None:
    incident = desk.incidents.declare("Checkout errors", "SEV2")
    ahead_ms = to_micros(utc_now() + timedelta(days=365)) // 1000
    let_in_as_an_older_version_did(desk, incident, hlc_pack(ahead_ms, 0))
    note = desk.incidents.add_note(incident, "still writing")
    mine = next(e for e in desk.incidents.timeline(incident) if e.event.id == note).event
    assert hlc_unpack(mine.hlc)[0] < ahead_ms - 300 * 86_400_000


def test_the_cli_keeps_writing_on_a_poisoned_journal(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = Desk.open(data_dir, "Alice")
    try:
        incident = desk.incidents.declare("Checkout errors", "SEV2")
        let_in_as_an_older_version_did(desk, incident, (1 << 63) - 1)
    finally:
        desk.close()
    assert main(["--data-dir", str(data_dir), "note", incident, "from the CLI"]) == 0
    assert main(["--data-dir", str(data_dir), "db", "check"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
