"""The window's first look at the incident it showed last, before the Desk is open.

Opening the Desk imports SQLAlchemy and checks the file's schema: hundreds of milliseconds
at start. This reads the few rows the first screen shows, with the standard library alone
(:mod:`incidentdesk.infra.store.glance`), so the window can paint them at once; the Desk
then loads the incident as usual and the timeline fills in the rest.

What is shown first is what the full load shows: the same latest entries and, for an
incident short enough to fold at once, the state folded from its whole journal by the same
:func:`~incidentdesk.core.journal.fold.fold` the Desk uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.fold import IncidentState, fold
from incidentdesk.infra.store.glance import read_glance

LATEST = 300  # entries painted first (the command view's LATEST_FIRST)
FOLD_UP_TO = 2_000  # events folded at once for the header; a longer incident waits


@dataclass(frozen=True)
class Glance:
    """The first screen of one incident.

    Attributes:
        incident_id: the incident.
        latest: its latest events by when they happened, oldest first.
        effects: its corrections, pins and action items (they change other rows).
        state: its state folded from every event, or None when it has too many to fold
            before the first paint (the header then waits for the Desk).
    """

    incident_id: str
    latest: list[Event]
    effects: list[Event]
    state: IncidentState | None


def glance(data_dir: Path, incident_id: str, latest: int = LATEST) -> Glance | None:
    """The first screen of an incident, read without the Desk (None: nothing to show
    before the Desk is open: no such incident, no file yet, or a file to upgrade)."""
    found = read_glance(data_dir, incident_id, latest, FOLD_UP_TO)
    if found is None:
        return None
    state = None
    if found.journal is not None:
        state = fold(incident_id, (event for _seq, event in found.journal))
        if not state.declared:
            return None  # not an incident (the catalog's journal, say)
    return Glance(incident_id, found.latest, found.effects, state)
