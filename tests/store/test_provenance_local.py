"""The server's stamps (who inserted an event, when it got it) kept in the local journal,
shown on the timeline where they differ from the author, and carried by archives."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incidentdesk.app.archive import export_archive, import_archive
from incidentdesk.app.desk import Desk
from incidentdesk.cli.main import main
from incidentdesk.core.journal.events import Event

STAMPED_AT = datetime(2026, 12, 7, 9, 30, 0, 123456, tzinfo=UTC)


def journal(desk: Desk) -> dict[str, Event]:
    with desk.store.reading() as tx:
        return {e.id: e for i in tx.incident_ids() for _s, e in tx.events(i)}


def come_back(desk: Desk, event_id: str, recorder: str) -> list[str]:
    """Our own event, pulled back from the server with what the server stamped."""
    event = journal(desk)[event_id]
    return desk.exchange.receive([event._replace(recorded_by=recorder, received_at=STAMPED_AT)])


def test_a_local_event_has_no_server_identity_until_it_comes_back_stamped(desk: Desk) -> None:
    incident = desk.incidents.declare("Checkout errors", "SEV2")
    note = desk.incidents.add_note(incident, "rolled back")
    before = journal(desk)[note]
    state = desk.incidents.get(incident)
    assert (before.recorded_by, before.received_at) == (None, None)

    assert come_back(desk, note, "sam") == [], "not a new event: nothing to fold again"
    after = journal(desk)[note]
    assert (after.recorded_by, after.received_at) == ("sam", STAMPED_AT)
    assert after._replace(recorded_by=None, received_at=None) == before
    assert desk.incidents.get(incident) == state
    assert desk.exchange.waiting() == 2, "the outbox is the push's business, not the pull's"

    # A server still at 0005 stamps nothing: what is known is not forgotten.
    desk.exchange.receive([after._replace(recorded_by=None, received_at=None)])
    assert journal(desk)[note].recorded_by == "sam"


def test_the_push_keeps_what_the_server_stamped(desk: Desk) -> None:
    incident = desk.incidents.declare("Queue backlog", "SEV3")
    stamp_us = 1_796_000_000_000_000
    desk.exchange.mark_pushed([incident], {incident: ("priya", stamp_us)})
    event = journal(desk)[incident]
    assert event.recorded_by == "priya" and desk.exchange.waiting() == 0
    assert event.received_at is not None and int(event.received_at.timestamp()) == 1_796_000_000


def test_an_archive_carries_the_recorder_and_an_import_keeps_it(desk: Desk, tmp_path: Path) -> None:
    incident = desk.incidents.declare("Disk full", "SEV3")
    local = desk.incidents.add_note(incident, "not pushed yet")
    pushed = desk.incidents.add_note(incident, "pushed")
    come_back(desk, pushed, "sam")
    path = tmp_path / "journal.jsonl"
    export_archive(desk, path)
    lines = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    by_id = {line["id"]: line for line in lines}
    assert by_id[pushed]["recorded_by"] == "sam"
    assert by_id[pushed]["received_at"] == "2026-12-07T09:30:00.123456+00:00"
    assert "recorded_by" not in by_id[local], "a local-only event claims no server identity"

    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = Desk.open(other_dir, "Bob")
    try:
        import_archive(other, path)
        imported = journal(other)
        assert (imported[pushed].recorded_by, imported[pushed].received_at) == ("sam", STAMPED_AT)
        assert imported[local].recorded_by is None
    finally:
        other.close()


def test_an_archive_cannot_rewrite_what_the_server_stamped(desk: Desk, tmp_path: Path) -> None:
    incident = desk.incidents.declare("Disk full", "SEV3")
    pushed = desk.incidents.add_note(incident, "pushed")
    come_back(desk, pushed, "sam")
    path = tmp_path / "journal.jsonl"
    export_archive(desk, path)
    header, *lines = path.read_text().splitlines()
    forged = [json.loads(line) for line in lines]
    for line in forged:
        if line["id"] == pushed:
            line["recorded_by"] = "priya"  # a claim, in a file anyone can edit
    path.write_text("\n".join([header, *(json.dumps(line) for line in forged)]) + "\n")
    import_archive(desk, path)
    assert journal(desk)[pushed].recorded_by == "sam", "only the server's word replaces it"


def test_the_timeline_names_the_recorder_where_it_is_not_the_author(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = Desk.open(data_dir, "Priya Patel")
    try:
        incident = desk.incidents.declare("Login failures", "SEV2")
        own = desk.incidents.add_note(incident, "she typed this herself")
        scribed = desk.incidents.add_note(incident, "the scribe typed this for her")
        come_back(desk, own, "priyapatel")
        come_back(desk, scribed, "sam")
    finally:
        desk.close()

    assert main(["--data-dir", str(data_dir), "timeline", incident]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.endswith("the scribe typed this for her  (recorded by sam)") for line in lines)
    assert any(line.endswith("she typed this herself") for line in lines)
    assert sum("recorded by" in line for line in lines) == 1

    assert main(["--data-dir", str(data_dir), "timeline", incident, "--json"]) == 0
    entries = {e["id"]: e for e in json.loads(capsys.readouterr().out)}
    assert entries[scribed]["recorded_by"] == "sam"
    assert entries[scribed]["received_at"] == "2026-12-07T09:30:00.123456+00:00"
    assert entries[incident]["recorded_by"] is None and entries[incident]["received_at"] is None
