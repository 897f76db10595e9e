"""The fleet figures: N workstations in a SEV1 against one real PostgreSQL on this machine.

``run.py`` calls :func:`fleet` (``fleet_sev1``) and :func:`writers` (``fleet_writers``).
Each starts its own throwaway cluster (``sync_bench.shared_database``' way: the cluster
helper of ``tests/integration``), builds the shared schema with Alembic to the revision of
the protocol measured, and destroys the cluster at the end.

**The fleet.** N simulated workstations (``SimClient``: one asyncio client per
workstation, psycopg ``AsyncConnection``, a few processes of them) and 2 real ones
(``runtime.sync.SyncService`` threads, each with its own SQLite ``Desk``, in a process of
their own). 5 of the N are writers (a SEV1: 1 note/s each, a real ``Desk.add_note`` pushed
with the real insert); one of the readers comes back online with thousands of events
written offline and pushes them in batches of the real ``PUSH_BATCH`` while the notes go
on. What a simulated workstation says to the server is what ``runtime/sync.py`` says:
the same statements (taken from ``incidentdesk``, not copied), channel and constants, on
the same number of connections, in the same order; what it leaves out is the local work
(SQLite, the fold), which costs the workstation, not the server. The real workstations
show whether that matters: their propagation is reported beside the simulated ones'.

**The protocols** (``--protocol``): ``0006`` is the sync as of migration 0006 (one LISTEN
connection plus a pool with ``pool_pre_ping``; a NOTIFY per row; a sync round per
notification; ``seq > cursor`` pulls, commit order kept by the append lock of 0002);
``head`` is the sync of this tree against a server at Alembic's head.

Usage::

    python tests/benchmarks/fleet_bench.py fleet [--protocol 0006|head] [--n 10 50 ...]
        [--steady S] [--burst EVENTS] [--quick]
    python tests/benchmarks/fleet_bench.py writers [--protocol 0006|head] [--counts 1 10 20]
        [--notes 40]

Times that cross processes are ``time.monotonic()`` (CLOCK_MONOTONIC: one clock for the
whole system).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sync_bench  # the neighbour: the throwaway cluster, quantiles, the role's password

HERE = Path(__file__).resolve().parent
PROTOCOLS = {"0006": "0006_trust", "head": "head"}  # --protocol: the server's revision
FLEET_SIZES = (10, 50, 100, 200)
WRITER_COUNTS = (1, 10, 20)
WRITERS = 5  # the SEV1's writers (the rest of the N read)
NOTE_EVERY_S = 1.0  # each writer's pace
REAL = 2  # real workstations beside the simulated ones
# Up to 5 connections per workstation under 0006 (LISTEN, a pool of 2 plus 2 overflow):
# 202 workstations could ask for 1,010. The simulated ones hold what a real one holds in
# steady state (LISTEN and the one pooled connection its single sync thread checks out).
MAX_CONNECTIONS = 1100
CONNECT_AT_ONCE = 10  # simulated workstations connecting at the same moment
READY_TIMEOUT_S = 600.0
BURST_TIMEOUT_S = 900.0
LAG_TICK_S = 0.02
IDLE_S = 2.0  # the server's CPU measured with everyone connected and idle, this long
TAIL_S = 1.0  # notes go on this long after the last receiver holds the whole burst
Ms = float


def _ms(seconds: float) -> Ms:
    return round(seconds * 1000, 3)


# ------------------------------------------------------------------ the server


def conninfo(cluster: Any, database: str) -> dict[str, Any]:
    """psycopg parameters of the application role (the database's owner, as in the tests)."""
    return {
        "host": "127.0.0.1",
        "port": cluster.port,
        "dbname": database,
        "user": sync_bench.OWNER,
        "password": sync_bench.PASSWORD,
        "application_name": "incidentdesk",
    }


def build_schema(url: str, revision: str) -> None:
    """The shared schema at ``revision`` (Alembic, as ``SharedStore.upgrade`` but stopping
    there), then the grants, as ``upgrade`` runs them."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from incidentdesk.infra.store import migrate
    from incidentdesk.infra.store.shared import GRANTS, SharedConfig, SharedStore

    store = SharedStore(SharedConfig.parse(url), sync_bench.PASSWORD)
    try:
        with store.connect() as conn:
            config = Config()
            config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            conn.execute(text(GRANTS))
    finally:
        store.close()


@contextmanager
def fleet_database(protocol: str) -> Iterator[tuple[Any, str]]:
    """A new cluster (``max_connections`` raised) with one database at ``protocol``'s
    revision; yields (cluster, URL). Destroyed on the way out, whatever happened."""
    pg = sync_bench._pgcluster()
    bindir = pg.find_bindir()
    if bindir is None:
        raise sync_bench.Skipped("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    cluster = pg.PgCluster(bindir)
    try:
        cluster.init()
        with (cluster.data / "postgresql.conf").open("a") as conf:
            conf.write(f"max_connections = {MAX_CONNECTIONS}\n")  # the last setting wins
        cluster.start()
        cluster.wait_ready()
        url = cluster.create_database("incidentdesk_fleet", sync_bench.OWNER, sync_bench.PASSWORD)
        build_schema(url, PROTOCOLS[protocol])
        yield cluster, url
    finally:
        cluster.destroy()


def server_cpu_s(cluster: Any) -> float:
    """CPU seconds (user + system) the cluster's processes have used: the postmaster's own
    and its ended children's (``cutime``, ``cstime``) and every live child's."""
    pid = int((cluster.data / "postmaster.pid").read_text().split()[0])
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        # fields[0] is the state (stat field 3): ppid is fields[1], utime..cstime 11..14
        if int(entry.name) == pid:
            total += sum(int(f) for f in fields[11:15])
        elif int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def server_connections(cluster: Any, database: str) -> int:
    """Client connections to the shared database (``pg_stat_activity``)."""
    with cluster.admin() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = %s AND backend_type = 'client backend'",
            (database,),
        ).fetchone()
    return int(row[0]) if row else 0


# ------------------------------------------------------------------ the statements


class _Recording:
    """Stands in for a SQLAlchemy connection: keeps the statement it is given, no rows."""

    statement: Any = None

    def execute(self, statement: Any) -> Any:
        self.statement = statement
        return self

    def all(self) -> list[Any]:
        return []


def insert_statement(batch: list[Any]) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters ``SharedStore.send`` sends for ``batch`` (recorded from the
    real method on an object of its own, compiled for psycopg): the real insert, which the
    simulated workstations then send on their own asyncio connections."""
    from sqlalchemy.dialects.postgresql import psycopg as dialect

    from incidentdesk.infra.store.shared import SharedConfig, SharedStore

    store = SharedStore(SharedConfig.parse("postgresql://bench@127.0.0.1/none"), None)
    recording = _Recording()
    store.connect = lambda: nullcontext(recording)  # type: ignore[method-assign]
    store.has_provenance = lambda: True  # type: ignore[method-assign]
    store.send(batch)
    store.close()
    compiled = recording.statement.compile(dialect=dialect.dialect())
    return str(compiled), dict(compiled.params)


def pull_0006() -> str:
    """The pull of 0006 (``SharedStore.pull`` up to that protocol: ``seq`` after a cursor,
    the journal's columns and provenance, in ``seq`` order), from the package's own table
    and column list, with the parameters ``seq`` and ``limit``."""
    from sqlalchemy import bindparam, select
    from sqlalchemy.dialects.postgresql import psycopg as dialect

    from incidentdesk.infra.store.schema import events
    from incidentdesk.infra.store.shared import PULLED

    columns = [events.c[name] for name in PULLED]
    query = (
        select(events.c.seq, *columns, events.c.recorded_by, events.c.received_at_us)
        .where(events.c.seq > bindparam("seq"))
        .order_by(events.c.seq)
        .limit(bindparam("limit"))
    )
    return str(query.compile(dialect=dialect.dialect()))


def pull_head() -> str:
    """The pull of this tree (``incidentdesk.infra.store.shared.PULL_SQL``)."""
    from incidentdesk.infra.store import shared

    return str(shared.PULL_SQL)


# ------------------------------------------------------------------ a simulated workstation


@dataclass
class Tally:
    """What one workstation saw: when each steady note arrived, its pulls, the burst."""

    name: str
    received: dict[str, float] = field(default_factory=dict)  # steady note id: arrival
    pulls: list[float] = field(default_factory=list)  # when each pull query returned
    burst_rows: int = 0
    burst_pulls: int = 0  # pulls (or, on a real one, receipts) that brought burst rows
    burst_done: float | None = None  # when it held the whole burst
    commits: dict[str, float] = field(default_factory=dict)  # a writer's notes: commit
    burst_push: list[float] = field(default_factory=list)  # the pusher: batch commits

    def arrived(self, rows: list[tuple[str, str]], at: float, watch: dict[str, Any]) -> None:
        before = self.burst_rows
        for event_id, incident_id in rows:
            if incident_id == watch["incident"]:
                self.received.setdefault(event_id, at)
            elif incident_id == watch["burst_incident"]:
                self.burst_rows += 1
        self.burst_pulls += self.burst_rows > before
        if self.burst_done is None and self.burst_rows >= watch["burst_events"] > 0:
            self.burst_done = at


class SimClient:
    """One simulated workstation; the protocol's subclass says what goes on the wire."""

    def __init__(self, name: str, info: dict[str, Any], watch: dict[str, Any]) -> None:
        self.tally = Tally(name)
        self.info = info
        self.watch = watch
        self.listen: Any = None
        self.work: Any = None  # the connection pulls and pushes go on
        self.stopping = False
        self.desk: Any = None  # writers and the burst's pusher only
        self.executor: ThreadPoolExecutor | None = None
        self.next_note: float | None = None
        self.burst_at: float | None = None
        self.retry_at: float | None = None  # head: a pull held back by the horizon, again
        self.notes_written = 0

    async def open(self) -> None:
        import psycopg

        from incidentdesk.infra.store.shared import CHANNEL

        self.listen = await psycopg.AsyncConnection.connect(**self.info, autocommit=True)
        await self.listen.execute(f"LISTEN {CHANNEL}")
        self.work = await self.connect_work()
        await self.pull()  # LISTEN first, then catch up (as the real sync does)

    async def connect_work(self) -> Any:
        return self.listen

    async def close(self) -> None:
        for conn in {id(c): c for c in (self.work, self.listen) if c is not None}.values():
            await conn.close()
        if self.desk is not None:
            await self.local(self.desk.close)
        if self.executor is not None:
            self.executor.shutdown()

    async def local(self, call: Callable[..., Any], *args: Any) -> Any:
        """A call on this workstation's own Desk, on its own thread (SQLite)."""
        if self.executor is None:
            self.executor = ThreadPoolExecutor(1, thread_name_prefix=self.tally.name)
        return await asyncio.get_running_loop().run_in_executor(self.executor, call, *args)

    async def wait_notified(self, timeout: float) -> list[Any]:
        """Block on the socket until notifications come (all that came in that read)."""
        return [n async for n in self.listen.notifies(timeout=timeout, stop_after=1)]

    async def run(self) -> None:
        while not self.stopping:
            now = time.monotonic()
            due = [t for t in (self.next_note, self.burst_at, self.retry_at) if t is not None]
            timeout = max(0.0, min([now + 0.5, *due]) - now)
            await self.follow(await self.wait_notified(timeout))
            now = time.monotonic()
            if self.next_note is not None and now >= self.next_note:
                await self.write_note()
                self.next_note += NOTE_EVERY_S
            if self.burst_at is not None and now >= self.burst_at:
                self.burst_at = None
                await self.push_burst()

    # ---------------------------------------------------------------- local writes

    async def write_note(self) -> None:
        from incidentdesk.runtime.sync import PUSH_BATCH

        self.notes_written += 1
        text = f"{self.tally.name}: p99 at {self.notes_written % 97 + 180}ms"
        event_id = await self.local(self.desk.incidents.add_note, self.watch["incident"], text)
        batch = await self.local(self.desk.exchange.outbox, PUSH_BATCH)
        committed = await self.push(batch)
        self.tally.commits[event_id] = committed
        await self.local(self.desk.exchange.mark_pushed, [e.id for e in batch])

    async def push_burst(self) -> None:
        from incidentdesk.runtime.sync import PUSH_BATCH

        while True:
            batch = await self.local(self.desk.exchange.outbox, PUSH_BATCH)
            if not batch:
                return
            self.tally.burst_push.append(await self.push(batch))
            await self.local(self.desk.exchange.mark_pushed, [e.id for e in batch])

    async def push(self, batch: list[Any]) -> float:
        """Send ``batch`` with the real insert; when the commit returned."""
        sql, params = await self.local(insert_statement, batch)
        async with self.work.transaction():
            await self.work.execute(sql, params)
        return time.monotonic()

    async def follow(self, notes: list[Any]) -> None:
        """What the protocol does with the notifications one wait returned (maybe none)."""
        raise NotImplementedError

    async def pull(self) -> None:
        raise NotImplementedError

    def _rows(self, cursor: Any, rows: list[Any]) -> list[tuple[str, str]]:
        names = [d.name for d in cursor.description]
        i, j = names.index("id"), names.index("incident_id")
        return [(r[i], r[j]) for r in rows]


class Client0006(SimClient):
    """0006: LISTEN on one connection; a round per notification on the pooled one, each
    checkout pre-pinged (``pool_pre_ping``), each pull batch a transaction of its own."""

    SQL = ""

    async def connect_work(self) -> Any:
        import psycopg

        return await psycopg.AsyncConnection.connect(**self.info, autocommit=False)

    async def checkout(self) -> None:
        # SQLAlchemy's pre-ping on psycopg: SELECT 1 in autocommit, then back.
        await self.work.set_autocommit(True)
        await self.work.execute("SELECT 1")
        await self.work.set_autocommit(False)

    async def follow(self, notes: list[Any]) -> None:
        if notes:  # its own too: one whole round per wake-up (the outbox part is local)
            await self.pull()

    async def pull(self) -> None:
        from incidentdesk.runtime.sync import PULL_BATCH

        while True:
            await self.checkout()
            cursor = await self.work.execute(
                self.SQL, {"seq": getattr(self, "seq", 0), "limit": PULL_BATCH}
            )
            rows = await cursor.fetchall()
            await self.work.commit()
            at = time.monotonic()
            self.tally.pulls.append(at)
            if rows:
                self.seq = rows[-1][0]
                self.tally.arrived(self._rows(cursor, rows), at, self.watch)
            if len(rows) < PULL_BATCH:
                return

    async def push(self, batch: list[Any]) -> float:
        sql, params = await self.local(insert_statement, batch)  # off the loop
        await self.checkout()
        await self.work.execute(sql, params)
        await self.work.commit()
        return time.monotonic()


class ClientHead(SimClient):
    """This tree's protocol (``SyncService._follow``): one connection; notifications from
    other sessions drained, at most one pull per ``COALESCE_S``, in batches; pulled again
    after ``HELD_BACK_S`` (doubling up to ``HELD_BACK_MAX_S``) while the highest notified
    ``seq`` is beyond what came back (an older transaction still open)."""

    SQL = ""

    def __init__(self, name: str, info: dict[str, Any], watch: dict[str, Any]) -> None:
        from incidentdesk.runtime import sync

        super().__init__(name, info, watch)
        self.cursor: tuple[Any, int] = (0, 0)
        self.high = 0  # the highest seq pulled
        self.wanted = 0  # the highest seq notified
        self.last_pull = 0.0
        self.coalesce_s: float = sync.COALESCE_S  # type: ignore[attr-defined]
        self.held_back_s: float = sync.HELD_BACK_S  # type: ignore[attr-defined]
        self.held_back_max_s: float = sync.HELD_BACK_MAX_S  # type: ignore[attr-defined]
        self.retry_gap = self.held_back_s

    def _others(self, notes: list[Any]) -> list[Any]:
        own = self.listen.info.backend_pid  # its own pushes: it has those rows already
        others = [n for n in notes if n.pid != own]
        for note in others:
            self.wanted = max(self.wanted, _notified_seq(note.payload))
        return others

    async def follow(self, notes: list[Any]) -> None:
        heard = self._others(notes)
        due = self.retry_at is not None and time.monotonic() >= self.retry_at
        if not heard and not due:
            return
        pause = self.last_pull + self.coalesce_s - time.monotonic()
        if pause > 0:  # let the rest of a burst arrive: one pull for all of it
            await asyncio.sleep(pause)
            self._others(await self.wait_notified(0))
        self.last_pull = time.monotonic()
        await self.pull()
        if self.wanted > self.high:  # committed, but an older transaction is open
            self.retry_at = time.monotonic() + self.retry_gap
            self.retry_gap = min(self.retry_gap * 2, self.held_back_max_s)
        else:
            self.retry_at, self.retry_gap = None, self.held_back_s

    async def pull(self) -> None:
        from incidentdesk.runtime.sync import PULL_BATCH

        while True:
            xact, seq = self.cursor
            cursor = await self.work.execute(
                self.SQL, {"xact": xact, "seq": seq, "limit": PULL_BATCH}
            )
            rows = await cursor.fetchall()
            at = time.monotonic()
            self.tally.pulls.append(at)
            if rows:
                names = [d.name for d in cursor.description]
                last = rows[-1]
                self.cursor = (last[names.index("xact")], last[names.index("seq")])
                self.high = max(self.high, max(int(r[names.index("seq")]) for r in rows))
                self.tally.arrived(self._rows(cursor, rows), at, self.watch)
            if len(rows) < PULL_BATCH:
                return


def _notified_seq(payload: str) -> int:
    try:
        return int(payload.rpartition(":")[2])
    except ValueError:
        return 0


def client_class(protocol: str) -> type[SimClient]:
    if protocol == "0006" or protocol_of_tree() == "0006":
        Client0006.SQL = pull_0006()
        return Client0006
    ClientHead.SQL = pull_head()
    return ClientHead


# ------------------------------------------------------------------ a process of them


def sim_process(inbox: Any, outbox: Any, spec: dict[str, Any]) -> None:
    """A process of simulated workstations (``multiprocessing``, spawned): connects them,
    says ``ready``, runs them from ``go`` to ``stop``, sends their tallies."""
    try:
        asyncio.run(_simulate(inbox, outbox, spec))
    except BaseException:
        outbox.send(("error", traceback.format_exc()))
        raise


async def _simulate(inbox: Any, outbox: Any, spec: dict[str, Any]) -> None:
    from incidentdesk.app.desk import Desk

    kind = client_class(spec["protocol"])
    clients = [kind(name, spec["info"], spec["watch"]) for name in spec["names"]]
    for client in clients:
        folder = spec["desks"].get(client.tally.name)
        if folder:
            client.desk = await client.local(Desk.open, Path(folder), client.tally.name)
    for i in range(0, len(clients), CONNECT_AT_ONCE):
        await asyncio.gather(*(c.open() for c in clients[i : i + CONNECT_AT_ONCE]))
    outbox.send(("ready", len(clients)))
    message = await asyncio.to_thread(inbox.recv)
    _, t0, burst_at = message
    for client in clients:
        offset = spec["writers"].get(client.tally.name)
        if offset is not None:
            client.next_note = t0 + offset
        if client.tally.name == spec["pusher"]:
            client.burst_at = burst_at
    tasks = [asyncio.create_task(c.run()) for c in clients]
    waiting_burst = asyncio.create_task(_report_burst(clients, outbox, spec))
    lags: list[float] = []
    lagging = asyncio.create_task(_loop_lag(lags))
    await asyncio.to_thread(inbox.recv)  # stop
    for client in clients:
        client.stopping = True
    await asyncio.gather(*tasks)
    waiting_burst.cancel()
    lagging.cancel()
    for client in clients:
        await client.close()
    outbox.send(("done", {"tallies": [asdict(c.tally) for c in clients], "lag": lags}))


async def _loop_lag(lags: list[float]) -> None:
    """How late this process's event loop wakes a task asked to sleep ``LAG_TICK_S``: the
    simulation's own delay (its CPU), which its propagation figures include."""
    while True:
        asked = time.monotonic() + LAG_TICK_S
        await asyncio.sleep(LAG_TICK_S)
        lags.append(time.monotonic() - asked)


async def _report_burst(clients: list[SimClient], outbox: Any, spec: dict[str, Any]) -> None:
    """Say once every receiver here holds the whole burst (the pusher holds it already)."""
    receivers = [c for c in clients if c.tally.name != spec["pusher"]]
    while any(c.tally.burst_done is None for c in receivers):
        await asyncio.sleep(0.05)
    outbox.send(("burst", max((c.tally.burst_done or 0.0 for c in receivers), default=0.0)))


# ------------------------------------------------------------------ the real workstations


def real_process(inbox: Any, outbox: Any, spec: dict[str, Any]) -> None:
    """The real workstations: a ``SyncService`` each (its own thread, Desk and connections,
    as ``tests/integration/test_sync_service.py`` runs them), in a process of their own so
    that they do not share a GIL with the simulated ones."""
    try:
        _real(inbox, outbox, spec)
    except BaseException:
        outbox.send(("error", traceback.format_exc()))
        raise


class _Watcher:
    """A real workstation's callbacks: when it reported a change, which rows had arrived."""

    def __init__(self, name: str, folder: Path, watch: dict[str, Any]) -> None:
        from incidentdesk.infra.store.local import LocalStore

        self.tally = Tally(name)
        self.watch = watch
        self.store = LocalStore(folder)
        self.seq = 0
        self.online = False

    def on_status(self, status: Any) -> None:
        self.online = status.state == "online"

    def on_changed(self, _incidents: list[str]) -> None:
        from sqlalchemy import select

        from incidentdesk.infra.store.schema import events

        at = time.monotonic()
        query = select(events.c.seq, events.c.id, events.c.incident_id).where(
            events.c.seq > self.seq
        )
        with self.store.reading() as tx:
            rows = list(tx.conn.execute(query))
        if rows:
            self.seq = max(r[0] for r in rows)
            self.tally.arrived([(r[1], r[2]) for r in rows], at, self.watch)

    def shared(self, url: str) -> Any:
        """The service's shared store, its pulls counted (this object only is wrapped)."""
        from incidentdesk.infra.store.shared import SharedConfig, SharedStore

        store = SharedStore(SharedConfig.parse(url), sync_bench.PASSWORD)
        original = store.pull
        pulls = self.tally.pulls

        def pull(*args: Any, **kwargs: Any) -> Any:
            rows = original(*args, **kwargs)
            pulls.append(time.monotonic())
            return rows

        store.pull = pull  # type: ignore[method-assign]
        return store


def _real(inbox: Any, outbox: Any, spec: dict[str, Any]) -> None:
    from incidentdesk.app.desk import Desk
    from incidentdesk.runtime.sync import SyncService

    services, watchers = [], []
    for name, folder in spec["real"].items():
        watcher = _Watcher(name, Path(folder), spec["watch"])
        service = SyncService(
            desk_factory=lambda f=folder, n=name: Desk.open(Path(f), n),
            shared_factory=lambda w=watcher: w.shared(spec["url"]),
            on_status=watcher.on_status,
            on_changed=watcher.on_changed,
        )
        service.start()
        services.append(service)
        watchers.append(watcher)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not all(w.online for w in watchers):
        if time.monotonic() > deadline:
            raise RuntimeError("the real workstations did not come online")
        time.sleep(0.05)
    outbox.send(("ready", len(watchers)))
    inbox.recv()  # go
    burst_told = False
    while not inbox.poll(0.05):  # until stop
        done = [w.tally.burst_done for w in watchers]
        if not burst_told and all(d is not None for d in done):
            outbox.send(("burst", max(d or 0.0 for d in done)))
            burst_told = True
    inbox.recv()
    for service in services:
        service.stop(timeout=30)
    for watcher in watchers:
        watcher.store.close()
    outbox.send(("done", {"tallies": [asdict(w.tally) for w in watchers], "lag": []}))


# ------------------------------------------------------------------ the parent


class Worker:
    """A spawned process and its two pipes (one each way)."""

    def __init__(self, target: Callable[..., None], spec: dict[str, Any]) -> None:
        context = multiprocessing.get_context("spawn")
        self.inbox, self._to_child = context.Pipe(duplex=False)
        self._from_child, self.outbox = context.Pipe(duplex=False)
        self.proc = context.Process(target=target, args=(self.inbox, self.outbox, spec))
        self.proc.start()

    def send(self, *message: Any) -> None:
        self._to_child.send(message)

    def expect(self, tag: str, timeout: float) -> Any:
        if not self._from_child.poll(timeout):
            raise RuntimeError(f"a fleet process sent no {tag!r} within {timeout:.0f} s")
        got, value = self._from_child.recv()
        if got != tag:
            raise RuntimeError(f"a fleet process sent {got!r} instead of {tag!r}: {value}")
        return value

    def close(self, failed: bool = False) -> None:
        """Wait for a process that finished; end one left behind by a failure at once."""
        self.proc.join(0 if failed else 30)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        for pipe in (self.inbox, self._to_child, self._from_child, self.outbox):
            pipe.close()


@dataclass(frozen=True)
class Plan:
    """One fleet measurement."""

    protocol: str
    n: int  # simulated workstations (the real ones come on top)
    steady_s: float  # the steady load alone, before the burst starts
    burst_events: int
    processes: int = 3  # processes of simulated readers (writers and pusher have their own)


def _seed_writers(
    root: Path, url: str, info: dict[str, Any], count: int = WRITERS
) -> tuple[str, dict[str, str]]:
    """The writers' data folders, each holding the SEV1 (declared by the first, received by
    the others as from the server); the declaration is on the server too."""
    import psycopg

    from incidentdesk.app.desk import Desk
    from incidentdesk.infra.store.local import event_row

    names = [f"writer-{i}" for i in range(count)]
    folders = {name: str(sync_bench._workstation(root, name, url)) for name in names}
    first = Desk.open(Path(folders[names[0]]), names[0])
    try:
        incident = first.incidents.declare("EU checkout failing", "SEV1", ["checkout"])
        declared = first.exchange.outbox()
        sql, params = insert_statement(declared)
        with psycopg.connect(**info, autocommit=True) as conn:
            conn.execute(sql, params)
        first.exchange.mark_pushed([e.id for e in declared])
    finally:
        first.close()
    for name in names[1:]:
        desk = Desk.open(Path(folders[name]), name)
        try:
            desk.exchange.receive_rows(
                ((str(i), event_row(e)) for i, e in enumerate(declared, 1)), "server"
            )
        finally:
            desk.close()
    return incident, folders


def _specs(plan: Plan, info: dict[str, Any], watch: dict[str, Any], desks: dict[str, str]) -> Any:
    """The processes' specs: the writers, the burst's pusher alone, the readers spread."""
    writers = [f"writer-{i}" for i in range(WRITERS)]
    readers = [f"reader-{i}" for i in range(plan.n - WRITERS)]
    pusher = readers[0]
    offsets = {name: i * NOTE_EVERY_S / WRITERS for i, name in enumerate(writers)}
    base = {"protocol": plan.protocol, "info": info, "watch": watch, "pusher": pusher}
    first = {**base, "names": writers, "desks": desks, "writers": offsets}
    alone = {**base, "names": [pusher], "desks": {}, "writers": {}}
    rest = readers[1:]
    step = -(-len(rest) // plan.processes) if rest else 1
    others = [
        {**base, "names": rest[i : i + step], "desks": {}, "writers": {}}
        for i in range(0, len(rest), step)
    ]
    return pusher, [first, alone, *others]


def fleet(
    root: Path, plan: Plan, seed_burst: Callable[[Path, int], str], raw: Path | None = None
) -> dict[str, Any]:
    """One measurement: the steady SEV1 alone for ``plan.steady_s``, then the burst on top
    of it until every receiver holds it, then ``TAIL_S`` more. ``seed_burst(folder, n)``
    writes ``n`` events of one incident into a data folder's outbox; returns its id."""
    from incidentdesk.app.desk import Desk

    with fleet_database(plan.protocol) as (cluster, url):
        database = url.rsplit("/", 1)[1]
        info = conninfo(cluster, database)
        incident, desks = _seed_writers(root, url, info)
        burst_folder = sync_bench._workstation(root, "pusher", url)
        burst_incident = seed_burst(burst_folder, plan.burst_events)
        watch = {
            "incident": incident,
            "burst_incident": burst_incident,
            "burst_events": plan.burst_events,
        }
        real = {}
        for i in range(REAL):
            folder = sync_bench._workstation(root, f"real-{i}", url)
            Desk.open(folder, f"real-{i}").close()
            real[f"real-{i}"] = str(folder)
        pusher, specs = _specs(plan, info, watch, desks)
        specs[1]["desks"][pusher] = str(burst_folder)
        workers = [Worker(sim_process, s) for s in specs]
        workers.append(Worker(real_process, {"real": real, "url": url, "watch": watch}))
        failed = True
        try:
            measured = _measure(cluster, database, plan, workers)
            failed = False
        finally:
            for worker in workers:
                worker.close(failed)
        settings = sync_bench.server_settings(cluster)
    if raw is not None:  # every arrival and pull, to look at by hand
        raw.write_text(json.dumps({"plan": asdict(plan), "pusher": pusher, **measured}))
    return summarize(plan, measured, pusher, settings)


def _measure(cluster: Any, database: str, plan: Plan, workers: list[Worker]) -> dict[str, Any]:
    for worker in workers:
        worker.expect("ready", READY_TIMEOUT_S)
    idle_from, idle_from_at = server_cpu_s(cluster), time.monotonic()
    time.sleep(IDLE_S)  # everyone connected, nobody writing: the server's idle price
    idle = (server_cpu_s(cluster) - idle_from) / (time.monotonic() - idle_from_at)
    t0 = time.monotonic() + 0.5
    burst_at = t0 + plan.steady_s
    for worker in workers:
        worker.send("go", t0, burst_at)
    time.sleep(max(0.0, t0 + min(1.0, plan.steady_s / 4) - time.monotonic()))
    cpu_from, cpu_from_at = server_cpu_s(cluster), time.monotonic()
    time.sleep(max(0.0, t0 + plan.steady_s / 2 - time.monotonic()))
    connections = server_connections(cluster, database)
    time.sleep(max(0.0, burst_at - time.monotonic()))
    cpu_burst, cpu_burst_at = server_cpu_s(cluster), time.monotonic()
    burst_done = max(w.expect("burst", BURST_TIMEOUT_S) for w in workers)
    cpu_end, cpu_end_at = server_cpu_s(cluster), time.monotonic()
    time.sleep(TAIL_S)
    for worker in workers:
        worker.send("stop")
    done = [w.expect("done", 120) for w in workers]
    tallies = [t for d in done for t in d["tallies"]]
    lag = {"p95": [], "max": []}
    for d in done:
        if d["lag"]:
            lag["p95"].append(_ms(sync_bench.quantile(d["lag"], 0.95)))
            lag["max"].append(_ms(max(d["lag"])))
    return {
        "t0": t0,
        "burst_at": burst_at,
        "burst_done": burst_done,
        "connections": connections,
        "cpu": [(cpu_from_at, cpu_from), (cpu_burst_at, cpu_burst), (cpu_end_at, cpu_end)],
        "tallies": tallies,
        "loop_lag_ms": lag,
        "idle_cpu_s_per_s": idle,
    }


def _quantiles_ms(values: list[float]) -> dict[str, Ms | None]:
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    q = sync_bench.quantile
    return {
        "p50": _ms(q(values, 0.5)),
        "p95": _ms(q(values, 0.95)),
        "p99": _ms(q(values, 0.99)),
        "max": _ms(max(values)),
    }


def _delays(
    tallies: list[dict[str, Any]],
    commits: dict[str, tuple[str, float]],
    window: tuple[float, float],
) -> tuple[list[float], int]:
    """Each note committed in ``window``, to each workstation but its writer: from the
    commit returning to the row arriving; and how many never arrived."""
    delays: list[float] = []
    missing = 0
    for tally in tallies:
        for event_id, (writer, committed) in commits.items():
            if writer == tally["name"] or not window[0] <= committed < window[1]:
                continue
            arrived = tally["received"].get(event_id)
            if arrived is None:
                missing += 1
            else:
                delays.append(arrived - committed)
    return delays, missing


def summarize(
    plan: Plan, m: dict[str, Any], pusher: str, settings: dict[str, str]
) -> dict[str, Any]:
    tallies = m["tallies"]
    commits = {i: (t["name"], c) for t in tallies for i, c in t["commits"].items()}
    sim = [t for t in tallies if not t["name"].startswith("real-")]
    real = [t for t in tallies if t["name"].startswith("real-")]
    steady = (m["t0"], m["burst_at"])
    during = (m["burst_at"], m["burst_done"])
    (at0, cpu0), (at1, cpu1), (_at2, cpu2) = m["cpu"]
    steady_notes = sum(at0 <= c < at1 for _w, c in commits.values())
    burst_notes = sum(at1 <= c < m["burst_done"] for _w, c in commits.values())
    receivers = [t for t in tallies if t["name"] != pusher]
    burst_pulls = [
        sum(m["burst_at"] <= p <= (t["burst_done"] or m["burst_done"]) for p in t["pulls"])
        for t in receivers
    ]
    push = next(t for t in tallies if t["name"] == pusher)["burst_push"]
    out: dict[str, Any] = {"plan": asdict(plan), "server": settings, "workstations": plan.n + REAL}
    out["protocol"] = plan.protocol if plan.protocol == "0006" else protocol_of_tree()
    out["connections"] = m["connections"]
    out["connections_per_workstation"] = round(m["connections"] / (plan.n + REAL), 3)
    out["steady_notes"] = steady_notes
    out["cpu_ms_per_event"] = round((cpu1 - cpu0) * 1000 / max(1, steady_notes), 3)
    # The same less what the server spends idle with everyone connected (its background
    # work, the links' periodic checks): the price of the notes themselves.
    idle = m["idle_cpu_s_per_s"]
    out["idle_cpu_ms_per_s"] = round(idle * 1000, 3)
    out["net_cpu_ms_per_event"] = round(
        (cpu1 - cpu0 - idle * (at1 - at0)) * 1000 / max(1, steady_notes), 3
    )
    out["burst_cpu_ms_per_event"] = round(
        (cpu2 - cpu1) * 1000 / max(1, plan.burst_events + burst_notes), 4
    )
    others = [t for t in sim if t["name"] != pusher]  # it pulls only once its push is done
    for label, group, window in (
        ("steady", sim, steady),
        ("real_steady", real, steady),
        ("burst", others, during),
        ("real_burst", real, during),
        ("pusher_burst", [t for t in sim if t["name"] == pusher], during),
    ):
        delays, missing = _delays(group, commits, window)
        out[label] = {**_quantiles_ms(delays), "samples": len(delays), "missing": missing}
    out["burst_pulls_per_receiver"] = {
        "median": statistics.median(burst_pulls),
        "max": max(burst_pulls),
        "real": burst_pulls[-REAL:],
    }
    # Of those, the ones that brought burst rows (most of the others are the steady notes')
    # on a real workstation: the receipts (pull batches) that held burst rows.
    bringing = [t["burst_pulls"] for t in receivers]
    out["burst_row_pulls_per_receiver"] = {
        "median": statistics.median(bringing),
        "max": max(bringing),
        "real": bringing[-REAL:],
    }
    out["sim_loop_lag_ms"] = m["loop_lag_ms"]  # per simulating process
    out["burst_s"] = round(m["burst_done"] - m["burst_at"], 3)
    out["burst_push_s"] = round(push[-1] - m["burst_at"], 3) if push else None
    return out


# ------------------------------------------------------------------ the writers' contention


def writer_process(inbox: Any, outbox: Any, spec: dict[str, Any]) -> None:
    """One writer (a process of its own: a Desk and a ``Sync``, as the command line has
    them): from ``go``, add a note and push it, ``notes`` times; the pushes' times."""
    try:
        _write(inbox, outbox, spec)
    except BaseException:
        outbox.send(("error", traceback.format_exc()))
        raise


def _write(inbox: Any, outbox: Any, spec: dict[str, Any]) -> None:
    from incidentdesk.app.desk import Desk
    from incidentdesk.infra.store.shared import SharedConfig, SharedStore
    from incidentdesk.runtime.sync import Sync

    desk = Desk.open(Path(spec["folder"]), spec["name"])
    shared = SharedStore(SharedConfig.parse(spec["url"]), sync_bench.PASSWORD)
    try:
        sync = Sync(desk, shared)
        shared.has_provenance()  # connected before the start, as a running workstation is
        outbox.send(("ready", spec["name"]))
        inbox.recv()
        pushes: list[float] = []
        for i in range(spec["notes"]):
            desk.incidents.add_note(spec["incident"], f"{spec['name']}: note {i}")
            started = time.monotonic()
            if sync.push() != 1:
                raise RuntimeError(f"{spec['name']}'s note {i} did not go up")
            pushes.append(time.monotonic() - started)
        outbox.send(("done", {"pushes": pushes, "ended": time.monotonic()}))
    finally:
        shared.close()
        desk.close()


def writers(root: Path, protocol: str, count: int, notes: int) -> dict[str, Any]:
    """``count`` writer processes, each adding and pushing ``notes`` notes back to back
    through one server: the pushes' p50/p95 and the notes per second all together."""
    with fleet_database(protocol) as (cluster, url):
        info = conninfo(cluster, url.rsplit("/", 1)[1])
        incident, folders = _seed_writers(root, url, info, count)
        workers = [
            Worker(
                writer_process,
                {"name": n, "folder": f, "url": url, "incident": incident, "notes": notes},
            )
            for n, f in folders.items()
        ]
        failed = True
        try:
            for worker in workers:
                worker.expect("ready", READY_TIMEOUT_S)
            started = time.monotonic()
            for worker in workers:
                worker.send("go")
            done = [w.expect("done", BURST_TIMEOUT_S) for w in workers]
            failed = False
        finally:
            for worker in workers:
                worker.close(failed)
    pushes = [p for d in done for p in d["pushes"]]
    elapsed = max(d["ended"] for d in done) - started
    return {
        "protocol": protocol if protocol == "0006" else protocol_of_tree(),
        "writers": count,
        "notes": notes,
        "push_p50_ms": _ms(sync_bench.quantile(pushes, 0.5)),
        "push_p95_ms": _ms(sync_bench.quantile(pushes, 0.95)),
        "notes_per_s": round(len(pushes) / elapsed, 1),
    }


# ------------------------------------------------------------------ the runner's figures

Figure = dict[str, Any]
FLEET_FIGURES = (  # (name under fleet_sev1.nN, unit, where in the summary, what is kept)
    ("connections_per_workstation", "connections", ("connections_per_workstation",)),
    ("server_cpu_ms_per_event", "ms", ("cpu_ms_per_event",)),
    ("p50", "ms", ("steady", "p50")),
    ("p95", "ms", ("steady", "p95")),
    ("p99", "ms", ("steady", "p99")),
    ("real_p95", "ms", ("real_steady", "p95")),
    ("burst_pulls", "pulls", ("burst_pulls_per_receiver", "median")),
    ("burst_row_pulls", "pulls", ("burst_row_pulls_per_receiver", "median")),
    ("burst_notes_p95", "ms", ("burst", "p95")),
    ("burst_notes_max", "ms", ("burst", "max")),
)


def _figure(name: str, value: Any, unit: str, **parameters: Any) -> Figure:
    return {"name": name, "value": value, "unit": unit, "parameters": parameters}


def fleet_figures(sizes: tuple[int, ...], steady_s: float, burst: int) -> list[Figure]:
    """``fleet_sev1`` for ``run.py``: this tree's protocol at each N; the headline is the
    steady propagation p95 at the largest N."""
    figures: list[Figure] = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="incidentdesk-fleet-") as tmp:
            load = machine_load()
            r = fleet(Path(tmp), Plan("head", n, steady_s, burst), _seed_burst)
        params = {
            "n": n,
            "workstations": r["workstations"],
            "protocol": r["protocol"],
            "steady_s": steady_s,
            "burst_events": burst,
            "load": load,
        }
        for name, unit, where in FLEET_FIGURES:
            value: Any = r
            for key in where:
                value = value[key]
            figures.append(_figure(f"fleet_sev1.n{n}.{name}", value, unit, **params))
        figures[-len(FLEET_FIGURES)]["parameters"]["summary"] = r  # everything, once per N
    headline = next(f for f in figures if f["name"] == f"fleet_sev1.n{sizes[-1]}.p95")
    return [{**headline, "name": "fleet_sev1"}, *figures]


def writers_figures(counts: tuple[int, ...], notes: int) -> list[Figure]:
    """``fleet_writers`` for ``run.py``: push p50/p95 and throughput per writer count; the
    headline is the push p95 with the most writers."""
    figures: list[Figure] = []
    for count in counts:
        with tempfile.TemporaryDirectory(prefix="incidentdesk-fleet-") as tmp:
            load = machine_load()
            r = writers(Path(tmp), "head", count, notes)
        params = {"writers": count, "notes": notes, "protocol": r["protocol"], "load": load}
        figures += [
            _figure(f"fleet_writers.w{count}.push_p50", r["push_p50_ms"], "ms", **params),
            _figure(f"fleet_writers.w{count}.push_p95", r["push_p95_ms"], "ms", **params),
            _figure(f"fleet_writers.w{count}.notes_per_s", r["notes_per_s"], "notes/s", **params),
        ]
    headline = next(f for f in figures if f["name"] == f"fleet_writers.w{counts[-1]}.push_p95")
    return [{**headline, "name": "fleet_writers"}, *figures]


def protocol_of_tree() -> str:
    """What ``head`` is in this tree: ``head`` once ``PULL_SQL`` exists, else ``0006``."""
    from incidentdesk.infra.store import shared

    return "head" if hasattr(shared, "PULL_SQL") else "0006"


# ------------------------------------------------------------------ by hand


def machine_load() -> dict[str, Any]:
    """What else ran: the load average and whether a ``stress`` process was running."""
    stress = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/comm", encoding="utf-8") as handle:
                    stress += handle.read().strip() == "stress"
            except OSError:
                continue
    return {"loadavg": [round(x, 2) for x in os.getloadavg()], "stress_processes": stress}


def _seed_burst(folder: Path, n: int) -> str:
    import run  # the runner's events generator (imported here: run.py imports this file)

    return str(run.seed_large_incident(folder, n))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("fleet", "writers"))
    parser.add_argument("--protocol", choices=list(PROTOCOLS), default="head")
    parser.add_argument("--n", type=int, nargs="+", default=list(FLEET_SIZES))
    parser.add_argument("--steady", type=float, default=10.0, help="seconds before the burst")
    parser.add_argument("--burst", type=int, default=10_000, help="events the burst pushes")
    parser.add_argument("--counts", type=int, nargs="+", default=list(WRITER_COUNTS))
    parser.add_argument("--notes", type=int, default=40)
    parser.add_argument("--processes", type=int, default=Plan.processes, help="of readers")
    parser.add_argument("--raw", type=Path, help="fleet: write every arrival here (FILE.N)")
    parser.add_argument("--quick", action="store_true", help="N=10, short: a smoke test")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.steady, args.burst, args.counts, args.notes = [10], 2.0, 500, [1, 2], 5
    results = []
    for size in args.n if args.what == "fleet" else args.counts:
        load = machine_load()
        with tempfile.TemporaryDirectory(prefix="incidentdesk-fleet-") as tmp:
            if args.what == "fleet":
                plan = Plan(args.protocol, size, args.steady, args.burst, args.processes)
                raw = args.raw.with_name(f"{args.raw.name}.{size}") if args.raw else None
                result = fleet(Path(tmp), plan, _seed_burst, raw)
            else:
                result = writers(Path(tmp), args.protocol, size, args.notes)
        result["load_before"], result["load_after"] = load, machine_load()
        print(json.dumps(result), flush=True)
        results.append(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
