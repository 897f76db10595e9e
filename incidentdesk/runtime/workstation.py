"""Start-up wiring of one workstation: the threads a profile runs beside its window.

Two threads, each with its own Desk on the profile (no SQL, network or keyring call on the
caller's thread):

- the sync service (:class:`~incidentdesk.runtime.sync.SyncService`), when the profile has a
  shared database: it pushes local events up and pulls the others' down;
- the courier (:class:`~incidentdesk.runtime.courier.CourierService`): it sends the pages and
  chat posts the outbox holds and records each outcome.

They report through callbacks called on their own thread; the window's shell wraps them in
Qt signals (:mod:`incidentdesk.ui.shell.workstation`). Nothing here imports Qt, and the sync
module (it loads the PostgreSQL driver) is imported only when a profile syncs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incidentdesk.app.profile import ConfigError, Profile

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk
    from incidentdesk.core.journal.sync_state import SyncStatus
    from incidentdesk.runtime.courier import CourierService
    from incidentdesk.runtime.sync import SharedStore, SyncService

ServiceFactory = Callable[..., "SyncService"]
CourierFactory = Callable[..., "CourierService"]


def default_service(*args: Any, **kwargs: Any) -> SyncService:
    """A real SyncService (imported here, the first time a profile syncs)."""
    from incidentdesk.runtime.sync import SyncService

    return SyncService(*args, **kwargs)


def default_courier(*args: Any, **kwargs: Any) -> CourierService:
    """A real CourierService (imported here: it loads the HTTP adapters)."""
    from incidentdesk.runtime.courier import CourierService

    return CourierService(*args, **kwargs)


def desk_opener(data_dir: Path, author: str) -> Callable[[], Desk]:
    """Opens a Desk on the profile (called on the thread that will use it)."""

    def open_desk() -> Desk:
        from incidentdesk.app.desk import Desk

        return Desk.open(data_dir, author)

    return open_desk


def server_opener(data_dir: Path) -> Callable[[], SharedStore | None]:
    """Opens the profile's shared database (reads the profile and the keyring: called on the
    sync thread); None when the profile has none."""

    def open_server() -> SharedStore | None:
        from incidentdesk.runtime.sync import SharedError, open_shared

        try:
            profile = Profile.load(data_dir)
        except ConfigError as exc:
            raise SharedError(str(exc)) from None
        return open_shared(profile)

    return open_server


def start_sync(
    data_dir: Path,
    author: str,
    on_status: Callable[[SyncStatus], None],
    on_changed: Callable[[list[str]], None],
    factory: ServiceFactory = default_service,
) -> SyncService:
    """Start the profile's sync service; returns the running thread.

    Args:
        on_status: a new state (called on the sync thread).
        on_changed: ids of incidents that received events from the server (sync thread).
        factory: makes the thread from ``(open_desk, open_server, on_status, on_changed)``.
    """
    service = factory(desk_opener(data_dir, author), server_opener(data_dir), on_status, on_changed)
    service.start()
    return service


def start_courier(
    data_dir: Path,
    author: str,
    on_changed: Callable[[list[str]], None],
    factory: CourierFactory = default_courier,
) -> CourierService:
    """Start the profile's courier; returns the running thread.

    Args:
        on_changed: ids of incidents with new delivery outcomes (called on its thread).
        factory: makes the thread from ``(open_desk, on_changed)``.
    """
    service = factory(desk_opener(data_dir, author), on_changed)
    service.start()
    return service
