"""Alembic environment: one migration history for SQLite (batch mode) and PostgreSQL.

IncidentDesk runs migrations itself (``incidentdesk db upgrade``) and passes an open
connection in ``config.attributes["connection"]``.
"""

from alembic import context

from incidentdesk.infra.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through 'incidentdesk db upgrade'.")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
)
with context.begin_transaction():
    context.run_migrations()
