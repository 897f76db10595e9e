"""The local store: one SQLite file per profile, the embedded default.

Durability first: WAL with ``synchronous=FULL`` (a note acknowledged to the commander is on
disk), foreign keys on, a busy timeout so two processes wait for each other instead of
failing, and writes in ``BEGIN IMMEDIATE`` so a write transaction never has to give up
half-way because another writer got there first.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from incidentdesk.core.errors import UserError
from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.ids import new_device_id
from incidentdesk.core.timefmt import from_micros, to_micros
from incidentdesk.infra.store import migrate
from incidentdesk.infra.store.deliveries import DeliveryQueries
from incidentdesk.infra.store.journal_rows import decode_events
from incidentdesk.infra.store.quarantine import QuarantineQueries
from incidentdesk.infra.store.schema import events, meta, unpushed
from incidentdesk.infra.store.search_index import SearchQueries
from incidentdesk.infra.store.summaries import SummaryQueries, micros_or_none

DB_NAME = "incidentdesk.sqlite3"
# What ``_decode`` reads of a journal row, in its order.
_COLUMNS = (
    "seq, id, incident_id, kind, payload, occurred_at_us, hlc, author, device, recorded_by,"
    " received_at_us"
)
BUSY_TIMEOUT_MS = 10_000


class StoreError(UserError):
    """The store cannot do what was asked; the message says why and what to do."""


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" hook issue BEGIN itself (pysqlite's own is unreliable).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _on_begin(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


class LocalStore:
    """The SQLite journal and its projections for one profile.

    Args:
        data_dir: the profile's folder; it must exist.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / DB_NAME
        self.backup_path: Path | None = None
        self._check_access(Path(data_dir))
        self.engine = self._make_engine()
        try:
            self.backup_path = migrate.upgrade_local(self.engine, self.path)
            with self.writing() as tx:
                self.device_id = tx.device_id()
        except migrate.SchemaError as exc:
            self.engine.dispose()
            raise StoreError(str(exc)) from None
        except DBAPIError as exc:
            self.engine.dispose()
            raise self.explain(exc) from None

    def _check_access(self, data_dir: Path) -> None:
        if not data_dir.is_dir():
            raise StoreError(
                f"The data directory {data_dir} does not exist; create it or choose another "
                "with --data-dir."
            )
        target = self.path if self.path.exists() else data_dir
        # The mode bits count too: root may write anywhere, but a file marked read-only
        # (a copied-in archive, say) must not be changed behind the user's back.
        if not os.access(target, os.W_OK) or not target.stat().st_mode & 0o222:
            raise StoreError(
                f"{target} is read-only; IncidentDesk needs to write there. Check its "
                "permissions, or copy the data directory somewhere writable."
            )

    def _make_engine(self) -> Engine:
        # A pooled connection stays open between transactions: closing the last connection
        # would checkpoint and delete the WAL every time, doubling the disk work per note.
        engine = create_engine(f"sqlite:///{self.path}")
        event.listen(engine, "connect", _on_connect)
        event.listen(engine, "begin", _on_begin)
        return engine

    def explain(self, exc: DBAPIError) -> StoreError:
        """Turn a driver error into one sentence a commander can act on."""
        reason = str(exc.orig) if exc.orig is not None else str(exc)
        if "not a database" in reason or "malformed" in reason or "corrupt" in reason:
            return StoreError(
                f"{self.path} is damaged or not an IncidentDesk database ({reason}). It was "
                "not changed; restore it from a backup or move it aside to start afresh."
            )
        if "readonly" in reason or "read-only" in reason:
            return StoreError(f"{self.path} is read-only; check its permissions.")
        if "locked" in reason or "busy" in reason:
            return StoreError(
                f"{self.path} is busy: another IncidentDesk process held it for more than "
                f"{BUSY_TIMEOUT_MS // 1000} seconds. Try again."
            )
        if "disk" in reason and ("full" in reason or "I/O" in reason):
            return StoreError(f"Cannot write {self.path}: {reason}. Free disk space and retry.")
        return StoreError(f"The local database {self.path} failed: {reason}.")

    @contextmanager
    def reading(self) -> Iterator[StoreTxn]:
        """A consistent read snapshot."""
        try:
            with self.engine.connect() as conn, conn.begin():
                yield StoreTxn(conn)
        except DBAPIError as exc:
            raise self.explain(exc) from None

    @contextmanager
    def writing(self) -> Iterator[StoreTxn]:
        """A write transaction (``BEGIN IMMEDIATE``): all or nothing, durable on return."""
        try:
            with self.engine.connect().execution_options(write=True) as conn, conn.begin():
                yield StoreTxn(conn)
        except DBAPIError as exc:
            raise self.explain(exc) from None

    def integrity_check(self) -> list[str]:
        """SQLite's own check: ``['ok']`` when the file is sound."""
        with self.reading() as tx:
            rows = tx.conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
        return [str(r) for r in rows]

    def schema_revision(self) -> str | None:
        """The schema revision of the file."""
        with self.reading() as tx:
            return migrate.current_revision(tx.conn)

    def upgrade(self) -> None:
        """Run any migrations the file lacks (normally done on open)."""
        with self.writing() as tx:
            migrate.upgrade(tx.conn)

    def close(self) -> None:
        """Release the file: close the pooled connections."""
        self.engine.dispose()


class StoreTxn(DeliveryQueries, QuarantineQueries, SummaryQueries, SearchQueries):
    """The queries and writes of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def device_id(self) -> str:
        """This replica's device id, made on first use."""
        value = self.conn.execute(select(meta.c.value).where(meta.c.key == "device_id"))
        device = value.scalar()
        if device is None:
            device = new_device_id()
            self.conn.execute(insert(meta).values(key="device_id", value=device))
        return str(device)

    def max_hlc(self, below: int | None = None) -> int:
        """The largest HLC value in the journal (0 when empty), of those under ``below``."""
        query = select(func.max(events.c.hlc))
        if below is not None:
            query = query.where(events.c.hlc < below)
        return int(self.conn.execute(query).scalar() or 0)

    def max_seq(self) -> int:
        """The newest arrival in the journal (0 when empty)."""
        return int(self.conn.execute(select(func.max(events.c.seq))).scalar() or 0)

    def append(self, event: Event) -> int:
        """Add an event written here to the journal (and to the outbox); returns its ``seq``."""
        result = self.conn.execute(insert(events).values(event_row(event)))
        self.conn.execute(insert(unpushed).values(event_id=event.id))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def receive(self, event: Event, *, from_server: bool = True) -> bool:
        """Add an event that came from the shared server; False if it was already here.

        An event already here (our own, come back from the server) takes the server's
        provenance, ``recorded_by`` and ``received_at``, when it brings some: nothing else
        of the row changes, so the fold is unaffected. Only the server's own word replaces
        stamps (``from_server``): an archive's are a claim, kept for an event new here.
        """
        # One plain statement (compiled once by SQLite's cache, not per event by SQLAlchemy):
        # a catch-up receives thousands of events.
        row = event_row(event)
        result = self.conn.exec_driver_sql(
            "INSERT INTO events (id, incident_id, kind, payload, occurred_at_us, hlc, author,"
            " device, recorded_by, received_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            (
                row["id"],
                row["incident_id"],
                row["kind"],
                row["payload"],
                row["occurred_at_us"],
                row["hlc"],
                row["author"],
                row["device"],
                row["recorded_by"],
                row["received_at_us"],
            ),
        )
        if result.rowcount:
            return True
        if from_server and event.recorded_by is not None:
            self.stamp(event.id, event.recorded_by, row["received_at_us"])
        return False

    def stamp(self, event_id: str, recorded_by: str, received_at_us: int | None) -> bool:
        """Keep what the shared server stamped on an event (who inserted it, when); True if
        the row changed. The server is the authority on its own stamps: they replace any
        older ones (an event restored from another server's archive, say)."""
        result = self.conn.exec_driver_sql(
            "UPDATE events SET recorded_by = ?, received_at_us = ?"
            " WHERE id = ? AND (recorded_by IS NOT ? OR received_at_us IS NOT ?)",
            (recorded_by, received_at_us, event_id, recorded_by, received_at_us),
        )
        return bool(result.rowcount)

    def unpushed_events(self, limit: int) -> list[Event]:
        """Events written here that the shared server has not acknowledged, oldest first."""
        query = (
            select(events)
            .join(unpushed, unpushed.c.event_id == events.c.id)
            .order_by(events.c.seq)
            .limit(limit)
        )
        return [row_event(row) for row in self.conn.execute(query)]

    def mark_pushed(self, event_ids: list[str]) -> None:
        """The server committed these events."""
        if event_ids:
            self.conn.execute(unpushed.delete().where(unpushed.c.event_id.in_(event_ids)))

    def queue_for_push(self, event_ids: list[str]) -> None:
        """Put events already in the journal in the outbox (a restored backup goes up too)."""
        if not event_ids:
            return
        self.conn.exec_driver_sql(
            "INSERT INTO unpushed (event_id) VALUES (?) ON CONFLICT (event_id) DO NOTHING",
            [(event_id,) for event_id in event_ids],
        )

    def unpushed_count(self) -> int:
        """How many changes wait to go up."""
        return int(self.conn.execute(select(func.count()).select_from(unpushed)).scalar() or 0)

    def meta_get(self, key: str) -> str | None:
        """A small fact kept in the store."""
        return self.conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()

    def meta_with_prefix(self, prefix: str) -> dict[str, str]:
        """Every small fact whose key starts with ``prefix`` (the prefix removed)."""
        query = select(meta.c.key, meta.c.value).where(
            meta.c.key.startswith(prefix, autoescape=True)
        )
        return {str(k)[len(prefix) :]: str(v) for k, v in self.conn.execute(query)}

    def meta_delete(self, key: str) -> None:
        """Forget a small fact."""
        self.conn.execute(meta.delete().where(meta.c.key == key))

    def meta_set(self, key: str, value: str) -> None:
        """Keep a small fact in the store."""
        self.conn.execute(meta.delete().where(meta.c.key == key))
        self.conn.execute(insert(meta).values(key=key, value=value))

    def events(self, incident_id: str, after_seq: int = 0) -> list[tuple[int, Event]]:
        """An incident's events that arrived after ``after_seq``, with their ``seq``."""
        return self._decode(
            f"SELECT {_COLUMNS} FROM events WHERE incident_id = ? AND seq > ? ORDER BY seq",
            (incident_id, after_seq),
        )

    def event_count(self) -> int:
        """How many events the journal holds."""
        return int(self.conn.execute(select(func.count()).select_from(events)).scalar() or 0)

    def journal(self, after_seq: int, limit: int) -> list[tuple[int, Event]]:
        """Up to ``limit`` events of every incident that arrived after ``after_seq``, in
        arrival order, with their ``seq``."""
        return self._decode(
            f"SELECT {_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
            (after_seq, limit),
        )

    def latest_events(self, incident_id: str, limit: int) -> list[Event]:
        """The incident's ``limit`` latest events by when they happened, oldest first."""
        rows = self._decode(
            f"SELECT {_COLUMNS}"
            " FROM events WHERE incident_id = ? ORDER BY occurred_at_us DESC, hlc DESC"
            " LIMIT ?",
            (incident_id, limit),
        )
        return [e for _s, e in reversed(rows)]

    def events_of_kinds(self, incident_id: str, kinds: tuple[str, ...]) -> list[Event]:
        """The incident's events of some kinds (corrections and pins, say)."""
        marks = ", ".join("?" for _ in kinds)
        rows = self._decode(
            f"SELECT {_COLUMNS}"
            f" FROM events WHERE incident_id = ? AND kind IN ({marks}) ORDER BY seq",
            (incident_id, *kinds),
        )
        return [e for _s, e in rows]

    def _decode(self, sql: str, params: tuple[Any, ...]) -> list[tuple[int, Event]]:
        # The raw driver's tuples, decoded in one tight loop (journal_rows).
        return decode_events(self.conn.exec_driver_sql(sql, params).fetchall())

    def last_seq_of(self, incident_id: str) -> int:
        """The newest arrival of one incident's events (0 when it has none)."""
        query = select(func.max(events.c.seq)).where(events.c.incident_id == incident_id)
        return int(self.conn.execute(query).scalar() or 0)

    def incidents_changed_after(self, seq: int) -> list[str]:
        """Incidents with events that arrived after ``seq``."""
        query = select(events.c.incident_id).where(events.c.seq > seq).distinct()
        return [str(r) for r in self.conn.execute(query).scalars()]

    def people(self) -> set[str]:
        """Authors and everyone ever assigned a role."""
        names = set(self.conn.execute(select(events.c.author).distinct()).scalars())
        assigned = select(events.c.payload).where(events.c.kind == "role.assigned")
        for payload in self.conn.execute(assigned).scalars():
            names.add(json.loads(payload)["person"])
        return {str(n) for n in names}

    def incident_ids(self) -> list[str]:
        """Every incident in the journal."""
        query = select(events.c.incident_id).distinct()
        return [str(r) for r in self.conn.execute(query).scalars()]

    def data_version(self) -> int:
        """Changes when another connection commits to the file (cheap change detection)."""
        return int(self.conn.exec_driver_sql("PRAGMA data_version").scalar() or 0)


def event_row(event: Event) -> dict[str, Any]:
    """The journal row of an event (provenance None for one not yet through the server)."""
    return {
        "id": event.id,
        "incident_id": event.incident_id,
        "kind": event.kind,
        "payload": json.dumps(event.payload, ensure_ascii=False, separators=(",", ":")),
        "occurred_at_us": to_micros(event.occurred_at),
        "hlc": event.hlc,
        "author": event.author,
        "device": event.device,
        "recorded_by": event.recorded_by,
        "received_at_us": micros_or_none(event.received_at),
    }


def row_event(row: Any) -> Event:
    """The event of a journal row (a row without provenance columns has none)."""
    received = getattr(row, "received_at_us", None)
    return Event(
        id=row.id,
        incident_id=row.incident_id,
        kind=row.kind,
        payload=json.loads(row.payload),
        occurred_at=from_micros(row.occurred_at_us),
        hlc=row.hlc,
        author=row.author,
        device=row.device,
        recorded_by=getattr(row, "recorded_by", None),
        received_at=None if received is None else from_micros(received),
    )
