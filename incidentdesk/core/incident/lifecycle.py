"""Incident status lifecycle and milestones.

investigating → identified → mitigated (monitoring) → resolved → closed.
Moving forward may skip steps. Moving back (the fix did not hold) is a reopen: the
milestones of the later statuses are cleared, while the journal keeps their history.
A closed incident cannot change status.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from incidentdesk.core.errors import DomainError, NoChange
from incidentdesk.core.incident.statuses import MILESTONES as MILESTONES
from incidentdesk.core.incident.statuses import STATUSES as STATUSES
from incidentdesk.core.timefmt import format_utc

STATUS_LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "mitigated": "Mitigated (monitoring)",
    "resolved": "Resolved",
    "closed": "Closed",
}
ACTIVE_STATUSES = frozenset({"investigating", "identified", "mitigated"})

# Reaching a status records its milestone (if not recorded already).
STATUS_MILESTONE = {"mitigated": "mitigated_at", "resolved": "resolved_at"}
_ALIASES = {"monitoring": "mitigated", "investigate": "investigating", "resolve": "resolved"}


def parse_status(text: str) -> str:
    """Accept a status name (any case; ``monitoring`` means mitigated).

    Raises:
        DomainError: anything else.
    """
    raw = str(text).strip().lower()
    raw = _ALIASES.get(raw, raw)
    if raw in STATUSES:
        return raw
    raise DomainError(f"'{text}' is not a status; use one of {', '.join(STATUSES)}.")


def parse_milestone(text: str) -> str:
    """Accept ``detected``, ``detected_at`` or ``detected-at``.

    Raises:
        DomainError: anything else.
    """
    raw = str(text).strip().lower().replace("-", "_")
    name = raw if raw.endswith("_at") else f"{raw}_at"
    if name in MILESTONES:
        return name
    names = ", ".join(m.removesuffix("_at") for m in MILESTONES)
    raise DomainError(f"'{text}' is not a milestone; use one of {names}.")


def status_rank(status: str) -> int:
    """Position of a status in the lifecycle (0 = investigating)."""
    return STATUSES.index(status)


def check_status_change(current: str, new: str) -> None:
    """Refuse a status change the lifecycle does not allow.

    Raises:
        DomainError: the incident is closed, or already has that status.
    """
    if new == current:
        raise NoChange(f"The incident is already {STATUS_LABELS[current].lower()}.")
    if current == "closed":
        raise DomainError("The incident is closed; its status can no longer change.")


def milestones_after_status(
    milestones: Mapping[str, datetime], new_status: str, at: datetime
) -> dict[str, datetime]:
    """The milestones once the status becomes ``new_status`` at ``at``."""
    result = dict(milestones)
    rank = status_rank(new_status)
    for status, later in STATUS_MILESTONE.items():
        if status_rank(status) > rank:
            result.pop(later, None)  # reopened: the later milestone no longer holds
    # Closing an unresolved incident resolves it.
    reached = "resolved_at" if new_status == "closed" else STATUS_MILESTONE.get(new_status)
    if reached and reached not in result:
        result[reached] = at
    return result


def check_milestone_order(milestones: Mapping[str, datetime]) -> None:
    """Each milestone must be no earlier than the one before it.

    Raises:
        DomainError: naming the two milestones that are out of order.
    """
    previous: tuple[str, datetime] | None = None
    for name in MILESTONES:
        moment = milestones.get(name)
        if moment is None:
            continue
        if previous and moment < previous[1]:
            raise DomainError(
                f"{_label(name)} ({format_utc(moment)}) would be earlier than "
                f"{_label(previous[0])} ({format_utc(previous[1])}); milestones must keep "
                "their order."
            )
        previous = (name, moment)


def _label(milestone: str) -> str:
    return milestone.removesuffix("_at").capitalize()
