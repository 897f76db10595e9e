"""Escalation deliveries: the local outbox of pages and chat posts waiting to be sent.

Local replicas only: a page is sent by the workstation that requested it (so two
workstations never both send it); what happened is in the journal, which syncs.

Revision ID: 0004_deliveries
Revises: 0003_library
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_deliveries"
down_revision = "0003_library"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("incident_id", sa.String(36), nullable=False),
        sa.Column("ref_id", sa.String(36), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("adapter", sa.String(16), nullable=False),
        sa.Column("secret_name", sa.Text, nullable=False),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at_us", sa.BigInteger, nullable=False),
        sa.Column("next_attempt_at_us", sa.BigInteger, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("last_reason", sa.Text, nullable=False, server_default=""),
    )
    op.create_index(
        "ix_deliveries_state_next_attempt_at_us", "deliveries", ["state", "next_attempt_at_us"]
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index("ix_deliveries_state_next_attempt_at_us", "deliveries")
    op.drop_table("deliveries")
