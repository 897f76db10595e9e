"""An incident's bridge and customer impact, and its services' links (``desk.links``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from incidentdesk.core.errors import DomainError
from incidentdesk.core.incident.links import (
    ServiceLinks,
    clean_bridge,
    clean_impact,
    is_clear,
    service_links,
)

if TYPE_CHECKING:
    from incidentdesk.app.catalog import CatalogService
    from incidentdesk.app.recorder import Recorder
    from incidentdesk.core.journal.fold import IncidentState


class Links:
    """Bridge and impact commands, and the runbook and dashboard links.

    Args:
        recorder: records the events.
        catalog: the service catalog (the services' links).
    """

    def __init__(self, recorder: Recorder, catalog: CatalogService) -> None:
        self._recorder = recorder
        self._catalog = catalog

    def set_bridge(self, incident_ref: str, link: str) -> str:
        """Set the incident's bridge (a meeting link or ``tel:`` number); ``none`` or an
        empty link removes it. Returns the event's id."""
        bridge = "" if not link.strip() or is_clear(link) else clean_bridge(link)

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            if state.bridge == bridge:
                raise DomainError(
                    f"The bridge is already {bridge}." if bridge else "There is no bridge link."
                )

        payload = {"bridge": bridge}
        return self._recorder.record(incident_ref, "incident.bridge_set", payload, None, check).id

    def set_impact(self, incident_ref: str, text: str) -> str:
        """Set the one-line customer impact; ``none`` or empty text removes it. Returns the
        event's id."""
        impact = "" if not text.strip() or is_clear(text) else clean_impact(text)

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            if state.impact == impact:
                raise DomainError(
                    "The customer impact already says that."
                    if impact
                    else "There is no customer impact line."
                )

        payload = {"impact": impact}
        return self._recorder.record(incident_ref, "incident.impact_set", payload, None, check).id

    def service_links(self, incident_ref: str) -> list[ServiceLinks]:
        """The runbook and dashboard links of the incident's services (from the catalog)."""
        return service_links(
            self._catalog.current(), self._recorder.folds.state(incident_ref).services
        )
