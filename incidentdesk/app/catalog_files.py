"""A service catalog file imported from the window: read it, keep the secrets it carries in
the keyring (through ``infra.secrets``), record the catalog, and say what happened.

The window talks to the application, never to infrastructure: the catalog browser and the
welcome dialog import through this module, on the store worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; only its type is named here
    from incidentdesk.app.desk import Desk


@dataclass
class ImportSummary:
    """What an import did, for the user."""

    source: str
    counts: dict[str, int]
    unchanged: bool
    skipped: list[str] = field(default_factory=list)
    secrets_stored: list[str] = field(default_factory=list)
    secrets_for_session: list[str] = field(default_factory=list)

    def headline(self) -> str:
        """``Imported example.toml: 3 teams, 6 people, …`` (or that nothing changed)."""
        from incidentdesk.app.catalog import describe_counts

        what = describe_counts(self.counts)
        if self.unchanged:
            return f"The catalog in {self.source} is unchanged ({what})."
        text = f"Imported {self.source}: {what}."
        if self.skipped:
            count = len(self.skipped)
            text += f" {count} entit{'ies' if count > 1 else 'y'} skipped (listed below)."
        if self.secrets_stored:
            text += f" Stored in the keyring: {', '.join(self.secrets_stored)}."
        if self.secrets_for_session:
            text += (
                f" No usable keyring: {', '.join(self.secrets_for_session)} kept for this "
                "session only (set again with incidentdesk secret set NAME)."
            )
        return text


def import_catalog_file(desk: Desk, path: Path) -> ImportSummary:
    """Read ``path``, keep the secrets it carries in the keyring, record the catalog.

    The file is read by :func:`incidentdesk.app.catalog.read_catalog_file`, as the CLI
    reads it.

    Runs on the store worker. Everything is checked before anything is stored.
    """
    from incidentdesk.app.catalog import read_catalog_file  # YAML loads only here
    from incidentdesk.infra.secrets import set_secret

    result = read_catalog_file(path)
    stored: list[str] = []
    session: list[str] = []
    for name, value in result.secrets.items():
        (stored if set_secret(name, value) else session).append(name)
    before = desk.catalog.version()
    event_id = desk.catalog.import_catalog(result.catalog, path.name)
    unchanged = before is not None and before.event_id == event_id
    return ImportSummary(
        path.name, result.catalog.counts(), unchanged, list(result.skipped), stored, session
    )
