"""The folded incidents this process holds, and the way ids and prefixes are resolved.

Every service reads an incident's state through one :class:`Folds`: it brings its cached fold
up to date with the journal (one index lookup when nothing changed) and is shared by every
service of a Desk, and by the Desks of other authors made with
:meth:`incidentdesk.app.desk.Desk.with_author`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from incidentdesk.core.errors import Ambiguous, DomainError, NotFound
from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.fold import IncidentState, apply, fold, fold_key
from incidentdesk.infra.store.local import LocalStore, StoreTxn

MIN_PREFIX = 6


@dataclass
class Folded:
    """One incident's events and state as of ``seq`` (this process's cache)."""

    seq: int = 0
    events: list[Event] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)  # each event's seq, in arrival order
    state: IncidentState | None = None


class Folds:
    """The cache of folded incidents over one local store.

    Args:
        store: the local journal.
    """

    def __init__(self, store: LocalStore) -> None:
        self.store = store
        self.cache: dict[str, Folded] = {}

    def resolve(self, ref: str) -> str:
        """The full id for an incident id or a unique prefix of at least 6 characters."""
        prefix = _prefix(ref, "incident")
        with self.store.reading() as tx:
            matches = tx.incident_ids_like(prefix)
        return _one(matches, ref, "incident", "incidents")

    def resolve_event(self, incident_id: str, ref: str) -> str:
        """The full id of an entry of the incident from its id or a unique prefix."""
        prefix = _prefix(ref, "entry")
        with self.store.reading() as tx:
            matches = tx.event_ids_like(incident_id, prefix)
        return _one(matches, ref, "entry in this incident", "entries")

    def note_target(self, incident_ref: str, event_ref: str) -> str:
        """The full id of a note of the incident (refused: an entry that is not a note)."""
        full = self.resolve(incident_ref)
        target = self.resolve_event(full, event_ref)
        state_events = {e.id: e for e in self.events(full)}
        if state_events[target].kind != "note.added":
            raise DomainError("Only notes can be corrected; that entry is not a note.")
        return target

    def folded(self, incident_ref: str) -> Folded:
        """The incident's fold, up to date (id or unique prefix)."""
        full = self.resolve(incident_ref)
        with self.store.reading() as tx:
            return self.catch_up(tx, full)

    def state(self, incident_ref: str) -> IncidentState:
        """The current state of an incident (id or unique prefix)."""
        folded = self.folded(incident_ref)
        assert folded.state is not None
        return folded.state

    def events(self, incident_id: str) -> list[Event]:
        """The incident's events in arrival order (a full id)."""
        with self.store.reading() as tx:
            return self.catch_up(tx, incident_id).events

    def catch_up(self, tx: StoreTxn, incident_id: str) -> Folded:
        """Bring the cached fold of one incident up to date with the journal."""
        folded = self.cache.setdefault(incident_id, Folded())
        rows = tx.events(incident_id, folded.seq)
        new = [e for _s, e in rows]
        if folded.state is not None and not new:
            return folded
        state = folded.state
        if state is None:  # the first read (fold sorts)
            state = fold(incident_id, new)
        else:
            new.sort(key=fold_key)
            if state.last_key is None or new[0].key > state.last_key:
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
            self.cache.pop(incident_id, None)
            raise NotFound(f"There is no incident {incident_id}.")
        return folded

    def forget(self) -> None:
        """Drop every cached fold (the journal's projections were rebuilt)."""
        self.cache.clear()


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
