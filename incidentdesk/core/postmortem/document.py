"""A post-mortem as a finished document: what the exports (Markdown, HTML, PDF) render.

Plain immutable data, built from the journal by the Desk (``Desk.postmortems.document``) and
rendered by ``incidentdesk.infra.export``. Same data in, same bytes out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import datetime
from typing import Any

from incidentdesk.core.text import reveal


@dataclass(frozen=True)
class DocSection:
    """One section: its title and the team's text (CommonMark Markdown)."""

    key: str
    title: str
    text: str
    required: bool = False


@dataclass(frozen=True)
class DocTimelineRow:
    """One timeline line: when (UTC), what kind, who, and what."""

    at: datetime
    kind: str
    author: str
    text: str


@dataclass(frozen=True)
class DocActionItem:
    """One follow-up action."""

    description: str
    type: str  # mitigate | prevent | detect | process
    owner: str
    due: str | None  # ISO date (YYYY-MM-DD) or None
    priority: str  # such as P1..P4
    status: str  # open | in progress | done | won't do
    tracker_url: str | None = None


@dataclass(frozen=True)
class PostmortemDocument:
    """Everything an export shows, in order."""

    incident_id: str
    title: str
    severity: str
    status: str
    template: str  # the template's display name
    review_state: str  # draft | in review | approved | published | not required
    revision: int
    reviewers: tuple[str, ...]
    approved_by: tuple[str, ...]
    started_at: datetime | None
    resolved_at: datetime | None
    durations: tuple[tuple[str, str], ...]  # ("Time to acknowledge", "12 min"), …
    responders: tuple[tuple[str, str], ...]  # (role label, person), …
    sections: tuple[DocSection, ...]
    timeline: tuple[DocTimelineRow, ...]
    action_items: tuple[DocActionItem, ...]
    generated_by: str = "IncidentDesk"
    services: tuple[str, ...] = field(default_factory=tuple)
    impact: str = ""  # the customer impact line, as last set during the incident
    bridge: str = ""  # the bridge link responders used


def revealed(doc: PostmortemDocument) -> PostmortemDocument:
    """``doc`` with every piece of text passed through :func:`core.text.reveal`: a
    right-to-left override or a zero-width character in a title, note or section shows as
    a marker such as ``⟨U+202E⟩`` in every export instead of reordering or hiding text."""
    return _reveal_value(doc)  # type: ignore[no-any-return]


def _reveal_value(value: Any) -> Any:
    if isinstance(value, str):
        return reveal(value)
    if isinstance(value, tuple):
        return tuple(_reveal_value(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _reveal_value(getattr(value, f.name)) for f in fields(value)}
        return replace(value, **changes)
    return value
