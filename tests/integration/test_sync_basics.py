"""Sync between two workstations through a real PostgreSQL."""

from __future__ import annotations

from synckit import Workstation


def test_a_note_written_on_a_reaches_b(workstations: tuple[Workstation, Workstation]) -> None:
    a, b = workstations
    incident = a.desk.incidents.declare("Payments down", "SEV1", ["payments"])
    note = a.desk.incidents.add_note(incident, "gateway 502s")
    assert a.desk.exchange.waiting() == 2
    report = a.sync.sync_once()
    assert report.pushed == 2
    assert a.desk.exchange.waiting() == 0
    report = b.sync.sync_once()
    assert report.pulled == 2 and report.changed == [incident]
    assert [e.event.id for e in b.desk.incidents.timeline(incident)] == [incident, note]
    assert b.desk.incidents.rows()[0]["title"] == "Payments down"
    assert b.desk.exchange.waiting() == 0, "pulled events are not pushed back"


def test_pushing_twice_or_replaying_a_pull_changes_nothing(
    workstations: tuple[Workstation, Workstation],
) -> None:
    a, b = workstations
    incident = a.desk.incidents.declare("Disk full", "SEV3")
    a.desk.incidents.add_note(incident, "cleaning /var/log")
    batch = a.desk.exchange.outbox()
    assert a.shared.push(batch) == 2
    assert a.shared.push(batch) == 0
    b.sync.sync_once()
    before = b.desk.incidents.get(incident)
    rows = b.shared.pull_events(0)
    assert b.desk.exchange.receive(e for _s, e in rows) == []
    assert b.desk.incidents.get(incident) == before
    assert b.shared.max_seq() == 2
