"""A journal row as a hostile (or broken) peer might write it straight into the shared
database: a sound ``note.added`` row by "Mallory" unless changed."""

from __future__ import annotations

import json
from typing import Any

from incidentdesk.core.journal.ids import hlc_pack, new_event_id
from incidentdesk.core.timefmt import to_micros, utc_now


def peer_note(incident: str, **changes: Any) -> dict[str, Any]:
    """The journal's columns of one note row (``payload`` as JSON text), with ``changes``."""
    now = utc_now()
    row: dict[str, Any] = {
        "id": new_event_id(),
        "incident_id": incident,
        "kind": "note.added",
        "payload": json.dumps({"text": "from a peer", "note_kind": "note", "pinned": False}),
        "occurred_at_us": to_micros(now),
        "hlc": hlc_pack(to_micros(now) // 1000, 0),
        "author": "Mallory",
        "device": "badc0ffee000",
    }
    row.update(changes)
    return row
