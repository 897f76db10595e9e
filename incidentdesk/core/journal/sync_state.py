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
    quarantined: int = 0  # rows from the server or an archive that could not be read

    @property
    def label(self) -> str:
        """``local only`` · ``online`` · ``offline — N changes waiting`` · ``syncing``."""
        if self.state == OFFLINE:
            return f"offline — {self.waiting} change{'s' if self.waiting != 1 else ''} waiting"
        return self.state

    @property
    def waiting_text(self) -> str:
        """``N change(s) waiting``, or ``nothing waiting`` (always so when local only:
        there is nowhere for changes to go)."""
        if self.state == LOCAL_ONLY or not self.waiting:
            return "nothing waiting"
        return f"{self.waiting} change(s) waiting"

    @property
    def quarantined_text(self) -> str | None:
        """``N events could not be read``, or None when every row could."""
        if not self.quarantined:
            return None
        if self.quarantined == 1:
            return "1 event could not be read"
        return f"{self.quarantined} events could not be read"

    def as_json(self) -> dict[str, Any]:
        """The stable ``sync --status --json`` document."""
        return {
            "state": self.state,
            "waiting": self.waiting,
            "last_sync": format_utc(self.last_sync) if self.last_sync else None,
            "message": self.message,
            "quarantined": self.quarantined,
        }
