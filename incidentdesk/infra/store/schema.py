"""The database schema, shared by the local SQLite replica and the shared PostgreSQL.

``events`` is the journal: immutable rows, unique by ``id``; ``seq`` is this database's
order of arrival (an autoincrement, used as a cursor by readers). ``incidents`` is a
projection of the fold, rebuildable from the journal. ``meta`` holds small facts such as
this replica's device id.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
SeqType = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("incident_id", String(36), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("occurred_at_us", BigInteger, nullable=False),
    Column("hlc", BigInteger, nullable=False),
    Column("author", String(200), nullable=False),
    Column("device", String(64), nullable=False),
    # Stamped by the shared server's trigger (migration 0006): who inserted it, and when.
    Column("recorded_by", String(200)),
    Column("received_at_us", BigInteger),
)
Index("ix_events_incident_id_seq", events.c.incident_id, events.c.seq)
Index("ix_events_hlc", events.c.hlc)
Index("ix_events_incident_id_occurred_at_us", events.c.incident_id, events.c.occurred_at_us)
Index("ix_events_incident_id_kind", events.c.incident_id, events.c.kind)

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("title", Text, nullable=False),
    Column("severity", String(8), nullable=False),
    Column("status", String(32), nullable=False),
    Column("services", Text, nullable=False),
    Column("commander", Text),
    Column("started_at_us", BigInteger),
    Column("detected_at_us", BigInteger),
    Column("acknowledged_at_us", BigInteger),
    Column("mitigated_at_us", BigInteger),
    Column("resolved_at_us", BigInteger),
    Column("drill", Boolean, nullable=False, server_default=false()),
    Column("event_count", Integer, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("postmortem_state", String(16)),  # None: no post-mortem started
    Column("postmortem_published_at_us", BigInteger),
    Column("open_actions", Integer, nullable=False, server_default="0"),
)

# A projection like the incident list: each incident's action items as last saved.
action_items = Table(
    "action_items",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("incident_id", String(36), nullable=False),
    Column("description", Text, nullable=False),
    Column("type", String(16), nullable=False),
    Column("owner", Text, nullable=False),
    Column("due", String(10)),  # ISO date
    Column("priority", String(4), nullable=False),
    Column("status", String(16), nullable=False),
)
Index("ix_action_items_incident_id", action_items.c.incident_id)
Index("ix_action_items_owner", action_items.c.owner)

# Local only in practice: events written here and not yet acknowledged by the shared server.
unpushed = Table(
    "unpushed",
    metadata,
    Column("event_id", String(36), primary_key=True),
)

# Local replicas also have `search_index`, an SQLite FTS5 table (text, incident_id,
# event_id) made by migration 0003: a projection of note texts and titles for search.

# Local only (migration 0004): pages and chat posts waiting to be sent by this workstation.
# Holds secret *names* only; the values are read from the keyring when sending.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("incident_id", String(36), nullable=False),
    Column("ref_id", String(36), nullable=False),  # the escalation or chat post
    Column("purpose", String(16), nullable=False),  # page | chat
    Column("action", String(16), nullable=False),  # trigger | acknowledge | resolve | post
    Column("target", Text, nullable=False),
    Column("adapter", String(16), nullable=False),
    Column("secret_name", Text, nullable=False),
    Column("options", Text, nullable=False),  # JSON
    Column("message", Text, nullable=False),  # JSON
    Column("created_at_us", BigInteger, nullable=False),
    Column("next_attempt_at_us", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("state", String(16), nullable=False, server_default="pending"),
    Column("last_reason", Text, nullable=False, server_default=""),
)
Index("ix_deliveries_state_next_attempt_at_us", deliveries.c.state, deliveries.c.next_attempt_at_us)

# Local only (migration 0006): rows from the shared server or an archive that could not be
# read (bad JSON, out-of-range clocks, a payload that breaks its kind's rules), kept exactly
# as received so nothing is lost and a newer version can read them later; never applied.
quarantine = Table(
    "quarantine",
    metadata,
    Column("qid", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", String(64), nullable=False, unique=True),  # sha256 of `raw`
    Column("source", String(16), nullable=False),  # server | archive
    Column("source_ref", Text, nullable=False),  # server seq, or archive file:line
    Column("event_id", Text, nullable=False),  # as received (may be empty or garbage)
    Column("incident_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("device", Text, nullable=False),
    Column("recorded_by", Text),
    Column("raw", Text, nullable=False),  # the whole row as received, as JSON
    Column("reason", Text, nullable=False),
    Column("quarantined_at_us", BigInteger, nullable=False),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
