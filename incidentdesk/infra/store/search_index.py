"""The search index (SQLite FTS5): texts made findable, replaced or dropped as later events
say, and searched best first; and the short-id lookups."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from incidentdesk.infra.store.schema import events, incidents
from incidentdesk.infra.store.summaries import from_micros_or_none


class SearchQueries:
    """Search reads and writes of one transaction (mixed into ``StoreTxn``)."""

    conn: Connection

    def index_text(self, incident_id: str, event_id: str, text: str) -> None:
        """Make a text findable by search (titles, notes, corrections)."""
        self.conn.exec_driver_sql(
            "INSERT INTO search_index (text, incident_id, event_id) VALUES (?, ?, ?)",
            (text, incident_id, event_id),
        )

    def index_replaceable(
        self, key: str, incident_id: str, event_id: str, text: str, rank: str
    ) -> None:
        """Index a text that a later event may replace, under ``key``. ``rank`` orders the
        events (fold order): a text older than what holds the key now is not indexed, so
        events arriving out of order (sync, an archive) leave the newest text findable."""
        held = self._held(key)
        if held is not None and held[1] > rank:
            return
        self._drop(key, held)
        result = self.conn.exec_driver_sql(
            "INSERT INTO search_index (text, incident_id, event_id) VALUES (?, ?, ?)",
            (text, incident_id, event_id),
        )
        self.conn.exec_driver_sql(
            "INSERT INTO search_keys (key, row, rank) VALUES (?, ?, ?)",
            (key, result.lastrowid, rank),
        )

    def unindex(self, keys: list[str], rank: str) -> None:
        """Drop the texts indexed under these keys (by rowid: no scan of the index); a key
        not indexed yet is marked so that its text, arriving later, is not indexed."""
        for key in keys:
            held = self._held(key)
            if held is not None and held[1] > rank:
                continue
            self._drop(key, held)
            self.conn.exec_driver_sql(
                "INSERT INTO search_keys (key, row, rank) VALUES (?, -1, ?)", (key, rank)
            )

    def _held(self, key: str) -> tuple[int, str] | None:
        found = self.conn.exec_driver_sql(
            "SELECT row, rank FROM search_keys WHERE key = ?", (key,)
        ).first()
        return None if found is None else (int(found[0]), str(found[1]))

    def _drop(self, key: str, held: tuple[int, str] | None) -> None:
        if held is None:
            return
        if held[0] >= 0:
            self.conn.exec_driver_sql("DELETE FROM search_index WHERE rowid = ?", (held[0],))
        self.conn.exec_driver_sql("DELETE FROM search_keys WHERE key = ?", (key,))

    def search(
        self, match: str, limit: int, per_incident: int, marks: tuple[str, str, str], words: int
    ) -> list[dict[str, Any]]:
        """The best entries for an FTS5 ``MATCH`` expression, best first (bm25).

        At most ``per_incident`` entries of one incident and one row per entry (a note and
        its corrections share the note's id), only for incidents in the incident list. Each
        row has the incident's title, severity, status and ``started_at``, and a snippet of
        about ``words`` words with the matches between ``marks[0]`` and ``marks[1]``
        (``marks[2]`` where the text was cut).
        """
        # FTS5 sorts by rank itself (bm25 of every match, the bulk of the time) and hands
        # the rows over in order: the columns and the snippet are computed only for the
        # rows read, and reading stops once there are enough.
        ranked = self.conn.exec_driver_sql(
            "SELECT s.incident_id, s.event_id, snippet(search_index, 0, ?, ?, ?, ?),"
            " i.title, i.severity, i.status, i.started_at_us"
            " FROM search_index AS s JOIN incidents AS i ON i.id = s.incident_id"
            " WHERE search_index MATCH ? ORDER BY s.rank",
            (*marks, words, match),
        )
        hits: dict[str, dict[str, Any]] = {}
        per: dict[str, int] = {}
        try:
            for incident_id, event_id, snippet, title, sev, status, started_us in ranked:
                if event_id in hits or per.get(incident_id, 0) >= per_incident:
                    continue
                per[incident_id] = per.get(incident_id, 0) + 1
                hits[event_id] = {
                    "incident_id": incident_id,
                    "event_id": event_id,
                    "title": title,
                    "severity": sev,
                    "status": status,
                    "started_at": from_micros_or_none(started_us),
                    "snippet": snippet,
                }
                if len(hits) >= limit:
                    break
        finally:
            ranked.close()
        return list(hits.values())

    def incident_ids_like(self, prefix: str) -> list[str]:
        """Incident ids starting with ``prefix`` (at most a few, enough to say ambiguous)."""
        query = select(incidents.c.id).where(incidents.c.id.startswith(prefix, autoescape=True))
        return [str(r) for r in self.conn.execute(query.limit(5)).scalars()]

    def event_ids_like(self, incident_id: str, prefix: str) -> list[str]:
        """Event ids of one incident starting with ``prefix``."""
        query = select(events.c.id).where(
            events.c.incident_id == incident_id, events.c.id.startswith(prefix, autoescape=True)
        )
        return [str(r) for r in self.conn.execute(query.limit(5)).scalars()]
