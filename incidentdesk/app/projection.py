"""What the journal's projections keep beside each event: the search index."""

from __future__ import annotations

from incidentdesk.core.journal.events import Event
from incidentdesk.infra.store.local import StoreTxn

SEARCHABLE = {"incident.declared": "title", "note.added": "text", "note.corrected": "text"}


def index_event(tx: StoreTxn, event: Event) -> None:
    """Keep the search index with the journal, in the same transaction.

    A post-mortem section save replaces the text of the save(s) it was based on (two saves
    on one base, a conflict, both stay findable); an action item's save replaces its last.
    """
    p = event.payload
    field = SEARCHABLE.get(event.kind)
    if field is not None:
        target = p.get("target") if event.kind == "note.corrected" else None
        tx.index_text(event.incident_id, str(target or event.id), str(p[field]))
    elif event.kind == "postmortem.section_saved":
        rank = fold_rank(event)
        tx.unindex([str(k) for k in (p.get("base"), *p.get("merges", ())) if k], rank)
        if p["text"].strip():
            tx.index_replaceable(event.id, event.incident_id, event.id, p["text"], rank)
    elif event.kind == "action_item.saved":
        tx.index_replaceable(
            p["item"], event.incident_id, event.id, p["description"], fold_rank(event)
        )


def fold_rank(event: Event) -> str:
    """The event's place in fold order as text that sorts the same way."""
    return f"{event.hlc:020d}|{event.device}|{event.id}"
