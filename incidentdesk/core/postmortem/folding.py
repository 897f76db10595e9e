"""The post-mortem's events applied to its state, in fold order (see :mod:`.model`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from incidentdesk.core.postmortem.model import (
    TRANSITIONS,
    Acceptance,
    ActionItem,
    PostmortemState,
    ReviewChange,
    SectionSave,
    SectionState,
)
from incidentdesk.core.postmortem.template import (
    section_from_data,
)

if TYPE_CHECKING:
    from incidentdesk.core.journal.events import Event

Payload = dict[str, Any]


def _apply_started(state: PostmortemState, event: Event) -> None:
    p = event.payload
    if state.started:
        # Two workstations started it at once: the first (by fold order) holds, and the other
        # template's sections join it, so nothing written in them is hidden.
        known = {spec.key for spec in state.section_specs}
        extra = (section_from_data(s, f"section {n}") for n, s in enumerate(p["sections"], 1))
        state.section_specs += tuple(spec for spec in extra if spec.key not in known)
        return
    state.started = True
    state.template = p["template"]
    state.template_name = p["template_name"]
    state.section_specs = tuple(
        section_from_data(s, f"section {n}") for n, s in enumerate(p["sections"], start=1)
    )
    state.started_by = event.author
    state.started_at = event.occurred_at


def _apply_section(state: PostmortemState, event: Event) -> None:
    p = event.payload
    section = state.sections.setdefault(p["section"], SectionState(p["section"]))
    base, merges = p["base"], tuple(p.get("merges", ()))
    save = SectionSave(
        event.id,
        p["text"],
        base,
        merges,
        event.author,
        event.device,
        event.occurred_at,
        bool(p.get("prefilled", False)),
    )
    section.saves[event.id] = save
    if state.review_state == "approved":
        # Edited after the approval (a workstation that had not heard of it yet): what is
        # published must be what was approved, so the review starts again.
        state.approved_by = ()
        state.review_state = "in_review"
        state.review_history.append(
            ReviewChange(
                event.id,
                "in_review",
                state.reviewers,
                "edited after approval",
                state.revision,
                event.author,
                event.occurred_at,
            )
        )
    base_text = section.saves[base].text if base in section.saves else ""
    # Heads this save supersedes: its base, what it merges, and heads with the base's text
    # (identical concurrent saves are one version, not a conflict).
    gone = {base, *merges}
    section.heads = [
        h for h in section.heads if h not in gone and section.saves[h].text != base_text
    ]
    section.heads.append(event.id)


def _apply_item(state: PostmortemState, event: Event) -> None:
    p = event.payload
    old = state.action_items.get(p["item"])
    state.action_items[p["item"]] = ActionItem(
        id=p["item"],
        description=p["description"],
        type=p["type"],
        owner=p["owner"],
        due=None if p["due"] is None else date.fromisoformat(p["due"]),
        priority=p["priority"],
        status=p["status"],
        tracker_url=p.get("tracker_url"),
        note=p.get("note") or (old.note if old else None),
        created_by=old.created_by if old else event.author,
        created_at=old.created_at if old else event.occurred_at,
        updated_by=event.author,
        updated_at=event.occurred_at,
    )


def _apply_review(state: PostmortemState, event: Event) -> None:
    p = event.payload
    new = p["state"]
    if p["revision"] != state.revision:
        return  # a step on a revision that has since been superseded
    if new not in TRANSITIONS[state.review_state]:
        return  # taken from a state that no longer holds (a stale replica): no effect
    if new == "approved" and event.author not in state.reviewers:
        return  # not (or no longer) a named reviewer
    if new == "in_review" and p["reviewers"]:
        state.reviewers = tuple(p["reviewers"])
    if new == "approved":
        if event.author not in state.approved_by:
            state.approved_by = (*state.approved_by, event.author)
    elif new in ("draft", "in_review", "not_required"):
        state.approved_by = ()
    if new == "published":
        state.published_text = {k: s.text for k, s in state.sections.items()}
    _step(state, event, new, tuple(p["reviewers"]))


def _apply_revision(state: PostmortemState, event: Event) -> None:
    p = event.payload
    if p["revision"] <= state.revision:
        return  # another workstation already started this revision
    state.revision = p["revision"]
    state.approved_by = ()
    _step(state, event, "draft", state.reviewers)


def _step(state: PostmortemState, event: Event, new: str, reviewers: tuple[str, ...]) -> None:
    """Enter review state ``new`` and keep the step in the history."""
    p = event.payload
    state.review_state = new
    change = ReviewChange(
        event.id, new, reviewers, p.get("reason"), p["revision"], event.author, event.occurred_at
    )
    state.review_history.append(change)


def _apply_accepted(state: PostmortemState, event: Event) -> None:
    p = event.payload
    state.accepted.append(
        Acceptance(
            event.id,
            p["section"],
            p["rule"],
            p["text"],
            p["start"],
            p["reason"],
            event.author,
            event.occurred_at,
        )
    )


# How each kind changes the state; merged into fold's handlers.
APPLY: dict[str, Callable[[PostmortemState, Event], None]] = {
    "postmortem.started": _apply_started,
    "postmortem.section_saved": _apply_section,
    "action_item.saved": _apply_item,
    "review.state_changed": _apply_review,
    "postmortem.revision_started": _apply_revision,
    "postmortem.finding_accepted": _apply_accepted,
}
