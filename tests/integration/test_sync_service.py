"""The background SyncService against a real PostgreSQL: live delivery by NOTIFY (no
polling), writing through an outage, noticing a dropped listener and catching up."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from pgcluster import SUPERPASS, SUPERUSER, PgCluster
from synckit import (
    APP_PASSWORD,
    Workstation,
    database_name,
    ensure_running,
    journal_ids,
    listener_pids,
    running_service,
    server_ids,
    stays_false,
    wait_for,
)

from incidentdesk.app.desk import Desk
from incidentdesk.infra.store.shared import CHANNEL, SharedConfig, SharedError, SharedStore
from incidentdesk.infra.store.shared_link import CONNECT_TIMEOUT_S
from incidentdesk.runtime.sync import OFFLINE, ONLINE, Sync, SyncService, SyncStatus

NEVER = 3600.0  # a check interval no test lasts: the service then only reacts to NOTIFY


def test_a_note_from_a_reaches_b_by_notification_without_polling(
    workstations: tuple[Workstation, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    a, b = workstations
    incident = a.desk.incidents.declare("Payments down", "SEV1", ["payments"])
    a.sync.sync_once()
    with running_service(b.data_dir, "B", shared_schema, check_every=NEVER, max_backoff=1.0) as (
        _service,
        rec,
    ):
        wait_for(lambda: rec.is_(ONLINE), what="B online")
        assert incident in journal_ids(b.desk), "the catch-up after LISTEN brought the incident"

        note = a.desk.incidents.add_note(incident, "gateway 502s")
        pushed_at = time.monotonic()  # before: B may have it before A's push() returns
        assert a.sync.push() == 1
        # B never polls (NEVER): only the notification can bring the note. How fast is the
        # propagation benchmark's question, not this test's; a loaded machine may take seconds.
        wait_for(lambda: rec.changes_after(pushed_at), timeout=15.0, what="B's on_changed")
        [(_changed_at, changed)] = rec.changes_after(pushed_at)
        assert changed == [incident]
        assert note in journal_ids(b.desk)
        assert [e.event.id for e in b.desk.incidents.timeline(incident)][-1] == note

        # No polling: a row that reaches the server without a notification is not fetched,
        # however long B waits; a bare NOTIFY (no new row) makes B fetch it at once.
        with pg_cluster.admin(database_name(shared_schema)) as admin:
            admin.execute("ALTER TABLE events DISABLE TRIGGER events_notify_statement")
            try:
                silent = a.desk.incidents.add_note(incident, "written without a notification")
                assert a.sync.push() == 1
            finally:
                admin.execute("ALTER TABLE events ENABLE TRIGGER events_notify_statement")
            assert stays_false(lambda: silent in journal_ids(b.desk), 1.5), "B polled"
            admin.execute(f"NOTIFY {CHANNEL}, 'wake'")
            wait_for(lambda: silent in journal_ids(b.desk), timeout=15.0, what="the silent note")
    assert rec.all_statuses()[-1].state == ONLINE


def test_writing_through_an_outage_loses_and_duplicates_nothing(
    workstations: tuple[Workstation, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    a, b = workstations
    incident = a.desk.incidents.declare("Checkout errors", "SEV2", ["checkout"])
    a.desk.incidents.assign_role(incident, "commander", "Alice")
    a.sync.sync_once()
    b.sync.sync_once()
    try:
        with running_service(a.data_dir, "A", shared_schema, check_every=0.5, max_backoff=1.0) as (
            service,
            rec,
        ):
            wait_for(lambda: rec.is_(ONLINE, waiting=0), what="A online")
            # The throwaway cluster runs with synchronous_commit=off (for speed), so a crash
            # would lose what was committed in its last moments, the schema included. A
            # production server acknowledges only durable commits: make ours durable too.
            with pg_cluster.admin(database_name(shared_schema)) as admin:
                admin.execute("CHECKPOINT")
            pg_cluster.stop("immediate")
            wait_for(lambda: rec.is_(OFFLINE), what="A to notice the server is gone")

            slowest = 0.0
            for i in range(1000):
                started = time.perf_counter()
                if i == 500:
                    a.desk.incidents.set_severity(incident, "SEV1")
                elif i % 100 == 50:
                    a.desk.incidents.assign_role(incident, "scribe", f"Scribe {i}")
                elif i == 900:
                    a.desk.incidents.set_status(incident, "mitigated")
                else:
                    a.desk.incidents.add_note(incident, f"note {i}")
                slowest = max(slowest, time.perf_counter() - started)
                service.wake()  # as the GUI does after every command
            assert a.desk.exchange.waiting() == 1000
            # A write that waited for the server would wait out the connect timeout (5 s).
            assert slowest < CONNECT_TIMEOUT_S / 2, f"a local write took {slowest:.3f} s"

            wait_for(lambda: rec.is_(OFFLINE, waiting=1000), what="offline, 1000 waiting")
            status = rec.status()
            assert status is not None and status.label == "offline — 1000 changes waiting"
            assert status.message and "Cannot reach the shared database" in status.message
            offline_counts = [s.waiting for s in rec.all_statuses() if s.state == OFFLINE]
            assert offline_counts == sorted(offline_counts)
            assert any(0 < n < 1000 for n in offline_counts), "the count followed the writes"

            pg_cluster.start()
            wait_for(lambda: rec.is_(ONLINE, waiting=0), timeout=20, what="A pushed after restart")
        b.sync.sync_once()
    finally:
        ensure_running(pg_cluster)

    on_server = server_ids(pg_cluster, shared_schema)
    on_a, on_b = journal_ids(a.desk), journal_ids(b.desk)
    assert len(on_server) == len(set(on_server)) == 1002  # declared, commander, 1000 more
    assert len(on_a) == len(on_b) == 1002
    assert set(on_a) == set(on_b) == set(on_server)
    assert a.desk.exchange.waiting() == b.desk.exchange.waiting() == 0
    state_a, state_b = a.desk.incidents.get(incident), b.desk.incidents.get(incident)
    assert state_b == state_a
    assert (state_b.severity, state_b.status, state_b.event_count) == ("SEV1", "mitigated", 1002)
    assert state_b.holders("scribe") == ["Scribe 950"]
    ids_a = [e.event.id for e in a.desk.incidents.timeline(incident)]
    assert [e.event.id for e in b.desk.incidents.timeline(incident)] == ids_a


def test_a_server_restart_is_noticed_and_live_delivery_resumes(
    workstations: tuple[Workstation, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    a, b = workstations
    incident = a.desk.incidents.declare("Queue backlog", "SEV3")
    a.sync.sync_once()
    try:
        with running_service(b.data_dir, "B", shared_schema, check_every=0.5, max_backoff=1.0) as (
            _service,
            rec,
        ):
            wait_for(lambda: rec.is_(ONLINE), what="B online")
            pg_cluster.restart()
            wait_for(lambda: OFFLINE in [s.state for s in rec.all_statuses()], what="B offline")
            wait_for(lambda: rec.is_(ONLINE), timeout=10, what="B online again")
            # B listens again: a new note arrives by notification alone (no polling).
            note = a.desk.incidents.add_note(incident, "after the restart")
            assert a.sync.push() == 1
            wait_for(lambda: note in journal_ids(b.desk), timeout=15.0, what="the note on B")
    finally:
        ensure_running(pg_cluster)


def test_events_written_while_the_listener_is_dead_arrive_by_catch_up(
    workstations: tuple[Workstation, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    a, b = workstations
    database = database_name(shared_schema)
    incident = a.desk.incidents.declare("Login failures", "SEV2")
    a.sync.sync_once()
    a.shared.close()  # only B's connection is left in the application's role
    # check_every=NEVER: B does not poll.
    with (
        running_service(b.data_dir, "B", shared_schema, check_every=NEVER, max_backoff=1.0) as (
            _service,
            rec,
        ),
        pg_cluster.admin(database) as admin,
    ):
        wait_for(lambda: rec.is_(ONLINE), what="B online")
        [listener] = wait_for(lambda: listener_pids(admin, database), what="B's listener")
        # Keep B from reconnecting while the events are written, then kill its listener.
        admin.execute("ALTER ROLE desk_app NOLOGIN")
        try:
            admin.execute("SELECT pg_terminate_backend(%s)", (listener,))
            wait_for(lambda: rec.is_(OFFLINE), what="B to notice its listener died")
            # A pushes through the superuser (desk_app may not log in for now). The trigger
            # sends NOTIFY for these rows, but nobody is listening: B will never get one.
            notes = [a.desk.incidents.add_note(incident, f"while B was away {i}") for i in range(3)]
            superuser = SharedStore(
                SharedConfig.parse(
                    f"postgresql://{SUPERUSER}@127.0.0.1:{pg_cluster.port}/{database}"
                ),
                SUPERPASS,
            )
            try:
                assert Sync(a.desk, superuser).push() == 3
            finally:
                superuser.close()
            assert not set(notes) & set(journal_ids(b.desk))
        finally:
            admin.execute("ALTER ROLE desk_app LOGIN")
        wait_for(lambda: rec.is_(ONLINE), timeout=10, what="B back online")
        wait_for(lambda: set(notes) <= set(journal_ids(b.desk)), timeout=5, what="catch-up on B")
        assert [c for _t, c in rec.changes][-1] == [incident]
        assert set(listener_pids(admin, database)) - {listener}, "B listens again"


def test_reconnect_backoff_starts_short_again_after_a_successful_reconnect(
    workstations: tuple[Workstation, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    """Each dropped link after a good session is a new outage: the first retry comes after
    the shortest wait, not after the backoff reached during earlier outages."""
    _a, b = workstations
    database = database_name(shared_schema)
    with (
        running_service(b.data_dir, "B", shared_schema, check_every=NEVER, max_backoff=8.0) as (
            _service,
            rec,
        ),
        pg_cluster.admin(database) as admin,
    ):
        wait_for(lambda: rec.is_(ONLINE), what="B online")
        recoveries = []
        [listener] = wait_for(lambda: listener_pids(admin, database), what="B's listener")
        for _drop in range(4):
            dropped_at = time.monotonic()
            admin.execute("SELECT pg_terminate_backend(%s)", (listener,))
            [listener] = wait_for(
                lambda old=listener: [p for p in listener_pids(admin, database) if p != old],
                timeout=20,
                what="a new listener",
            )
            recoveries.append(time.monotonic() - dropped_at)
            wait_for(lambda: rec.is_(ONLINE), what="B online again")
        assert max(recoveries) < 2.0, [f"{r:.2f} s" for r in recoveries]


def test_a_service_whose_thread_has_ended_can_still_be_asked_and_stopped(
    tmp_path: Path,
) -> None:
    """A local-only profile ends the thread at once; is_alive() and stop() must still work
    (the GUI calls stop() at exit)."""
    statuses: list[SyncStatus] = []
    service = SyncService(
        desk_factory=lambda: Desk.open(tmp_path, "A"),
        shared_factory=lambda: None,
        on_status=statuses.append,
    )
    service.start()
    service.join(10)
    assert not service.is_alive()
    service.stop()
    assert [s.label for s in statuses] == ["local only"]


def test_a_server_shutting_down_is_reported_as_unreachable(
    pg_cluster: PgCluster, shared_schema: str
) -> None:
    """While the server shuts down (or starts up) it refuses new connections with "the
    database system is shutting down"; the status must say the server cannot be reached,
    like any other outage. A smart shutdown waiting for an open session holds that state."""
    store = SharedStore(SharedConfig.parse(shared_schema), APP_PASSWORD)

    def refusal() -> str | None:
        store.engine.dispose()  # a fresh connection each time: an old session is still served
        try:
            store.check_schema()
        except SharedError as exc:
            return str(exc) if "shutting down" in str(exc) else None
        return None

    try:
        with pg_cluster.admin():  # the session the smart shutdown waits for
            postmaster = int((pg_cluster.data / "postmaster.pid").read_text().split()[0])
            os.kill(postmaster, signal.SIGTERM)  # smart shutdown: no new connections
            message = wait_for(refusal, what="the server to refuse new connections")
        assert message.startswith("Cannot reach the shared database at 127.0.0.1:"), message
    finally:
        store.close()
        pg_cluster.stop("fast")
        pg_cluster.start()
