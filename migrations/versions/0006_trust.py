"""A journal no peer can poison or forge.

- ``events`` gains ``recorded_by`` and ``received_at_us``: on the shared server a trigger
  stamps them with ``session_user`` and the server's clock, overwriting whatever a client
  sent; locally they hold what the server stamped (NULL until the event went through it).
- Local only: ``quarantine``, rows from the server or an archive that could not be read,
  kept exactly as received, counted and shown, never applied.

Revision ID: 0006_trust
Revises: 0005_actions
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

# The grants are re-applied by every `db upgrade --shared` (a group role created later gets
# them then): one text for both.
from incidentdesk.infra.store.shared_grants import GRANTS

revision = "0006_trust"
down_revision = "0005_actions"
branch_labels = None
depends_on = None

UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
KIND_PATTERN = "^[a-z][a-z0-9_.-]*$"
MAX_PAYLOAD_BYTES = 1024 * 1024
# 2200-01-01T00:00:00Z, the end of the sane range (1970 is 0): in milliseconds for the HLC's
# physical part (the bits above its 16-bit counter, see core/ids.py), in µs for occurred_at.
END_MS = 7_258_118_400_000
# How far an event's HLC may be ahead of the server's clock (the workstations' rule too).
MAX_AHEAD_MS = 24 * 3600 * 1000

# PostgreSQL only: the validating and stamping trigger, and least-privilege grants.
PG_UP: list[str] = [
    f"""
    CREATE FUNCTION incidentdesk_check_event() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        -- Only a well-formed id is repeated: a message never carries a client's raw text.
        what text := 'IncidentDesk refused event ' || CASE
            WHEN NEW.id ~ '{UUID_PATTERN}' THEN NEW.id ELSE 'with a malformed id' END;
        doc jsonb;
    BEGIN
        -- Who inserted it and when: facts of this server, whatever the client sent.
        NEW.recorded_by := session_user;
        NEW.received_at_us := (extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
        IF coalesce(NEW.id, '') = '' THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = what || ': its id is empty.';
        END IF;
        IF NEW.id !~ '{UUID_PATTERN}' THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = what || ': its id is not a lowercase UUID.';
        END IF;
        IF NEW.incident_id !~ '{UUID_PATTERN}' THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = what || ': its incident id is not a lowercase UUID.';
        END IF;
        IF coalesce(NEW.kind, '') = '' THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = what || ': its kind is empty.';
        END IF;
        IF NEW.kind !~ '{KIND_PATTERN}' THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = what || ': its kind is not lowercase words separated by dots.';
        END IF;
        IF NEW.hlc < 0 OR (NEW.hlc >> 16) >= {END_MS} THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = what || ': its clock (hlc ' || NEW.hlc
                    || ') is outside the years 1970 to 2200.';
        END IF;
        -- A clock far ahead would drag every workstation's clock along (each moves past
        -- what it has seen), until their own events fall outside the range.
        IF (NEW.hlc >> 16) > NEW.received_at_us / 1000 + {MAX_AHEAD_MS} THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = what || ': its clock (hlc ' || NEW.hlc
                    || ') is more than a day ahead of the server''s.';
        END IF;
        IF NEW.occurred_at_us < 0 OR NEW.occurred_at_us >= {END_MS}000 THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = what || ': its time (occurred_at_us ' || NEW.occurred_at_us
                    || ') is outside the years 1970 to 2200.';
        END IF;
        IF octet_length(NEW.payload) > {MAX_PAYLOAD_BYTES} THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = what || ': its payload is ' || octet_length(NEW.payload)
                    || ' bytes, more than the {MAX_PAYLOAD_BYTES} allowed.';
        END IF;
        BEGIN
            -- jsonb, not json: it also refuses \\u0000 and lone surrogates.
            doc := NEW.payload::jsonb;
        EXCEPTION WHEN others THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = what || ': its payload is not valid JSON (' || SQLERRM || ').';
        END;
        IF jsonb_typeof(doc) <> 'object' THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = what || ': its payload is JSON but not an object.';
        END IF;
        RETURN NEW;
    END $$
    """,
    # Fires after the statement-level append lock (0002) and before the NOTIFY trigger.
    """
    CREATE TRIGGER events_check BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION incidentdesk_check_event()
    """,
    GRANTS,
]
PG_DOWN: list[str] = [
    "DROP TRIGGER IF EXISTS events_check ON events",
    "DROP FUNCTION IF EXISTS incidentdesk_check_event()",
    # The grants stay as they are: 0005 reads and appends to the same journal (dropping the
    # provenance columns drops their column grants with them). The group role stays too: it
    # belongs to the cluster, not to this database.
]


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("recorded_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("received_at_us", sa.BigInteger, nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_UP:
            op.execute(statement)
        return
    op.create_table(
        "quarantine",
        sa.Column("qid", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.Text, nullable=False),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("incident_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("device", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=True),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("quarantined_at_us", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("fingerprint", name="uq_quarantine_fingerprint"),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DOWN:
            op.execute(statement)
    else:
        op.drop_table("quarantine")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("received_at_us")
        batch.drop_column("recorded_by")
