"""What the journal already knows for a post-mortem: impact window and durations, responders,
the key moments of the timeline, escalations and tracked action items.

Pure: from the folded :class:`~incidentdesk.core.journal.fold.IncidentState` and the timeline
entries. Times are written in UTC with the local time beside them; the local zone is given
(tests and exports pass a fixed one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from incidentdesk.core.incident.roles import ROLE_BY_KEY, ROLES
from incidentdesk.core.incident.timeline import TimelineEntry
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.core.postmortem.model import ITEM_STATUS_LABELS
from incidentdesk.core.timefmt import format_duration

# (label, milestone) measured from the start of the impact.
DURATIONS: tuple[tuple[str, str], ...] = (
    ("Time to detect", "detected_at"),
    ("Time to acknowledge", "acknowledged_at"),
    ("Time to mitigate", "mitigated_at"),
    ("Time to resolve", "resolved_at"),
)
# Kinds that always belong in the post-mortem's timeline.
_TO_FILL = ("Users or accounts affected", "Support requests", "SLO impact")
KEY_KINDS = frozenset({"incident.declared", "severity.changed", "status.changed", "milestone.set"})


@dataclass(frozen=True)
class KeyMoment:
    """One line of the post-mortem's timeline."""

    at: datetime  # UTC
    kind: str
    author: str
    text: str
    event_id: str


@dataclass(frozen=True)
class Prefill:
    """Everything the journal can fill in.

    Attributes:
        durations: (label, "1h 12m") from the start of the impact, for the milestones reached.
        responders: (role label, person) in role order, each person once per role.
        timeline: key moments in the order they happened.
        escalations: escalation moments (empty when nothing was escalated).
        texts: Markdown per prefill kind (``impact``, ``responders``, ``timeline``,
            ``escalations``, ``action_items``), ready to put in a section; empty when the
            journal knows nothing for it.
    """

    durations: tuple[tuple[str, str], ...]
    responders: tuple[tuple[str, str], ...]
    timeline: tuple[KeyMoment, ...]
    escalations: tuple[KeyMoment, ...]
    texts: dict[str, str]


def durations(state: IncidentState) -> tuple[tuple[str, str], ...]:
    """Time from the start of the impact to each milestone reached."""
    started = state.milestones.get("started_at")
    if started is None:
        return ()
    return tuple(
        (label, format_duration(state.milestones[name] - started))
        for label, name in DURATIONS
        if name in state.milestones
    )


def responders(state: IncidentState) -> tuple[tuple[str, str], ...]:
    """Who held (or shadowed) each role at some point, in role-board order."""
    seen: dict[tuple[str, str], None] = {}
    order = {role.key: n for n, role in enumerate(ROLES)}
    changes = [c for c in state.role_history if c.change != "released"]
    for change in sorted(changes, key=lambda c: (order.get(c.role, 99), c.shadow)):
        label = ROLE_BY_KEY[change.role].label if change.role in ROLE_BY_KEY else change.role
        if change.shadow:
            label = f"{label} (shadow)"
        seen.setdefault((label, change.person), None)
    return tuple(seen)


def _is_key(entry: TimelineEntry) -> bool:
    event = entry.event
    if entry.pinned or event.kind in KEY_KINDS or event.kind.startswith("escalation."):
        return True
    if event.kind == "note.added":
        return event.payload.get("note_kind") == "decision"
    if event.kind == "role.assigned":
        p = event.payload
        return bool(p.get("previous")) or (p.get("role") == "commander" and not p.get("shadow"))
    return False


def key_moments(entries: Sequence[TimelineEntry]) -> tuple[KeyMoment, ...]:
    """Pinned entries, declaration, severity and status changes, milestones, decisions,
    commander assignments and handovers, escalations: in the order they happened."""
    return tuple(
        KeyMoment(
            e.event.occurred_at.astimezone(UTC), e.event.kind, e.event.author, e.text, e.event.id
        )
        for e in entries
        if _is_key(e)
    )


def _when(moment: datetime, local_tz: tzinfo | None) -> str:
    utc = moment.astimezone(UTC)
    local = moment.astimezone(local_tz) if local_tz is not None else moment.astimezone()
    return f"{utc:%Y-%m-%d %H:%M} UTC ({local:%H:%M} local)"


def _impact_text(state: IncidentState, local_tz: tzinfo | None) -> str:
    started = state.milestones.get("started_at")
    ended = state.milestones.get("resolved_at") or state.milestones.get("mitigated_at")
    lines = []
    if started is not None:
        end = _when(ended, local_tz) if ended else "ongoing"
        lines.append(f"- Impact window: {_when(started, local_tz)} to {end}")
    if started is not None and ended is not None:
        lines.append(f"- Duration ({state.severity}): {format_duration(ended - started)}")
    lines.extend(f"- {label}: {value}" for label, value in durations(state))
    if state.impact:
        lines.append(f"- Customer impact (during the incident): {state.impact}")
    if state.services:
        lines.append(f"- Services affected: {', '.join(state.services)}")
    lines += [f"- {what}: to be filled in" for what in _TO_FILL]
    return "\n".join(lines)


def _moments_text(moments: Sequence[KeyMoment], local_tz: tzinfo | None, empty: str) -> str:
    if not moments:
        return empty
    return "\n".join(f"- {_when(m.at, local_tz)}: {m.text} ({m.author})" for m in moments)


def _items_text(state: IncidentState) -> str:
    items = sorted(state.postmortem.action_items.values(), key=lambda i: (i.created_at, i.id))
    if not items:
        return ""  # nothing to fill in: the section stays empty until someone writes it
    return "\n".join(
        f"- [{i.type}] {i.description} ({i.owner}, {i.priority}, "
        f"due {i.due.isoformat() if i.due else 'no date'}, {ITEM_STATUS_LABELS[i.status]})"
        for i in items
    )


def prefill(
    state: IncidentState, entries: Sequence[TimelineEntry], local_tz: tzinfo | None = None
) -> Prefill:
    """What the journal fills in (``local_tz``: the zone for local times; the system's when
    None)."""
    moments = key_moments(entries)
    escalations = tuple(m for m in moments if m.kind.startswith("escalation."))
    people = responders(state)
    texts = {
        "impact": _impact_text(state, local_tz),
        "responders": "\n".join(f"- {role}: {person}" for role, person in people)
        or "No roles were recorded.",
        "timeline": _moments_text(moments, local_tz, "No key events were recorded."),
        "escalations": _moments_text(escalations, local_tz, "Nothing was escalated."),
        "action_items": _items_text(state),
    }
    return Prefill(durations(state), people, moments, escalations, texts)
