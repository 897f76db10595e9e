"""A whole company on one server (migration 0007): one connection per workstation, one
notification per insert statement, pulls coalesced, nothing polled while idle, appends that
do not wait for each other yet never skipped, and a journal restored from a dump renumbered.

Each test runs real SyncServices (their own thread, Desk and connection) against the
throwaway PostgreSQL."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pgcluster import PgCluster
from synckit import (
    APP_PASSWORD,
    Workstation,
    database_name,
    journal_ids,
    running_service,
    stays_false,
    wait_for,
)
from trustdb import migrate_to

from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.ids import hlc_pack, new_event_id
from incidentdesk.core.timefmt import utc_now
from incidentdesk.infra.store.listener import Heard, Listener
from incidentdesk.infra.store.local import event_row
from incidentdesk.infra.store.shared import (
    PULL_SQL,
    Cursor,
    SchemaMismatch,
    SharedConfig,
    SharedStore,
)
from incidentdesk.runtime.sync import PUSH_BATCH, SyncReport, SyncService

INSERT = (
    "INSERT INTO events (id, incident_id, kind, payload, occurred_at_us, hlc, author, device) "
    "VALUES (%(id)s, %(incident_id)s, %(kind)s, %(payload)s, %(occurred_at_us)s, %(hlc)s, "
    "%(author)s, %(device)s)"
)


class CountingStore(SharedStore):
    """The real store, counting its pulls and the listener's waits (nothing else changed)."""

    def __init__(self, url: str) -> None:
        super().__init__(SharedConfig.parse(url), APP_PASSWORD)
        self.pulls = 0
        self.waits = 0

    def pull(self, after: Cursor | int = 0, limit: int = 1000) -> list[Any]:
        self.pulls += 1
        return super().pull(after, limit)

    def listen(self) -> Listener:
        listener = super().listen()
        original = listener.wait

        def counted(timeout: float, wake_fd: int | None = None) -> Heard:
            self.waits += 1
            return original(timeout, wake_fd)

        listener.wait = counted  # type: ignore[method-assign]
        return listener


def counting_service(data_dir: Path, author: str, url: str, **options: Any) -> Any:
    store = CountingStore(url)
    return store, running_service(data_dir, author, url, shared_factory=lambda: store, **options)


def notes(incident: str, count: int, author: str = "burst") -> list[Event]:
    """``count`` valid notes for ``incident``, as a workstation that was offline would push."""
    ms = int(time.time() * 1000)
    return [
        Event(
            new_event_id(ms),
            incident,
            "note.added",
            {"text": f"offline note {i}"},
            utc_now(),
            hlc_pack(ms, i % 60000),
            author,
            "0123456789ab",
        )
        for i in range(count)
    ]


def raw_connection(
    cluster: PgCluster, url: str, autocommit: bool = False
) -> psycopg.Connection[Any]:
    """A plain connection as the application's role (transactions unless ``autocommit``)."""
    return psycopg.connect(
        host="127.0.0.1",
        port=cluster.port,
        dbname=database_name(url),
        user="desk_app",
        password=APP_PASSWORD,
        autocommit=autocommit,
    )


def upgrade_then_write(
    owner: SharedStore, a: Workstation, b: Workstation, incident: str, text: str
) -> tuple[str, SyncReport]:
    """`db upgrade --shared`, then A writes a note and both sync (schema asked again)."""
    owner.upgrade()
    owner.close()
    note = a.desk.incidents.add_note(incident, text)
    a.sync._schema_checked = False
    a.sync.sync_once()
    b.sync._schema_checked = False
    return note, b.sync.sync_once()


def app_backends(cluster: PgCluster, url: str) -> int:
    """Client connections in the shared database other than the superuser's."""
    with cluster.admin(database_name(url)) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND usename <> %s "
            "AND backend_type = 'client backend'",
            (database_name(url), "idtest"),
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def ws(
    tmp_path: Path, shared_schema: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Workstation]:
    monkeypatch.setenv("INCIDENTDESK_SECRET_SHARED_DB", APP_PASSWORD)
    made = {name: Workstation(tmp_path, name, shared_schema) for name in ("A", "B", "C")}
    yield made  # type: ignore[misc]
    for workstation in made.values():
        workstation.close()


def test_each_running_workstation_holds_one_server_connection(
    ws: dict[str, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    a, b, c = ws["A"], ws["B"], ws["C"]
    incident = a.desk.incidents.declare("Checkout down", "SEV1")
    a.sync.sync_once()
    a.shared.close()  # A's own test connection is not a workstation's service
    with (
        running_service(b.data_dir, "B", shared_schema) as (_sb, rb),
        running_service(c.data_dir, "C", shared_schema) as (_sc, rc),
    ):
        wait_for(lambda: rb.is_("online") and rc.is_("online"), what="both online")
        note = a.desk.incidents.add_note(incident, "rolled back")
        a.sync.push()
        a.shared.close()
        for desk in (b.desk, c.desk):
            wait_for(lambda d=desk: note in journal_ids(d), what="the note everywhere")
        assert app_backends(pg_cluster, shared_schema) == 2  # LISTEN, pulls and pushes: one each


def test_an_idle_workstation_waits_on_its_socket_instead_of_polling(
    ws: dict[str, Workstation], shared_schema: str
) -> None:
    a, b = ws["A"], ws["B"]
    incident = a.desk.incidents.declare("Checkout down", "SEV1")
    a.sync.sync_once()
    store, service = counting_service(b.data_dir, "B", shared_schema, check_every=60)
    with service as (_s, recorder):
        wait_for(lambda: recorder.is_("online"), what="online")
        before = store.waits
        time.sleep(1.0)  # idle: the thing measured (the old loop woke 50 times a second)
        assert store.waits - before <= 1
        note = a.desk.incidents.add_note(incident, "still here")
        a.sync.push()
        wait_for(lambda: note in journal_ids(b.desk), what="the note")


def test_ten_thousand_offline_events_reach_a_receiver_in_a_few_dozen_pulls(
    ws: dict[str, Workstation], shared_schema: str
) -> None:
    a, b = ws["A"], ws["B"]
    incident = a.desk.incidents.declare("Checkout down", "SEV1")
    a.sync.sync_once()
    burst = notes(incident, 10_000)
    store, service = counting_service(b.data_dir, "B", shared_schema)
    with service as (_s, recorder):
        wait_for(lambda: recorder.is_("online"), what="online")
        before = store.pulls
        for start in range(0, len(burst), PUSH_BATCH):  # as a push sends them
            assert a.shared.send(burst[start : start + PUSH_BATCH]).new == PUSH_BATCH
        wanted = {e.id for e in burst}
        wait_for(lambda: wanted <= set(journal_ids(b.desk)), timeout=60, what="all 10,000")
        pulls = store.pulls - before
    # 20 statements, 20 notifications: each wakes at most a round of pulls of 1,000.
    assert 1 <= pulls <= 45, pulls
    assert len(journal_ids(b.desk)) == len(set(journal_ids(b.desk)))


def test_a_row_held_back_by_an_older_open_transaction_arrives_when_it_ends(
    ws: dict[str, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    """Any transaction that took an id holds the horizon, even one that writes no event
    and so sends no notification when it ends: the receiver pulls again until the row it
    was told of has come."""
    a, b = ws["A"], ws["B"]
    incident = a.desk.incidents.declare("Checkout down", "SEV1")
    a.sync.sync_once()
    with running_service(b.data_dir, "B", shared_schema) as (_s, recorder):
        wait_for(lambda: recorder.is_("online"), what="online")
        with raw_connection(pg_cluster, shared_schema) as other:
            other.execute("SELECT pg_current_xact_id()")  # an open transaction with an id
            note = a.desk.incidents.add_note(incident, "after the other one began")
            a.sync.push()
            assert stays_false(lambda: note in journal_ids(b.desk), 0.5)
            other.commit()
        wait_for(lambda: note in journal_ids(b.desk), timeout=5, what="the held-back note")


def test_concurrent_appends_are_each_pulled_exactly_once(
    ws: dict[str, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    """Six writers insert in transactions held open for random moments (so they commit out
    of seq order) while a reader pulls in a loop; it ends with every row once."""
    a, b = ws["A"], ws["B"]
    incident = a.desk.incidents.declare("Checkout down", "SEV1")
    a.sync.sync_once()
    b.sync.sync_once()
    rng = random.Random(15)
    batches = [notes(incident, rng.randint(1, 5), f"w{i}") for i in range(60)]
    plan = [(batch, rng.random() * 0.03) for batch in batches]
    errors: list[BaseException] = []

    def writer(share: list[tuple[list[Event], float]]) -> None:
        try:
            with raw_connection(pg_cluster, shared_schema) as conn:
                for batch, hold in share:
                    with conn.cursor() as cur:
                        cur.executemany(INSERT, [event_row(e) for e in batch])
                    time.sleep(hold)  # the transaction stays open: a late commit
                    conn.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(plan[i::6],)) for i in range(6)]
    for thread in threads:
        thread.start()
    pulled: list[str] = []
    cursor = b.sync.cursor()
    while True:
        finished = not any(t.is_alive() for t in threads)  # before the pull: then it is last
        for row_cursor, row in b.shared.pull(cursor):
            pulled.append(str(row["id"]))
            cursor = row_cursor
        if finished:
            break
    assert not errors
    written = [e.id for batch in batches for e in batch]
    assert sorted(pulled) == sorted(written)  # each once: none skipped, none twice


def test_a_journal_restored_from_another_servers_dump_is_renumbered_and_read_again(
    ws: dict[str, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    a, b = ws["A"], ws["B"]
    incident = a.desk.incidents.declare("Checkout down", "SEV1")
    first = a.desk.incidents.add_note(incident, "before the restore")
    a.sync.sync_once()
    b.sync.sync_once()
    assert first in journal_ids(b.desk)
    # What a dump restored into another server looks like: transaction ids it has not reached.
    with pg_cluster.admin(database_name(shared_schema)) as admin:
        admin.execute("UPDATE events SET xact = '900000000000'")
    b.sync._schema_checked = False
    with pytest.raises(SchemaMismatch, match=r"restored from a dump.*db upgrade --shared"):
        b.sync.sync_once()
    owner = SharedStore(SharedConfig.parse(shared_schema), APP_PASSWORD)
    later, report = upgrade_then_write(owner, a, b, incident, "after the restore")
    assert report.pulled == 3  # read again from the start (the new epoch), nothing doubled
    ids = journal_ids(b.desk)
    assert later in ids and len(ids) == len(set(ids))


def test_a_workstation_follows_a_server_before_0007_and_goes_on_after_its_upgrade(
    ws: dict[str, Workstation], shared_schema: str
) -> None:
    """Workstations are upgraded before the server: against 0006 (appends serialized by its
    lock, one notification per row) a pull follows seq; after `db upgrade --shared` the same
    cursor goes on in (xact, seq) order without reading anything twice."""
    a, b = ws["A"], ws["B"]
    owner = SharedStore(SharedConfig.parse(shared_schema), APP_PASSWORD)
    migrate_to(owner, "0006_trust", down=True)
    assert owner.revision() == "0006_trust"
    incident = a.desk.incidents.declare("Checkout down", "SEV1")
    a.sync.sync_once()
    with running_service(b.data_dir, "B", shared_schema) as (_s, recorder):
        wait_for(lambda: recorder.is_("online"), what="online")
        note = a.desk.incidents.add_note(incident, "on the old server")
        a.sync.push()
        wait_for(lambda: note in journal_ids(b.desk), what="the note via 0006")
    assert b.sync.cursor().xact == 0
    later, report = upgrade_then_write(owner, a, b, incident, "on the upgraded server")
    assert report.pulled == 1 and later in journal_ids(b.desk)
    assert b.sync.cursor().xact > 0


def test_a_client_cannot_choose_its_rows_transaction_number(
    ws: dict[str, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    """A low xact would put a row behind every reader's cursor; a high one would hide it
    above the horizon for ever: the trigger stamps the real one whatever is sent."""
    a = ws["A"]
    incident = a.desk.incidents.declare("Checkout down", "SEV1")
    a.sync.sync_once()
    event = notes(incident, 1)[0]
    with raw_connection(pg_cluster, shared_schema, autocommit=True) as conn:
        row = {**event_row(event), "xact": "1"}
        forged = INSERT.replace("author, device)", "author, device, xact)").replace(
            "%(device)s)", "%(device)s, %(xact)s::xid8)"
        )
        conn.execute(forged, row)
        stamped = conn.execute(
            "SELECT xact::text::bigint FROM events WHERE id = %s", (event.id,)
        ).fetchone()
    assert stamped is not None and stamped[0] > 1
    assert event.id in {str(r["id"]) for _c, r in a.shared.pull(0)}


def test_stopping_a_service_blocked_on_its_socket_is_immediate(
    ws: dict[str, Workstation], shared_schema: str
) -> None:
    b = ws["B"]
    service = SyncService(
        desk_factory=lambda: type(b.desk).open(b.data_dir, "B"),
        shared_factory=lambda: SharedStore(SharedConfig.parse(shared_schema), APP_PASSWORD),
        check_every=60,
    )
    service.start()
    wait_for(lambda: service.status.state == "online", what="online")
    started = time.monotonic()
    service.stop(timeout=10)
    assert not service.is_alive()
    assert time.monotonic() - started < 20.0  # not the 60 s until its next check


def test_a_held_back_row_is_fetched_even_after_a_higher_seq_came_first(
    ws: dict[str, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    """Seq order is not pull order: an older transaction's row with a higher seq can come
    while a newer one's lower seq is still held back by a transaction that writes no event.
    The receiver must still pull again for the lower one once that transaction ends."""
    a, b = ws["A"], ws["B"]
    incident = a.desk.incidents.declare("Checkout down", "SEV1")
    a.sync.sync_once()
    low, high = notes(incident, 2, "t")
    with running_service(b.data_dir, "B", shared_schema) as (_s, recorder):
        wait_for(lambda: recorder.is_("online"), what="online")
        with (
            raw_connection(pg_cluster, shared_schema) as older,
            raw_connection(pg_cluster, shared_schema) as holder,
            raw_connection(pg_cluster, shared_schema) as newer,
        ):
            older.execute("SELECT pg_current_xact_id()")  # xid N, no seq yet
            holder.execute("SELECT pg_current_xact_id()")  # xid N+1: holds the horizon
            newer.execute(INSERT, event_row(low))  # xid N+2 takes the lower seq
            newer.commit()
            older.execute(INSERT, event_row(high))  # xid N takes the higher seq
            older.commit()
            wait_for(lambda: high.id in journal_ids(b.desk), what="the higher seq (visible)")
            assert low.id not in journal_ids(b.desk)
            holder.commit()  # no notification says so
        wait_for(lambda: low.id in journal_ids(b.desk), timeout=10, what="the held-back row")


def test_a_pull_reads_the_journal_in_index_order_without_sorting(
    ws: dict[str, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    """A pull after the cursor walks the (xact, seq) index and stops at its limit: sorting
    everything after the cursor would make a long catch-up quadratic."""
    a = ws["A"]
    incident = a.desk.incidents.declare("Checkout down", "SEV1")
    a.sync.sync_once()
    for start in range(0, 3000, PUSH_BATCH):
        a.shared.send(notes(incident, PUSH_BATCH)[: min(PUSH_BATCH, 3000 - start)])
    with pg_cluster.admin(database_name(shared_schema)) as admin:
        admin.execute("ANALYZE events")
        plan = admin.execute(
            "EXPLAIN (FORMAT JSON) " + PULL_SQL, {"xact": 0, "seq": 0, "limit": 100}
        ).fetchone()
    assert plan is not None
    text = str(plan[0])
    assert "ix_events_xact_seq" in text and "'Sort'" not in text, text


def test_notifications_naming_nonsense_change_nothing(
    ws: dict[str, Workstation], pg_cluster: PgCluster, shared_schema: str
) -> None:
    """Any role may NOTIFY the channel: words, huge or negative numbers, a flood of seqs
    that do not exist. The service stays online and the next real note still arrives."""
    a, b = ws["A"], ws["B"]
    incident = a.desk.incidents.declare("Checkout down", "SEV1")
    a.sync.sync_once()
    with running_service(b.data_dir, "B", shared_schema) as (_s, recorder):
        wait_for(lambda: recorder.is_("online"), what="online")
        with pg_cluster.admin(database_name(shared_schema)) as admin:
            for payload in ("x:y", "99999999999999999999999", "-3", "", "a:b:7"):
                admin.execute("SELECT pg_notify('incidentdesk_events', %s)", (payload,))
            with admin.transaction():
                for seq in range(10_000_000, 10_000_500):  # rows that do not exist
                    admin.execute("SELECT pg_notify('incidentdesk_events', %s)", (str(seq),))
        note = a.desk.incidents.add_note(incident, "after the noise")
        a.sync.push()
        wait_for(lambda: note in journal_ids(b.desk), timeout=10, what="the real note")
        assert recorder.is_("online")
