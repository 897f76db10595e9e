"""A post-mortem as a finished document: what the exports (Markdown, HTML, PDF) render.

Plain immutable data, built from the journal by the Desk (``Desk.postmortem_document``) and
rendered by ``incidentdesk.export``. Same data in, same bytes out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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
