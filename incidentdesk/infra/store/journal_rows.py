"""Journal rows as the SQLite driver returns them, made into events (no SQLAlchemy here:
the lean first read uses this before SQLAlchemy is imported)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from incidentdesk.core.gc_pause import paused_gc
from incidentdesk.core.journal.events import Event

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def decode_events(rows: Sequence[Sequence[Any]]) -> list[tuple[int, Event]]:
    """``(seq, event)`` for each row of ``seq, id, incident_id, kind, payload,
    occurred_at_us, hlc, author, device, recorded_by, received_at_us``."""
    # A tight loop with the garbage collector paused: opening an incident of 100,000
    # events decodes them all, and each makes a few objects.
    loads, make, epoch, micros = json.loads, Event, _EPOCH, timedelta
    with paused_gc():
        return [
            (
                seq,
                make(
                    id_,
                    inc,
                    kind,
                    loads(payload),
                    epoch + micros(microseconds=us),
                    hlc,
                    by,
                    device,
                    recorder,
                    None if received is None else epoch + micros(microseconds=received),
                ),
            )
            for seq, id_, inc, kind, payload, us, hlc, by, device, recorder, received in rows
        ]
