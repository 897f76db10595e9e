"""What a Desk mixin (``desk_*.py``) may use of the :class:`incidentdesk.app.desk.Desk` it is
mixed into: declared once here, for the type checker; nothing at run time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from incidentdesk.core.catalog.model import Catalog
    from incidentdesk.core.journal.events import Event
    from incidentdesk.core.journal.fold import IncidentState
    from incidentdesk.infra.store.local import LocalStore, StoreTxn


class DeskParts:
    """The Desk's store, author, clock and its one way to record an event."""

    if TYPE_CHECKING:
        store: LocalStore
        author: str
        clock: Callable[[], datetime]

        def _record(
            self,
            incident_ref: str,
            kind: str,
            payload: dict[str, Any],
            at: datetime | None,
            check: Callable[[IncidentState, dict[str, Any]], None] | None = None,
            new: bool = False,
            then: Callable[[StoreTxn, Event], None] | None = None,
        ) -> Event: ...

        def incident(self, incident_ref: str) -> IncidentState: ...

        def catalog(self) -> Catalog | None: ...
