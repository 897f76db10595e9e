"""The window's lean first read: what it shows is what the Desk then loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import incidentdesk.app.glance as glance_module
from incidentdesk.app.demo import seed_demo
from incidentdesk.app.desk import Desk
from incidentdesk.app.glance import glance
from incidentdesk.infra.store import glance as lean
from incidentdesk.infra.store import local, migrate


def test_the_glance_holds_the_desks_latest_entries_and_state(desk: Desk, data_dir: Path) -> None:
    incident = seed_demo(desk)
    notes = [e for e in desk.incidents.snapshot(incident).events if e.kind == "note.added"]
    desk.incidents.correct_note(incident, notes[0].id, "Corrected: the pool was the cause")
    desk.incidents.pin(incident, notes[1].id)

    first = glance(data_dir, incident, latest=20)

    assert first is not None
    latest, effects = desk.incidents.latest_entries(incident, 20)
    assert first.latest == latest
    assert first.effects == effects and len(effects) == 2
    assert first.state == desk.incidents.snapshot(incident).state
    assert first.state is not None and first.state.title.startswith("EU checkout failing")


def test_a_long_incident_shows_its_latest_entries_and_leaves_the_state_to_the_desk(
    desk: Desk, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    incident = desk.incidents.declare("Disk full on ledger-db", "SEV2")
    for number in range(12):
        desk.incidents.add_note(incident, f"check {number}")
    monkeypatch.setattr(glance_module, "FOLD_UP_TO", 10)

    first = glance(data_dir, incident, latest=5)

    assert first is not None and first.state is None
    assert [e.payload["text"] for e in first.latest] == [f"check {n}" for n in range(7, 12)]


def test_nothing_to_glance_at_creates_nothing(data_dir: Path, desk: Desk) -> None:
    assert glance(data_dir, "01890000-0000-7000-8000-000000000000") is None  # no such incident
    empty = data_dir.parent / "new-profile"
    empty.mkdir()
    assert glance(empty, "01890000-0000-7000-8000-000000000000") is None
    assert list(empty.iterdir()) == []  # the Desk makes the file, never the glance


def test_a_file_it_cannot_read_gives_no_glance(data_dir: Path) -> None:
    (data_dir / lean.DB_NAME).write_bytes(b"not a database at all" * 100)
    assert glance(data_dir, "01890000-0000-7000-8000-000000000000") is None


def test_a_file_of_another_schema_is_left_to_the_desk(desk: Desk, data_dir: Path) -> None:
    incident = desk.incidents.declare("Disk full on ledger-db", "SEV2")
    assert glance(data_dir, incident) is not None
    with desk.store.writing() as tx:
        tx.conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_future'")
    assert glance(data_dir, incident) is None


def test_the_lean_read_agrees_with_the_local_store_and_loads_no_sqlalchemy() -> None:
    assert lean.DB_NAME == local.DB_NAME
    assert lean.COLUMNS == local._COLUMNS
    assert lean.SCHEMA_HEAD == migrate.SCHEMA_HEAD
    code = (
        "import sys, incidentdesk.app.glance; "
        "print(sorted(m for m in ('sqlalchemy', 'alembic') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
