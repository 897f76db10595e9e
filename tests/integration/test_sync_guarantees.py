"""The guarantees of sync against a real PostgreSQL: a late commit is never skipped by the
pull cursor (and the trap is real for a plain seq cursor), pushing and pulling again change
nothing, and concurrent role assignments converge, with or without clock skew."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from pgcluster import PgCluster
from synckit import (
    APP_PASSWORD,
    Workstation,
    database_name,
    journal_events,
    journal_ids,
    server_ids,
)

from incidentdesk.app.desk import Desk
from incidentdesk.core.journal.events import Event
from incidentdesk.core.timefmt import utc_now
from incidentdesk.infra.store.local import event_row
from incidentdesk.infra.store.shared import Cursor, SharedConfig
from incidentdesk.runtime.sync import Sync

INSERT = (
    "INSERT INTO events (id, incident_id, kind, payload, occurred_at_us, hlc, author, device) "
    "VALUES (%(id)s, %(incident_id)s, %(kind)s, %(payload)s, %(occurred_at_us)s, %(hlc)s, "
    "%(author)s, %(device)s) RETURNING seq"
)


def connect(url: str) -> psycopg.Connection[Any]:
    """A raw server connection as the application's role (transactions, not autocommit)."""
    config = SharedConfig.parse(url)
    return psycopg.connect(
        host=config.host,
        port=config.port,
        dbname=config.database,
        user=config.user,
        password=APP_PASSWORD,
    )


class Committer(threading.Thread):
    """T2: inserts one row and commits, on its own connection and thread."""

    def __init__(self, url: str, row: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.url, self.row = url, row
        self.seq: int | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with connect(self.url) as conn:
                row = conn.execute(INSERT, self.row).fetchone()
                assert row is not None
                conn.commit()
                self.seq = int(row[0])
        except BaseException as exc:  # reported by finish()
            self.error = exc

    def finish(self) -> int:
        self.join(10)
        assert not self.is_alive(), "T2 never committed"
        if self.error is not None:
            raise self.error
        assert self.seq is not None
        return self.seq


def cursor_of(ws: Workstation) -> Cursor:
    """The workstation's pull cursor (kept in its local store)."""
    return ws.sync.cursor()


def two_unpushed_notes(a: Workstation, b: Workstation) -> tuple[str, Event, Event]:
    """An incident on both workstations, and two notes A wrote but has not pushed."""
    incident = a.desk.incidents.declare("Search latency", "SEV3", ["search"])
    a.sync.sync_once()
    b.sync.sync_once()
    a.desk.incidents.add_note(incident, "T1: takes its seq first, commits last")
    a.desk.incidents.add_note(incident, "T2: takes its seq second, commits first")
    first, second = a.desk.exchange.outbox()
    return incident, first, second


# ------------------------------------------------------------------ commit order


def test_a_late_commit_is_never_skipped_by_the_pull_cursor(
    workstations: tuple[Workstation, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    """T1 takes seq N and stays open; T2 takes N+1 and commits at once (appends no longer
    queue behind each other). A puller sees neither until T1 ends: T2's transaction is
    newer than the oldest one still running, so its row waits below the horizon. Then it
    gets both, T1's first, and its cursor is past both."""
    a, b = workstations
    incident, first, second = two_unpushed_notes(a, b)
    before = cursor_of(b)
    t2 = Committer(shared_schema, event_row(second))
    try:
        with connect(shared_schema) as t1:
            row = t1.execute(INSERT, event_row(first)).fetchone()  # T1 takes seq N, stays open
            assert row is not None
            seq1 = int(row[0])
            t2.start()
            seq2 = t2.finish()  # nothing made T2 wait for T1
            assert seq2 == seq1 + 1
            for _ in range(3):  # a puller running meanwhile sees nothing new...
                assert b.sync.pull() == (0, [])
                assert cursor_of(b) == before  # ...and its cursor does not move
            assert not {first.id, second.id} & set(journal_ids(b.desk))
            t1.commit()
    finally:
        t2.join(10)
    assert b.sync.pull() == (2, [incident])
    assert journal_ids(b.desk)[-2:] == [first.id, second.id]
    assert cursor_of(b).seq == seq2
    assert b.sync.pull() == (0, [])
    assert server_ids(pg_cluster, shared_schema)[-2:] == [first.id, second.id]


def test_trap_a_plain_seq_cursor_skips_a_late_commit(
    workstations: tuple[Workstation, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    """Why the horizon is needed: a sequence value is handed out before commit, so a reader
    following ``seq > cursor`` alone passes T1's row before it is visible. (The test above
    fails the same way if the pull ever stops reading below the horizon.)"""
    a, b = workstations
    _incident, first, second = two_unpushed_notes(a, b)
    naive = "SELECT seq FROM events WHERE seq > %s ORDER BY seq"
    t2 = Committer(shared_schema, event_row(second))
    with pg_cluster.admin(database_name(shared_schema)) as reader:
        cursor = int(reader.execute("SELECT max(seq) FROM events").fetchone()[0])  # type: ignore[index]
        try:
            with connect(shared_schema) as t1:
                row = t1.execute(INSERT, event_row(first)).fetchone()  # seq N, uncommitted
                assert row is not None
                seq1 = int(row[0])
                t2.start()
                seq2 = t2.finish()  # seq N+1 commits first
                seen = [int(r[0]) for r in reader.execute(naive, (cursor,))]
                assert seen == [seq2]  # the naive reader sees N+1 only...
                cursor = seen[-1]  # ...and moves past N
                t1.commit()
        finally:
            t2.join(10)
        assert reader.execute(naive, (cursor,)).fetchall() == []
    assert seq1 < cursor, "T1's row was skipped for good by the naive reader"
    assert b.sync.pull()[0] == 2  # the real pull has both


# ------------------------------------------------------------------ idempotence


def test_pushing_again_or_replaying_pulls_changes_nothing(
    workstations: tuple[Workstation, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    a, b = workstations
    incident = a.desk.incidents.declare("Disk full", "SEV3", ["storage"])
    a.desk.incidents.assign_role(incident, "commander", "Alice")
    a.desk.incidents.add_note(incident, "cleaning /var/log")
    batch = a.desk.exchange.outbox()
    # The server commits but A crashes before marking the batch pushed: it goes up again.
    assert a.shared.push(batch) == 3
    assert a.desk.exchange.waiting() == 3
    assert a.sync.sync_once().pushed == 0
    assert a.desk.exchange.waiting() == 0
    assert a.shared.push(batch) == 0
    assert len(server_ids(pg_cluster, shared_schema)) == 3

    b.sync.sync_once()
    # B writes more before anything else happens; these wait in B's outbox.
    b_note = b.desk.incidents.add_note(incident, "B: rotated the logs")
    b.desk.incidents.assign_role(incident, "scribe", "Bea")
    state_b = b.desk.incidents.get(incident)
    ids_b = journal_ids(b.desk)
    assert b.desk.exchange.waiting() == 2

    # Replay every pull from the start (a crash before the cursor was saved).
    b.desk.exchange.set_sync_fact(b.sync._cursor_key, "0")
    assert b.sync.pull() == (3, [])
    assert b.desk.incidents.get(incident) == state_b
    assert journal_ids(b.desk) == ids_b
    assert b.desk.exchange.waiting() == 2, "B's own writes are still waiting, untouched"
    assert len(server_ids(pg_cluster, shared_schema)) == 3

    assert b.sync.sync_once().pushed == 2
    # Everything B holds, pushed again (its own events and those it pulled from A).
    assert b.shared.push(journal_events(b.desk)) == 0
    assert a.shared.push(journal_events(a.desk)) == 0
    assert a.sync.sync_once().pulled == 2
    a.desk.exchange.set_sync_fact(a.sync._cursor_key, "0")
    assert a.sync.pull() == (5, [])

    on_server = server_ids(pg_cluster, shared_schema)
    assert len(on_server) == len(set(on_server)) == 5
    assert set(on_server) == set(journal_ids(a.desk)) == set(journal_ids(b.desk))
    assert a.desk.incidents.get(incident) == b.desk.incidents.get(incident) == state_b
    assert b_note in on_server


# ------------------------------------------------------------------ concurrent roles


def sync_in_order(first: Sync, second: Sync) -> None:
    """``first`` pushes, ``second`` pushes and pulls, ``first`` pulls."""
    first.sync_once()
    second.sync_once()
    first.sync_once()


def commander_history(desk: Desk, incident: str) -> list[tuple[str, str, str | None]]:
    return [
        (c.person, c.change, c.previous)
        for c in desk.incidents.get(incident).role_history
        if c.role == "commander"
    ]


def assert_timeline_in_occurred_order(a: Desk, b: Desk, incident: str) -> None:
    entries_a, entries_b = a.incidents.timeline(incident), b.incidents.timeline(incident)
    times = [e.event.occurred_at for e in entries_a]
    assert times == sorted(times)
    assert [e.event.id for e in entries_b] == [e.event.id for e in entries_a]


@pytest.mark.parametrize("first", ["A", "B"])
def test_role_race_with_a_clock_two_hours_ahead_converges(
    workstations: tuple[Workstation, Workstation], first: str
) -> None:
    """A's wall clock is two hours ahead of B's. The HLC of a new event is
    max(newest HLC in the local journal, wall clock), so A's assignment carries an HLC two
    hours later than B's, and a role is a last-writer-wins register by (hlc, device, id):
    A's Alice wins on both workstations, even though B assigned Bob later in real time.
    Once B has seen A's event its next HLC passes it, so B's next change wins again."""
    a, b = workstations
    ahead = Desk(a.desk.store, "A", clock=lambda: utc_now() + timedelta(hours=2))
    a_sync, b_sync = Sync(ahead, a.shared), b.sync
    incident = b.desk.incidents.declare("DNS failures", "SEV2", ["dns"])
    b_sync.sync_once()
    a_sync.sync_once()

    alice = ahead.incidents.assign_role(incident, "commander", "Alice")  # neither has synced since
    time.sleep(0.01)
    bob = b.desk.incidents.assign_role(incident, "commander", "Bob")
    order = (a_sync, b_sync) if first == "A" else (b_sync, a_sync)
    sync_in_order(*order)

    state_a, state_b = ahead.incidents.get(incident), b.desk.incidents.get(incident)
    assert state_a == state_b
    assert state_a.holders("commander") == ["Alice"]
    assert commander_history(ahead, incident) == [
        ("Bob", "assigned", None),
        ("Alice", "handover", "Bob"),
    ]
    assert [c.event_id for c in state_b.role_history] == [bob, alice]
    assert_timeline_in_occurred_order(ahead, b.desk, incident)
    assert ahead.incidents.timeline(incident)[-1].event.id == alice  # two hours "later"

    carol = b.desk.incidents.assign_role(incident, "commander", "Carol")
    sync_in_order(b_sync, a_sync)
    events = {e.id: e for e in journal_events(b.desk)}
    assert events[carol].hlc > events[alice].hlc > events[bob].hlc
    assert ahead.incidents.get(incident).holders("commander") == ["Carol"]
    assert b.desk.incidents.get(incident) == ahead.incidents.get(incident)
    # Fold order (HLC) and the timeline (occurred_at) disagree under skew: Carol's
    # handover is listed before Alice's assignment, which B's clock places in the future.
    assert_timeline_in_occurred_order(ahead, b.desk, incident)
    assert [e.event.id for e in b.desk.incidents.timeline(incident)][-2:] == [carol, alice]


@pytest.mark.parametrize("first", ["A", "B"])
def test_role_race_at_the_same_moment_converges(
    workstations: tuple[Workstation, Workstation], first: str
) -> None:
    """Both clocks read the same instant: the two assignments get the same HLC, and the
    tie is broken by device id, then event id — the same on every replica."""
    a, b = workstations
    moment = utc_now()
    desk_a = Desk(a.desk.store, "A", clock=lambda: moment)
    desk_b = Desk(b.desk.store, "B", clock=lambda: moment)
    sync_a, sync_b = Sync(desk_a, a.shared), Sync(desk_b, b.shared)
    incident = desk_a.incidents.declare("Cache stampede", "SEV2")
    sync_a.sync_once()
    sync_b.sync_once()

    alice = desk_a.incidents.assign_role(incident, "commander", "Alice")
    bob = desk_b.incidents.assign_role(incident, "commander", "Bob")
    order = (sync_a, sync_b) if first == "A" else (sync_b, sync_a)
    sync_in_order(*order)

    events = {e.id: e for e in journal_events(desk_a)}
    assert events[alice].hlc == events[bob].hlc  # a true tie
    assert events[alice].occurred_at == events[bob].occurred_at == moment
    ranked = sorted([(events[alice], "Alice"), (events[bob], "Bob")], key=lambda p: p[0].key)
    (_loser_event, loser), (winner_event, winner) = ranked
    assert winner_event.device == max(a.desk.store.device_id, b.desk.store.device_id)
    state_a, state_b = desk_a.incidents.get(incident), desk_b.incidents.get(incident)
    assert state_a == state_b
    assert state_a.holders("commander") == [winner]
    assert commander_history(desk_b, incident) == [
        (loser, "assigned", None),
        (winner, "handover", loser),
    ]
    assert_timeline_in_occurred_order(desk_a, desk_b, incident)
