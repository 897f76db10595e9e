"""Sync and long incidents: the local outbox of events not yet on the shared server,
server-side ordering and notification, and indexes to read an incident's latest entries.

On PostgreSQL (the shared database):
- a statement-level trigger takes a transaction-scoped advisory lock before any row is
  inserted into ``events``, so appends are serialized and ``seq`` order is commit order: a
  reader following ``seq`` can never skip a row whose transaction committed late;
- a row trigger sends ``NOTIFY incidentdesk_events`` with ids only (``incident_id:seq``),
  never the payload (notifications are visible to every role and capped at 8000 bytes).

Revision ID: 0002_sync
Revises: 0001_journal
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_sync"
down_revision = "0001_journal"
branch_labels = None
depends_on = None

APPEND_LOCK_KEY = 7_312_002  # any constant; the same in every writer

PG_UP = [
    f"""
    CREATE FUNCTION incidentdesk_serialize_appends() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock({APPEND_LOCK_KEY});
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER events_serialize_appends BEFORE INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION incidentdesk_serialize_appends()
    """,
    """
    CREATE FUNCTION incidentdesk_notify_event() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('incidentdesk_events', NEW.incident_id || ':' || NEW.seq);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION incidentdesk_notify_event()
    """,
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS events_notify ON events",
    "DROP FUNCTION IF EXISTS incidentdesk_notify_event()",
    "DROP TRIGGER IF EXISTS events_serialize_appends ON events",
    "DROP FUNCTION IF EXISTS incidentdesk_serialize_appends()",
]


def upgrade() -> None:
    # Opening a long incident shows its newest entries first: read them by time, not all.
    op.create_index(
        "ix_events_incident_id_occurred_at_us", "events", ["incident_id", "occurred_at_us"]
    )
    op.create_index("ix_events_incident_id_kind", "events", ["incident_id", "kind"])
    op.create_table(
        "unpushed",
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_unpushed"),
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DOWN:
            op.execute(statement)
    op.drop_table("unpushed")
    op.drop_index("ix_events_incident_id_kind", "events")
    op.drop_index("ix_events_incident_id_occurred_at_us", "events")
