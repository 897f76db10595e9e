"""The changes a person asks of an incident, whether typed in the quick entry or the command line.

Each operation is a small value saying what to change on which incident; its :meth:`run`
is the one Desk call that carries it out, written here and nowhere else. The quick entry
builds operations from a parsed line (:func:`from_quick`; the language itself is
:mod:`incidentdesk.core.incident.quick`), the command line from its arguments
(:mod:`incidentdesk.cli.changes`), and both run them the same way: the quick entry on the
client's worker (``client.command(operation.run, ...)``), the command line directly.

Every ``run`` returns the id of the event it recorded, except :class:`AddAction`, which
returns what it added (the note and the action item).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the Desk loads SQLAlchemy; the callers pass one in
    from incidentdesk.app.action_items import ActionAdded
    from incidentdesk.app.desk import Desk
    from incidentdesk.core.incident.quick import QuickCommand


class Operation(ABC):
    """One change to one incident (``incident_id``: its id or a unique prefix)."""

    incident_id: str

    @abstractmethod
    def run(self, desk: Desk) -> str | ActionAdded:
        """Carry the change out on ``desk``; raises what the Desk raises."""


@dataclass(frozen=True)
class AddNote(Operation):
    """A timeline entry of ``kind`` (note, decision, observation, update; not action)."""

    incident_id: str
    text: str
    kind: str = "note"
    at: datetime | None = None
    pinned: bool = False

    def run(self, desk: Desk) -> str:
        return desk.incidents.add_note(self.incident_id, self.text, self.kind, self.at, self.pinned)


@dataclass(frozen=True)
class AddAction(Operation):
    """An action note and the tracked action item made from it (owner and due date given,
    or read from the text; ``local_tz`` is the zone of a due date in it)."""

    incident_id: str
    text: str
    owner: str = ""
    due: str | None = None
    at: datetime | None = None
    pinned: bool = False
    local_tz: tzinfo | None = None

    def run(self, desk: Desk) -> ActionAdded:
        return desk.action_items.add_action(
            self.incident_id,
            self.text,
            owner=self.owner,
            due=self.due,
            at=self.at,
            pinned=self.pinned,
            local_tz=self.local_tz,
        )


@dataclass(frozen=True)
class SetSeverity(Operation):
    """The incident's severity becomes ``severity`` (``SEV2``, ``2``)."""

    incident_id: str
    severity: str
    at: datetime | None = None

    def run(self, desk: Desk) -> str:
        return desk.incidents.set_severity(self.incident_id, self.severity, self.at)


@dataclass(frozen=True)
class SetStatus(Operation):
    """The incident moves to ``status``."""

    incident_id: str
    status: str
    at: datetime | None = None

    def run(self, desk: Desk) -> str:
        return desk.incidents.set_status(self.incident_id, self.status, self.at)


@dataclass(frozen=True)
class SetMilestone(Operation):
    """A milestone (``detected``, ``acknowledged`` …) happened at ``at`` (None: now)."""

    incident_id: str
    milestone: str
    at: datetime | None = None

    def run(self, desk: Desk) -> str:
        return desk.incidents.set_milestone(self.incident_id, self.milestone, self.at)


@dataclass(frozen=True)
class AssignRole(Operation):
    """``person`` takes ``role`` (a handover when it is held), or shadows it."""

    incident_id: str
    role: str
    person: str
    shadow: bool = False
    at: datetime | None = None

    def run(self, desk: Desk) -> str:
        return desk.incidents.assign_role(
            self.incident_id, self.role, self.person, shadow=self.shadow, at=self.at
        )


@dataclass(frozen=True)
class ReleaseRole(Operation):
    """``role`` (or its shadow) is released, by ``person`` when named."""

    incident_id: str
    role: str
    person: str | None = None
    shadow: bool = False

    def run(self, desk: Desk) -> str:
        return desk.incidents.release_role(
            self.incident_id, self.role, self.person, shadow=self.shadow
        )


@dataclass(frozen=True)
class CorrectNote(Operation):
    """A note's text is corrected (``entry``: its id or a unique prefix; the original stays)."""

    incident_id: str
    entry: str
    text: str

    def run(self, desk: Desk) -> str:
        return desk.incidents.correct_note(self.incident_id, self.entry, self.text)


@dataclass(frozen=True)
class Pin(Operation):
    """A timeline entry is pinned (or, with ``pinned=False``, unpinned)."""

    incident_id: str
    entry: str
    pinned: bool = True

    def run(self, desk: Desk) -> str:
        return desk.incidents.pin(self.incident_id, self.entry, pinned=self.pinned)


@dataclass(frozen=True)
class SetDrill(Operation):
    """The incident is a drill (left out of the metrics), or not."""

    incident_id: str
    drill: bool = True

    def run(self, desk: Desk) -> str:
        return desk.incidents.set_drill(self.incident_id, drill=self.drill)


@dataclass(frozen=True)
class SetBridge(Operation):
    """The bridge link becomes ``link`` (``none`` or empty removes it)."""

    incident_id: str
    link: str

    def run(self, desk: Desk) -> str:
        return desk.links.set_bridge(self.incident_id, self.link)


@dataclass(frozen=True)
class SetImpact(Operation):
    """The customer impact becomes ``text`` (``none`` or empty removes it)."""

    incident_id: str
    text: str

    def run(self, desk: Desk) -> str:
        return desk.links.set_impact(self.incident_id, self.text)


def from_quick(
    incident_id: str,
    command: QuickCommand,
    *,
    selected_entry: str | None = None,
    local_tz: tzinfo | None = None,
) -> Operation:
    """The operation a quick-entry line asks for.

    Args:
        incident_id: the incident the entry writes into.
        command: the parsed line (not ``help``, which changes nothing).
        selected_entry: the entry selected in the timeline, which ``/pin`` alone pins.
        local_tz: the zone of a due date typed in an ``/action``.

    Raises:
        ValueError: ``help``, or ``/pin`` alone with no entry selected (the caller checks).
    """
    c = command
    if c.action == "note" and c.kind == "action":
        return AddAction(incident_id, c.text, at=c.at, pinned=c.pinned, local_tz=local_tz)
    if c.action == "note":
        return AddNote(incident_id, c.text, c.kind, c.at, c.pinned)
    if c.action == "severity":
        return SetSeverity(incident_id, c.value, c.at)
    if c.action == "status":
        return SetStatus(incident_id, c.value, c.at)
    if c.action == "role":
        return AssignRole(incident_id, c.role, c.person, at=c.at)
    if c.action == "bridge":
        return SetBridge(incident_id, c.text)
    if c.action == "impact":
        return SetImpact(incident_id, c.text)
    if c.action == "pin_selected" and selected_entry is not None:
        return Pin(incident_id, selected_entry)
    raise ValueError(f"No operation for /{c.action} (selected entry: {selected_entry}).")
