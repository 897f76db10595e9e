"""The Desk: the application's services, built once and held together.

Each service is one feature's commands and queries (``desk.incidents.add_note(...)``,
``desk.postmortems.save_section(...)``, ``desk.escalations.escalate(...)``), given what it
uses when it is built: the one :class:`~incidentdesk.app.recorder.Recorder` that makes events,
the incidents' :class:`~incidentdesk.app.folds.Folds`, and the other services it needs.

Every method is plain synchronous Python that may touch the disk: the UI calls it from a
background worker, never on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from incidentdesk.app.action_items import ActionItems
from incidentdesk.app.catalog import CatalogService
from incidentdesk.app.changes import ChangeFeed
from incidentdesk.app.deliveries import Deliveries
from incidentdesk.app.escalations import Escalations
from incidentdesk.app.exchange import Exchange
from incidentdesk.app.folds import Folds
from incidentdesk.app.incidents import Incidents, IncidentSnapshot
from incidentdesk.app.links import Links
from incidentdesk.app.postmortems import Postmortems
from incidentdesk.app.projection import index_event
from incidentdesk.app.recorder import Recorder
from incidentdesk.core.journal.fold import fold, state_summary
from incidentdesk.core.timefmt import utc_now
from incidentdesk.infra.store.local import LocalStore, StoreError

__all__ = ["Desk", "IncidentSnapshot", "StoreError"]

# Raised when the fold computes a projected value differently (2: Acknowledged is also the
# commander taking command or a page answered): a store folded by an older version has its
# incident list rebuilt once when opened, so old incidents get the new values too.
PROJECTION_VERSION = "2"
log = logging.getLogger(__name__)


class Desk:
    """The services on incidents, for one author on one local store.

    Attributes:
        incidents: declare, notes, severity, status, roles …, and the incident queries.
        postmortems: the post-mortem, its review and its documents.
        action_items: action items from the timeline and the post-mortem.
        escalations: pages and chat posts.
        deliveries: the outbox the courier sends.
        catalog: the service catalog.
        links: bridge, customer impact, the services' runbooks and dashboards.
        exchange: rows received from the shared server or an archive; the outbox to push.
        changes: what each saved event changed, told to subscribers (the UI's client).

    Args:
        store: the local journal.
        author: who records the events.
        clock: the current time (UTC); tests pass a fixed one.
    """

    def __init__(
        self,
        store: LocalStore,
        author: str,
        clock: Callable[[], datetime] = utc_now,
        folds: Folds | None = None,
        changes: ChangeFeed | None = None,
    ) -> None:
        self.store = store
        self.folds = folds if folds is not None else Folds(store)
        self.changes = changes if changes is not None else ChangeFeed()
        self.recorder = Recorder(self.folds, author, clock, self.changes)
        recorder = self.recorder
        self.catalog = CatalogService(recorder)
        self.escalations = Escalations(recorder, self.catalog)
        self.deliveries = Deliveries(recorder)
        self.incidents = Incidents(recorder, self.catalog, announcer=self.escalations)
        self.action_items = ActionItems(recorder, self.incidents)
        self.postmortems = Postmortems(recorder, self.incidents, self.catalog)
        self.links = Links(recorder, self.catalog)
        self.exchange = Exchange(recorder)

    @property
    def author(self) -> str:
        """Who records the events (settable: a name changed in Settings)."""
        return self.recorder.author

    @author.setter
    def author(self, name: str) -> None:
        self.recorder.author = name

    @property
    def clock(self) -> Callable[[], datetime]:
        """The current time (UTC) every service reads (settable, for tests)."""
        return self.recorder.clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime]) -> None:
        self.recorder.clock = clock

    @classmethod
    def open(cls, data_dir: Path, author: str) -> Desk:
        """Open (and if needed create or upgrade) the local store in ``data_dir``.

        After a schema upgrade the projections (incident list, search index) are rebuilt from
        the journal, so columns and tables a migration added are filled for old incidents.
        """
        desk = cls(LocalStore(data_dir), author)
        with desk.store.reading() as tx:
            folded_by = tx.meta_get("projection_version")
        if desk.store.backup_path is not None or folded_by != PROJECTION_VERSION:
            desk.rebuild()
        return desk

    def with_author(self, author: str) -> Desk:
        """The same desk recording as someone else (shares the store, the folds and the
        change feed)."""
        other = Desk(self.store, author, self.clock, self.folds, self.changes)
        other.action_items.due_days = self.action_items.due_days
        return other

    def close(self) -> None:
        """Release the store."""
        self.store.close()

    def rebuild(self) -> int:
        """Recompute every projection from the journal; returns the number of incidents."""
        with self.store.writing() as tx:
            tx.clear_summaries()
            ids = tx.incident_ids()
            for incident_id in ids:
                rows = tx.events(incident_id)
                state = fold(incident_id, (e for _s, e in rows))
                if state.declared:
                    tx.put_summary(state_summary(state), rows[-1][0])
                for _seq, event in rows:
                    index_event(tx, event)
            tx.meta_set("projection_version", PROJECTION_VERSION)
        self.folds.forget()
        return len(ids)
