"""The one place an event is made: stamped (HLC, author, device, time), validated, checked
against the incident's state and appended, with its projections, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from incidentdesk.app.changes import Change, ChangeFeed
from incidentdesk.app.folds import Folded, Folds
from incidentdesk.app.projection import index_event
from incidentdesk.core.journal.boundary import hlc_ceiling
from incidentdesk.core.journal.events import Event, validate_payload
from incidentdesk.core.journal.fold import IncidentState, apply, state_summary
from incidentdesk.core.journal.ids import hlc_next, new_event_id
from incidentdesk.core.text import clean_name
from incidentdesk.core.timefmt import check_event_time, to_micros
from incidentdesk.infra.store.local import StoreTxn

Check = Callable[[IncidentState, dict[str, Any]], None]
# Runs in the event's transaction after the append; returns how many deliveries it queued.
Then = Callable[[StoreTxn, Event], int | None]


class Recorder:
    """Records events as one author, on one store, by one clock.

    Args:
        folds: the incidents' folds (and the store they read).
        author: who records the events.
        clock: the current time (UTC); tests pass a fixed one.
        changes: told of every event saved, once its transaction committed.
    """

    def __init__(
        self, folds: Folds, author: str, clock: Callable[[], datetime], changes: ChangeFeed
    ) -> None:
        self.folds = folds
        self.changes = changes
        self.store = folds.store
        self.author = clean_name(author, "author name")
        self.clock = clock

    def stamp(
        self,
        tx: StoreTxn,
        incident_id: str,
        kind: str,
        clean: dict[str, Any],
        occurred: datetime,
        now: datetime,
        event_id: str | None = None,
    ) -> Event:
        """The event of a validated payload, stamped with the next HLC (from ``now``), this
        author and device."""
        return Event(
            id=event_id or new_event_id(),
            incident_id=incident_id,
            kind=kind,
            payload=clean,
            occurred_at=occurred,
            hlc=hlc_next(tx.max_hlc(below=hlc_ceiling(now)), to_micros(now) // 1000),
            author=self.author,
            device=self.store.device_id,
        )

    def append(
        self,
        incident_id: str,
        kind: str,
        payload: dict[str, Any],
        unless: Callable[[StoreTxn, dict[str, Any]], Event | None] | None = None,
    ) -> Event:
        """Validate and append an event that is in no incident's fold (the catalog's),
        happening now; returns it.

        ``unless`` looks in the same transaction, with the validated payload, for an event
        that makes this one unneeded: that event is returned and nothing is written.
        """
        clean = validate_payload(kind, payload)
        with self.store.writing() as tx:
            found = unless(tx, clean) if unless is not None else None
            if found is not None:
                return found
            now = self.clock()
            event = self.stamp(tx, incident_id, kind, clean, now, now)
            tx.append(event)
            index_event(tx, event)
        self.changes.publish(Change(event.id, incident_id, kind))
        return event

    def record(
        self,
        incident_ref: str,
        kind: str,
        payload: dict[str, Any],
        at: datetime | None,
        check: Check | None = None,
        new: bool = False,
        then: Then | None = None,
    ) -> Event:
        """Validate, check against the current state, append, update the projection.

        ``check`` may refuse (raise) or complete the payload from the state; ``then`` runs
        in the same transaction after the append (say, to queue a delivery; it returns how
        many it queued), so the event and what it asks for are saved together or not at
        all. Once saved, the change is reported to :attr:`changes`.
        """
        folds = self.folds
        incident_id = incident_ref if new else folds.resolve(incident_ref)
        now = self.clock()
        occurred = check_event_time(at or now, now=now)
        try:
            with self.store.writing() as tx:
                folded = (
                    Folded(state=IncidentState(incident_id))
                    if new
                    else folds.catch_up(tx, incident_id)
                )
                assert folded.state is not None
                if check is not None:
                    check(folded.state, payload)
                clean = validate_payload(kind, payload)
                event_id = incident_id if new else None
                event = self.stamp(tx, incident_id, kind, clean, occurred, now, event_id)
                seq = tx.append(event)
                index_event(tx, event)
                queued = (then(tx, event) or 0) if then is not None else 0
                apply(folded.state, event)
                folded.events.append(event)
                folded.seqs.append(seq)
                folded.seq = seq
                tx.put_summary(state_summary(folded.state), seq)
                if new:
                    folds.cache[incident_id] = folded
        except BaseException:
            folds.cache.pop(incident_id, None)  # the cache may hold the unsaved event
            raise
        self.changes.publish(Change(event.id, incident_id, kind, queued))
        return event
