"""The timeline: the journal of one incident, in the order things happened, in words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from incidentdesk.core.escalation import model as escalation
from incidentdesk.core.incident import links
from incidentdesk.core.incident.lifecycle import STATUS_LABELS
from incidentdesk.core.incident.roles import ROLE_BY_KEY
from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.fold import IncidentState


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline as people read it."""

    event: Event
    text: str
    original_text: str | None  # set when the entry was corrected
    pinned: bool


def describe(event: Event) -> str:
    """A one-line human description of an event."""
    p = event.payload
    kind = event.kind
    if kind == "note.added":
        return str(p["text"])
    if kind == "incident.declared":
        services = f" (services: {', '.join(p['services'])})" if p.get("services") else ""
        return f"Declared {p['severity']}: {p['title']}{services}"
    if kind == "severity.changed":
        return f"Severity changed to {p['severity']}"
    if kind == "status.changed":
        return f"Status changed to {STATUS_LABELS[p['status']]}"
    if kind == "milestone.set":
        return f"Milestone {p['milestone'].removesuffix('_at')} recorded"
    if kind in ("role.assigned", "role.released"):
        return _describe_role(event)
    if kind == "note.corrected":
        return f"Corrected an entry: {p['text']}"
    if kind == "event.pinned":
        return "Pinned an entry" if p["pinned"] else "Unpinned an entry"
    if kind == "incident.drill_set":
        return "Marked as a drill" if p["drill"] else "No longer marked as a drill"
    return links.describe(event) or escalation.describe(event) or kind


def _describe_role(event: Event) -> str:
    p = event.payload
    label = ROLE_BY_KEY[p["role"]].label
    person = p["person"]
    if event.kind == "role.released":
        return (
            f"{person} stopped shadowing {label}"
            if p.get("shadow")
            else (f"{person} released {label}")
        )
    if p.get("shadow"):
        return f"{person} shadows {label}"
    previous = p.get("previous")
    if previous and previous != person:
        return f"{label} handed over from {previous} to {person}"
    return f"{person} is {label}"


# The post-mortem's own events (section saves, action items, review steps) are in the journal
# (the audit log) but not on the incident's timeline: they are the learning after the fact.
OFF_TIMELINE_PREFIXES: tuple[str, ...] = ("postmortem.", "action_item.", "review.")


def on_timeline(event: Event) -> bool:
    """Whether an event belongs on the incident's timeline."""
    return not event.kind.startswith(OFF_TIMELINE_PREFIXES)


def timeline(events: Iterable[Event], state: IncidentState) -> list[TimelineEntry]:
    """Entries in the order things happened (back-dated entries sort into place)."""
    ordered = sorted((e for e in events if on_timeline(e)), key=lambda e: (e.occurred_at, e.key))
    entries = []
    for event in ordered:
        text = describe(event)
        original = None
        corrected = state.corrections.get(event.id)
        if corrected is not None:
            original, text = text, corrected
        entries.append(TimelineEntry(event, text, original, event.id in state.pinned))
    return entries
