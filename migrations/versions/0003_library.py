"""The incident library: milestones and the drill flag in the incident list, and a
full-text search index (SQLite FTS5, local replicas only).

Revision ID: 0003_library
Revises: 0002_sync
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_library"
down_revision = "0002_sync"
branch_labels = None
depends_on = None

MILESTONE_COLUMNS = ("detected_at_us", "acknowledged_at_us", "mitigated_at_us")


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        for name in MILESTONE_COLUMNS:
            batch.add_column(sa.Column(name, sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("drill", sa.Boolean, nullable=False, server_default=sa.false()))
    if op.get_bind().dialect.name == "sqlite":
        # A projection like the incident list: rebuilt from the journal by `db rebuild`.
        op.execute(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "text, incident_id UNINDEXED, event_id UNINDEXED, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_index")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("drill")
        for name in MILESTONE_COLUMNS:
            batch.drop_column(name)
