"""The local SQLite store: durability settings, schema upgrades, bad files."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from incidentdesk.app.desk import Desk
from incidentdesk.infra.store import migrate
from incidentdesk.infra.store.local import DB_NAME, LocalStore, StoreError


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_connections_are_durable_wal_with_foreign_keys(data_dir: Path) -> None:
    store = LocalStore(data_dir)
    with store.reading() as tx:
        pragma = lambda name: tx.conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000
    store.close()


def test_write_transactions_take_the_write_lock_at_begin(data_dir: Path) -> None:
    store = LocalStore(data_dir)
    other = sqlite3.connect(data_dir / DB_NAME, timeout=0, isolation_level=None)
    with store.writing():
        # Nothing written yet, but BEGIN IMMEDIATE already holds the lock: another writer
        # cannot start, so ours can never fail half-way with SQLITE_BUSY.
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        # Readers are not blocked (WAL).
        assert other.execute("SELECT count(*) FROM events").fetchone() == (0,)
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()
    store.close()


def test_new_file_is_at_the_newest_schema_known_to_alembic(data_dir: Path) -> None:
    store = LocalStore(data_dir)
    assert store.schema_revision() == migrate.SCHEMA_HEAD
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory(str(migrate.MIGRATIONS_DIR)).get_heads()
    assert heads == [migrate.SCHEMA_HEAD], "SCHEMA_HEAD must name the newest migration"
    assert store.integrity_check() == ["ok"]
    store.close()


def test_file_from_a_newer_release_is_refused_and_left_untouched(data_dir: Path) -> None:
    desk = Desk.open(data_dir, "Alice")
    incident = desk.incidents.declare("Disk full on db-1", "SEV3")
    desk.close()
    db = data_dir / DB_NAME
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    conn.close()
    before = _digest(db)

    with pytest.raises(StoreError, match=r"newer IncidentDesk.*0099_from_the_future"):
        LocalStore(data_dir)
    assert _digest(db) == before
    with sqlite3.connect(db) as conn:
        count = conn.execute("SELECT count(*) FROM events WHERE incident_id = ?", (incident,))
        assert count.fetchone() == (1,)
    conn.close()


def test_an_older_file_is_copied_aside_before_upgrading(data_dir: Path) -> None:
    # A file as the first release wrote it: schema 0001, one incident.
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{data_dir / DB_NAME}")
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
        config.attributes["connection"] = conn
        command.upgrade(config, "0001_journal")
        conn.execute(
            text(
                "INSERT INTO events (id, incident_id, kind, payload, occurred_at_us, hlc, author,"
                " device) VALUES ('01a00000-0000-7000-8000-000000000001',"
                " '01a00000-0000-7000-8000-000000000001', 'incident.declared',"
                ' \'{"title": "Queue backlog", "severity": "SEV4", "services": []}\','
                " 1764000000000000, 1, 'Alice', 'dev1')"
            )
        )
    engine.dispose()

    store = LocalStore(data_dir)
    assert store.schema_revision() == migrate.SCHEMA_HEAD
    assert store.backup_path is not None and store.backup_path.exists()
    assert "before-upgrade-0001_journal" in store.backup_path.name
    with sqlite3.connect(store.backup_path) as copy:
        revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()
        ids = [r[0] for r in copy.execute("SELECT incident_id FROM events")]
    copy.close()
    assert revision == ("0001_journal",)
    assert ids == ["01a00000-0000-7000-8000-000000000001"]
    store.close()
    # Opening through the Desk after an upgrade fills the new projections from the journal.
    (data_dir / DB_NAME).unlink()
    for side in data_dir.glob(f"{DB_NAME}-*"):
        side.unlink()
    store.backup_path.rename(data_dir / DB_NAME)
    desk = Desk.open(data_dir, "Alice")
    assert desk.incidents.get("01a00000").title == "Queue backlog"
    assert [r["title"] for r in desk.incidents.rows()] == ["Queue backlog"]
    assert [h.incident_id for h in desk.incidents.search("backlog")] == [
        "01a00000-0000-7000-8000-000000000001"
    ]
    desk.close()


def test_a_damaged_file_gets_one_clear_error_and_is_not_changed(data_dir: Path) -> None:
    db = data_dir / DB_NAME
    db.write_bytes(b"this is not a database at all\x00" * 500)
    before = _digest(db)
    with pytest.raises(StoreError, match="damaged or not an IncidentDesk database"):
        LocalStore(data_dir)
    assert _digest(db) == before


def test_a_foreign_sqlite_database_is_refused(data_dir: Path) -> None:
    db = data_dir / DB_NAME
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.close()
    with pytest.raises(StoreError, match="not an IncidentDesk one"):
        LocalStore(data_dir)


def test_a_read_only_file_is_refused_with_a_clear_message(data_dir: Path) -> None:
    desk = Desk.open(data_dir, "Alice")
    desk.incidents.declare("Certificate expired", "SEV2")
    desk.close()
    db = data_dir / DB_NAME
    db.chmod(0o444)
    try:
        with pytest.raises(StoreError, match="read-only"):
            LocalStore(data_dir)
    finally:
        db.chmod(0o644)


def test_a_missing_data_dir_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        LocalStore(tmp_path / "nowhere")


def test_rebuild_recomputes_the_incident_list_from_the_journal(desk: Desk) -> None:
    first = desk.incidents.declare("Login errors", "SEV2", ["auth"])
    desk.incidents.set_status(first, "mitigated")
    second = desk.incidents.declare("Slow search", "SEV4")
    before = desk.incidents.rows()
    with desk.store.writing() as tx:
        tx.conn.execute(text("DELETE FROM incidents"))
    assert desk.incidents.rows() == []

    assert desk.rebuild() == 2
    assert desk.incidents.rows() == before
    assert {r["id"] for r in before} == {first, second}


def test_two_workstations_on_one_file_see_each_others_events(data_dir: Path) -> None:
    alice = Desk.open(data_dir, "Alice")
    bob = Desk.open(data_dir, "Bob")
    incident = alice.incidents.declare("Payments down", "SEV1")
    bob.incidents.add_note(incident, "Bob here, looking at the gateway")
    alice.incidents.assign_role(incident, "scribe", "Bob")
    texts = [e.text for e in alice.incidents.timeline(incident)]
    assert texts[1:] == ["Bob here, looking at the gateway", "Bob is Scribe"]
    assert bob.incidents.get(incident).holders("scribe") == ["Bob"]
    alice.close()
    bob.close()
