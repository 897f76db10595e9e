"""Reminders for the commander: key roles left unfilled, stakeholder updates falling due.

Pure: a reminder list is a function of an incident's state, the current time and the update
cadence per severity. The UI re-evaluates it every second; nothing here is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Literal

from incidentdesk.core.incident.roles import ROLES
from incidentdesk.core.incident.severity import severity
from incidentdesk.core.journal.fold import IncidentState

ReminderKind = Literal["role_unfilled", "update_due"]
ReminderLevel = Literal["warning", "critical"]

# How often stakeholders hear from a major incident. Other severities have no timer unless
# configured: an update cadence for a SEV4 would be noise.
DEFAULT_UPDATE_INTERVALS: Mapping[str, timedelta] = MappingProxyType(
    {"SEV1": timedelta(minutes=30), "SEV2": timedelta(minutes=60)}
)


@dataclass(frozen=True)
class Reminder:
    """Something the commander should do now.

    Attributes:
        kind: ``role_unfilled`` or ``update_due``.
        message: one line for the banner, such as ``No Scribe — assign one``.
        level: how urgent, for styling: ``critical`` for a major incident without a
            commander, or an update missed by more than a whole interval; else ``warning``.
        due_at: since when it has been due (the role became empty, the update fell due).
        role: the role key for ``role_unfilled`` (``commander``, ``scribe``); else None.
    """

    kind: ReminderKind
    message: str
    level: ReminderLevel
    due_at: datetime
    role: str | None = None


def reminders(
    state: IncidentState,
    now: datetime,
    intervals: Mapping[str, timedelta] = DEFAULT_UPDATE_INTERVALS,
) -> list[Reminder]:
    """What is due on an incident at ``now``: unfilled key roles first, then the update.

    Args:
        state: the incident's folded state.
        now: the current time (timezone-aware).
        intervals: the update cadence per severity code (``SEV1`` → 30 minutes); a severity
            missing from it, or mapped to a zero interval, has no update timer.

    Returns:
        One reminder per unfilled key role (in role-board order), then at most one
        ``update_due``. Empty for an incident that is not declared or no longer active.
    """
    if not state.declared or not state.active:
        return []
    found = [_role_reminder(state, role.key, role.label) for role in ROLES if role.key_role]
    result = [r for r in found if r is not None]
    update = _update_reminder(state, now, intervals)
    if update is not None:
        result.append(update)
    return result


def next_update_due(
    state: IncidentState, intervals: Mapping[str, timedelta] = DEFAULT_UPDATE_INTERVALS
) -> datetime | None:
    """When the next stakeholder update is due, or None (no timer for this severity).

    The clock runs from the latest ``update`` note, or from the start when there is none;
    posting an update restarts it.
    """
    interval = intervals.get(state.severity)
    start = last_update_or_start(state)
    if interval is None or interval <= timedelta(0) or start is None:
        return None
    return start + interval


def last_update_or_start(state: IncidentState) -> datetime | None:
    """The latest ``update`` note's time, else when the incident started."""
    return state.last_update_at or state.milestones.get("started_at")


def format_minutes(delta: timedelta) -> str:
    """A duration in whole minutes for people: ``42 min``, ``1 h 05 min``, ``2 d 3 h``."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"


def _role_reminder(state: IncidentState, key: str, label: str) -> Reminder | None:
    if state.holders(key):
        return None
    # Due since the role was last released, or since the start if nobody ever held it.
    changes = [c.at for c in state.role_history if c.role == key and not c.shadow]
    since = max(changes) if changes else state.milestones.get("started_at")
    if since is None:  # a declared incident always has a start; be safe anyway
        return None
    critical = key == "commander" and severity(state.severity).major
    return Reminder(
        "role_unfilled",
        f"No {label} — assign one",
        "critical" if critical else "warning",
        since,
        key,
    )


def _update_reminder(
    state: IncidentState, now: datetime, intervals: Mapping[str, timedelta]
) -> Reminder | None:
    due = next_update_due(state, intervals)
    start = last_update_or_start(state)
    if due is None or start is None or now < due:
        return None
    interval = due - start
    ago = format_minutes(now - start)
    if state.last_update_at is not None:
        what = f"last update {ago} ago"
    else:
        what = f"no update yet, started {ago} ago"
    cadence = f"{state.severity}: every {_interval_text(interval)}"
    overdue = now >= due + interval  # a whole update missed: stakeholders are in the dark
    return Reminder(
        "update_due",
        f"Status update due: {what} ({cadence})",
        "critical" if overdue else "warning",
        due,
    )


def _interval_text(interval: timedelta) -> str:
    minutes = int(interval.total_seconds() // 60)
    if minutes >= 120 and minutes % 60 == 0:
        return f"{minutes // 60} h"
    if minutes < 1:
        return f"{int(interval.total_seconds())} s"
    return f"{minutes} min"
