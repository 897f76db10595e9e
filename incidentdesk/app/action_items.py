"""The Desk's action items from the timeline (a mixin of :class:`incidentdesk.app.desk.Desk`).

- :meth:`~ActionItemCommands.add_action` — ``/action Bob: roll back by Friday``: a timeline
  note of kind action and the tracked action item made from it (owner and due date read
  from the text by :mod:`incidentdesk.core.postmortem.action_text`).
- :meth:`~ActionItemCommands.make_action_item` — an existing action note becomes an item.

The item names the note it came from (``note`` in ``action_item.saved``), so the timeline
row links to the item and a note is never made into two items.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

from incidentdesk.core.errors import DomainError
from incidentdesk.core.journal.events import validate_payload
from incidentdesk.core.postmortem.action_text import ParsedAction, parse_action, parse_due_text

if TYPE_CHECKING:
    from incidentdesk.core.journal.events import Event
    from incidentdesk.core.journal.fold import IncidentState

_CHECK_ID = "00000000-0000-7000-8000-000000000000"  # stands in for the id while checking


@dataclass(frozen=True)
class ActionAdded:
    """What :meth:`ActionItemCommands.add_action` recorded.

    Attributes:
        note_id: the timeline note's event id.
        item_id: the action item's id.
        parsed: the description, owner, due date and any notice about the text.
    """

    note_id: str
    item_id: str
    parsed: ParsedAction

    def summary(self) -> str:
        """``Action item for Bob, due 2026-12-11`` (and the notice, if any)."""
        owner = f" for {self.parsed.owner}" if self.parsed.owner else ", no owner yet"
        due = f", due {self.parsed.due.isoformat()}" if self.parsed.due else ", no due date"
        notice = f" {self.parsed.notice}" if self.parsed.notice else ""
        return f"Action item{owner}{due}.{notice}"


class ActionItemCommands:
    """Action items made from the timeline; mixed into :class:`incidentdesk.app.desk.Desk`."""

    if TYPE_CHECKING:
        clock: Callable[[], datetime]

        def add_note(
            self,
            incident_id: str,
            text: str,
            kind: str = "note",
            at: datetime | None = None,
            pinned: bool = False,
        ) -> str: ...
        def save_action_item(
            self,
            incident_ref: str,
            item_id: str | None = None,
            *,
            description: str | None = None,
            type: str | None = None,
            owner: str | None = None,
            due: date | str | None = ...,
            priority: str | None = None,
            status: str | None = None,
            tracker_url: str | None = ...,
            note: str | None = None,
        ) -> str: ...
        def people(self) -> list[str]: ...
        def incident(self, incident_ref: str) -> IncidentState: ...
        def resolve_incident(self, ref: str) -> str: ...
        def _note_target(self, incident_ref: str, event_ref: str) -> str: ...
        def _cached_events(self, incident_id: str) -> list[Event]: ...

    def add_action(
        self,
        incident_ref: str,
        text: str,
        *,
        owner: str = "",
        due: date | str | None = None,
        at: datetime | None = None,
        pinned: bool = False,
        local_tz: tzinfo | None = None,
    ) -> ActionAdded:
        """Record an action note and the action item it asks for.

        Args:
            incident_ref: the incident id or a unique prefix.
            text: the action as typed (``Bob: roll back auth-gateway by Friday``).
            owner: an owner given apart from the text; wins over one in it.
            due: a due date (or typed text such as ``Friday``) given apart from the text.
            at: back-dates the note.
            pinned: the note is added pinned.
            local_tz: the zone whose date is "today" for ``Friday`` and ``tomorrow``.

        Raises:
            DomainError: no text, an unknown due form given apart, or a bad owner name;
                nothing is recorded then.
        """
        parsed = self._parse(text, owner, due, local_tz)
        note_id = self.add_note(incident_ref, text, "action", at, pinned)
        item_id = self._save_item(incident_ref, parsed, note_id)
        return ActionAdded(note_id, item_id, parsed)

    def make_action_item(
        self,
        incident_ref: str,
        note_ref: str,
        *,
        description: str,
        owner: str = "",
        due: date | str | None = None,
        local_tz: tzinfo | None = None,
    ) -> str:
        """Make an existing timeline note into an action item; returns the item id.

        Raises:
            DomainError: the entry is not a note, already has an item, or a field is bad.
        """
        full = self.resolve_incident(incident_ref)
        note_id = self._note_target(full, note_ref)
        made = self.item_of_note(full, note_id)
        if made is not None:
            raise DomainError(f"That note already has action item {made[:8]}; open it instead.")
        today = self.clock().astimezone(local_tz).date()
        due_date = parse_due_text(due, today=today) if isinstance(due, str) else due
        # The description is taken as given (the dialog showed the parse); only the
        # separately given owner and date count.
        parsed = ParsedAction(" ".join(description.split()), owner.strip(), due_date)
        if not parsed.description:
            raise DomainError("Write what needs doing.")
        return self._save_item(full, self._checked(parsed), note_id)

    def item_of_note(self, incident_ref: str, note_id: str) -> str | None:
        """The id of the action item made from a timeline note, if any."""
        items = self.incident(incident_ref).postmortem.action_items.values()
        return next((i.id for i in items if i.note == note_id), None)

    # ------------------------------------------------------------ internals

    def _parse(
        self, text: str, owner: str, due: date | str | None, local_tz: tzinfo | None
    ) -> ParsedAction:
        today = self.clock().astimezone(local_tz).date()
        due_date = parse_due_text(due, today=today) if isinstance(due, str) else due
        return self._checked(parse_action(text, today=today, owner=owner, due=due_date))

    def _checked(self, parsed: ParsedAction) -> ParsedAction:
        """The owner spelled as the journal knows them; every field checked before writing."""
        owner = known_person(parsed.owner, self.people()) if parsed.owner else ""
        parsed = ParsedAction(parsed.description, owner, parsed.due, parsed.notice)
        validate_payload(
            "action_item.saved",
            {
                "item": _CHECK_ID,
                "description": parsed.description,
                "type": "prevent",
                "owner": owner,
                "due": None if parsed.due is None else parsed.due.isoformat(),
                "priority": "P3",
                "status": "open",
            },
        )
        return parsed

    def _save_item(self, incident_ref: str, parsed: ParsedAction, note_id: str) -> str:
        return self.save_action_item(
            incident_ref,
            description=parsed.description,
            owner=parsed.owner,
            due=parsed.due,
            note=note_id,
        )


def known_person(name: str, people: list[str]) -> str:
    """``bob`` → ``Bob Lee`` when the journal knows exactly one such person; else as typed."""
    typed = name.casefold()
    exact = [p for p in people if p.casefold() == typed]
    if exact:
        return exact[0]
    first = [p for p in people if p.casefold().split()[:1] == [typed]]
    return first[0] if len(first) == 1 else name
