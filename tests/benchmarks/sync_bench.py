"""The shared-database figures: live propagation between two workstations, and catch-up.

``run.py`` calls :func:`propagation` and :func:`catch_up`. Each starts its own throwaway
PostgreSQL (``tests/integration/pgcluster.py``, loaded by path), seeds the workstations'
data folders, runs the measured workstation as a fresh process of this file, and destroys
the cluster at the end. Without PostgreSQL's server binaries they raise :class:`Skipped`.

Usage::

    # A whole measurement, with its own cluster (what run.py does), printing one JSON line;
    # --profile P also writes cProfile statistics of the measured workstation's threads.
    python tests/benchmarks/sync_bench.py sync_propagation_latency NOTES PINGS [--profile P]
    python tests/benchmarks/sync_bench.py sync_catch_up EVENTS [HOSTILE] [--profile P]

    # The measured workstations (started by the two above, on their seeded folders).
    python tests/benchmarks/sync_bench.py window DATA_DIR NOTES AUTHOR [--profile P]
    python tests/benchmarks/sync_bench.py catch_up DATA_DIR EVENTS [HOSTILE] [--profile P]

Times that cross processes are ``time.monotonic()``: CLOCK_MONOTONIC on Linux, one clock for
the whole system, so a time taken in one process compares with a time taken in another.
"""

from __future__ import annotations

import importlib.util
import json
import os
import queue
import random
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
PGCLUSTER = HERE.parent / "integration" / "pgcluster.py"
OWNER = "desk_bench"
PASSWORD = "bench-only-password-9f3c"  # a throwaway cluster's role; never a real secret
SECRET_ENV = "INCIDENTDESK_SECRET_SHARED_DB"
AUTHOR_A, AUTHOR_B = "Workstation A", "Workstation B"
FLOOR_CHANNEL = "incidentdesk_bench_floor"
PACE_S = (0.02, 0.08)  # A waits this long (uniform) after B showed a note, before the next
NOTE_TIMEOUT_S = 30.0  # one note must show on B within this, or the measurement fails
CHILD_TIMEOUT_S = 1800.0


MakeEvents = Callable[[int], tuple[str, list[Any]]]


class Skipped(Exception):
    """These figures cannot be measured on this machine; the message says why."""


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def quantile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by the inclusive method, as ``statistics.quantiles``."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# ------------------------------------------------------------------ the throwaway server


def _pgcluster() -> ModuleType:
    """``tests/integration/pgcluster.py``, loaded by path (tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location("incidentdesk_bench_pgcluster", PGCLUSTER)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {PGCLUSTER}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def skip_reason() -> str | None:
    """Why the shared-database figures cannot be measured here (None: they can)."""
    if _pgcluster().find_bindir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    return None


@contextmanager
def shared_database() -> Iterator[tuple[Any, str]]:
    """A new PostgreSQL cluster holding one IncidentDesk database; yields (cluster, URL).

    The cluster is destroyed on the way out, whatever happened.
    """
    from incidentdesk.infra.store.shared import SharedConfig, SharedStore

    pg = _pgcluster()
    bindir = pg.find_bindir()
    if bindir is None:
        raise Skipped("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    cluster = pg.PgCluster(bindir)
    try:
        cluster.init()
        cluster.start()
        cluster.wait_ready()
        url = cluster.create_database("incidentdesk_bench", OWNER, PASSWORD)
        store = SharedStore(SharedConfig.parse(url), PASSWORD)
        try:
            store.upgrade()
        finally:
            store.close()
        yield cluster, url
    finally:
        cluster.destroy()


def server_settings(cluster: Any) -> dict[str, str]:
    """The server settings that bear on the figures (the cluster is tuned for tests)."""
    names = ("server_version", "fsync", "synchronous_commit", "shared_buffers")
    with cluster.admin() as conn:
        return {n: str(conn.execute(f"SHOW {n}").fetchone()[0]) for n in names}


# ------------------------------------------------------------------ workstations (parent)


def _workstation(root: Path, name: str, url: str) -> Path:
    """A data folder whose profile names the shared database (the password is in the env)."""
    from incidentdesk.infra.config import Profile

    data_dir = root / name.replace(" ", "_")
    data_dir.mkdir()
    Profile(data_dir, name=name, shared_url=url).save()
    return data_dir


@contextmanager
def _syncing(data_dir: Path, author: str, url: str) -> Iterator[Any]:
    """A workstation's Desk and Sync, as the command line uses them (closed on the way out)."""
    from incidentdesk.app.desk import Desk
    from incidentdesk.infra.store.shared import SharedConfig, SharedStore
    from incidentdesk.runtime.sync import Sync

    desk = Desk.open(data_dir, author)
    shared = SharedStore(SharedConfig.parse(url), PASSWORD)
    try:
        yield Sync(desk, shared)
    finally:
        shared.close()
        desk.close()


def child_env(root: Path) -> dict[str, str]:
    """The measured workstation's environment: offscreen Qt, XDG folders inside ``root``,
    and the shared database's password where ``incidentdesk.infra.secrets`` looks first."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")  # set it to measure on a real display
    env["XDG_CONFIG_HOME"] = str(root / "xdg-config")
    env["XDG_DATA_HOME"] = str(root / "xdg-data")
    env["XDG_CACHE_HOME"] = str(root / "xdg-cache")
    env[SECRET_ENV] = PASSWORD
    return env


class Child:
    """This file run as a measured workstation; reads the JSON lines it prints."""

    def __init__(self, args: list[str], root: Path) -> None:
        # The child keeps this process's warning options (-W error under the smoke test).
        command = [sys.executable, *(f"-W{w}" for w in sys.warnoptions), __file__, *args]
        self.name = args[0]
        self._stderr = (root / f"{self.name}.stderr").open("w+", encoding="utf-8")
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=child_env(root),
        )
        assert self.proc.stdout is not None
        self._fd = self.proc.stdout.fileno()
        self._buffer = b""

    def expect(self, tag: str, timeout: float) -> dict[str, Any]:
        """The next line's JSON, which must be tagged ``tag``."""
        line = self._line(timeout, tag)
        found, _, payload = line.partition(" ")
        if found != tag:
            raise self._failure(f"expected {tag!r}, got {line[:200]!r}")
        return dict(json.loads(payload))

    def _line(self, timeout: float, what: str) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._failure(f"timed out after {timeout:.0f} s waiting for {what!r}")
            ready, _, _ = select.select([self._fd], [], [], remaining)
            if ready:
                chunk = os.read(self._fd, 1 << 16)
                if not chunk:
                    self.proc.wait(10)
                    raise self._failure(f"exited with {self.proc.returncode}")
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode("utf-8")

    def _failure(self, what: str) -> RuntimeError:
        self._stderr.flush()
        self._stderr.seek(0)
        return RuntimeError(f"sync_bench.py {self.name} {what}: {self._stderr.read()[-3000:]}")

    def __enter__(self) -> Child:
        return self

    def __exit__(self, failed: type[BaseException] | None, *_rest: object) -> None:
        """Wait for a child that finished its work; end one that did not, or that is
        left behind by a failure here."""
        try:
            if failed is not None:
                self.proc.kill()
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        finally:
            assert self.proc.stdout is not None
            self.proc.stdout.close()
            self._stderr.close()
        if failed is None and self.proc.returncode != 0:
            raise RuntimeError(f"sync_bench.py {self.name} exited with {self.proc.returncode}")


# ------------------------------------------------------------- sync_propagation_latency


def notify_floor(cluster: Any, database: str, pings: int) -> list[float]:
    """Raw NOTIFY round trips (s): one connection LISTENs (in a thread of its own, as the
    sync service does), another sends NOTIFY in autocommit; each time runs from the NOTIFY
    statement returning to the notification received."""
    import psycopg

    def connect() -> psycopg.Connection[Any]:
        return psycopg.connect(
            host="127.0.0.1",
            port=cluster.port,
            dbname=database,
            user=OWNER,
            password=PASSWORD,
            autocommit=True,
        )

    arrivals: queue.Queue[tuple[str, float]] = queue.Queue()
    listener, sender = connect(), connect()
    try:
        listener.execute(f"LISTEN {FLOOR_CHANNEL}")

        def listen() -> None:
            for note in listener.notifies():
                arrivals.put((note.payload, time.monotonic()))
                if note.payload == "stop":
                    return

        thread = threading.Thread(target=listen, name="notify-floor", daemon=True)
        thread.start()
        times: list[float] = []
        for i in range(pings + 1):  # the first is a warm-up
            sender.execute(f"NOTIFY {FLOOR_CHANNEL}, '{i}'")
            sent = time.monotonic()
            try:
                payload, received = arrivals.get(timeout=10)
            except queue.Empty:
                raise RuntimeError(f"notify_floor: notification {i} never arrived") from None
            if payload != str(i):
                raise RuntimeError(f"notify_floor: got {payload!r} for notification {i}")
            if i:
                times.append(received - sent)
        sender.execute(f"NOTIFY {FLOOR_CHANNEL}, 'stop'")
        thread.join(10)
    finally:
        sender.close()
        listener.close()
    return times


def propagation(root: Path, notes: int, pings: int, profile: str | None = None) -> dict[str, Any]:
    """Workstation A (this process: a Desk and a Sync) adds a note and pushes; workstation B
    (a child: the main window with its sync service) shows it in the timeline. Paced: the
    next note goes once B showed the last one, after a short random pause.
    """
    from incidentdesk.app.demo import seed_demo

    with shared_database() as (cluster, url):
        settings = server_settings(cluster)
        floor = notify_floor(cluster, url.rsplit("/", 1)[1], pings)
        a_dir = _workstation(root, AUTHOR_A, url)
        b_dir = _workstation(root, AUTHOR_B, url)
        with _syncing(a_dir, AUTHOR_A, url) as sync_a:
            incident = seed_demo(sync_a.desk)
            sync_a.sync_once()
            with _syncing(b_dir, AUTHOR_B, url) as sync_b:  # B was online before: it has
                sync_b.sync_once()  # the incident, and its window opens on it
            args = ["window", str(b_dir), str(notes), AUTHOR_A]
            with Child([*args, "--profile", profile] if profile else args, root) as child:
                ready = child.expect("ready", timeout=180)
                if ready["incident"] != incident:
                    raise RuntimeError(f"B opened {ready['incident']}, not {incident}")
                rng = random.Random(20261126)
                committed = _note_commits(sync_a.shared)
                commits: dict[str, float] = {}
                pushes: list[float] = []
                for i in range(notes):
                    event_id = sync_a.desk.incidents.add_note(
                        incident, f"A's note {i}: p99 at {i % 97}ms"
                    )
                    started = time.monotonic()
                    if sync_a.push() != 1:
                        raise RuntimeError(f"note {i} did not go up")
                    pushes.append(time.monotonic() - started)
                    commits[event_id] = committed[-1]
                    seen = child.expect("seen", timeout=NOTE_TIMEOUT_S)
                    if seen["id"] != event_id:
                        raise RuntimeError(f"B showed {seen['id']} while waiting for {event_id}")
                    time.sleep(rng.uniform(*PACE_S))
                done = child.expect("done", timeout=120)
    rows = done["rows"]
    if [r["id"] for r in rows] != list(commits):
        raise RuntimeError("B's rows are not A's notes in order")
    latencies = [r["seen"] - commits[r["id"]] for r in rows]
    stages = [_stages(commits[r["id"]], r, done["spans"]) for r in rows]
    return {
        "notes": notes,
        "p50_ms": _ms(quantile(latencies, 0.5)),
        "p95_ms": _ms(quantile(latencies, 0.95)),
        "max_ms": _ms(max(latencies)),
        "over_50ms": sum(t > 0.050 for t in latencies),
        "stages_p50_ms": _stage_quantiles(stages, 0.5),
        "stages_p95_ms": _stage_quantiles(stages, 0.95),
        "a_sync_push_p50_ms": _ms(quantile(pushes, 0.5)),
        "pace_ms": [_ms(PACE_S[0]), _ms(PACE_S[1])],
        "floor_p50_ms": _ms(quantile(floor, 0.5)),
        "floor_p95_ms": _ms(quantile(floor, 0.95)),
        "floor_min_ms": _ms(min(floor)),
        "floor_max_ms": _ms(max(floor)),
        "pings": pings,
        "server": settings,
        "pyside_drops_refs_to": done["pyside_drops_refs_to"],
    }


def _note_commits(shared: Any) -> list[float]:
    """Record when each of this SharedStore's pushes returned: the server committed then.

    ``Sync.push`` goes on to mark the events pushed in the local file (a SQLite commit) and
    to look at the outbox again; the note is on the server, and on its way to B, before.
    Only this object is wrapped, not the class.
    """
    times: list[float] = []
    original = shared.send  # what Sync.push calls (SharedStore.push is a wrapper of it)

    def send(batch: Any) -> Any:
        outcome = original(batch)
        times.append(time.monotonic())
        return outcome

    shared.send = send
    return times


STAGES = (
    "notify",  # A's commit → B's sync thread starts a round (the notification woke it)
    "round",  # that round: Sync.pull, of which:
    "round.server_pull",  # SharedStore.pull (query and decoding)
    "round.receive",  # Desk.exchange.receive (SQLite insert, fold, incident-list row; commit)
    "round.other",  # cursor and last-sync bookkeeping
    "to_gui",  # round done → remote_changed delivered on the GUI thread
    "feed",  # → the worker starts Desk.incidents.snapshot (the feed's look, incident-list query)
    "snapshot",  # Desk.incidents.snapshot on the store worker
    "apply",  # → the row in the timeline model (rowsInserted)
)


def _last(spans: list[list[float]], before: float, after: float = float("-inf")) -> list[float]:
    """The last span that ended by ``before`` and started at or after ``after``."""
    found = [s for s in spans if after <= s[0] and s[1] <= before]
    if not found:
        raise RuntimeError("a stage of a note was not recorded")
    return found[-1]


def _stages(commit: float, row: dict[str, Any], spans: dict[str, Any]) -> dict[str, float]:
    """Where one note's time went, from spans B recorded (monotonic seconds)."""
    seen = row["seen"]
    pulling = [s for s in spans["round"] if s[2] > 0]
    start, end, _pulled = _last(pulling, seen)
    server = sum(b - a for a, b in spans["server_pull"] if start <= a and b <= end)
    receive = sum(b - a for a, b in spans["receive"] if start <= a and b <= end)
    delivered = min((t for t in spans["delivered"] if t >= end), default=seen)
    snap = _last(spans["snapshot"], seen)
    return {
        "notify": start - commit,
        "round": end - start,
        "round.server_pull": server,
        "round.receive": receive,
        "round.other": end - start - server - receive,
        "to_gui": delivered - end,
        "feed": snap[0] - delivered,
        "snapshot": snap[1] - snap[0],
        "apply": seen - snap[1],
    }


def _stage_quantiles(stages: list[dict[str, float]], q: float) -> dict[str, float]:
    return {name: _ms(quantile([s[name] for s in stages], q)) for name in STAGES}


# ----------------------------------------------------------------------- sync_catch_up


def catch_up(
    root: Path,
    events: int,
    make_events: MakeEvents,
    profile: str | None = None,
    hostile: int = 0,
) -> dict[str, Any]:
    """Workstation B was online (it has the demo incident), then offline while A wrote
    ``events`` events and pushed them; B's sync service starts (a child) and catches up.

    ``make_events(n)`` is ``run.make_events``: one incident's journal of ``n`` events.
    With ``hostile``, that many of the ``events`` rows are bad ones (see
    :func:`hostile_rows`), written straight into the server's journal between A's, which
    B must quarantine; A writes the rest.
    """
    from incidentdesk.app.demo import seed_demo
    from incidentdesk.infra.store.local import LocalStore

    with shared_database() as (cluster, url):
        settings = server_settings(cluster)
        a_dir = _workstation(root, AUTHOR_A, url)
        b_dir = _workstation(root, AUTHOR_B, url)
        with _syncing(a_dir, AUTHOR_A, url) as sync_a:
            seed_demo(sync_a.desk)
            sync_a.sync_once()
        with _syncing(b_dir, AUTHOR_B, url) as sync_b:
            sync_b.sync_once()
        # Offline from here. A's journal gains a long incident (make_events: notes, role
        # changes, status and severity changes, pins), written in one transaction; the
        # outbox holds every event, and A pushes them.
        incident_id, made = make_events(events - hostile)
        store = LocalStore(a_dir)
        try:
            with store.writing() as tx:
                for event in made:
                    tx.append(event)
        finally:
            store.close()
        with _syncing(a_dir, AUTHOR_A, url) as sync_a:
            started = time.monotonic()
            pushed = 0
            bad = hostile_rows(incident_id, hostile)
            # A's events in ten parts with a tenth of the bad rows after each (a peer
            # sending them while A works); with none, one push as before.
            parts = 10 if hostile else 1
            part = max(1, -(-len(made) // parts))
            for left in range(parts, 0, -1):
                sent = 0
                while sent < part and (batch := sync_a.desk.exchange.outbox(min(500, part - sent))):
                    pushed += sync_a.shared.push(batch)
                    sync_a.desk.exchange.mark_pushed([e.id for e in batch])
                    sent += len(batch)
                chunk = len(bad) // left
                insert_raw(cluster, url, bad[:chunk])
                del bad[:chunk]
            push_s = time.monotonic() - started
        if pushed != events - hostile:
            raise RuntimeError(f"A pushed {pushed} events, expected {events - hostile}")
        args = ["catch_up", str(b_dir), str(events), str(hostile)]
        with Child([*args, "--profile", profile] if profile else args, root) as child:
            result = child.expect("done", timeout=CHILD_TIMEOUT_S)
    return {
        **result,
        "incident": incident_id,
        "hostile": hostile,
        "a_push_s": round(push_s, 3),
        "a_push_events_per_s": round(events / push_s, 1),
        "server": settings,
    }


def hostile_rows(incident_id: str, count: int) -> list[dict[str, Any]]:
    """``count`` bad rows for one incident, five kinds in turn: a payload that is not JSON,
    an ``hlc`` of 2^63-1, a payload of the wrong shape, ``occurred_at`` in year 1, and a NUL
    in a note's text."""
    from incidentdesk.core.journal.ids import hlc_pack, new_event_id

    now_ms = int(time.time() * 1000)
    made = []
    for n in range(count):
        row: dict[str, Any] = {
            "id": new_event_id(),
            "incident_id": incident_id,
            "kind": "note.added",
            "payload": json.dumps({"text": f"hostile {n}", "note_kind": "note"}),
            "occurred_at_us": now_ms * 1000,
            "hlc": hlc_pack(now_ms, n % 60_000),
            "author": "Mallory",
            "device": "badc0ffee000",
        }
        change = n % 5
        if change == 0:
            row["payload"] = f"not json at all {n}"
        elif change == 1:
            row["hlc"] = 2**63 - 1
        elif change == 2:
            row["payload"] = json.dumps({"text": ["a", "list", n]})
        elif change == 3:
            row["occurred_at_us"] = -62135596800000000
        else:
            row["payload"] = json.dumps({"text": f"a\x00b {n}"})  # \u0000 in the JSON
        made.append(row)
    return made


def insert_raw(cluster: Any, url: str, rows: list[dict[str, Any]]) -> None:
    """Rows straight into the server's journal as the superuser, triggers off (a server
    trigger that refuses them would test the server, not the workstation)."""
    if not rows:
        return
    columns = ("id", "incident_id", "kind", "payload", "occurred_at_us", "hlc", "author", "device")
    with cluster.admin(url.rsplit("/", 1)[1]) as conn:
        conn.execute("SET session_replication_role = replica")
        with conn.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join(['%s'] * 8)})",
                [[r[c] for c in columns] for r in rows],
            )


# ------------------------------------------------------------------ instrumenting (child)


class Spans:
    """Start and end (monotonic) of calls of some methods, by name; the package's code is
    unchanged, only this process's class objects are wrapped."""

    def __init__(self) -> None:
        self.spans: dict[str, list[Any]] = {}

    def wrap(
        self, cls: Any, method: str, name: str, extra: Callable[[Any], float] | None = None
    ) -> None:
        original = getattr(cls, method)
        record = self.spans.setdefault(name, [])

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.monotonic()
            result = original(*args, **kwargs)
            span = [t0, time.monotonic()]
            if extra is not None:
                span.append(extra(result))
            record.append(span)  # list.append is atomic: threads may share a record
            return result

        setattr(cls, method, timed)


def _profiled_service(prefix: str | None) -> tuple[Any, Any]:
    """A SyncService class that runs its thread under cProfile when ``prefix`` is given
    (the whole thread: its start-up is a small part), and that profile."""
    import cProfile

    from incidentdesk.runtime.sync import SyncService

    profiler = cProfile.Profile() if prefix else None

    class Service(SyncService):
        def run(self) -> None:
            if profiler is None:
                super().run()
                return
            profiler.enable()
            try:
                super().run()
            finally:
                profiler.disable()

    return Service, profiler


def _emit(tag: str, payload: dict[str, Any]) -> None:
    sys.stdout.write(f"{tag} {json.dumps(payload)}\n")
    sys.stdout.flush()


# --------------------------------------------------------------------- window (child B)


def window(data_dir: str, notes: str, author: str, profile: str | None = None) -> None:
    """Workstation B: the main window on its profile, syncing in the background; prints
    ``ready``, then ``seen`` for each row of ``author`` that enters the timeline model,
    then ``done`` with the spans recorded."""
    import ui_bench

    from incidentdesk.app.exchange import Exchange
    from incidentdesk.app.incidents import Incidents
    from incidentdesk.infra.store.shared import SharedStore
    from incidentdesk.runtime.sync import ONLINE, Sync
    from incidentdesk.ui.shell.app import build_window

    app = ui_bench._open_app(data_dir)
    guard = ui_bench._keep_singletons_alive()
    waiter = ui_bench._Waiter()
    recorder = Spans()
    # The service pulls on a notification (Sync.pull; sync_once only when it connects).
    recorder.wrap(Sync, "pull", "round", lambda result: result[0])
    recorder.wrap(SharedStore, "pull", "server_pull")
    recorder.wrap(Exchange, "receive_rows", "receive")
    recorder.wrap(Incidents, "snapshot", "snapshot")
    delivered: list[float] = []
    recorder.spans["delivered"] = delivered
    service_class, sync_profiler = _profiled_service(profile)

    window = build_window(Path(data_dir), None, sync_service=service_class)
    window.resize(1400, 900)
    view, sync = window.command_view, window.sync
    assert sync is not None
    model = view.timeline.model
    for signal in (view.loaded, window.client.busy_changed, sync.status_changed):
        signal.connect(waiter.check)
    window.show()
    waiter.wait(
        lambda: (
            view.state is not None
            and window.client.describe()["cursor"] is not None
            and window.client.worker.pending == 0
            and sync.status.state == ONLINE
        ),
        "the window to load and go online",
        timeout=120,
    )
    settle: list[bool] = []
    ui_bench._qt()[0].QTimer.singleShot(300, lambda: (settle.append(True), waiter.check()))
    waiter.wait(lambda: bool(settle), "a moment of quiet")

    rows: list[dict[str, Any]] = []
    sync.remote_changed.connect(lambda _ids: delivered.append(time.monotonic()))

    def inserted(_parent: object, first: int, last: int) -> None:
        now = time.monotonic()
        for r in range(first, last + 1):
            event = model.row_at(r).event
            if event.author == author:
                rows.append({"id": event.id, "seen": now})
                _emit("seen", rows[-1])
        waiter.check()

    model.rowsInserted.connect(inserted)
    profiler = ui_bench._Profiler(profile, window.client)
    profiler.start()
    _emit("ready", {"incident": view.incident_id})
    waiter.wait(lambda: len(rows) >= int(notes), "A's notes", timeout=CHILD_TIMEOUT_S)
    profiler.stop()
    window.client.stop()  # stops the sync service too (it waits for the thread a while)
    app.processEvents()
    if sync_profiler is not None:
        sync_profiler.dump_stats(f"{profile}.sync.prof")
    _emit("done", {"rows": rows, "spans": recorder.spans, "pyside_drops_refs_to": guard})


# ------------------------------------------------------------------- catch_up (child B)


def catch_up_child(
    data_dir: str, events: str, hostile: str = "0", profile: str | None = None
) -> None:
    """Workstation B's sync service (its own thread, Desk and connections, as the window
    runs it) starts and catches up; prints ``done`` with the times."""
    from sqlalchemy import func, select

    from incidentdesk.app.desk import Desk
    from incidentdesk.app.exchange import Exchange
    from incidentdesk.infra.config import Profile
    from incidentdesk.infra.store.local import LocalStore
    from incidentdesk.infra.store.schema import events as events_table
    from incidentdesk.infra.store.shared import SharedStore
    from incidentdesk.runtime.sync import OFFLINE, ONLINE, Sync, SyncStatus, open_shared

    folder = Path(data_dir)

    def journal() -> int:
        store = LocalStore(folder)
        try:
            with store.reading() as tx:
                query = select(func.count()).select_from(events_table)
                return int(tx.conn.execute(query).scalar() or 0)
        finally:
            store.close()

    before = journal()
    recorder = Spans()
    recorder.wrap(Desk, "open", "desk_open")
    recorder.wrap(SharedStore, "listen", "listen")
    recorder.wrap(SharedStore, "check_schema", "check_schema")
    recorder.wrap(Sync, "push", "push")
    recorder.wrap(SharedStore, "pull", "server_pull", len)
    recorder.wrap(Exchange, "receive_rows", "receive")
    recorder.wrap(Exchange, "set_sync_fact", "bookkeeping")
    marks: dict[str, float] = {}
    offline: list[str] = []
    settled = threading.Event()

    def on_status(status: SyncStatus) -> None:
        if status.state == OFFLINE:
            offline.append(status.message or "offline")
        if status.state in (ONLINE, OFFLINE) and status.state not in marks:
            marks[status.state] = time.monotonic()
            settled.set()

    def on_changed(_ids: list[str]) -> None:
        marks.setdefault("changed", time.monotonic())

    service_class, profiler = _profiled_service(profile)
    service = service_class(
        lambda: Desk.open(folder, AUTHOR_B),
        lambda: open_shared(Profile.load(folder)),
        on_status,
        on_changed,
    )
    start = time.monotonic()
    service.start()
    if not settled.wait(CHILD_TIMEOUT_S):
        raise RuntimeError("the sync service never reported online")
    service.stop(timeout=30)
    if offline:
        raise RuntimeError(f"the sync service went offline: {offline[0]}")
    if profiler is not None:
        profiler.dump_stats(f"{profile}.sync.prof")
    arrived = journal() - before
    if arrived != int(events) - int(hostile):
        raise RuntimeError(f"B's journal gained {arrived} events, expected {events}")
    desk = Desk.open(folder, AUTHOR_B)
    try:
        quarantined = desk.exchange.quarantined_count()
    finally:
        desk.close()
    if quarantined != int(hostile):
        raise RuntimeError(f"B quarantined {quarantined} rows, expected {hostile}")
    spans = recorder.spans
    held = max(s[1] for s in spans["receive"])  # the last batch is in the journal
    elapsed = held - start

    def total(name: str) -> float:  # the calls made by then (the round's end comes after)
        return _ms(sum(s[1] - s[0] for s in spans[name] if s[1] <= held))

    named = ("desk_open", "listen", "check_schema", "push", "server_pull", "receive")
    breakdown = {name: total(name) for name in (*named, "bookkeeping")}
    breakdown["other"] = round(_ms(elapsed) - sum(breakdown.values()), 3)
    _emit(
        "done",
        {
            "events": arrived,
            "quarantined": quarantined,
            "elapsed_ms": _ms(elapsed),
            "events_per_s": round((arrived + quarantined) / elapsed, 1),
            "online_ms": _ms(marks[ONLINE] - start),
            "changed_ms": _ms(marks["changed"] - start),
            "pull_batches": sum(1 for s in spans["server_pull"] if s[2]),
            "breakdown_ms": breakdown,
        },
    )


# ----------------------------------------------------------------------------- main


def _whole(name: str, counts: list[str], profile: str | None) -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="incidentdesk-bench-") as tmp:
        if name == "sync_propagation_latency":
            result = propagation(Path(tmp), int(counts[0]), int(counts[1]), profile)
        else:
            import run  # this file's neighbour (its folder is on sys.path)

            hostile = int(counts[1]) if len(counts) > 1 else 0
            result = catch_up(Path(tmp), int(counts[0]), run.make_events, profile, hostile)
    sys.stdout.write(json.dumps(result) + "\n")


COMMANDS: dict[str, Callable[..., None]] = {
    "sync_propagation_latency": lambda *a, profile=None: _whole(
        "sync_propagation_latency", list(a), profile
    ),
    "sync_catch_up": lambda *a, profile=None: _whole("sync_catch_up", list(a), profile),
    "window": window,
    "catch_up": catch_up_child,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        print(f"unknown command; one of {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    name, args = argv[0], list(argv[1:])
    profile = None
    if "--profile" in args:
        at = args.index("--profile")
        profile = args[at + 1]
        del args[at : at + 2]
    try:
        COMMANDS[name](*args, profile=profile)
    except Skipped as exc:
        print(f"skipped: {exc}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
