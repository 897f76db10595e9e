"""The sync state a workstation shows: local only, online, offline (with changes waiting),
syncing. Pure: the UI reads it without loading any database driver."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from incidentdesk.core.timefmt import format_utc

LOCAL_ONLY, ONLINE, OFFLINE, SYNCING = "local only", "online", "offline", "syncing"


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar and ``incidentdesk sync --status`` show."""

    state: str
    waiting: int = 0
    last_sync: datetime | None = None
    message: str | None = None

    @property
    def label(self) -> str:
        """``local only`` · ``online`` · ``offline — N changes waiting`` · ``syncing``."""
        if self.state == OFFLINE:
            return f"offline — {self.waiting} change{'s' if self.waiting != 1 else ''} waiting"
        return self.state

    def as_json(self) -> dict[str, Any]:
        """The stable ``sync --status --json`` document."""
        return {
            "state": self.state,
            "waiting": self.waiting,
            "last_sync": format_utc(self.last_sync) if self.last_sync else None,
            "message": self.message,
        }
