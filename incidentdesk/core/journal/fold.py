"""State is a pure function of the journal: ``fold(events)``.

Events are applied in their total order ``(hlc, device, id)``; a duplicated event is
ignored. Every replica holding the same set of events computes the same state. A role is a
last-writer-wins register: the later assignment (by that order) holds the role.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from incidentdesk.core.escalation import model as escalation
from incidentdesk.core.escalation.model import EscalationState
from incidentdesk.core.incident import links
from incidentdesk.core.incident.lifecycle import ACTIVE_STATUSES, milestones_after_status
from incidentdesk.core.incident.roles import ROLE_BY_KEY
from incidentdesk.core.journal.events import Event
from incidentdesk.core.postmortem import folding as postmortem
from incidentdesk.core.postmortem.model import PostmortemState


@dataclass
class RoleHolder:
    """Someone holding a role (or shadowing it) since a moment."""

    person: str
    since: datetime


@dataclass
class RoleChange:
    """One line of the role board's history."""

    event_id: str
    role: str
    change: str  # assigned | handover | released
    person: str
    previous: str | None
    shadow: bool
    at: datetime
    by: str


@dataclass
class IncidentState:
    """What the journal says about one incident right now."""

    id: str
    declared: bool = False
    title: str = ""
    severity: str = "SEV5"
    status: str = "investigating"
    services: list[str] = field(default_factory=list)
    bridge: str = ""  # where responders talk: a meeting link or a phone number
    impact: str = ""  # what customers notice, in one line
    declared_by: str = ""
    milestones: dict[str, datetime] = field(default_factory=dict)
    roles: dict[str, list[RoleHolder]] = field(default_factory=dict)
    shadows: dict[str, RoleHolder] = field(default_factory=dict)
    role_history: list[RoleChange] = field(default_factory=list)
    pinned: set[str] = field(default_factory=set)
    corrections: dict[str, str] = field(default_factory=dict)
    event_count: int = 0
    note_count: int = 0
    last_key: tuple[int, str, str] | None = None
    last_update_at: datetime | None = None
    drill: bool = False  # an exercise: left out of the metrics by default
    unreadable: int = 0  # events whose payload this version could not apply
    acknowledged_recorded: datetime | None = None  # an explicit `milestone acknowledged`
    # The earliest time the Incident Commander role was taken (not shadowed): kept as the
    # role history grows, so settling Acknowledged does not walk the whole history each time.
    commander_taken_at: datetime | None = None
    escalation: EscalationState = field(default_factory=EscalationState)
    postmortem: PostmortemState = field(default_factory=PostmortemState)

    @property
    def active(self) -> bool:
        """Still being worked: investigating, identified or mitigated."""
        return self.status in ACTIVE_STATUSES

    def holders(self, role: str) -> list[str]:
        """The people holding a role (several only for subject matter experts)."""
        return [h.person for h in self.roles.get(role, [])]

    def shadow_of(self, role: str) -> list[str]:
        """The person shadowing a role, as a list (empty when nobody does)."""
        shadow = self.shadows.get(role)
        return [shadow.person] if shadow else []

    def people(self) -> list[str]:
        """Everyone who has held or shadowed a role, in order of first appearance."""
        seen: dict[str, None] = {}
        for change in self.role_history:
            seen.setdefault(change.person, None)
        return list(seen)


def _declared(state: IncidentState, event: Event) -> None:
    if state.declared:
        return  # a second declaration of the same id cannot happen; ignore it if it does
    p = event.payload
    state.declared = True
    state.title = p["title"]
    state.severity = p["severity"]
    state.services = list(p.get("services", []))
    state.bridge = str(p.get("bridge", ""))
    state.impact = str(p.get("impact", ""))
    state.declared_by = event.author
    state.milestones.setdefault("started_at", event.occurred_at)
    state.milestones.setdefault("detected_at", event.occurred_at)


def _severity(state: IncidentState, event: Event) -> None:
    state.severity = event.payload["severity"]


def _status(state: IncidentState, event: Event) -> None:
    status = event.payload["status"]
    state.milestones = milestones_after_status(state.milestones, status, event.occurred_at)
    state.status = status


def _milestone(state: IncidentState, event: Event) -> None:
    if event.payload["milestone"] == "acknowledged_at":
        state.acknowledged_recorded = event.occurred_at  # settled after the event
        return
    state.milestones[event.payload["milestone"]] = event.occurred_at


# Events that can move the Acknowledged milestone (see settle_acknowledged).
ACKNOWLEDGING_KINDS = frozenset(
    {
        "incident.declared",
        "milestone.set",
        "status.changed",
        "role.assigned",
        "escalation.acknowledged",
    }
)


def settle_acknowledged(state: IncidentState) -> None:
    """Acknowledged is when a responder took the incident: the first of a page acknowledged,
    the Incident Commander role first taken, and an explicit ``milestone acknowledged``
    (each as back-dated). It is kept between Detected and the first of Mitigated and
    Resolved, so the milestones keep their order."""
    candidates = [p.acknowledged_at for p in state.escalation.pages.values()]
    candidates.append(state.commander_taken_at)
    candidates.append(state.acknowledged_recorded)
    known = [c for c in candidates if c is not None]
    if not known:
        state.milestones.pop("acknowledged_at", None)
        return
    moment = min(known)
    later = [state.milestones.get(m) for m in ("mitigated_at", "resolved_at")]
    ceiling = min((m for m in later if m is not None), default=None)
    if ceiling is not None:
        moment = min(moment, ceiling)
    detected = state.milestones.get("detected_at")
    if detected is not None:
        moment = max(moment, detected)
    state.milestones["acknowledged_at"] = moment


def recorded_milestones(state: IncidentState) -> dict[str, datetime]:
    """The milestones as recorded, for checking a new one's order: Acknowledged only when it
    was recorded explicitly (the one derived from roles and pages follows the others)."""
    result = dict(state.milestones)
    result.pop("acknowledged_at", None)
    if state.acknowledged_recorded is not None:
        result["acknowledged_at"] = state.acknowledged_recorded
    return result


def _assigned(state: IncidentState, event: Event) -> None:
    p = event.payload
    role, person, shadow = p["role"], p["person"], p.get("shadow", False)
    holder = RoleHolder(person, event.occurred_at)
    previous: str | None = None
    if shadow:
        old = state.shadows.get(role)
        previous = old.person if old else None
        state.shadows[role] = holder
    elif ROLE_BY_KEY[role].several:
        holders = state.roles.setdefault(role, [])
        if any(h.person == person for h in holders):
            return
        holders.append(holder)
    else:
        current = state.roles.get(role) or []
        previous = current[0].person if current else None
        if previous == person:
            return
        state.roles[role] = [holder]
    change = "handover" if previous and previous != person else "assigned"
    if role == "commander" and not shadow:
        taken, at = state.commander_taken_at, event.occurred_at
        state.commander_taken_at = at if taken is None else min(taken, at)
    state.role_history.append(
        RoleChange(
            event.id, role, change, person, previous, shadow, event.occurred_at, event.author
        )
    )


def _released(state: IncidentState, event: Event) -> None:
    p = event.payload
    role, person, shadow = p["role"], p["person"], p.get("shadow", False)
    if shadow:
        if state.shadows.get(role) and state.shadows[role].person == person:
            del state.shadows[role]
        else:
            return
    else:
        holders = state.roles.get(role, [])
        remaining = [h for h in holders if h.person != person]
        if len(remaining) == len(holders):
            return  # released someone who no longer held it: a stale release changes nothing
        state.roles[role] = remaining
    state.role_history.append(
        RoleChange(
            event.id, role, "released", person, None, shadow, event.occurred_at, event.author
        )
    )


def _note(state: IncidentState, event: Event) -> None:
    state.note_count += 1
    if event.payload.get("pinned"):
        state.pinned.add(event.id)
    if event.payload.get("note_kind") == "update" and (
        state.last_update_at is None or event.occurred_at > state.last_update_at
    ):
        state.last_update_at = event.occurred_at


def _drill(state: IncidentState, event: Event) -> None:
    state.drill = bool(event.payload["drill"])


def _corrected(state: IncidentState, event: Event) -> None:
    state.corrections[event.payload["target"]] = event.payload["text"]


def _pinned(state: IncidentState, event: Event) -> None:
    if event.payload["pinned"]:
        state.pinned.add(event.payload["target"])
    else:
        state.pinned.discard(event.payload["target"])


_APPLY: dict[str, Callable[[IncidentState, Event], None]] = {
    "incident.declared": _declared,
    "severity.changed": _severity,
    "status.changed": _status,
    "milestone.set": _milestone,
    "role.assigned": _assigned,
    "role.released": _released,
    "note.added": _note,
    "note.corrected": _corrected,
    "event.pinned": _pinned,
    "incident.drill_set": _drill,
    **links.APPLY,
}


def _part(
    handler: Callable[[Any, Event], None], part: Callable[[IncidentState], Any]
) -> Callable[[IncidentState, Event], None]:
    return lambda state, event: handler(part(state), event)


for _kind, _esc in escalation.APPLY.items():
    _APPLY[_kind] = _part(_esc, lambda state: state.escalation)
for _kind, _pm in postmortem.APPLY.items():
    _APPLY[_kind] = _part(_pm, lambda state: state.postmortem)


def apply(state: IncidentState, event: Event) -> None:
    """Apply one event that comes after every event already in ``state`` (mutates ``state``).

    Kinds this version does not know (written by a newer version) are counted and otherwise
    ignored, so an older replica keeps working.
    """
    handler = _APPLY.get(event.kind)
    if handler is not None:
        try:
            handler(state, event)
        except (KeyError, TypeError, ValueError, AttributeError):
            # A payload this version cannot read (another client's, a newer release's): the
            # event stays in the journal, counted, and changes nothing; one bad row never
            # stops the fold (or sync) for the whole incident.
            state.unreadable += 1
    if event.kind in ACKNOWLEDGING_KINDS:
        settle_acknowledged(state)
    state.event_count += 1
    state.last_key = (event.hlc, event.device, event.id)  # event.key, without the call


def fold(incident_id: str, events: Iterable[Event]) -> IncidentState:
    """The state of one incident from its events, in any order, duplicates allowed."""
    unique = {e.id: e for e in events if e.incident_id == incident_id}
    state = IncidentState(id=incident_id)
    for event in sorted(unique.values(), key=fold_key):
        apply(state, event)
    return state


# Event.key as a C-level key function: (hlc, device, id) by position in the named tuple.
fold_key = operator.itemgetter(Event._fields.index("hlc"), Event._fields.index("device"), 0)


def state_summary(state: IncidentState) -> dict[str, Any]:
    """The incident-list projection row for a state (plain values only)."""
    commander = state.holders("commander")
    return {
        "id": state.id,
        "title": state.title,
        "severity": state.severity,
        "status": state.status,
        "services": list(state.services),
        "commander": commander[0] if commander else None,
        "started_at": state.milestones.get("started_at"),
        "detected_at": state.milestones.get("detected_at"),
        "acknowledged_at": state.milestones.get("acknowledged_at"),
        "mitigated_at": state.milestones.get("mitigated_at"),
        "resolved_at": state.milestones.get("resolved_at"),
        "drill": state.drill,
        "event_count": state.event_count,
        **_postmortem_summary(state.postmortem),
    }


def _postmortem_summary(pm: PostmortemState) -> dict[str, Any]:
    published = [c.at for c in pm.review_history if c.state == "published"]
    items = [
        {
            "id": item.id,
            "description": item.description,
            "type": item.type,
            "owner": item.owner,
            "due": item.due.isoformat() if item.due else None,
            "priority": item.priority,
            "status": item.status,
        }
        for item in pm.action_items.values()
    ]
    return {
        "postmortem_state": pm.review_state if pm.started else None,
        "postmortem_published_at": min(published) if published else None,
        "open_actions": sum(1 for item in pm.action_items.values() if item.open),
        "action_items": items,
    }
