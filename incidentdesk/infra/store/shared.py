"""The shared store: the same journal on PostgreSQL, with a server ``seq`` and NOTIFY.

Only this module and ``migrate`` speak to the server. Errors become :class:`SharedError` with
one sentence naming what went wrong (unreachable, authentication, TLS, missing database,
schema version) and never the password.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from sqlalchemy import Connection, Select, create_engine, inspect, null, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from incidentdesk.core.errors import UserError
from incidentdesk.core.journal.events import Event
from incidentdesk.infra.store import migrate
from incidentdesk.infra.store.listener import Listener
from incidentdesk.infra.store.local import event_row, row_event
from incidentdesk.infra.store.schema import events
from incidentdesk.infra.store.shared_grants import GRANTS, WRITERS

CHANNEL = "incidentdesk_events"
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# libpq: server certificate for "db.example.org" (and 2 other names) does not match host name "x"
_HOST_MISMATCH = re.compile(r'server certificate for "([^"]*)"[^"]*does not match host name')
CONNECT_TIMEOUT_S = 5
# Keepalives notice a silently dropped link within about 15 seconds.
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 3,
    "keepalives_count": 3,
    # Unacknowledged data (an unanswered check) also ends the link after 15 s, instead of
    # the operating system's retransmission timeout of many minutes.
    "tcp_user_timeout": 15_000,
}


# The journal's columns every shared schema has (recorded_by and received_at_us: 0006 on).
PULLED = ("id", "incident_id", "kind", "payload", "occurred_at_us", "hlc", "author", "device")


class _Row:
    """Attribute access on a pulled row (for ``row_event``)."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.__dict__.update(row)


def _has_provenance(conn: Connection) -> bool:
    columns = {c["name"] for c in inspect(conn).get_columns("events")}
    return "recorded_by" in columns


class SharedError(UserError):
    """The shared database cannot be used right now; the message says why."""


class SchemaMismatch(SharedError):
    """The shared database's schema is older or newer than this IncidentDesk."""


@dataclass(frozen=True)
class SharedConfig:
    """Where the shared database is (never the password)."""

    user: str
    host: str
    port: int
    database: str
    sslmode: str = "prefer"
    sslrootcert: str | None = None

    @classmethod
    def parse(
        cls, url: str, sslmode: str = "prefer", sslrootcert: str | None = None
    ) -> SharedConfig:
        """Read ``postgresql://USER@HOST[:PORT]/DB``.

        Raises:
            SharedError: not such a URL, or a password written into it.
        """
        parts = urlsplit(url.strip())
        if parts.scheme not in ("postgresql", "postgres"):
            raise SharedError(f"'{url}' is not a postgresql:// URL (postgresql://USER@HOST/DB).")
        if parts.password:
            raise SharedError(
                "Do not put the password in the URL (it would be stored in the config file); "
                "leave it out and you will be asked for it."
            )
        try:
            port = parts.port or 5432
        except ValueError:
            raise SharedError(f"The port in '{url}' is not a number.") from None
        database = unquote(parts.path.lstrip("/"))
        if not parts.username or not parts.hostname or not database:
            raise SharedError(
                f"'{url}' needs a user, a host and a database: postgresql://USER@HOST[:PORT]/DB."
            )
        if sslmode not in SSL_MODES:
            raise SharedError(f"'{sslmode}' is not an sslmode; use one of {', '.join(SSL_MODES)}.")
        return cls(unquote(parts.username), parts.hostname, port, database, sslmode, sslrootcert)

    @property
    def url(self) -> str:
        """The URL without a password (safe to show and store)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    def connect_args(self, password: str | None) -> dict[str, Any]:
        """libpq parameters for psycopg."""
        args: dict[str, Any] = {
            "sslmode": self.sslmode,
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "incidentdesk",
            **KEEPALIVES,
        }
        if self.sslrootcert:
            args["sslrootcert"] = self.sslrootcert
        if password:
            args["password"] = password
        return args


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
        self.engine: Engine = create_engine(
            url,
            connect_args=config.connect_args(password),
            pool_pre_ping=True,
            pool_size=2,
            max_overflow=2,
        )

    # ------------------------------------------------------------ errors

    def explain(self, exc: BaseException) -> SharedError:
        """One sentence for a driver error (the password is never included)."""
        original = getattr(exc, "orig", None) or exc
        text = str(original).strip().splitlines()[0] if str(original).strip() else ""
        if self._password:
            text = text.replace(self._password, "***")
        where = f"{self.config.host}:{self.config.port}"
        tls = self._explain_tls(str(original), where)
        if tls is not None:
            return tls
        lowered = text.lower()
        if "password authentication failed" in lowered or "no password supplied" in lowered:
            return SharedError(
                f"The shared database at {where} refused the password for user "
                f"'{self.config.user}'. Set the password again (incidentdesk connect)."
            )
        if "does not exist" in lowered and "database" in lowered:
            return SharedError(
                f"The database '{self.config.database}' does not exist on {where}; create it "
                "or fix the URL."
            )
        if "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
            return SharedError(f"TLS problem talking to {where}: {text}")
        if any(
            word in lowered
            for word in (
                "connection refused",
                "could not translate host",
                "timeout expired",
                "no route to host",
                "network is unreachable",
                "server closed the connection",
                "connection timed out",
                "could not connect",
                "terminating connection",
                "consuming input failed",
                "the connection is closed",
                "connection is lost",
                "the database system is",  # shutting down, starting up, in recovery
            )
        ):
            return SharedError(f"Cannot reach the shared database at {where} ({text}).")
        if "permission denied" in lowered:
            return SharedError(f"The shared database refused: {text}")
        return SharedError(f"The shared database at {where} failed: {text or type(exc).__name__}")

    def _explain_tls(self, message: str, where: str) -> SharedError | None:
        """The sentence for libpq's TLS refusals (their text, as libpq words them)."""
        lowered = message.lower()
        ca = self.config.sslrootcert or "the default root certificates (~/.postgresql/root.crt)"
        mismatch = _HOST_MISMATCH.search(message)
        if mismatch:
            return SharedError(
                f"The shared database's certificate is for another host name "
                f"('{mismatch.group(1)}'), not '{self.config.host}'; connect with the host "
                "name the certificate names, or have the server's certificate reissued for "
                "this one."
            )
        if "certificate verify failed" in lowered or "unable to get local issuer" in lowered:
            return SharedError(
                f"The shared database at {where} presented a certificate that is not signed by "
                f"the configured CA ({ca}); check sslrootcert, or ask for the server's CA "
                "certificate."
            )
        if "root certificate file" in lowered and "does not exist" in lowered:
            return SharedError(
                f"The CA certificate file {ca} does not exist; sslmode={self.config.sslmode} "
                "needs it (set sslrootcert)."
            )
        if "server does not support ssl" in lowered:
            return SharedError(
                f"The shared database at {where} does not offer TLS, but "
                f"sslmode={self.config.sslmode} requires it; turn on ssl on the server."
            )
        if "could not load" in lowered and "certificate" in lowered:
            return SharedError(
                f"The CA certificate file {ca} cannot be read as a PEM certificate; "
                "check sslrootcert."
            )
        return None

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A transaction on the server; driver errors become :class:`SharedError`."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except (DBAPIError, psycopg.Error, SQLAlchemyError, OSError) as exc:
            raise self.explain(exc) from None

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
            return  # the journal on the server is the same: later migrations are local-only
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

    def upgrade(self) -> tuple[str | None, str]:
        """Create or upgrade the shared schema; returns (before, after) revisions."""
        before = self.revision()
        migrate.check_not_newer(before, f"The shared database {self.config.url}")
        with self.connect() as conn:
            migrate.upgrade(conn)
            # Again each time (idempotent): a group role created since gets its grants now.
            conn.execute(text(GRANTS))
        self._provenance = None  # the columns may be new
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

    def pull(self, after_seq: int, limit: int = 1000) -> list[tuple[int, dict[str, Any]]]:
        """Rows with a server ``seq`` after ``after_seq``, in ``seq`` order, as received.

        Nothing is decoded here (a payload that is not JSON must not stop a pull): each row
        is a plain mapping of the journal's columns, for ``core/boundary.py`` to check.
        A server at a schema before 0006 has no ``recorded_by`` / ``received_at_us``: they
        are read as NULL. Appends on the server are serialized (see migration 0002), so
        ``seq`` order is commit order and a cursor on ``seq`` never skips a late-committing
        row.
        """
        with self.connect() as conn:
            query = (
                self._raw_select(conn)
                .where(events.c.seq > after_seq)
                .order_by(events.c.seq)
                .limit(limit)
            )
            return [(row[0], dict(row._mapping)) for row in conn.execute(query)]

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

    def pull_events(self, after_seq: int, limit: int = 1000) -> list[tuple[int, Event]]:
        """The rows of :meth:`pull` decoded without checks (tests and tools only: a row
        that is not valid raises)."""
        return [(seq, row_event(_Row(row))) for seq, row in self.pull(after_seq, limit)]

    def max_seq(self) -> int:
        """The newest server ``seq``."""
        from sqlalchemy import func

        with self.connect() as conn:
            return int(conn.execute(select(func.max(events.c.seq))).scalar() or 0)

    # ------------------------------------------------------------ live

    def listen(self) -> Listener:
        """A dedicated autocommit connection listening for new events (ids only)."""
        try:
            conn = psycopg.connect(
                host=self.config.host,
                port=self.config.port,
                dbname=self.config.database,
                user=self.config.user,
                autocommit=True,
                **self.config.connect_args(self._password),
            )
            conn.execute(f"LISTEN {CHANNEL}")
        except (psycopg.Error, OSError) as exc:
            raise self.explain(exc) from None
        return Listener(conn)

    def close(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


LINK_ERRORS: tuple[type[BaseException], ...] = (SharedError, psycopg.Error, OSError)
"""What a dropped or refused link to the shared database raises (:meth:`SharedStore.explain`
words any of them)."""
