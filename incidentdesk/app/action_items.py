"""Action items (``desk.action_items``): made from the timeline, saved from the post-mortem,
and everyone's.

- :meth:`~ActionItems.add_action` — ``/action Bob: roll back by Friday``: a timeline
  note of kind action and the tracked action item made from it (owner and due date read
  from the text by :mod:`incidentdesk.core.postmortem.action_text`).
- :meth:`~ActionItems.make_from_note` — an existing action note becomes an item.

- :meth:`~ActionItems.save` — add or edit an action item (the post-mortem's table).

The item names the note it came from (``note`` in ``action_item.saved``), so the timeline
row links to the item and a note is never made into two items.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from incidentdesk.core.errors import DomainError
from incidentdesk.core.journal.events import validate_payload
from incidentdesk.core.journal.fold import fold
from incidentdesk.core.journal.ids import new_event_id
from incidentdesk.core.postmortem.action_text import ParsedAction, parse_action, parse_due_text
from incidentdesk.core.postmortem.model import (
    ACTION_TYPES,
    DEFAULT_DUE_DAYS,
    ITEM_STATUS_LABELS,
    PRIORITIES,
    ActionItem,
    default_due,
    parse_choice,
    parse_due,
)

if TYPE_CHECKING:
    from incidentdesk.app.incidents import Incidents
    from incidentdesk.app.recorder import Recorder
    from incidentdesk.core.journal.fold import IncidentState

_CHECK_ID = "00000000-0000-7000-8000-000000000000"  # stands in for the id while checking
_NULLABLE = frozenset({"due", "tracker_url"})


@dataclass(frozen=True)
class ActionAdded:
    """What :meth:`ActionItems.add_action` recorded.

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


@dataclass(frozen=True)
class OwnedActionItem:
    """An action item with its incident, for "my action items"."""

    incident_id: str
    incident_title: str
    severity: str
    item: ActionItem
    overdue: bool


class _Unset:
    """Marks an argument left out (so ``None`` can mean "no due date")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


class ActionItems:
    """Action items (``desk.action_items``): from the timeline, from the post-mortem, and
    everyone's.

    ``due_days`` (severity → days) sets the default due date of new action items; the
    Desk's owner may set it from the profile's settings.

    Args:
        recorder: records the events (and holds the store and the folds).
        incidents: the incidents (an action note is added as a note).
    """

    def __init__(self, recorder: Recorder, incidents: Incidents) -> None:
        self._recorder = recorder
        self._folds = recorder.folds
        self._incidents = incidents
        self.due_days: Mapping[str, int] = DEFAULT_DUE_DAYS

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
        note_id = self._incidents.add_note(incident_ref, text, "action", at, pinned)
        item_id = self._save_item(incident_ref, parsed, note_id)
        return ActionAdded(note_id, item_id, parsed)

    def make_from_note(
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
        full = self._folds.resolve(incident_ref)
        note_id = self._folds.note_target(full, note_ref)
        made = self.item_of_note(full, note_id)
        if made is not None:
            raise DomainError(f"That note already has action item {made[:8]}; open it instead.")
        today = self._recorder.clock().astimezone(local_tz).date()
        due_date = parse_due_text(due, today=today) if isinstance(due, str) else due
        # The description is taken as given (the dialog showed the parse); only the
        # separately given owner and date count.
        parsed = ParsedAction(" ".join(description.split()), owner.strip(), due_date)
        if not parsed.description:
            raise DomainError("Write what needs doing.")
        return self._save_item(full, self._checked(parsed), note_id)

    def item_of_note(self, incident_ref: str, note_id: str) -> str | None:
        """The id of the action item made from a timeline note, if any."""
        items = self._folds.state(incident_ref).postmortem.action_items.values()
        return next((i.id for i in items if i.note == note_id), None)

    def save(
        self,
        incident_ref: str,
        item_id: str | None = None,
        *,
        description: str | None = None,
        type: str | None = None,
        owner: str | None = None,
        due: date | str | None = UNSET,
        priority: str | None = None,
        status: str | None = None,
        tracker_url: str | None = UNSET,
        note: str | None = None,
    ) -> str:
        """Add an action item (``item_id`` None) or change one; returns the item id.

        A new item needs ``description``; its ``owner`` may be left empty (nobody yet) and
        ``note`` names the timeline note it was made from; ``type`` defaults to ``prevent``,
        ``priority`` to ``P3``, ``status`` to ``open`` and ``due`` to today plus the days for
        the incident's severity (``action_item_due_days``); ``due=None`` means no date. When
        changing an item, arguments left out keep their value. Items stay editable after the
        post-mortem is published.

        Raises:
            DomainError: unknown item, a missing field for a new one, or a bad value.
        """
        new = item_id is None
        the_id = new_event_id() if item_id is None else str(item_id)
        today = self._recorder.clock().astimezone().date()
        given = _given(description, type, owner, due, priority, status, tracker_url)
        due_days = self.due_days

        def check(state: IncidentState, payload: dict[str, Any]) -> None:
            old = state.postmortem.action_items.get(the_id)
            if new:
                if not given.get("description"):
                    raise DomainError("A new action item needs a description.")
                current: dict[str, Any] = {
                    "owner": "",
                    "note": note,
                    "type": "prevent",
                    "priority": "P3",
                    "status": "open",
                    "due": default_due(state.severity, today, due_days).isoformat(),
                    "tracker_url": None,
                }
            elif old is None:
                raise DomainError(f"The incident has no action item {the_id}.")
            else:
                current = _saved(old)
            current.update({k: v for k, v in given.items() if v is not None or k in _NULLABLE})
            payload.update(current)

        self._recorder.record(
            incident_ref, "action_item.saved", {"item": the_id}, None, check=check
        )
        return the_id

    def rows(self, owner: str | None = None) -> list[dict[str, Any]]:
        """Every incident's action items as last saved (of one owner, ignoring case):
        ``id``, ``incident_id``, ``description``, ``type``, ``owner``, ``due`` (ISO date or
        None), ``priority`` and ``status``."""
        with self._recorder.store.reading() as tx:
            return tx.action_items(owner)

    def owned_by(self, owner: str, include_closed: bool = False) -> list[OwnedActionItem]:
        """``owner``'s action items across every incident (case does not matter): overdue
        first, then by due date (no date last), then priority. Done and won't-do items only
        with ``include_closed``."""
        who = str(owner).strip().casefold()
        today = self._recorder.clock().astimezone().date()
        found: list[OwnedActionItem] = []
        kinds = ("incident.declared", "severity.changed", "action_item.saved")
        with self._recorder.store.reading() as tx:
            for incident_id in tx.incident_ids():
                events = tx.events_of_kinds(incident_id, kinds)
                if not any(e.kind == "action_item.saved" for e in events):
                    continue
                state = fold(incident_id, events)
                for item in state.postmortem.action_items.values():
                    if item.owner.casefold() != who or not (include_closed or item.open):
                        continue
                    found.append(
                        OwnedActionItem(
                            incident_id, state.title, state.severity, item, item.overdue(today)
                        )
                    )
        found.sort(
            key=lambda o: (
                not o.overdue,
                o.item.due is None,
                o.item.due or today,
                o.item.priority,
                o.incident_id,
                o.item.id,
            )
        )
        return found

    # ------------------------------------------------------------ internals

    def _parse(
        self, text: str, owner: str, due: date | str | None, local_tz: tzinfo | None
    ) -> ParsedAction:
        today = self._recorder.clock().astimezone(local_tz).date()
        due_date = parse_due_text(due, today=today) if isinstance(due, str) else due
        return self._checked(parse_action(text, today=today, owner=owner, due=due_date))

    def _checked(self, parsed: ParsedAction) -> ParsedAction:
        """The owner spelled as the journal knows them; every field checked before writing."""
        owner = known_person(parsed.owner, self._incidents.people()) if parsed.owner else ""
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
        return self.save(
            incident_ref,
            description=parsed.description,
            owner=parsed.owner,
            due=parsed.due,
            note=note_id,
        )


def _given(
    description: str | None,
    type: str | None,
    owner: str | None,
    due: date | str | None,
    priority: str | None,
    status: str | None,
    tracker_url: str | None,
) -> dict[str, Any]:
    """The fields a save names, checked (None: keep; ``due`` and ``tracker_url`` only when
    given, since None clears them)."""
    given: dict[str, Any] = {
        "description": description,
        "type": None if type is None else parse_choice(type, ACTION_TYPES, "action type"),
        "owner": owner,
        "priority": None if priority is None else parse_choice(priority, PRIORITIES, "priority"),
        "status": None
        if status is None
        else parse_choice(status, tuple(ITEM_STATUS_LABELS), "status"),
    }
    if due is not UNSET:
        parsed = parse_due(due)
        given["due"] = None if parsed is None else parsed.isoformat()
    if tracker_url is not UNSET:
        given["tracker_url"] = tracker_url
    return given


def _saved(old: ActionItem) -> dict[str, Any]:
    """An item's fields as last saved."""
    return {
        "description": old.description,
        "type": old.type,
        "owner": old.owner,
        "due": None if old.due is None else old.due.isoformat(),
        "priority": old.priority,
        "status": old.status,
        "tracker_url": old.tracker_url,
    }


def known_person(name: str, people: list[str]) -> str:
    """``bob`` → ``Bob Lee`` when the journal knows exactly one such person; else as typed."""
    typed = name.casefold()
    exact = [p for p in people if p.casefold() == typed]
    if exact:
        return exact[0]
    first = [p for p in people if p.casefold().split()[:1] == [typed]]
    return first[0] if len(first) == 1 else name
