"""A whole company on one server: appends that do not queue, one notification per insert.

PostgreSQL only (the local SQLite journal is unchanged):

- ``events.xact`` (``xid8``): the id of the transaction that inserted the row, stamped by a
  row trigger (a client cannot choose it; it is not in the writers' INSERT grant either).
  Rows inserted before this migration read 0. A reader pulls rows after its cursor in
  ``(xact, seq)`` order and only those with ``xact`` below the oldest transaction still
  running (``pg_snapshot_xmin(pg_current_snapshot())``): every transaction below that horizon
  has ended, so the set of rows under it never changes again and a cursor cannot skip a
  late commit. This replaces 0002's statement-level advisory lock, which made every insert
  on the server wait for the one before it to commit.
- One ``NOTIFY incidentdesk_events`` per INSERT statement (not per row), carrying the highest
  ``seq`` that statement inserted: a batch of 500 wakes each listener once.
- ``journal_epoch``: one row naming this journal's numbering. A journal restored from a dump
  into another server carries transaction ids that server has not reached; ``db upgrade
  --shared`` then renumbers them to 0 and draws a new epoch, which tells every workstation to
  read the journal again from the start (receiving a row twice changes nothing).

Revision ID: 0007_fanout
Revises: 0006_trust
Create Date: 2026-12-08
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

from incidentdesk.infra.store.shared_grants import GRANTS


def _sibling(name: str) -> ModuleType:
    """Another revision's file (Alembic loads each by path, not as a package's module)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_ORIGINAL = _sibling("0002_sync")  # its triggers come back on a downgrade

revision = "0007_fanout"
down_revision = "0006_trust"
branch_labels = None
depends_on = None

PG_UP: list[str] = [
    "ALTER TABLE events ADD COLUMN xact xid8 NOT NULL DEFAULT '0'",
    "ALTER TABLE events ALTER COLUMN xact SET DEFAULT pg_current_xact_id()",
    "CREATE INDEX ix_events_xact_seq ON events (xact, seq)",
    """
    CREATE FUNCTION incidentdesk_stamp_xact() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.xact := pg_current_xact_id();  -- whatever the client sent
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER events_stamp_xact BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION incidentdesk_stamp_xact()
    """,
    "DROP TRIGGER events_serialize_appends ON events",
    "DROP FUNCTION incidentdesk_serialize_appends()",
    "DROP TRIGGER events_notify ON events",
    "DROP FUNCTION incidentdesk_notify_event()",
    """
    CREATE FUNCTION incidentdesk_notify_statement() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        high bigint;
    BEGIN
        SELECT max(seq) INTO high FROM inserted;
        IF high IS NOT NULL THEN  -- nothing new (every row a duplicate): nobody is woken
            PERFORM pg_notify('incidentdesk_events', high::text);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER events_notify_statement AFTER INSERT ON events
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION incidentdesk_notify_statement()
    """,
    "CREATE TABLE journal_epoch (epoch text NOT NULL)",
    "INSERT INTO journal_epoch (epoch) VALUES (gen_random_uuid()::text)",
    GRANTS,
]

PG_DOWN: list[str] = [
    "DROP TABLE IF EXISTS journal_epoch",
    "DROP TRIGGER IF EXISTS events_notify_statement ON events",
    "DROP FUNCTION IF EXISTS incidentdesk_notify_statement()",
    "DROP TRIGGER IF EXISTS events_stamp_xact ON events",
    "DROP FUNCTION IF EXISTS incidentdesk_stamp_xact()",
    *_ORIGINAL.PG_UP,  # 0002's append lock and per-row NOTIFY, as they were
    "DROP INDEX IF EXISTS ix_events_xact_seq",
    "ALTER TABLE events DROP COLUMN IF EXISTS xact",
    GRANTS,
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DOWN:
            op.execute(statement)
