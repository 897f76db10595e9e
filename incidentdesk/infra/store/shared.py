"""The shared store: the same journal on PostgreSQL, with a server ``seq`` and NOTIFY.

One connection per workstation: it LISTENs and carries every pull and push (a server holds
one connection per open workstation, see README "Server sizing"). Only this module and
``migrate`` speak to the server. Errors become :class:`SharedError` with
one sentence naming what went wrong (unreachable, authentication, TLS, missing database,
schema version) and never the password.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from select import select as select_fds
from typing import Any, NamedTuple

import psycopg
from sqlalchemy import Connection, Select, create_engine, null, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from incidentdesk.core.journal.events import Event
from incidentdesk.infra.store import migrate
from incidentdesk.infra.store.listener import Listener
from incidentdesk.infra.store.local import event_row, row_event
from incidentdesk.infra.store.schema import events
from incidentdesk.infra.store.shared_grants import GRANTS, WRITERS
from incidentdesk.infra.store.shared_link import (
    SSL_MODES,
    SchemaMismatch,
    SharedConfig,
    SharedError,
    explain,
)

__all__ = [
    "CHANNEL",
    "FOREIGN_XACTS_SQL",
    "LINK_ERRORS",
    "PULL_SQL",
    "SSL_MODES",
    "Cursor",
    "PushOutcome",
    "SchemaMismatch",
    "SharedConfig",
    "SharedError",
    "SharedStore",
]

CHANNEL = "incidentdesk_events"

# The journal's columns every shared schema has (recorded_by and received_at_us: 0006 on).
PULLED = ("id", "incident_id", "kind", "payload", "occurred_at_us", "hlc", "author", "device")
# A pull from a server at 0007 on: the rows after the cursor in (xact, seq) order, and only
# those of transactions older than every one still running, so no row can commit later
# below them (see migration 0007). Plain psycopg parameters: the fleet benchmark runs it too.
PULL_SQL = (
    "SELECT seq, (xact::text)::bigint AS xact, "
    + ", ".join(PULLED)
    + ", recorded_by, received_at_us FROM events"
    " WHERE (xact, seq) > ((%(xact)s)::text::xid8, %(seq)s)"
    " AND xact < (SELECT pg_snapshot_xmin(pg_current_snapshot()))"
    # events.xact, not the output column of that name: ordered as the index, no sort.
    " ORDER BY events.xact, events.seq LIMIT %(limit)s"
)
# Rows whose transaction id this server has not reached yet: a journal restored from a dump
# of another server (see migration 0007); pulls could not see them until it got there.
FOREIGN_XACTS_SQL = (
    "SELECT EXISTS (SELECT 1 FROM events"
    " WHERE xact >= (SELECT pg_snapshot_xmax(pg_current_snapshot())))"
)


class Cursor(NamedTuple):
    """How far a workstation has pulled: the last row read, in (xact, seq) order.

    ``xact`` is 0 for the rows of a server before 0007 (whose appends are serialized, so
    ``seq`` alone orders them) and for the rows it held when it was upgraded.
    """

    xact: int = 0
    seq: int = 0

    @classmethod
    def parse(cls, text: str | None) -> Cursor:
        """Read what :meth:`__str__` wrote (a bare ``seq`` before 0007); bad text is 0."""
        xact, _, seq = (text or "").strip().rpartition(":")
        try:
            return cls(int(xact or 0), int(seq or 0))
        except ValueError:
            return cls()

    def __str__(self) -> str:
        return f"{self.xact}:{self.seq}" if self.xact else str(self.seq)


class _Row:
    """Attribute access on a pulled row (for ``row_event``)."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.__dict__.update(row)


def _has_provenance(conn: Connection) -> bool:
    # Asked of the catalogue, not by reflecting the table (whose xid8 column SQLAlchemy
    # does not know).
    query = text(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'events' AND column_name = 'recorded_by' "
        "AND table_schema = current_schema()"
    )
    return bool(conn.execute(query).scalar())


@dataclass(frozen=True)
class PushOutcome:
    """What the server did with a batch of events.

    Attributes:
        new: how many it did not have before (their ids: ``inserted``).
        stamped: for each new one, what the server stamped: (recorded_by, received_at_us)
            (empty on a server without provenance columns).
        refused: the events it refused, with its reason in one sentence.
    """

    new: int = 0
    stamped: dict[str, tuple[str, int]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    inserted: tuple[str, ...] = ()  # the ids of the new ones

    @classmethod
    def of(cls, inserted: list[Any], refused: dict[str, str]) -> PushOutcome:
        stamps = {r[0]: (str(r[1]), int(r[2])) for r in inserted if len(r) == 3 and r[1]}
        return cls(len(inserted), stamps, refused, tuple(str(r[0]) for r in inserted))


class _Refused(Exception):
    """The server refused a row (a check, a value it cannot store); not a lost link."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _refusal(exc: DBAPIError) -> str | None:
    """The server's reason when an insert failed because of a row, else None."""
    original = exc.orig
    if not isinstance(original, psycopg.DataError | psycopg.IntegrityError):
        return None
    first = str(original).strip().splitlines()[0] if str(original).strip() else ""
    if first.startswith("IncidentDesk refused event") and ": " in first:
        first = first.split(": ", 1)[1]  # the trigger's message names the event first
    return first or type(original).__name__


def _insert(conn: Connection, rows: list[dict[str, Any]], returning: list[Any]) -> list[Any]:
    statement = (
        pg_insert(events)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(*returning)
    )
    try:
        return list(conn.execute(statement).all())
    except DBAPIError as exc:
        reason = _refusal(exc)
        if reason is None:
            raise
        raise _Refused(reason) from None


def _sent_row(event: Event) -> dict[str, Any]:
    # The server stamps provenance itself; a server at 0005 has no such columns at all.
    row = event_row(event)
    del row["recorded_by"], row["received_at_us"]
    return row


class SharedStore:
    """The journal on the shared PostgreSQL server.

    Args:
        config: where it is.
        password: the password (from the keyring or the environment), or None.
    """

    def __init__(self, config: SharedConfig, password: str | None) -> None:
        self.config = config
        self._password = password
        url = URL.create(
            "postgresql+psycopg",
            username=config.user,
            host=config.host,
            port=config.port,
            database=config.database,
        )
        self._provenance: bool | None = None  # the server has recorded_by (0006)?
        self._serialized: bool | None = None  # appends under 0002's lock (before 0007)?
        self.epoch: str | None = None  # the journal's numbering (0007 on), see check_schema
        self._listening = False  # the connection LISTENs (see listen)
        # One connection, shared by LISTEN, pulls and pushes (StaticPool); no ping before
        # each use: a dropped link fails the statement itself, and the sync reconnects.
        self.engine: Engine = create_engine(
            url,
            connect_args=config.connect_args(password),
            poolclass=StaticPool,
        )

    # ------------------------------------------------------------ errors

    def explain(self, exc: BaseException) -> SharedError:
        """One sentence for a driver error (the password is never included)."""
        return explain(self.config, self._password, exc)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A transaction on the server; driver errors become :class:`SharedError`."""
        try:
            with self.engine.connect() as conn:
                self._revive(conn)
                with conn.begin():
                    yield conn
        except (DBAPIError, psycopg.Error, SQLAlchemyError, OSError) as exc:
            raise self.explain(exc) from None

    def _revive(self, conn: Connection) -> None:
        """Replace the one connection if the server already closed it, at no round trip.

        An idle connection that is not LISTENing receives nothing unless its server ended it
        (a restart, a terminated backend: a last error message, then the end of the stream),
        so a readable socket means reconnect now rather than fail the next statement. A
        link that dropped silently still fails the statement; the sync then reconnects.
        """
        if self._listening:
            return  # readable means notifications; the sync thread handles a lost link
        driver = conn.connection.driver_connection
        if not isinstance(driver, psycopg.Connection) or driver.closed:
            return
        readable, _, _ = select_fds([driver.fileno()], [], [], 0)
        if readable:
            conn.invalidate()  # the next statement on it takes a new connection

    # ------------------------------------------------------------ schema

    def revision(self) -> str | None:
        """The shared schema's revision (None: not created yet)."""
        with self.connect() as conn:
            return migrate.current_revision(conn)

    def check_schema(self) -> None:
        """Refuse a shared schema older or newer than this IncidentDesk.

        Raises:
            SchemaMismatch: saying which, and what to do.
        """
        revision = self.revision()
        self._provenance = None  # asked again: the server may have been upgraded meanwhile
        if revision == migrate.SCHEMA_HEAD or revision in migrate.SHARED_COMPATIBLE:
            # The journal on the server is the same: later migrations are local-only.
            self._serialized = revision in migrate.SERIALIZED_APPENDS
            self.epoch = None if self._serialized else self._check_numbering()
            return
        if revision is None:
            raise SchemaMismatch(
                "The shared database has no IncidentDesk schema yet; run "
                "'incidentdesk db upgrade --shared'. Working locally until then."
            )
        if revision in migrate.known_revisions():
            raise SchemaMismatch(
                f"The shared database's schema ({revision}) is older than this IncidentDesk "
                f"({migrate.SCHEMA_HEAD}); run 'incidentdesk db upgrade --shared'. Working "
                "locally until then."
            )
        raise SchemaMismatch(
            f"The shared database's schema ({revision}) is newer than this IncidentDesk "
            f"({migrate.SCHEMA_HEAD}); upgrade IncidentDesk. Working locally until then."
        )

    def _check_numbering(self) -> str:
        """The journal's epoch (0007 on), after making sure its rows can all be pulled.

        Raises:
            SchemaMismatch: the journal carries transaction ids this server has not reached
                (restored from a dump of another server): ``db upgrade --shared`` renumbers.
        """
        with self.connect() as conn:
            foreign = conn.execute(text(FOREIGN_XACTS_SQL)).scalar()
            epoch = str(conn.execute(text("SELECT epoch FROM journal_epoch")).scalar())
        if foreign:
            raise SchemaMismatch(
                "The shared database's journal holds transaction numbers from another server "
                "(was it restored from a dump?); run 'incidentdesk db upgrade --shared' to "
                "renumber it. Working locally until then."
            )
        return epoch

    def upgrade(self) -> tuple[str | None, str]:
        """Create or upgrade the shared schema; returns (before, after) revisions.

        A journal restored from another server's dump is renumbered here (every row's
        ``xact`` to 0, read in ``seq`` order, and a new epoch: each workstation reads the
        journal again from the start, which changes nothing it already holds).
        """
        before = self.revision()
        migrate.check_not_newer(before, f"The shared database {self.config.url}")
        with self.connect() as conn:
            migrate.upgrade(conn)
            # Again each time (idempotent): a group role created since gets its grants now.
            conn.execute(text(GRANTS))
            if conn.execute(text(FOREIGN_XACTS_SQL)).scalar():
                conn.execute(text("UPDATE events SET xact = '0'"))
                conn.execute(text("UPDATE journal_epoch SET epoch = gen_random_uuid()::text"))
        self._provenance = None  # the columns may be new
        self._serialized = None
        return before, migrate.SCHEMA_HEAD

    def has_writers_group(self) -> bool:
        """Whether the role workstations' logins belong to exists on the server."""
        query = text("SELECT count(*) FROM pg_roles WHERE rolname = :name")
        with self.connect() as conn:
            return bool(conn.execute(query, {"name": WRITERS}).scalar())

    # ------------------------------------------------------------ journal

    def has_provenance(self) -> bool:
        """Whether the server stamps ``recorded_by``/``received_at_us`` (schema 0006 on):
        a server still at 0005 has neither column. Asked once per store."""
        if self._provenance is None:
            with self.connect() as conn:
                self._provenance = _has_provenance(conn)
        return self._provenance

    def push(self, batch: Sequence[Event]) -> int:
        """Insert events the server lacks (a duplicate is a no-op); returns how many were new.

        Raises:
            SharedError: the server refused one of them (see :meth:`send` to go on with the
                others).
        """
        outcome = self.send(batch)
        if outcome.refused:
            event_id, reason = next(iter(outcome.refused.items()))
            raise SharedError(f"The shared database refused event {event_id}: {reason}")
        return outcome.new

    def send(self, batch: Sequence[Event]) -> PushOutcome:
        """Insert events the server lacks (a duplicate is a no-op), and say what it did.

        Committed before it returns: only then may the caller mark them pushed. The whole
        batch goes in one statement; if the server refuses a row (its trigger checks every
        event, migration 0006), the batch goes again row by row, each under a savepoint, so
        the refused ones are named with the server's reason and the others go in.
        """
        if not batch:
            return PushOutcome()
        rows = [_sent_row(e) for e in batch]
        returning = [events.c.id]
        if self.has_provenance():  # asked before a transaction is open
            returning += [events.c.recorded_by, events.c.received_at_us]
        try:
            with self.connect() as conn:
                return PushOutcome.of(_insert(conn, rows, returning), {})
        except _Refused:
            pass
        stamped: list[Any] = []
        refused: dict[str, str] = {}
        with self.connect() as conn:
            for row in rows:
                try:
                    with conn.begin_nested():
                        stamped.extend(_insert(conn, [row], returning))
                except _Refused as exc:
                    refused[row["id"]] = exc.reason
        return PushOutcome.of(stamped, refused)

    def rows_by_id(self, event_ids: Sequence[str]) -> list[tuple[int, dict[str, Any]]]:
        """The server's rows of these ids, as :meth:`pull` reads them (undecoded)."""
        if not event_ids:
            return []
        with self.connect() as conn:
            query = self._raw_select(conn).where(events.c.id.in_(list(event_ids)))
            return [(row[0], dict(row._mapping)) for row in conn.execute(query)]

    def pull(
        self, after: Cursor | int = 0, limit: int = 1000
    ) -> list[tuple[Cursor, dict[str, Any]]]:
        """Rows after the cursor ``after`` (an int: ``Cursor(0, after)``), as received,
        each with its own cursor (the next pull starts after the last one).

        Nothing is decoded here (a payload that is not JSON must not stop a pull): each row
        is a plain mapping of the journal's columns, for ``core/boundary.py`` to check. On a
        server at 0007 or later only rows below the transaction horizon come (see
        :data:`PULL_SQL`): none can commit later before them. A server before 0007
        serializes its appends instead, so its ``seq`` order is commit order (``xact`` 0);
        before 0006 it has no ``recorded_by`` / ``received_at_us`` (read as NULL). One
        statement in autocommit: one round trip.
        """
        cursor = after if isinstance(after, Cursor) else Cursor(0, after)
        with self._autocommit() as conn:
            if self._serialized:
                query = (
                    self._raw_select(conn)
                    .where(events.c.seq > cursor.seq)
                    .order_by(events.c.seq)
                    .limit(limit)
                )
                return [(Cursor(0, r[0]), dict(r._mapping)) for r in conn.execute(query)]
            params = {"xact": cursor.xact, "seq": cursor.seq, "limit": limit}
            pulled = []
            for r in conn.exec_driver_sql(PULL_SQL, params):
                row = dict(r._mapping)
                pulled.append((Cursor(row.pop("xact"), r[0]), row))
            return pulled

    def positions(self, seqs: set[int]) -> dict[int, Cursor]:
        """Where the rows of these server seqs stand in pull order (absent: no such row).
        One statement however many (a peer may NOTIFY any numbers it likes)."""
        wanted = [s for s in seqs if 0 < s < 2**63]
        if not wanted:
            return {}
        xact = "0" if self._serialized else "(xact::text)::bigint"
        query = f"SELECT seq, {xact} FROM events WHERE seq = ANY(%(seqs)s)"
        with self._autocommit() as conn:
            rows = conn.exec_driver_sql(query, {"seqs": wanted}).all()
        return {int(seq): Cursor(int(x), int(seq)) for seq, x in rows}

    @contextmanager
    def _autocommit(self) -> Iterator[Connection]:
        """The one connection outside a transaction (one round trip a statement), revived
        if the server closed it; driver errors become :class:`SharedError`."""
        try:
            with self.engine.connect() as plain:
                self._revive(plain)
                conn = plain.execution_options(isolation_level="AUTOCOMMIT")
                if self._serialized is None:
                    self._serialized = migrate.current_revision(conn) in migrate.SERIALIZED_APPENDS
                yield conn
        except (DBAPIError, psycopg.Error, SQLAlchemyError, OSError) as exc:
            raise self.explain(exc) from None

    def _raw_select(self, conn: Connection) -> Select[Any]:
        """``seq`` and the journal's columns; NULL provenance on a server before 0006."""
        if self._provenance is None:
            self._provenance = _has_provenance(conn)
        columns: list[Any] = [events.c[name] for name in PULLED]
        if self._provenance:
            columns += [events.c.recorded_by, events.c.received_at_us]
        else:
            columns += [null().label("recorded_by"), null().label("received_at_us")]
        return select(events.c.seq, *columns)

    def pull_events(self, after: Cursor | int = 0, limit: int = 1000) -> list[tuple[int, Event]]:
        """The rows of :meth:`pull` decoded without checks (tests and tools only: a row
        that is not valid raises)."""
        return [(c.seq, row_event(_Row(row))) for c, row in self.pull(after, limit)]

    def max_seq(self) -> int:
        """The newest server ``seq``."""
        from sqlalchemy import func

        with self.connect() as conn:
            return int(conn.execute(select(func.max(events.c.seq))).scalar() or 0)

    # ------------------------------------------------------------ live

    def listen(self) -> Listener:
        """LISTEN on the store's one connection (a fresh one: whatever failed before is
        gone); the listener waits on its socket between the pulls and pushes it also runs."""
        self.close()
        try:
            with self.engine.connect() as plain:
                conn = plain.execution_options(isolation_level="AUTOCOMMIT")
                conn.exec_driver_sql(f"LISTEN {CHANNEL}")
                self._listening = True
                driver = conn.connection.driver_connection
        except (DBAPIError, psycopg.Error, SQLAlchemyError, OSError) as exc:
            raise self.explain(exc) from None
        assert isinstance(driver, psycopg.Connection)
        return Listener(driver, self._ping, self.close)

    def _ping(self) -> None:
        """A round trip outside any transaction (a dropped link fails here)."""
        with self._autocommit() as conn:
            conn.exec_driver_sql("SELECT 1")

    def close(self) -> None:
        """Close the connection (the next use opens another)."""
        self._listening = False
        self.engine.dispose()


LINK_ERRORS: tuple[type[BaseException], ...] = (SharedError, psycopg.Error, OSError)
"""What a dropped or refused link to the shared database raises (:meth:`SharedStore.explain`
words any of them)."""
