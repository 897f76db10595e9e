"""The incidents (``desk.incidents``): declare, notes, severity, status, milestones, roles,
pins, drills and corrections, and the queries the views read an incident with.

Each command records one event through the :class:`~incidentdesk.app.recorder.Recorder` and
returns its id (``declare``: the incident's). A severity or status change is announced to the
incident's chat channel by the announcer the service is given (the escalations).
"""

from __future__ import annotations

import bisect
import copy
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from incidentdesk.core.errors import DomainError, NoChange
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
from incidentdesk.core.journal.events import NOTE_KINDS, Event
from incidentdesk.core.journal.fold import IncidentState, recorded_milestones
from incidentdesk.core.journal.ids import new_event_id
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
from incidentdesk.core.timefmt import to_micros
from incidentdesk.infra.store.local import StoreError

if TYPE_CHECKING:
    from incidentdesk.app.catalog import CatalogService
    from incidentdesk.app.recorder import Recorder

log = logging.getLogger("incidentdesk.app.desk")


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


class Announcer(Protocol):
    """Who tells an incident's chat channel of a change (the escalations)."""

    def announce_change(self, incident_ref: str, text: str) -> str | None: ...


class Incidents:
    """Commands and queries on incidents.

    Args:
        recorder: records the events (and holds the store and the folds).
        catalog: the service catalog (the teams owning an incident's services).
        announcer: posts severity and status changes to the incident's chat channel.
    """

    def __init__(self, recorder: Recorder, catalog: CatalogService, announcer: Announcer) -> None:
        self._recorder = recorder
        self._folds = recorder.folds
        self.store = recorder.store
        self._catalog = catalog
        self._announcer = announcer

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
        event = self._recorder.record(incident_id, "incident.declared", payload, at, new=True)
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
        return self._recorder.record(incident_id, "note.added", payload, at).id

    def set_severity(self, incident_id: str, code: str, at: datetime | None = None) -> str:
        """Change the severity."""
        sev = parse_severity(code)

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            if state.severity == sev.code:
                raise NoChange(f"The incident is already {sev.code}.")

        payload = {"severity": sev.code}
        event = self._recorder.record(incident_id, "severity.changed", payload, at, check=check)
        self._announce(event.incident_id, f"Severity changed to {sev.code}")
        return event.id

    def set_status(self, incident_id: str, status: str, at: datetime | None = None) -> str:
        """Move the incident along its lifecycle; records the status's milestone."""
        new = parse_status(status)
        when = at or self._recorder.clock()

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            check_status_change(state.status, new)
            recorded = recorded_milestones(state)
            check_milestone_order(milestones_after_status(recorded, new, when))

        event = self._recorder.record(
            incident_id, "status.changed", {"status": new}, when, check=check
        )
        self._announce(event.incident_id, f"Status changed to {STATUS_LABELS[new]}")
        return event.id

    def _announce(self, incident_id: str, text: str) -> None:
        """Tell the incident's chat channel (if any); the change itself is already saved."""
        try:
            self._announcer.announce_change(incident_id, text)
        except (DomainError, StoreError) as exc:
            log.warning("could not post the change to chat: %s", exc)

    def set_milestone(self, incident_id: str, milestone: str, at: datetime | None = None) -> str:
        """Record when a milestone (started, detected, acknowledged, …) happened."""
        name = parse_milestone(milestone)
        when = at or self._recorder.clock()

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            check_milestone_order({**recorded_milestones(state), name: when})

        payload = {"milestone": name}
        return self._recorder.record(incident_id, "milestone.set", payload, when, check=check).id

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
        return self._recorder.record(incident_id, "role.assigned", payload, at, check=check).id

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
        return self._recorder.record(incident_id, "role.released", payload, at, check=check).id

    def correct_note(self, incident_id: str, event_ref: str, text: str) -> str:
        """Correct a note's text; the original stays in the journal."""
        target = self._folds.note_target(incident_id, event_ref)
        payload = {"target": target, "text": text}
        return self._recorder.record(incident_id, "note.corrected", payload, None).id

    def pin(self, incident_id: str, event_ref: str, pinned: bool = True) -> str:
        """Pin (or unpin) a timeline entry."""
        full = self._folds.resolve(incident_id)
        target = self._folds.resolve_event(full, event_ref)

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            if (target in state.pinned) == pinned:
                raise NoChange("That entry is already " + ("pinned." if pinned else "unpinned."))

        payload = {"target": target, "pinned": pinned}
        return self._recorder.record(full, "event.pinned", payload, None, check=check).id

    def set_drill(self, incident_ref: str, drill: bool = True, at: datetime | None = None) -> str:
        """Mark an incident as a drill (left out of the metrics by default), or not."""

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            if state.drill == drill:
                raise NoChange(
                    "The incident is already " + ("a drill." if drill else "not a drill.")
                )

        return self._recorder.record(
            incident_ref, "incident.drill_set", {"drill": drill}, at, check=check
        ).id

    def resolve(self, ref: str) -> str:
        """The full id for an incident id or a unique prefix of at least 6 characters."""
        return self._folds.resolve(ref)

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

    def rows(self, include_closed: bool = False) -> list[dict[str, Any]]:
        """Incident-list rows: active first (worst severity, then newest), then the rest."""
        with self.store.reading() as tx:
            rows = tx.summaries()
        if not include_closed:
            rows = [r for r in rows if r["status"] != "closed"]
        teams = {name.casefold(): team for name, team in self._catalog.service_teams().items()}
        for row in rows:  # the teams owning its services, from the catalog
            owners = (teams.get(s.casefold()) for s in row["services"])
            row["teams"] = list(dict.fromkeys(t for t in owners if t))

        def order(row: dict[str, Any]) -> tuple[int, int, int]:
            started = row["started_at"]
            newest_first = -to_micros(started) if started else 0
            active = 0 if row["status"] in ACTIVE_STATUSES else 1
            return (active, severity(row["severity"]).level if active == 0 else 0, newest_first)

        return sorted(rows, key=order)

    def get(self, incident_ref: str) -> IncidentState:
        """The current state of an incident (id or unique prefix)."""
        folded = self._folds.folded(incident_ref)
        assert folded.state is not None
        return folded.state

    def timeline(self, incident_ref: str) -> list[TimelineEntry]:
        """The incident's journal in the order things happened, in words."""
        folded = self._folds.folded(incident_ref)
        assert folded.state is not None
        return timeline(folded.events, folded.state)

    def snapshot(self, incident_ref: str, after_seq: int = 0) -> IncidentSnapshot:
        """The incident's state and the events that arrived after ``after_seq``."""
        folded = self._folds.folded(incident_ref)
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
        full = self._folds.resolve(incident_ref)
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
