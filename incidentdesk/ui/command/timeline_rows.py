"""The timeline's rows, made from events without Qt, so the store worker can make them.

Opening an incident of 100,000 events makes 100,000 rows: describing each entry, its kind
and its place in the order. That work is plain Python, so it runs on the store worker with
the read (:func:`prepare`), and the GUI thread only splices finished rows into its model, a
batch at a time (``TimelineModel.insert_prepared``).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from incidentdesk.core.escalation.page_status import PAGE_OUTCOME_KINDS, delivery_id
from incidentdesk.core.gc_pause import paused_gc
from incidentdesk.core.incident.timeline import describe, on_timeline
from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.fold import fold_key
from incidentdesk.core.journal.provenance import Identities, shown_recorder
from incidentdesk.core.timefmt import to_micros

HIDDEN_KINDS = frozenset({"note.corrected", "event.pinned"})
# Events that change a row they point at: corrections, pins, and an action item made from
# a note (which links that note's row to the item).
EFFECT_KINDS = HIDDEN_KINDS | {"action_item.saved"}

_EVENT_KIND = {
    "incident.declared": "declared",
    "severity.changed": "severity",
    "status.changed": "status",
    "milestone.set": "milestone",
    "role.assigned": "role",
    "role.released": "role",
    **{
        kind: "escalation"
        for kind in (
            "escalation.requested",
            "escalation.sent",
            "escalation.failed",
            "escalation.acknowledged",
            "escalation.resolved",
            "chat.requested",
            "chat.sent",
            "chat.failed",
        )
    },
}

SortKey = tuple[int, int, str, str]
_SORT_KEY = operator.attrgetter("sort_key")  # a row's place, as a C-level key function


@dataclass(slots=True)
class TimelineRow:
    """One visible entry (mutable: a later correction or pin changes it)."""

    event: Event
    kind: str
    text: str
    sort_key: SortKey
    original_text: str | None = None
    pinned: bool = False
    clock: tuple[bool, str] | None = None  # (utc, text) of the time cell, made once
    item_id: str | None = None  # the action item made from this note, if any
    recorder: str | None = None  # shown beside the author (see core/provenance.py)
    details: str | None = None  # a page's row: every delivery attempt (the tooltip)
    page_id: str | None = None  # a page's or chat post's row: its escalation or post id


@dataclass
class PreparedRows:
    """Rows made from some events, ready for the model (see :func:`prepare`).

    Attributes:
        rows: the events' own rows, in timeline order, with the events' corrections, pins
            and action items among them already applied.
        outcomes: the pages' and chat posts' attempts and answers (they update a row).
        effects: every correction, pin and action item among the events (and the extra
            ones given), in fold order: the model applies them to the rows it already
            holds (``rows`` have theirs applied).
        seq: the journal position the events reach.
    """

    rows: list[TimelineRow]
    outcomes: list[Event] = field(default_factory=list)
    effects: list[Event] = field(default_factory=list)
    seq: int = 0


def sort_key(event: Event) -> SortKey:
    """Where an entry sorts: when it happened, then the fold order."""
    return (to_micros(event.occurred_at), event.hlc, event.device, event.id)


def shown(event: Event) -> bool:
    """An entry of its own (not a correction or pin of another, not a page's or chat post's
    attempt or answer — those update its row — nor a post-mortem edit)."""
    return (
        event.kind not in HIDDEN_KINDS
        and event.kind not in PAGE_OUTCOME_KINDS
        and on_timeline(event)
    )


def effect_target(event: Event) -> str | None:
    """The id of the entry an effect changes (the note an action item was made from)."""
    key = "note" if event.kind == "action_item.saved" else "target"
    target = event.payload.get(key)
    return None if target is None else str(target)


def filter_kind(event: Event) -> str:
    """The kind a person filters by: a note's own kind, else the event's family."""
    if event.kind == "note.added":
        return str(event.payload.get("note_kind", "note"))
    return _EVENT_KIND.get(event.kind, "note")


def make_row(event: Event, identities: Identities) -> TimelineRow:
    """The row of one shown event (a page's row is described by the model, which holds its
    attempts)."""
    page_id = delivery_id(event)
    return TimelineRow(
        event,
        filter_kind(event),
        describe(event),
        sort_key(event),
        pinned=bool(event.kind == "note.added" and event.payload.get("pinned")),
        recorder=shown_recorder(event, identities) if event.recorded_by else None,
        page_id=None if page_id is None else str(page_id),
    )


def apply_effect(row: TimelineRow, event: Event) -> None:
    """Change a row by a correction, a pin or an action item made from it."""
    if event.kind == "action_item.saved":
        row.item_id = str(event.payload["item"])
    elif event.kind == "note.corrected":
        if row.original_text is None:
            row.original_text = row.text
        row.text = str(event.payload["text"])
    else:
        row.pinned = bool(event.payload["pinned"])


def prepare(
    events: Sequence[Event],
    identities: Identities,
    seq: int = 0,
    extra_effects: Iterable[Event] = (),
) -> PreparedRows:
    """The rows of some events, sorted, their own effects applied (plain Python: runs on
    the store worker). ``extra_effects`` (the incident's corrections and pins read with
    its latest entries) are applied too where they target one of these rows."""
    with paused_gc():
        rows = [make_row(e, identities) for e in events if shown(e)]
        rows.sort(key=_SORT_KEY)
    by_id = {r.event.id: r for r in rows}
    outcomes = [e for e in events if e.kind in PAGE_OUTCOME_KINDS]
    own = (e for e in events if e.kind in EFFECT_KINDS)
    effects = sorted({e.id: e for e in (*extra_effects, *own)}.values(), key=fold_key)
    for event in effects:
        target = by_id.get(str(effect_target(event)))
        if target is not None:
            apply_effect(target, event)
    return PreparedRows(rows, outcomes, effects, seq)
