"""Schema upgrades with Alembic, and the refusal of files from a newer release."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

import incidentdesk.migrations as _migrations_pkg  # type: ignore[import-not-found]

# The newest revision in migrations/versions; tests check it matches Alembic's head, so a
# data file at this revision opens without importing Alembic (a faster start).
SCHEMA_HEAD = "0007_fanout"
# Earlier shared-database revisions this release still syncs with, so workstations can be
# upgraded one by one before `db upgrade --shared`: 0004 and 0005 added local tables only;
# 0006 adds the server's checking trigger, grants and the recorded_by/received_at_us columns,
# which a 0003-0005 server lacks (pull reads them as NULL, push sends without them); 0007
# replaces the append lock by reading below the transaction horizon: a server before it
# still serializes its appends, so a pull follows its ``seq`` alone (see shared.Cursor).
SHARED_COMPATIBLE = frozenset({"0003_library", "0004_deliveries", "0005_actions", "0006_trust"})
# Shared revisions whose appends are serialized by a lock and whose rows carry no ``xact``.
SERIALIZED_APPENDS = frozenset({"0003_library", "0004_deliveries", "0005_actions", "0006_trust"})
MIGRATIONS_DIR = Path(_migrations_pkg.__file__).resolve().parent


class SchemaError(Exception):
    """The database's schema cannot be used by this version."""


def current_revision(conn: Connection) -> str | None:
    """The Alembic revision stamped in the database, or None when it has none."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def known_revisions() -> set[str]:
    """Every revision this version of IncidentDesk knows how to read."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return {rev.revision for rev in script.walk_revisions()}


def upgrade(conn: Connection) -> None:
    """Run every migration the database lacks, on an open connection."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def check_not_newer(revision: str | None, where: str) -> None:
    """Refuse a database written by a newer IncidentDesk.

    Raises:
        SchemaError: naming the file (or server) and what to do.
    """
    if revision is None or revision == SCHEMA_HEAD or revision in known_revisions():
        return
    raise SchemaError(
        f"{where} was written by a newer IncidentDesk (schema {revision}); "
        "upgrade IncidentDesk to open it. The file was not changed."
    )


def upgrade_local(engine: Engine, path: Path) -> Path | None:
    """Bring a local SQLite file to the newest schema, copying it aside first.

    Returns:
        The path of the copy set aside, or None when nothing needed upgrading or the file
        was new.

    Raises:
        SchemaError: the file comes from a newer IncidentDesk, or is not ours.
    """
    with engine.connect() as conn:
        revision = current_revision(conn)
        has_tables = bool(inspect(conn).get_table_names())
    if revision == SCHEMA_HEAD:
        return None
    check_not_newer(revision, str(path))
    if revision is None and has_tables:
        raise SchemaError(
            f"{path} is an SQLite database but not an IncidentDesk one; choose another "
            "data directory. The file was not changed."
        )
    backup = None
    if revision is not None:
        backup = _copy_aside(path, revision)
    with engine.begin() as conn:
        upgrade(conn)
    return backup


def _copy_aside(path: Path, revision: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}.before-upgrade-{revision}-{stamp}{path.suffix}")
    # The SQLite backup API copies a consistent snapshot, WAL contents included.
    with sqlite3.connect(path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    return target
