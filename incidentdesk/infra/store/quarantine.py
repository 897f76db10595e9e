"""The quarantine: journal rows from the shared server or an archive that could not be read.

Each is kept exactly as received (``raw``, JSON), named by its fingerprint (sha256 of the
raw row) so the same row received again is one entry, and never applied. Local only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from incidentdesk.core.journal.boundary import Rejected
from incidentdesk.core.timefmt import from_micros
from incidentdesk.infra.store.schema import quarantine

_SELECT = (
    "SELECT id, incident_id, kind, payload, occurred_at_us, hlc, author, device"
    " FROM events WHERE id = ?"
)


@dataclass(frozen=True)
class QuarantinedRow:
    """One quarantined row, as the Diagnostics view and ``sync --quarantined`` list it."""

    qid: int
    event_id: str
    incident_id: str
    kind: str
    author: str
    device: str
    recorded_by: str | None
    reason: str
    source: str  # server | archive
    source_ref: str  # the server's seq, or file:line
    quarantined_at_us: int

    def as_json(self) -> dict[str, Any]:
        """The stable ``--json`` document of one row."""
        return {
            "event_id": self.event_id,
            "incident_id": self.incident_id,
            "kind": self.kind,
            "author": self.author,
            "device": self.device,
            "recorded_by": self.recorded_by,
            "reason": self.reason,
            "source": self.source,
            "source_ref": self.source_ref,
            "quarantined_at": from_micros(self.quarantined_at_us).isoformat(),
        }


@dataclass(frozen=True)
class QuarantineEntry:
    """A row to keep aside: why, as received (``raw``), its fingerprint, and where from."""

    rejected: Rejected
    raw: str
    fingerprint: str
    source: str
    source_ref: str
    at_us: int


class QuarantineQueries:
    """Quarantine reads and writes of one transaction (mixed into ``StoreTxn``)."""

    conn: Connection

    def quarantine(self, kept: list[QuarantineEntry]) -> int:
        """Keep rows that could not be read (one statement for a batch); returns how many
        were new (a row already kept, by its fingerprint, is not kept twice)."""
        if not kept:
            return 0
        before = self.quarantined_count()
        self.conn.exec_driver_sql(
            "INSERT INTO quarantine (fingerprint, source, source_ref, event_id, incident_id,"
            " kind, author, device, recorded_by, raw, reason, quarantined_at_us)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO NOTHING",
            [
                (
                    e.fingerprint,
                    e.source,
                    e.source_ref,
                    e.rejected.event_id,
                    e.rejected.incident_id,
                    e.rejected.kind,
                    e.rejected.author,
                    e.rejected.device,
                    e.rejected.recorded_by,
                    e.raw,
                    e.rejected.reason,
                    e.at_us,
                )
                for e in kept
            ],
        )
        return self.quarantined_count() - before

    def quarantined_count(self) -> int:
        """How many rows could not be read."""
        query = select(func.count()).select_from(quarantine)
        return int(self.conn.execute(query).scalar() or 0)

    def quarantined(self, limit: int = 1000) -> list[QuarantinedRow]:
        """The quarantined rows, newest first."""
        columns = [c for c in quarantine.c if c.name not in ("fingerprint", "raw")]
        query = select(*columns).order_by(quarantine.c.qid.desc()).limit(limit)
        return [QuarantinedRow(**dict(r)) for r in self.conn.execute(query).mappings()]

    def quarantined_raw(self, qid: int) -> str | None:
        """One quarantined row exactly as received (JSON text)."""
        query = select(quarantine.c.raw).where(quarantine.c.qid == qid)
        return self.conn.execute(query).scalar()

    def stored_content(self, event_id: str) -> tuple[Any, ...] | None:
        """What the journal holds for an id (to tell a replay from a forgery), or None."""
        found = self.conn.exec_driver_sql(_SELECT, (event_id,)).first()
        if found is None:
            return None
        row = tuple(found)
        return (*row[:3], json.loads(row[3]), *row[4:])
