"""The Desk: the application facade. Commands in, events out; queries for the views.

Every method is plain synchronous Python that may touch the disk: the UI calls it from a
background worker, never on the GUI thread.
"""

from __future__ import annotations

import bisect
import copy
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from incidentdesk.app.action_items import ActionItemCommands
from incidentdesk.app.catalog import CatalogCommands
from incidentdesk.app.escalations import EscalationCommands
from incidentdesk.app.exchange import JournalExchange, _Folded, index_event
from incidentdesk.app.links import LinkCommands
from incidentdesk.app.postmortems import PostmortemCommands
from incidentdesk.core.errors import Ambiguous, DomainError, NoChange, NotFound
from incidentdesk.core.incident.lifecycle import (
    ACTIVE_STATUSES,
    STATUS_LABELS,
    check_milestone_order,
    check_status_change,
    milestones_after_status,
    parse_milestone,
    parse_status,
)
from incidentdesk.core.incident.roles import parse_role
from incidentdesk.core.incident.severity import parse_severity, severity
from incidentdesk.core.incident.timeline import TimelineEntry, timeline
from incidentdesk.core.journal.boundary import hlc_ceiling
from incidentdesk.core.journal.events import NOTE_KINDS, Event, validate_payload
from incidentdesk.core.journal.fold import (
    IncidentState,
    apply,
    fold,
    recorded_milestones,
    state_summary,
)
from incidentdesk.core.journal.ids import CATALOG_ID, hlc_next, new_event_id
from incidentdesk.core.library.search import (
    ELLIPSIS,
    HITS_PER_INCIDENT,
    MARK_CLOSE,
    MARK_OPEN,
    SNIPPET_TOKENS,
    SearchHit,
    match_expression,
    unmark,
)
from incidentdesk.core.text import clean_name
from incidentdesk.core.timefmt import check_event_time, to_micros, utc_now
from incidentdesk.infra.store.local import LocalStore, StoreError, StoreTxn

__all__ = ["Desk", "IncidentSnapshot", "StoreError"]

MIN_PREFIX = 6
# Raised when the fold computes a projected value differently (2: Acknowledged is also the
# commander taking command or a page answered): a store folded by an older version has its
# incident list rebuilt once when opened, so old incidents get the new values too.
PROJECTION_VERSION = "2"
log = logging.getLogger(__name__)
Check = Callable[[IncidentState, dict[str, Any]], None]


@dataclass(frozen=True)
class IncidentSnapshot:
    """What a view needs to show one incident, safe to hand to another thread.

    Attributes:
        seq: the journal position this snapshot reflects; ask for changes after it.
        state: a private copy of the incident's state.
        events: the incident's events that arrived after the position asked for, in
            arrival order.
    """

    seq: int
    state: IncidentState
    events: list[Event]


class Desk(
    JournalExchange,
    CatalogCommands,
    EscalationCommands,
    PostmortemCommands,
    ActionItemCommands,
    LinkCommands,
):
    """Commands and queries on incidents, for one author on one local store.

    Args:
        store: the local journal.
        author: who records the events.
        clock: the current time (UTC); tests pass a fixed one.
    """

    def __init__(
        self,
        store: LocalStore,
        author: str,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.author = clean_name(author, "author name")
        self.clock = clock
        self._cache: dict[str, _Folded] = {}
        self._teams: tuple[int, dict[str, str]] = (0, {})  # (catalog's last seq, teams)

    @classmethod
    def open(cls, data_dir: Path, author: str) -> Desk:
        """Open (and if needed create or upgrade) the local store in ``data_dir``.

        After a schema upgrade the projections (incident list, search index) are rebuilt from
        the journal, so columns and tables a migration added are filled for old incidents.
        """
        desk = cls(LocalStore(data_dir), author)
        with desk.store.reading() as tx:
            folded_by = tx.meta_get("projection_version")
        if desk.store.backup_path is not None or folded_by != PROJECTION_VERSION:
            desk.rebuild()
        return desk

    def with_author(self, author: str) -> Desk:
        """The same desk recording as someone else (shares the store and cache)."""
        other = copy.copy(self)
        other.author = clean_name(author, "author name")
        return other

    def close(self) -> None:
        """Release the store."""
        self.store.close()

    # ----------------------------------------------------------------- commands

    def declare(
        self,
        title: str,
        severity_code: str,
        services: Iterable[str] = (),
        at: datetime | None = None,
        bridge: str = "",
        impact: str = "",
    ) -> str:
        """Declare an incident; returns its id. ``at`` back-dates its start; ``bridge`` (a
        meeting link) and ``impact`` (what customers notice) are optional."""
        payload = {
            "title": title,
            "severity": severity_code,
            "services": list(services),
            "bridge": bridge,
            "impact": impact,
        }
        incident_id = new_event_id()
        event = self._record(incident_id, "incident.declared", payload, at, new=True)
        return event.incident_id

    def add_note(
        self,
        incident_id: str,
        text: str,
        kind: str = "note",
        at: datetime | None = None,
        pinned: bool = False,
    ) -> str:
        """Add a timeline entry (note, decision, action, observation or update)."""
        if kind not in NOTE_KINDS:
            raise DomainError(
                f"'{kind}' is not a kind of note; use one of {', '.join(NOTE_KINDS)}."
            )
        payload = {"text": text, "note_kind": kind, "pinned": pinned}
        return self._record(incident_id, "note.added", payload, at).id

    def set_severity(self, incident_id: str, code: str, at: datetime | None = None) -> str:
        """Change the severity."""
        sev = parse_severity(code)

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            if state.severity == sev.code:
                raise NoChange(f"The incident is already {sev.code}.")

        payload = {"severity": sev.code}
        event = self._record(incident_id, "severity.changed", payload, at, check=check)
        self._announce(event.incident_id, f"Severity changed to {sev.code}")
        return event.id

    def set_status(self, incident_id: str, status: str, at: datetime | None = None) -> str:
        """Move the incident along its lifecycle; records the status's milestone."""
        new = parse_status(status)
        when = at or self.clock()

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            check_status_change(state.status, new)
            recorded = recorded_milestones(state)
            check_milestone_order(milestones_after_status(recorded, new, when))

        event = self._record(incident_id, "status.changed", {"status": new}, when, check=check)
        self._announce(event.incident_id, f"Status changed to {STATUS_LABELS[new]}")
        return event.id

    def _announce(self, incident_id: str, text: str) -> None:
        """Tell the incident's chat channel (if any); the change itself is already saved."""
        try:
            self.announce_change(incident_id, text)
        except (DomainError, StoreError) as exc:
            log.warning("could not post the change to chat: %s", exc)

    def set_milestone(self, incident_id: str, milestone: str, at: datetime | None = None) -> str:
        """Record when a milestone (started, detected, acknowledged, …) happened."""
        name = parse_milestone(milestone)
        when = at or self.clock()

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            check_milestone_order({**recorded_milestones(state), name: when})

        payload = {"milestone": name}
        return self._record(incident_id, "milestone.set", payload, when, check=check).id

    def assign_role(
        self,
        incident_id: str,
        role_name: str,
        person: str,
        shadow: bool = False,
        at: datetime | None = None,
    ) -> str:
        """Give a role to someone; a handover when someone else holds it."""
        role = parse_role(role_name)
        who = clean_name(person, "person's name")

        def check(state: IncidentState, payload: dict[str, Any]) -> None:
            holders = state.shadow_of(role.key) if shadow else state.holders(role.key)
            if who in holders:
                verb = "already shadows" if shadow else "already holds"
                raise NoChange(f"{who} {verb} {role.label}.")
            payload["previous"] = None if role.several or not holders else holders[0]

        payload: dict[str, Any] = {"role": role.key, "person": who, "shadow": shadow}
        return self._record(incident_id, "role.assigned", payload, at, check=check).id

    def release_role(
        self,
        incident_id: str,
        role_name: str,
        person: str | None = None,
        shadow: bool = False,
        at: datetime | None = None,
    ) -> str:
        """Release a role (``person`` is needed only when several people hold it)."""
        role = parse_role(role_name)
        who = None if person is None else clean_name(person, "person's name")

        def check(state: IncidentState, payload: dict[str, Any]) -> None:
            holders = state.shadow_of(role.key) if shadow else state.holders(role.key)
            what = f"the {role.label} shadow" if shadow else role.label
            if not holders:
                raise DomainError(f"Nobody holds {what}.")
            if who is None and len(holders) > 1:
                raise DomainError(
                    f"Several people hold {what} ({', '.join(holders)}); name the one to release."
                )
            if who is not None and who not in holders:
                raise DomainError(f"{who} does not hold {what} (held by {', '.join(holders)}).")
            payload["person"] = who or holders[0]

        payload: dict[str, Any] = {"role": role.key, "person": "?", "shadow": shadow}
        return self._record(incident_id, "role.released", payload, at, check=check).id

    def correct_note(self, incident_id: str, event_ref: str, text: str) -> str:
        """Correct a note's text; the original stays in the journal."""
        target = self._note_target(incident_id, event_ref)
        payload = {"target": target, "text": text}
        return self._record(incident_id, "note.corrected", payload, None).id

    def pin(self, incident_id: str, event_ref: str, pinned: bool = True) -> str:
        """Pin (or unpin) a timeline entry."""
        full = self.resolve_incident(incident_id)
        target = self._resolve_event(full, event_ref)

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            if (target in state.pinned) == pinned:
                raise NoChange("That entry is already " + ("pinned." if pinned else "unpinned."))

        payload = {"target": target, "pinned": pinned}
        return self._record(full, "event.pinned", payload, None, check=check).id

    def set_drill(self, incident_ref: str, drill: bool = True, at: datetime | None = None) -> str:
        """Mark an incident as a drill (left out of the metrics by default), or not."""

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            if state.drill == drill:
                raise NoChange(
                    "The incident is already " + ("a drill." if drill else "not a drill.")
                )

        return self._record(
            incident_ref, "incident.drill_set", {"drill": drill}, at, check=check
        ).id

    def rebuild(self) -> int:
        """Recompute every projection from the journal; returns the number of incidents."""
        with self.store.writing() as tx:
            tx.clear_summaries()
            ids = tx.incident_ids()
            for incident_id in ids:
                rows = tx.events(incident_id)
                state = fold(incident_id, (e for _s, e in rows))
                if state.declared:
                    tx.put_summary(state_summary(state), rows[-1][0])
                for _seq, event in rows:
                    index_event(tx, event)
            tx.meta_set("projection_version", PROJECTION_VERSION)
        self._cache.clear()
        return len(ids)

    # ----------------------------------------------------------------- queries

    def search(self, query: str, limit: int = 100) -> list[SearchHit]:
        """Titles, notes, corrections, post-mortem text and action items matching what a
        person typed, best first.

        Words must all match, in any order; ``"quoted phrases"`` match as written;
        ``deploy*`` matches a prefix; case and accents do not matter. Any text is a valid
        query: one with nothing searchable (punctuation, emoji) finds nothing. At most a
        few hits per incident; a note is found by its corrected text too.
        """
        match = match_expression(query)
        if match is None or limit <= 0:
            return []
        marks = (MARK_OPEN, MARK_CLOSE, ELLIPSIS)
        with self.store.reading() as tx:
            rows = tx.search(match, limit, HITS_PER_INCIDENT, marks, SNIPPET_TOKENS)
        hits: list[SearchHit] = []
        for row in rows:
            snippet, highlights = unmark(row.pop("snippet"))
            hits.append(SearchHit(**row, snippet=snippet, highlights=highlights))
        return hits

    def incidents(self, include_closed: bool = False) -> list[dict[str, Any]]:
        """Incident-list rows: active first (worst severity, then newest), then the rest."""
        with self.store.reading() as tx:
            rows = tx.summaries()
        if not include_closed:
            rows = [r for r in rows if r["status"] != "closed"]
        teams = {name.casefold(): team for name, team in self.service_teams().items()}
        for row in rows:  # the teams owning its services, from the catalog
            owners = (teams.get(s.casefold()) for s in row["services"])
            row["teams"] = list(dict.fromkeys(t for t in owners if t))

        def order(row: dict[str, Any]) -> tuple[int, int, int]:
            started = row["started_at"]
            newest_first = -to_micros(started) if started else 0
            active = 0 if row["status"] in ACTIVE_STATUSES else 1
            return (active, severity(row["severity"]).level if active == 0 else 0, newest_first)

        return sorted(rows, key=order)

    def incident(self, incident_ref: str) -> IncidentState:
        """The current state of an incident (id or unique prefix)."""
        full = self.resolve_incident(incident_ref)
        with self.store.reading() as tx:
            folded = self._catch_up(tx, full)
        assert folded.state is not None
        return folded.state

    def timeline(self, incident_ref: str) -> list[TimelineEntry]:
        """The incident's journal in the order things happened, in words."""
        full = self.resolve_incident(incident_ref)
        with self.store.reading() as tx:
            folded = self._catch_up(tx, full)
        assert folded.state is not None
        return timeline(folded.events, folded.state)

    def snapshot(self, incident_ref: str, after_seq: int = 0) -> IncidentSnapshot:
        """The incident's state and the events that arrived after ``after_seq``."""
        full = self.resolve_incident(incident_ref)
        with self.store.reading() as tx:
            folded = self._catch_up(tx, full)
        assert folded.state is not None
        start = bisect.bisect_right(folded.seqs, after_seq)
        return IncidentSnapshot(folded.seq, copy.deepcopy(folded.state), folded.events[start:])

    def latest_entries(
        self, incident_ref: str, limit: int = 300
    ) -> tuple[list[Event], list[Event]]:
        """The incident's latest events by time, and all its corrections, pins and action items
        (an item made from a note changes that note's row).

        Enough to paint the bottom of a long timeline at once, before the whole journal of
        the incident is read and folded (:meth:`snapshot`).
        """
        full = self.resolve_incident(incident_ref)
        with self.store.reading() as tx:
            latest = tx.latest_events(full, limit)
            effects = tx.events_of_kinds(
                full, ("note.corrected", "event.pinned", "action_item.saved")
            )
        return latest, effects

    def changes_since(self, seq: int) -> tuple[int, list[str]]:
        """The newest journal position, and the incidents with events after ``seq``.

        Cheap when nothing changed (one index lookup), so views can ask often.
        """
        with self.store.reading() as tx:
            newest = tx.max_seq()
            changed = tx.incidents_changed_after(seq) if newest > seq else []
        return newest, changed

    def people(self) -> list[str]:
        """Everyone known to this journal (authors and role holders), sorted by name."""
        with self.store.reading() as tx:
            names = tx.people()
        return sorted(names, key=str.casefold)

    def action_items(self, owner: str | None = None) -> list[dict[str, Any]]:
        """Every incident's action items as last saved (of one owner, ignoring case):
        ``id``, ``incident_id``, ``description``, ``type``, ``owner``, ``due`` (ISO date or
        None), ``priority`` and ``status``."""
        with self.store.reading() as tx:
            return tx.action_items(owner)

    def service_teams(self) -> dict[str, str]:
        """The owning team of each service in the catalog (empty without a catalog)."""
        with self.store.reading() as tx:
            marker = tx.last_seq_of(CATALOG_ID)
        if marker != self._teams[0]:
            catalog = self.catalog()
            teams = {} if catalog is None else {s.name: s.team for s in catalog.services}
            self._teams = (marker, teams)
        return dict(self._teams[1])

    def resolve_incident(self, ref: str) -> str:
        """The full id for an incident id or a unique prefix of at least 6 characters."""
        prefix = _prefix(ref, "incident")
        with self.store.reading() as tx:
            matches = tx.incident_ids_like(prefix)
        return _one(matches, ref, "incident", "incidents")

    # ----------------------------------------------------------------- internals

    def _resolve_event(self, incident_id: str, ref: str) -> str:
        prefix = _prefix(ref, "entry")
        with self.store.reading() as tx:
            matches = tx.event_ids_like(incident_id, prefix)
        return _one(matches, ref, "entry in this incident", "entries")

    def _note_target(self, incident_ref: str, event_ref: str) -> str:
        full = self.resolve_incident(incident_ref)
        target = self._resolve_event(full, event_ref)
        state_events = {e.id: e for e in self._cached_events(full)}
        if state_events[target].kind != "note.added":
            raise DomainError("Only notes can be corrected; that entry is not a note.")
        return target

    def _cached_events(self, incident_id: str) -> list[Event]:
        with self.store.reading() as tx:
            return self._catch_up(tx, incident_id).events

    def _catch_up(self, tx: StoreTxn, incident_id: str) -> _Folded:
        """Bring the cached fold of one incident up to date with the journal."""
        folded = self._cache.setdefault(incident_id, _Folded())
        rows = tx.events(incident_id, folded.seq)
        new = [e for _s, e in rows]
        if folded.state is not None and not new:
            return folded
        new.sort(key=lambda e: e.key)
        state = folded.state
        if state is not None and (state.last_key is None or new[0].key > state.last_key):
            for event in new:
                apply(state, event)
        else:  # events arrived out of order (sync): fold again from the start
            state = fold(incident_id, [*folded.events, *new])
        folded.events.extend(e for _s, e in rows)
        folded.seqs.extend(s for s, _e in rows)
        folded.state = state
        if rows:
            folded.seq = rows[-1][0]
        if not state.declared:
            self._cache.pop(incident_id, None)
            raise NotFound(f"There is no incident {incident_id}.")
        return folded

    def _record(
        self,
        incident_ref: str,
        kind: str,
        payload: dict[str, Any],
        at: datetime | None,
        check: Check | None = None,
        new: bool = False,
        then: Callable[[StoreTxn, Event], None] | None = None,
    ) -> Event:
        """Validate, check against the current state, append, update the projection.

        ``then`` runs in the same transaction after the append (say, to queue a delivery),
        so the event and what it asks for are saved together or not at all.
        """
        incident_id = incident_ref if new else self.resolve_incident(incident_ref)
        now = self.clock()
        occurred = check_event_time(at or now, now=now)
        try:
            with self.store.writing() as tx:
                folded = (
                    _Folded(state=IncidentState(incident_id))
                    if new
                    else (self._catch_up(tx, incident_id))
                )
                assert folded.state is not None
                if check is not None:
                    check(folded.state, payload)
                clean = validate_payload(kind, payload)
                event = Event(
                    id=incident_id if new else new_event_id(),
                    incident_id=incident_id,
                    kind=kind,
                    payload=clean,
                    occurred_at=occurred,
                    hlc=hlc_next(tx.max_hlc(below=hlc_ceiling(now)), to_micros(now) // 1000),
                    author=self.author,
                    device=self.store.device_id,
                )
                seq = tx.append(event)
                index_event(tx, event)
                if then is not None:
                    then(tx, event)
                apply(folded.state, event)
                folded.events.append(event)
                folded.seqs.append(seq)
                folded.seq = seq
                tx.put_summary(state_summary(folded.state), seq)
                if new:
                    self._cache[incident_id] = folded
        except BaseException:
            self._cache.pop(incident_id, None)  # the cache may hold the unsaved event
            raise
        return event


def _prefix(ref: str, what: str) -> str:
    prefix = str(ref).strip().lower()
    if len(prefix) < MIN_PREFIX:
        raise DomainError(
            f"'{ref}' is too short to name an {what}; give at least {MIN_PREFIX} characters "
            "of its id."
        )
    if any(c not in "0123456789abcdef-" for c in prefix):
        raise NotFound(f"'{ref}' is not an {what} id (ids are hexadecimal, like 0193a6c2-…).")
    return prefix


def _one(matches: list[str], ref: str, what: str, plural: str) -> str:
    if not matches:
        raise NotFound(f"No {what} has an id starting with '{ref}'.")
    if len(matches) > 1:
        shown = ", ".join(m[:13] for m in matches[:3])
        raise Ambiguous(f"'{ref}' matches several {plural} ({shown}, …); type more of the id.")
    return matches[0]
