"""Post-mortems in the incident list: review state, when published, and open action items;
the action items as a table of their own (for "my action items", filters and metrics); and
post-mortem text and action items in the search index.

Both are projections of the journal, rebuilt from it after the upgrade.

Revision ID: 0005_actions
Revises: 0004_deliveries
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_actions"
down_revision = "0004_deliveries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("postmortem_state", sa.String(16), nullable=True))
        batch.add_column(sa.Column("postmortem_published_at_us", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("open_actions", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "action_items",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("incident_id", sa.String(36), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("due", sa.String(10), nullable=True),
        sa.Column("priority", sa.String(4), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_action_items_incident_id", "action_items", ["incident_id"])
    op.create_index("ix_action_items_owner", "action_items", ["owner"])
    if op.get_bind().dialect.name == "sqlite":
        # Search entries that a later event replaces (a post-mortem section's text, an action
        # item): which row of search_index holds each, so it is deleted by rowid.
        op.create_table(
            "search_keys",
            sa.Column("key", sa.String(36), primary_key=True),
            sa.Column("row", sa.Integer, nullable=False),  # -1: replaced before it arrived
            sa.Column("rank", sa.Text, nullable=False),  # the fold order of what holds it
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_table("search_keys")
    op.drop_index("ix_action_items_owner", "action_items")
    op.drop_index("ix_action_items_incident_id", "action_items")
    op.drop_table("action_items")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("open_actions")
        batch.drop_column("postmortem_published_at_us")
        batch.drop_column("postmortem_state")
