"""Helpers for the sync tests: waiting with deadlines, a SyncService that records what it
reports, and direct looks at the local journals and the server."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from pgcluster import PgCluster
from sqlalchemy import select

from incidentdesk.app.desk import Desk
from incidentdesk.core.journal.events import Event
from incidentdesk.infra.config import Profile
from incidentdesk.infra.store.schema import events
from incidentdesk.infra.store.shared import SharedConfig, SharedStore
from incidentdesk.runtime.sync import Sync, SyncService, SyncStatus

T = TypeVar("T")
APP_PASSWORD = "Tr0ub4dor&3-known-test-password"


class Workstation:
    """One workstation: its own local replica, Desk and Sync against the shared database."""

    def __init__(self, root: Path, name: str, url: str) -> None:
        self.data_dir = root / name
        self.data_dir.mkdir()
        profile = Profile(self.data_dir, name=name, shared_url=url)
        profile.save()
        self.desk = Desk.open(self.data_dir, name)
        self.shared = SharedStore(SharedConfig.parse(url), APP_PASSWORD)
        self.sync = Sync(self.desk, self.shared)

    def close(self) -> None:
        self.shared.close()
        self.desk.close()


def wait_for(predicate: Callable[[], T], timeout: float = 5.0, what: str = "it") -> T:
    """Poll ``predicate`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout} s waiting for {what}")
        time.sleep(0.01)


def stays_false(predicate: Callable[[], object], duration: float) -> bool:
    """True if ``predicate`` stayed false for the whole of ``duration`` seconds."""
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        if predicate():
            return False
        time.sleep(0.01)
    return not predicate()


class Recorder:
    """Collects a SyncService's callbacks (called from its thread) with their times."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.statuses: list[tuple[float, SyncStatus]] = []
        self.changes: list[tuple[float, list[str]]] = []

    def on_status(self, status: SyncStatus) -> None:
        with self._lock:
            self.statuses.append((time.monotonic(), status))

    def on_changed(self, incident_ids: list[str]) -> None:
        with self._lock:
            self.changes.append((time.monotonic(), list(incident_ids)))

    def status(self) -> SyncStatus | None:
        """The last status reported."""
        with self._lock:
            return self.statuses[-1][1] if self.statuses else None

    def is_(self, state: str, waiting: int | None = None) -> bool:
        status = self.status()
        return (
            status is not None
            and status.state == state
            and (waiting is None or status.waiting == waiting)
        )

    def all_statuses(self) -> list[SyncStatus]:
        with self._lock:
            return [s for _t, s in self.statuses]

    def changes_after(self, moment: float) -> list[tuple[float, list[str]]]:
        with self._lock:
            return [(t, ids) for t, ids in self.changes if t >= moment]


@contextmanager
def running_service(
    data_dir: Path, author: str, url: str, **options: Any
) -> Iterator[tuple[SyncService, Recorder]]:
    """A SyncService for the workstation in ``data_dir`` (its own Desk and connections),
    always stopped on the way out."""
    recorder = Recorder()
    options.setdefault("shared_factory", lambda: SharedStore(SharedConfig.parse(url), APP_PASSWORD))
    service = SyncService(
        desk_factory=lambda: Desk.open(data_dir, author),
        on_status=recorder.on_status,
        on_changed=recorder.on_changed,
        **options,
    )
    service.start()
    try:
        yield service, recorder
    finally:
        service.stop(timeout=20)
    assert not service.is_alive(), "the sync service did not stop"


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def journal_ids(desk: Desk) -> list[str]:
    """Every event id in a workstation's local journal, in arrival order."""
    with desk.store.reading() as tx:
        query = select(events.c.id).order_by(events.c.seq)
        return [str(i) for i in tx.conn.execute(query).scalars()]


def journal_events(desk: Desk) -> list[Event]:
    """Every event in a workstation's local journal, in arrival order."""
    with desk.store.reading() as tx:
        return [e for incident in tx.incident_ids() for _s, e in tx.events(incident)]


def server_ids(cluster: PgCluster, url: str) -> list[str]:
    """Every event id on the shared server, in ``seq`` order (read as the superuser)."""
    with cluster.admin(database_name(url)) as conn:
        return [str(r[0]) for r in conn.execute("SELECT id FROM events ORDER BY seq")]


def ensure_running(cluster: PgCluster) -> None:
    """Start the cluster again if a test stopped it and failed before starting it."""
    try:
        cluster.admin().close()
    except psycopg.OperationalError:
        cluster.start()
        cluster.wait_ready()


def listener_pids(admin: psycopg.Connection[Any], database: str) -> list[int]:
    """Backends in ``database`` of the application's role (``desk_app``): a running service's
    one connection, which LISTENs and carries its pulls and pushes. Close the test's own
    ``Workstation.shared`` first, or it is counted too."""
    rows = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND usename = 'desk_app' "
        "AND backend_type = 'client backend'",
        (database,),
    ).fetchall()
    return [int(r[0]) for r in rows]
