"""The lean first read: one incident's newest journal rows, straight from the SQLite file.

The window paints the incident it showed last from this before the Desk is open: it uses
the standard library's driver on a read-only connection and imports neither SQLAlchemy nor
Alembic, so it costs a few milliseconds where opening the Desk costs hundreds. It reads
the same rows, in the same order, as the Desk's ``latest_events``, ``events_of_kinds`` and
``events`` (one read transaction, so the parts agree with each other). Anything unusual (no
file yet, a schema it does not know, a locked or damaged file) gives None: the window then
simply waits for the Desk, which knows how to upgrade, explain or refuse.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from incidentdesk.core.journal.events import Event
from incidentdesk.infra.store.journal_rows import decode_events

# The local store's file and journal columns (``infra.store.local``, which loads SQLAlchemy;
# a test checks these agree with it).
DB_NAME = "incidentdesk.sqlite3"
COLUMNS = (
    "seq, id, incident_id, kind, payload, occurred_at_us, hlc, author, device, recorded_by,"
    " received_at_us"
)
EFFECT_KINDS = ("note.corrected", "event.pinned", "action_item.saved")
# The schema this release writes (``migrate.SCHEMA_HEAD``): a file at another revision is
# left to the Desk, which upgrades it or refuses it.
SCHEMA_HEAD = "0007_fanout"
BUSY_MS = 200  # a writer holding the file longer than this: wait for the Desk instead


@dataclass(frozen=True)
class JournalGlance:
    """What the lean read found of one incident.

    Attributes:
        latest: its ``limit`` latest events by when they happened, oldest first.
        effects: its corrections, pins and action items (they change other rows).
        journal: all its events with their ``seq``, in arrival order, when it has at most
            ``whole_up_to`` of them (None: more than that).
    """

    latest: list[Event]
    effects: list[Event]
    journal: list[tuple[int, Event]] | None


def read_glance(
    data_dir: Path, incident_id: str, limit: int, whole_up_to: int
) -> JournalGlance | None:
    """The incident's newest rows (and its whole journal when short), or None."""
    path = data_dir / DB_NAME
    if not path.is_file():
        return None  # never create the file: that is the Desk's job
    try:
        conn = sqlite3.connect(
            f"{path.as_uri()}?mode=ro", uri=True, timeout=BUSY_MS / 1000, isolation_level=None
        )
    except sqlite3.Error:
        return None
    try:
        conn.execute("BEGIN")  # one snapshot for every part
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] != SCHEMA_HEAD:
            return None
        count = conn.execute(
            "SELECT count(*) FROM events WHERE incident_id = ?", (incident_id,)
        ).fetchone()[0]
        if not count:
            return None
        latest = _decode(
            conn,
            f"SELECT {COLUMNS} FROM events WHERE incident_id = ?"
            " ORDER BY occurred_at_us DESC, hlc DESC LIMIT ?",
            (incident_id, limit),
        )
        marks = ", ".join("?" for _ in EFFECT_KINDS)
        effects = _decode(
            conn,
            f"SELECT {COLUMNS} FROM events WHERE incident_id = ? AND kind IN ({marks})"
            " ORDER BY seq",
            (incident_id, *EFFECT_KINDS),
        )
        journal = None
        if count <= whole_up_to:
            journal = _decode(
                conn,
                f"SELECT {COLUMNS} FROM events WHERE incident_id = ? ORDER BY seq",
                (incident_id,),
            )
        conn.execute("COMMIT")
    except (sqlite3.Error, ValueError, TypeError):
        return None
    finally:
        conn.close()
    return JournalGlance([e for _s, e in reversed(latest)], [e for _s, e in effects], journal)


def _decode(
    conn: sqlite3.Connection, sql: str, params: tuple[object, ...]
) -> list[tuple[int, Event]]:
    return decode_events(conn.execute(sql, params).fetchall())
