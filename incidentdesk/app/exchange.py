"""The exchange of journal rows with the outside (``desk.exchange``): events received from
the shared server or restored from an archive, the outbox of events waiting to go up, and
sync bookkeeping."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from incidentdesk.app.projection import index_event
from incidentdesk.core.errors import DomainError, NotFound
from incidentdesk.core.journal.boundary import Rejected, canonical_raw, check_row, rejection
from incidentdesk.core.journal.events import KINDS, Event, validate_payload
from incidentdesk.core.journal.fold import state_summary
from incidentdesk.core.timefmt import to_micros
from incidentdesk.infra.store.local import StoreTxn, event_row
from incidentdesk.infra.store.quarantine import QuarantinedRow, QuarantineEntry

if TYPE_CHECKING:
    from incidentdesk.app.recorder import Recorder

log = logging.getLogger("incidentdesk.app.desk")
# Meta keys of local events the shared server refused (not retried; the reason is kept).
REFUSED_PREFIX = "push_refused:"


SAME_ID = "same id as an existing event, different content"
RawRow = Mapping[str, Any]


@dataclass
class Received:
    """What receiving a batch of raw rows did.

    Attributes:
        changed: the incidents that received events.
        added: the ids of the events added.
        skipped: events that were already here, the same.
        quarantined: rows that could not be read and were kept aside (new ones only).
        problems: every row of the batch that could not be read (also ones kept before),
            as ``(source_ref, reason)``.
    """

    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    skipped: int = 0
    quarantined: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (source_ref, reason)


class Exchange:
    """Receiving, restoring, reading out and sending journal rows (see the module doc).

    Args:
        recorder: its store, folds and clock.
    """

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder
        self._folds = recorder.folds
        self.store = recorder.store

    def receive(self, batch: Iterable[Event]) -> list[str]:
        """Add events that came from the shared server; returns the incidents that changed.

        An event already here is skipped (replaying a pull changes nothing). A known kind
        with a payload this version cannot read is skipped and logged rather than stored.
        """
        changed: set[str] = set()
        with self.store.writing() as tx:
            for event in batch:
                if event.kind in KINDS:
                    try:
                        clean = validate_payload(event.kind, event.payload)
                    except DomainError as exc:
                        log.warning("skipped event %s from the server: %s", event.id, exc)
                        continue
                    # Stored as this version reads it (labels as keys, defaults filled in):
                    # the fold reads only what the validators guarantee.
                    event = event._replace(payload=clean)
                if tx.receive(event):
                    changed.add(event.incident_id)
                    index_event(tx, event)
            self._refold(tx, changed)
        return sorted(changed)

    def receive_rows(
        self,
        rows: Iterable[tuple[str, RawRow]],
        source: str = "server",
        precheck: Callable[[RawRow], str | None] | None = None,
        restore: bool = False,
        facts: Mapping[str, str] | None = None,
    ) -> Received:
        """Add raw rows from outside, each checked at the boundary first (``core/boundary.py``).

        Args:
            rows: ``(source_ref, row)``: the server's ``seq`` or an archive's ``file:line``,
                and the row as read.
            source: ``server`` or ``archive`` (kept with a quarantined row).
            precheck: rules of the source itself, run first (an archive line's fields);
                a reason it returns quarantines the row.
            restore: a backup: payloads are kept as written (fields a newer version added
                stay) and what is added goes in the outbox, as :meth:`restore` does.
            facts: sync bookkeeping (see :meth:`set_sync_fact`) kept in the same transaction
                as the rows: a pull's cursor moves exactly when its rows are in, at the cost
                of one commit, not two.

        A row that passes is applied as :meth:`receive` does; one that fails, or that has
        the id of an event already here with other content, is quarantined (kept as
        received, never applied). Nothing a row holds makes this raise.
        """
        result = Received()
        changed: set[str] = set()
        cached = set(self._folds.cache)
        now = self._recorder.clock()
        now_us = to_micros(now)
        aside: list[QuarantineEntry] = []
        try:
            with self.store.writing() as tx:
                for ref, row in rows:
                    checked = _checked(row, precheck, now, restore)
                    if not isinstance(checked, Rejected):
                        if tx.receive(checked, from_server=source == "server"):
                            result.added.append(checked.id)
                            changed.add(checked.incident_id)
                            index_event(tx, checked)
                            continue
                        if _same_content(tx, checked):
                            result.skipped += 1
                            continue
                        checked = rejection(row, SAME_ID)
                    result.problems.append((ref, checked.reason))
                    raw, fingerprint = canonical_raw(row)
                    aside.append(QuarantineEntry(checked, raw, fingerprint, source, ref, now_us))
                result.quarantined = tx.quarantine(aside)
                _keep_facts(tx, facts or {}, result.added if restore else [])
                self._refold(tx, changed, cached if restore else None)
        except BaseException:
            for incident_id in changed:  # the cache may hold events that were rolled back
                self._folds.cache.pop(incident_id, None)
            raise
        if result.quarantined:
            _log_aside(result.quarantined, source, aside[0])
        result.changed = sorted(changed)
        return result

    def _refold(self, tx: StoreTxn, changed: Iterable[str], keep: set[str] | None = None) -> None:
        """Bring the incident-list rows of these incidents up to date; with ``keep``, the
        cache keeps only those incidents (a whole restored library would not fit in it)."""
        for incident_id in sorted(changed):
            try:
                folded = self._folds.catch_up(tx, incident_id)
            except NotFound:
                continue  # its declaration has not arrived yet (or a partial backup)
            assert folded.state is not None
            tx.put_summary(state_summary(folded.state), folded.seq)
            if keep is not None and incident_id not in keep:
                del self._folds.cache[incident_id]

    def quarantined_count(self) -> int:
        """How many rows from outside could not be read (kept aside, never applied)."""
        with self.store.reading() as tx:
            return tx.quarantined_count()

    def quarantined(self, limit: int = 1000) -> list[QuarantinedRow]:
        """The rows from outside that could not be read, newest first."""
        with self.store.reading() as tx:
            return tx.quarantined(limit)

    def restore(self, batch: Iterable[Event]) -> tuple[int, int, list[str]]:
        """Add events from a backup, all or nothing; returns (added, already here, incidents
        that changed).

        They take the path of received events (projections, search index, the incidents'
        folds) and also go in the outbox, so a restored backup reaches the shared server
        once this profile syncs. Unlike :meth:`receive`, a known kind with a payload that
        breaks its rules refuses the whole batch.

        Raises:
            DomainError: an event's payload breaks its kind's rules; nothing was added.
        """
        added: list[str] = []
        skipped = 0
        changed: set[str] = set()
        cached = set(self._folds.cache)
        try:
            with self.store.writing() as tx:
                for event in batch:
                    if event.kind in KINDS:
                        validate_payload(event.kind, event.payload)
                    if tx.receive(event):
                        added.append(event.id)
                        changed.add(event.incident_id)
                        index_event(tx, event)
                    else:
                        skipped += 1
                tx.queue_for_push(added)
                for incident_id in sorted(changed):
                    try:
                        folded = self._folds.catch_up(tx, incident_id)
                    except NotFound:
                        continue  # no declaration in the journal (a partial backup)
                    assert folded.state is not None
                    tx.put_summary(state_summary(folded.state), folded.seq)
                    if incident_id not in cached:  # a whole library would not fit in memory
                        del self._folds.cache[incident_id]
        except BaseException:
            for incident_id in changed:  # the cache may hold events that were rolled back
                self._folds.cache.pop(incident_id, None)
            raise
        return len(added), skipped, sorted(changed)

    def read_journal(
        self,
        on_count: Callable[[int], None],
        on_events: Callable[[list[Event]], None],
        batch: int = 10_000,
    ) -> int:
        """Read the whole journal in arrival order, from one consistent snapshot.

        ``on_count`` first gets the number of events, then ``on_events`` gets them a batch
        at a time (a large journal is never all in memory). Returns the number of events.
        """
        with self.store.reading() as tx:
            total = tx.event_count()
            on_count(total)
            seq = 0
            while rows := tx.journal(seq, batch):
                on_events([event for _seq, event in rows])
                seq = rows[-1][0]
        return total

    def outbox(self, limit: int = 500) -> list[Event]:
        """Events written here that the shared server has not acknowledged yet."""
        with self.store.reading() as tx:
            return tx.unpushed_events(limit)

    def mark_pushed(
        self, event_ids: list[str], stamped: dict[str, tuple[str, int]] | None = None
    ) -> None:
        """The shared server committed these events; ``stamped`` is what it recorded of the
        new ones (event id: login role, received at in µs), kept on the local rows."""
        with self.store.writing() as tx:
            tx.mark_pushed(event_ids)
            for event_id, (recorded_by, received_at_us) in (stamped or {}).items():
                tx.stamp(event_id, recorded_by, received_at_us)

    def mark_refused(self, refused: dict[str, str], at: str) -> None:
        """The shared server refused these events (event id: its reason): they leave the
        outbox, so the others are not held up behind them, and stay in the local journal
        with the reason kept (see :meth:`push_refusals`)."""
        with self.store.writing() as tx:
            tx.mark_pushed(list(refused))
            for event_id, reason in refused.items():
                tx.meta_set(f"{REFUSED_PREFIX}{event_id}", json.dumps({"reason": reason, "at": at}))

    def retry_refused(self) -> int:
        """Put the events the shared server refused back in the outbox (its rule or its
        clock was fixed, say); returns how many."""
        with self.store.writing() as tx:
            refused = list(tx.meta_with_prefix(REFUSED_PREFIX))
            tx.queue_for_push(refused)
            for event_id in refused:
                tx.meta_delete(f"{REFUSED_PREFIX}{event_id}")
        return len(refused)

    def push_refusals(self) -> dict[str, dict[str, str]]:
        """Local events the shared server refused: event id: ``{"reason", "at"}``."""
        with self.store.reading() as tx:
            found = tx.meta_with_prefix(REFUSED_PREFIX)
        return {event_id: json.loads(value) for event_id, value in sorted(found.items())}

    def waiting(self) -> int:
        """How many changes wait to go up to the shared server."""
        with self.store.reading() as tx:
            return tx.unpushed_count()

    def sync_fact(self, key: str) -> str | None:
        """A sync bookkeeping value kept in the local store (cursor, last sync time)."""
        with self.store.reading() as tx:
            return tx.meta_get(f"sync:{key}")

    def set_sync_fact(self, key: str, value: str) -> None:
        """Keep a sync bookkeeping value in the local store."""
        with self.store.writing() as tx:
            tx.meta_set(f"sync:{key}", value)


def _checked(
    row: RawRow, precheck: Callable[[RawRow], str | None] | None, now: datetime, restore: bool
) -> Event | Rejected:
    """The row as an event, or why it cannot be one (the source's rules first)."""
    reason = precheck(row) if precheck is not None else None
    if reason is not None:
        return rejection(row, reason)
    return check_row(row, now, keep_extra=restore)


def _keep_facts(tx: StoreTxn, facts: Mapping[str, str], to_push: list[str]) -> None:
    """Sync bookkeeping, and restored events into the outbox, in the rows' transaction."""
    for key, value in facts.items():
        tx.meta_set(f"sync:{key}", value)
    if to_push:
        tx.queue_for_push(to_push)


def _log_aside(count: int, source: str, first: QuarantineEntry) -> None:
    log.warning(
        "kept aside %d row(s) from %s that could not be read (sync --quarantined "
        "lists them); the first, %s (id %s): %s",
        count,
        source,
        first.source_ref,
        first.rejected.event_id,
        first.rejected.reason,
    )


def _same_content(tx: StoreTxn, event: Event) -> bool:
    """The event already held under this id says the same (a replayed pull), or none is."""
    held = tx.stored_content(event.id)
    if held is None:
        return True
    row = event_row(event)
    mine = (
        row["id"],
        row["incident_id"],
        row["kind"],
        json.loads(row["payload"]),
        row["occurred_at_us"],
        row["hlc"],
        row["author"],
        row["device"],
    )
    return held == mine
