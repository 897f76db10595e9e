"""The incident list: one row per incident (and its action items), projected from the journal
so the list and the metrics open without folding every incident."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select

from incidentdesk.core.timefmt import from_micros, to_micros
from incidentdesk.infra.store.schema import action_items, incidents

_DELETE_SUMMARY = incidents.delete().where(incidents.c.id == bindparam("gone"))
_INSERT_SUMMARY = insert(incidents)


class SummaryQueries:
    """Incident-list reads and writes of one transaction (mixed into ``StoreTxn``)."""

    conn: Connection

    def put_summary(self, summary: dict[str, Any], last_seq: int) -> None:
        """Write the incident-list row of one incident (insert or replace)."""
        row = {
            "id": summary["id"],
            "title": summary["title"],
            "severity": summary["severity"],
            "status": summary["status"],
            "services": json.dumps(summary["services"], ensure_ascii=False),
            "commander": summary["commander"],
            "started_at_us": micros_or_none(summary["started_at"]),
            "detected_at_us": micros_or_none(summary.get("detected_at")),
            "acknowledged_at_us": micros_or_none(summary.get("acknowledged_at")),
            "mitigated_at_us": micros_or_none(summary.get("mitigated_at")),
            "resolved_at_us": micros_or_none(summary["resolved_at"]),
            "drill": bool(summary.get("drill", False)),
            "event_count": summary["event_count"],
            "last_seq": last_seq,
            "postmortem_state": summary.get("postmortem_state"),
            "postmortem_published_at_us": micros_or_none(summary.get("postmortem_published_at")),
            "open_actions": int(summary.get("open_actions", 0)),
        }
        # Statements built once (a fresh .values() costs more to cache-key than to run).
        self.conn.execute(_DELETE_SUMMARY, {"gone": row["id"]})
        self.conn.execute(_INSERT_SUMMARY, row)
        items = summary.get("action_items") or []
        if items or summary.get("postmortem_state") is not None:
            self.conn.execute(action_items.delete().where(action_items.c.incident_id == row["id"]))
            if items:
                self.conn.execute(
                    insert(action_items), [{**item, "incident_id": row["id"]} for item in items]
                )

    def action_items(self, owner: str | None = None) -> list[dict[str, Any]]:
        """Action items of every incident (of one owner, ignoring case), as last saved."""
        query = select(action_items)
        if owner is not None:
            query = query.where(func.lower(action_items.c.owner) == owner.lower())
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def summaries(self) -> list[dict[str, Any]]:
        """Every incident-list row."""
        # One plain statement and tuples: the library opens on 5,000 rows or more, and
        # SQLAlchemy's row mappings cost more than the read itself.
        cursor = self.conn.exec_driver_sql(_SELECT_SUMMARIES)
        return decode_summaries(cursor.fetchall())

    def clear_summaries(self) -> None:
        """Drop the incident-list projection and the search index (before a rebuild)."""
        self.conn.execute(incidents.delete())
        self.conn.execute(action_items.delete())
        self.conn.exec_driver_sql("DELETE FROM search_index")
        self.conn.exec_driver_sql("DELETE FROM search_keys")


_COLUMNS = tuple(column.name for column in incidents.columns)
_SELECT_SUMMARIES = f"SELECT {', '.join(_COLUMNS)} FROM incidents"
_TIMES = ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")


def decode_summaries(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Incident-list rows (tuples in the order of the ``incidents`` columns) as the Desk
    returns them: services a list, times aware datetimes, drill a bool."""
    services: dict[str, list[str]] = {}  # the same few lists recur across thousands of rows
    decoded = []
    for values in rows:
        row = dict(zip(_COLUMNS, values, strict=True))
        text = row["services"]
        known = services.get(text)
        if known is None:
            known = services[text] = json.loads(text)
        row["services"] = list(known)
        for name in _TIMES:
            row[name] = from_micros_or_none(row.pop(f"{name}_us"))
        row["drill"] = bool(row["drill"])
        row["postmortem_published_at"] = from_micros_or_none(row.pop("postmortem_published_at_us"))
        decoded.append(row)
    return decoded


def micros_or_none(value: Any) -> int | None:
    return None if value is None else to_micros(value)


def from_micros_or_none(value: int | None) -> Any:
    return None if value is None else from_micros(value)
