"""A hostile (or badly broken) peer writes rows straight into the shared journal: no
workstation stops, both keep syncing and writing, and their states stay identical.

The rows go in as the server's superuser with ``session_replication_role = replica``, so
triggers on the server (a validating one may come) are bypassed and what is tested is the
workstation's own boundary (``core/boundary.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hostilekit import peer_note  # tests/hostilekit.py
from pgcluster import PgCluster
from synckit import Workstation, database_name

from incidentdesk.app.desk import Desk
from incidentdesk.cli.main import main
from incidentdesk.core.journal.ids import hlc_pack
from incidentdesk.core.timefmt import to_micros, utc_now

YEAR_MS = 365 * 86_400_000
Row = dict[str, Any]


_note = peer_note


# name → (a row, given the incident and one of its notes; the reason it is kept aside, or
# None where the row is sound and must be applied as usual)
HOSTILE: dict[str, tuple[Callable[[str, Row], Row], str | None]] = {
    "payload not JSON": (lambda i, _n: _note(i, payload="not json at all"), "payload is not JSON"),
    "wrong shape": (
        lambda i, _n: _note(i, payload=json.dumps({"text": ["a", "list"]})),
        "payload breaks the rules of note.added",
    ),
    "unknown kind": (
        lambda i, _n: _note(i, kind="oncall.override_set", payload='{"who": "Ana"}'),
        None,
    ),
    "malformed kind": (lambda i, _n: _note(i, kind="DROP TABLE events"), "kind is not dotted"),
    "hlc 2^63-1": (lambda i, _n: _note(i, hlc=2**63 - 1), "hlc is after the year 2200"),
    "hlc a year ahead": (
        lambda i, _n: _note(i, hlc=hlc_pack(to_micros(utc_now()) // 1000 + YEAR_MS, 0)),
        "hlc is more than a day ahead",
    ),
    "occurred_at year 1": (
        lambda i, _n: _note(i, occurred_at_us=-62135596800000000),
        "occurred_at is outside 1970..2200",
    ),
    "occurred_at year 9999": (
        lambda i, _n: _note(i, occurred_at_us=253402300799000000),
        "occurred_at is outside 1970..2200",
    ),
    "duplicate id, other content": (
        lambda _i, n: {**n, "payload": json.dumps({"text": "I never said that"})},
        "same id as an existing event, different content",
    ),
    "10 MB payload": (
        lambda i, _n: _note(i, payload=json.dumps({"text": "x" * 10_000_000})),
        "payload is too large",
    ),
    "NUL in text": (
        lambda i, _n: _note(i, payload='{"text": "a\\u0000b", "note_kind": "note"}'),
        "payload text holds a NUL character",
    ),
    "lone surrogate in text": (
        lambda i, _n: _note(i, payload='{"text": "a\\ud800b", "note_kind": "note"}'),
        "payload text holds a lone surrogate",
    ),
}
COLUMNS = ("id", "incident_id", "kind", "payload", "occurred_at_us", "hlc", "author", "device")


def insert_behind_the_servers_back(cluster: PgCluster, url: str, row: Row, replace: bool) -> None:
    """As the superuser, triggers off; ``replace`` first deletes the row of that id (a
    rewritten history: the id is unique on the server)."""
    with cluster.admin(database_name(url)) as conn:
        conn.execute("SET session_replication_role = replica")
        if replace:
            conn.execute("DELETE FROM events WHERE id = %s", (row["id"],))
        marks = ", ".join(["%s"] * len(COLUMNS))
        conn.execute(
            f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({marks})",
            [row[c] for c in COLUMNS],
        )


def server_row(cluster: PgCluster, url: str, event_id: str) -> Row:
    with cluster.admin(database_name(url)) as conn:
        found = conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM events WHERE id = %s", (event_id,)
        ).fetchone()
    assert found is not None
    return dict(zip(COLUMNS, found, strict=True))


def state_of(desk: Desk) -> tuple[list[dict[str, Any]], dict[str, list[tuple[str, Any]]]]:
    """What a user sees: the incident list and each incident's timeline."""
    listed = [{k: v for k, v in r.items() if k != "last_seq"} for r in desk.incidents.rows(True)]
    timelines = {
        r["id"]: [(e.event.id, e.text) for e in desk.incidents.timeline(r["id"])] for r in listed
    }
    return listed, timelines


def cli(data_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def sync_both(a: Workstation, b: Workstation) -> None:
    for _ in range(2):
        a.sync.sync_once()
        b.sync.sync_once()


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_row_stops_no_workstation(
    case: str,
    workstations: tuple[Workstation, Workstation],
    pg_cluster: PgCluster,
    shared_schema: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, b = workstations
    incident = a.desk.incidents.declare("Payments down", "SEV1", ["payments"])
    note = a.desk.incidents.add_note(incident, "gateway 502s")
    sync_both(a, b)
    make, reason = HOSTILE[case]
    bad = make(incident, server_row(pg_cluster, shared_schema, note))
    insert_behind_the_servers_back(pg_cluster, shared_schema, bad, replace=bad["id"] == note)

    sync_both(a, b)  # neither raises
    # Both keep writing, and what each writes reaches the other.
    a.desk.incidents.add_note(incident, "still writing on A")
    b.desk.incidents.add_note(incident, "still writing on B")
    other = b.desk.incidents.declare("Search slow", "SEV3")
    sync_both(a, b)
    assert state_of(a.desk) == state_of(b.desk)
    texts = [text for _id, text in state_of(a.desk)[1][incident]]
    assert "still writing on A" in texts and "still writing on B" in texts
    assert a.desk.incidents.get(other).title == "Search slow"
    if reason is not None:
        assert "I never said that" not in texts and "from a peer" not in texts
    assert a.desk.exchange.waiting() == b.desk.exchange.waiting() == 0

    kept = 0 if reason is None else 1
    for ws in (a, b):
        assert ws.desk.exchange.quarantined_count() == kept
        if reason is not None:
            (row,) = ws.desk.exchange.quarantined()
            assert row.event_id == bad["id"] and reason in row.reason
            assert (row.source, row.author, row.device) == ("server", bad["author"], bad["device"])
        # The clock moved only with accepted events: the next note is ordered sanely.
        newest = max(e.event.hlc for e in ws.desk.incidents.timeline(incident))
        assert newest < hlc_pack(to_micros(utc_now()) // 1000 + 60_000, 0)

    # Pulling everything again (a lost cursor) keeps each row once.
    b.desk.exchange.set_sync_fact(b.sync._cursor_key, "0")
    b.sync.sync_once()
    assert b.desk.exchange.quarantined_count() == kept
    assert state_of(a.desk) == state_of(b.desk)

    code, out = cli(b.data_dir, capsys, "sync", "--status", "--json")
    status = json.loads(out)
    assert code == 0 and status["state"] == "online" and status["quarantined"] == kept
    code, out = cli(b.data_dir, capsys, "sync", "--status")
    assert ("1 event could not be read" in out) == bool(kept), out
    code, out = cli(b.data_dir, capsys, "sync", "--quarantined", "--json")
    listed = json.loads(out)
    assert [r["event_id"] for r in listed] == ([bad["id"]] if kept else [])
    code, out = cli(b.data_dir, capsys, "db", "check")
    assert code == 0 and ": ok (schema" in out
    assert ("1 event(s) that could not be read" in out) == bool(kept)


def test_every_hostile_row_at_once_and_a_new_workstation_still_catches_up(
    workstations: tuple[Workstation, Workstation],
    pg_cluster: PgCluster,
    shared_schema: str,
    tmp_path: Path,
) -> None:
    a, b = workstations
    incident = a.desk.incidents.declare("Payments down", "SEV1", ["payments"])
    note = a.desk.incidents.add_note(incident, "gateway 502s")
    sync_both(a, b)
    for make, _reason in HOSTILE.values():
        bad = make(incident, server_row(pg_cluster, shared_schema, note))
        insert_behind_the_servers_back(pg_cluster, shared_schema, bad, replace=bad["id"] == note)
    a.desk.incidents.add_note(incident, "after the flood")
    sync_both(a, b)
    quarantined = sum(1 for _make, reason in HOSTILE.values() if reason is not None)
    assert a.desk.exchange.quarantined_count() == b.desk.exchange.quarantined_count() == quarantined
    assert state_of(a.desk) == state_of(b.desk)

    # A workstation set up now: its first catch-up reads past every bad row. The forged
    # copy of the note is the only copy it can see, so it holds that one (the server
    # lost the original): the rest of its state is A's.
    c = Workstation(tmp_path, "C", shared_schema)
    try:
        c.sync.sync_once()
        assert c.desk.exchange.quarantined_count() == quarantined - 1
        listed_a, timelines_a = state_of(a.desk)
        listed_c, timelines_c = state_of(c.desk)
        assert listed_c == listed_a
        assert [i for i, _t in timelines_c[incident]] == [i for i, _t in timelines_a[incident]]
        c.desk.incidents.add_note(incident, "C writes too")
        c.sync.sync_once()
        sync_both(a, b)
        assert "C writes too" in [t for _i, t in state_of(b.desk)[1][incident]]
    finally:
        c.close()


def test_a_client_of_this_version_syncs_with_a_0005_server(
    workstations: tuple[Workstation, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    # A shared database not yet upgraded (0005: no recorded_by / received_at_us columns, no
    # checking trigger).
    with pg_cluster.admin(database_name(shared_schema)) as conn:
        conn.execute("DROP TRIGGER events_check ON events")
        conn.execute("DROP FUNCTION incidentdesk_check_event()")
        conn.execute("ALTER TABLE events DROP COLUMN recorded_by")
        conn.execute("ALTER TABLE events DROP COLUMN received_at_us")
        conn.execute("UPDATE alembic_version SET version_num = '0005_actions'")
    a, b = workstations
    incident = a.desk.incidents.declare("Payments down", "SEV1")
    a.desk.incidents.add_note(incident, "gateway 502s")
    sync_both(a, b)
    assert state_of(a.desk) == state_of(b.desk)
    assert [e.event.recorded_by for e in b.desk.incidents.timeline(incident)] == [None, None]


def test_a_peer_that_writes_our_id_first_is_noticed_by_the_writer(
    workstations: tuple[Workstation, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    # A writes a note while offline; before A pushes it, a peer puts a row of that id with
    # other words on the server. A's push is a no-op for it (the id is taken): A keeps its
    # own note, keeps the server's copy aside and reports it.
    a, b = workstations
    incident = a.desk.incidents.declare("Payments down", "SEV1")
    sync_both(a, b)
    mine = a.desk.incidents.add_note(incident, "roll back the deploy")
    written = next(e for e in a.desk.exchange.outbox() if e.id == mine)
    insert_behind_the_servers_back(
        pg_cluster,
        shared_schema,
        _note(incident, id=mine, hlc=written.hlc, payload=json.dumps({"text": "do not roll back"})),
        replace=False,
    )
    report = a.sync.sync_once()
    assert report.quarantined == 1
    assert a.desk.exchange.waiting() == 0
    (row,) = a.desk.exchange.quarantined()
    assert row.event_id == mine and row.reason == "same id as an existing event, different content"
    texts = [text for _id, text in state_of(a.desk)[1][incident]]
    assert "roll back the deploy" in texts and "do not roll back" not in texts
    a.sync.sync_once()
    assert a.desk.exchange.quarantined_count() == 1, "kept once"
