"""The post-mortem part of an incident's state, folded from its journal events.

Event kinds:

- ``postmortem.started``: ``template``, ``template_name`` and ``sections`` (a snapshot of
  the template's sections, so a later change of the template file changes nothing here).
- ``postmortem.section_saved``: ``section``, ``text`` (may be empty), ``base`` (the id of
  the save it was based on, or null for the first one) and ``merges`` (other saves this one
  merges, when resolving a conflict).
- ``action_item.saved``: the whole item (``item``, ``description``, ``type``, ``owner``
  (empty while nobody has taken it), ``due``, ``priority``, ``status``, ``tracker_url``,
  and ``note``: the timeline note it was made from, or null); the later save by fold order
  wins.
- ``review.state_changed``: ``state``, ``reviewers``, ``reason``, ``revision``.
- ``postmortem.revision_started``: ``revision``, ``reason``: a published post-mortem goes
  back to draft as the next revision.
- ``postmortem.finding_accepted``: ``section``, ``rule``, ``text``, ``start``, ``reason``.

Sections are a small version graph. Each save names its base; the section's *heads* are the
saves nothing has been based on since. One head: that is the text. Two heads with different
text (two workstations, or a stale editor, saved on the same base): a **conflict**; both are
kept and the section's text stays at their common ancestor until a save based on one head
that ``merges`` the others resolves it. Every replica folds in the same order, so every
replica sees the same conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from incidentdesk.core.errors import DomainError
from incidentdesk.core.postmortem.template import (
    TemplateSection,
)
from incidentdesk.core.text import clean_text

if TYPE_CHECKING:
    pass

Payload = dict[str, Any]

SECTION_TEXT_MAX = 100_000
DESCRIPTION_MAX = 1_000
REASON_MAX = 2_000
URL_MAX = 2_000
MAX_REVIEWERS = 20
MAX_MERGES = 20

ACTION_TYPES: tuple[str, ...] = ("mitigate", "prevent", "detect", "process")
PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")
ITEM_STATUSES: tuple[str, ...] = ("open", "in_progress", "done", "wont_do")
ITEM_STATUS_LABELS = {
    "open": "open",
    "in_progress": "in progress",
    "done": "done",
    "wont_do": "won't do",
}
OPEN_ITEM_STATUSES = frozenset({"open", "in_progress"})
REVIEW_STATES: tuple[str, ...] = ("draft", "in_review", "approved", "published", "not_required")
# The review workflow: from each state, the states one may move to. The fold enforces it too:
# a step a stale replica took from a state that no longer holds is ignored.
TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    "draft": ("in_review", "not_required"),
    "in_review": ("approved", "draft", "not_required"),
    "approved": ("published", "draft", "in_review"),
    "published": (),  # only a new revision (``postmortem.revision_started``)
    "not_required": ("draft",),
}

REVIEW_LABELS = {
    "draft": "draft",
    "in_review": "in review",
    "approved": "approved",
    "published": "published",
    "not_required": "not required",
}
# Days until an action item is due, by the incident's severity (the profile may override).
DEFAULT_DUE_DAYS: Mapping[str, int] = {"SEV1": 7, "SEV2": 14, "SEV3": 30, "SEV4": 60, "SEV5": 60}


# ----------------------------------------------------------------- state


@dataclass(frozen=True)
class SectionSave:
    """One save of a section's text."""

    id: str
    text: str
    base: str | None
    merges: tuple[str, ...]
    author: str
    device: str
    at: datetime
    prefilled: bool = False  # the journal's text, as starting the post-mortem filled it in


@dataclass(frozen=True)
class SectionConflict:
    """Saves made on the same base that nobody has merged yet.

    Attributes:
        base_id: the common ancestor's save id (None: the empty section).
        base_text: the common ancestor's text.
        heads: the competing saves, in fold order (each has text, author, device and id).
    """

    base_id: str | None
    base_text: str
    heads: tuple[SectionSave, ...]


@dataclass
class SectionState:
    """A section's saves and its current heads (ids, in fold order)."""

    key: str
    saves: dict[str, SectionSave] = field(default_factory=dict)
    heads: list[str] = field(default_factory=list)

    @property
    def conflict(self) -> SectionConflict | None:
        """The open conflict, or None when the section has one text."""
        if len({self.saves[h].text for h in self.heads}) < 2:
            return None
        base = self._common_ancestor()
        heads = tuple(self.saves[h] for h in self.heads)
        return SectionConflict(base, self.saves[base].text if base else "", heads)

    @property
    def head(self) -> str | None:
        """The id to name as ``base`` for the next save (the newest head)."""
        return self.heads[-1] if self.heads else None

    @property
    def text(self) -> str:
        """The current text: the head's, or the common ancestor's while in conflict."""
        if not self.heads:
            return ""
        if self.conflict is None:
            return self.saves[self.heads[-1]].text
        base = self._common_ancestor()
        return self.saves[base].text if base else ""

    def _ancestors(self, save_id: str) -> list[str]:
        chain: list[str] = []
        current: str | None = save_id
        while current is not None and current in self.saves and current not in chain:
            chain.append(current)
            current = self.saves[current].base
        return chain

    def _common_ancestor(self) -> str | None:
        common: list[str] | None = None
        for head in self.heads:
            chain = self._ancestors(head)
            common = chain if common is None else [a for a in common if a in chain]
        return common[0] if common else None


@dataclass
class ActionItem:
    """A follow-up action as last saved."""

    id: str
    description: str
    type: str
    owner: str
    due: date | None
    priority: str
    status: str
    tracker_url: str | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    note: str | None = None  # the timeline note it was made from, if any

    @property
    def open(self) -> bool:
        """Still to be done: open or in progress."""
        return self.status in OPEN_ITEM_STATUSES

    def overdue(self, today: date) -> bool:
        """Open or in progress and due before ``today``."""
        return self.open and self.due is not None and self.due < today


@dataclass(frozen=True)
class Acceptance:
    """A blameless finding kept on purpose, with the reason."""

    event_id: str
    section: str
    rule_id: str
    text: str
    start: int
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class ReviewChange:
    """One step of the review workflow."""

    event_id: str
    state: str
    reviewers: tuple[str, ...]
    reason: str | None
    revision: int
    by: str
    at: datetime


@dataclass
class PostmortemState:
    """What the journal says about the incident's post-mortem."""

    started: bool = False
    template: str = ""
    template_name: str = ""
    section_specs: tuple[TemplateSection, ...] = ()
    started_by: str = ""
    started_at: datetime | None = None
    sections: dict[str, SectionState] = field(default_factory=dict)
    action_items: dict[str, ActionItem] = field(default_factory=dict)
    review_state: str = "draft"
    reviewers: tuple[str, ...] = ()
    approved_by: tuple[str, ...] = ()
    revision: int = 1
    review_history: list[ReviewChange] = field(default_factory=list)
    accepted: list[Acceptance] = field(default_factory=list)
    published_text: dict[str, str] = field(default_factory=dict)  # the texts as published

    def section(self, key: str) -> SectionState:
        """A section's state (an empty one if it was never saved)."""
        return self.sections.get(key) or SectionState(key)

    def conflicts(self) -> dict[str, SectionConflict]:
        """The sections with an open conflict."""
        found = {key: s.conflict for key, s in self.sections.items()}
        return {key: c for key, c in found.items() if c is not None}

    @property
    def read_only(self) -> bool:
        """Published: the sections no longer change (a new revision starts a new draft)."""
        return self.review_state == "published"


# ----------------------------------------------------------------- pure helpers


def default_due(
    severity_code: str, from_day: date, due_days: Mapping[str, int] | None = None
) -> date:
    """The default due date of an action item made on ``from_day`` for that severity."""
    days = (due_days or DEFAULT_DUE_DAYS).get(
        severity_code, DEFAULT_DUE_DAYS.get(severity_code, 30)
    )
    return from_day + timedelta(days=int(days))


def parse_choice(value: Any, allowed: tuple[str, ...], what: str) -> str:
    """Accept a key or its label in any case (``In progress``, ``won't do``, ``in-review``).

    Raises:
        DomainError: anything else, listing the choices.
    """
    raw = str(value).strip().lower().replace("'", "").replace("’", "")
    raw = raw.replace("-", "_").replace(" ", "_")
    for choice in allowed:
        if raw == choice.lower():
            return choice
    raise DomainError(f"'{value}' is not a valid {what}; use one of {', '.join(allowed)}.")


def parse_due(value: Any) -> date | None:
    """An ISO date (``2026-12-01``), a ``date``, or None.

    Raises:
        DomainError: anything else.
    """
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise DomainError(f"'{value}' is not a due date; use YYYY-MM-DD, for example 2026-12-01.")


def clean_url(value: Any) -> str | None:
    """A tracker link: http or https only, or None when empty.

    Raises:
        DomainError: another scheme, no host, spaces or control characters, too long.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise DomainError("The tracker URL must be text.")
    url = value.strip()
    if len(url) > URL_MAX:
        raise DomainError(f"The tracker URL is longer than {URL_MAX:,} characters.")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise DomainError("The tracker URL contains a space or a control character.")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise DomainError(f"'{url}' is not a valid tracker URL.") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise DomainError("The tracker URL must start with http:// or https:// and name a host.")
    return url


def clean_section_text(value: Any) -> str:
    """A section's text: Markdown, several lines, may be empty (a cleared section)."""
    if isinstance(value, str):
        if not value.strip():
            return ""
        # Line breaks as word processors paste them (vertical tab, form feed, CR) are breaks.
        value = value.replace("\r\n", "\n").translate(_PASTED_BREAKS)
    return clean_text(value, what="section text", max_chars=SECTION_TEXT_MAX, multiline=True)


_PASTED_BREAKS = str.maketrans({"\v": "\n", "\f": "\n", "\r": "\n", "\u2028": "\n"})
