"""The service catalog (``desk.catalog``): its imports, the current one and its history.

The catalog lives in the journal: each import is one ``catalog.imported`` event under the
reserved id :data:`~incidentdesk.core.catalog.model.CATALOG_ID` (never declared, so it is never an
incident), whose payload is the whole checked catalog, secret names only. It syncs like any
other event; the current catalog is the payload of the latest such event in fold order
``(hlc, device, id)``, so every workstation that holds the same events agrees on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incidentdesk.core.catalog.backstage import BackstageImport, parse_backstage
from incidentdesk.core.catalog.model import CATALOG_ID, Catalog, catalog_from_dict, parse_toml
from incidentdesk.core.catalog.payload import catalog_to_dict
from incidentdesk.core.errors import DomainError
from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.provenance import identities
from incidentdesk.infra.files import MIB, FileRefused, read_bounded

if TYPE_CHECKING:
    from incidentdesk.app.recorder import Recorder
    from incidentdesk.infra.store.local import StoreTxn

CATALOG_KIND = "catalog.imported"
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class CatalogVersion:
    """One imported catalog: which event, when, by whom, from which file."""

    event_id: str
    imported_at: datetime
    author: str
    source: str
    catalog: Catalog


class CatalogService:
    """The service catalog in the journal (``desk.catalog``).

    Args:
        recorder: records an import (and holds the store).
    """

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder
        self.store = recorder.store
        self._teams: tuple[int, dict[str, str]] = (0, {})  # (catalog's last seq, teams)

    def import_catalog(self, catalog: Catalog, source: str = "") -> str:
        """Record ``catalog`` as the current one; returns the id of its event.

        A catalog equal to the current one is not recorded again (CI may import the same
        file on every merge): the current event's id is returned, so a caller can tell
        "unchanged" by comparing it with :meth:`version`'s.
        """

        def unchanged(tx: StoreTxn, clean: dict[str, Any]) -> Event | None:
            events = tx.events_of_kinds(CATALOG_ID, (CATALOG_KIND,))
            if events:
                latest = max(events, key=lambda e: e.key)
                if latest.payload["catalog"] == clean["catalog"]:
                    return latest
            return None

        payload = {"source": source, "catalog": catalog_to_dict(catalog)}
        return self._recorder.append(CATALOG_ID, CATALOG_KIND, payload, unless=unchanged).id

    def current(self) -> Catalog | None:
        """The current catalog, or None when none was ever imported."""
        version = self.version()
        return None if version is None else version.catalog

    def identities(self) -> dict[str, frozenset[str]]:
        """Each catalog person's other names (handle, e-mail login), by name and handle:
        what :func:`incidentdesk.core.journal.provenance.shown_recorder` compares a recorder to."""
        catalog = self.current()
        if catalog is None:
            return {}
        return identities((p.name, p.handle, p.email) for p in catalog.people)

    def version(self) -> CatalogVersion | None:
        """The current catalog with when, by whom and from where it was imported."""
        with self.store.reading() as tx:
            events = tx.events_of_kinds(CATALOG_ID, (CATALOG_KIND,))
        if not events:
            return None
        return _version(max(events, key=lambda e: e.key))

    def history(self) -> list[CatalogVersion]:
        """Every catalog imported, oldest first (fold order)."""
        with self.store.reading() as tx:
            events = tx.events_of_kinds(CATALOG_ID, (CATALOG_KIND,))
        return [_version(e) for e in sorted(events, key=lambda e: e.key)]

    def service_teams(self) -> dict[str, str]:
        """The owning team of each service in the catalog (empty without a catalog)."""
        with self.store.reading() as tx:
            marker = tx.last_seq_of(CATALOG_ID)
        if marker != self._teams[0]:
            catalog = self.current()
            teams = {} if catalog is None else {s.name: s.team for s in catalog.services}
            self._teams = (marker, teams)
        return dict(self._teams[1])


def _version(event: Event) -> CatalogVersion:
    catalog = catalog_from_dict(event.payload["catalog"], "the stored catalog")
    source = str(event.payload.get("source", ""))
    return CatalogVersion(event.id, event.occurred_at, event.author, source, catalog)


MAX_CATALOG_BYTES = 16 * MIB


def read_catalog_file(path: Path) -> BackstageImport:
    """Read a TOML catalog or Backstage YAML (by extension, else by content), checked whole.

    Raises:
        DomainError: the file cannot be read or breaks a rule (located).
    """
    try:
        text = read_bounded(path, MAX_CATALOG_BYTES, "catalog").decode("utf-8")
    except FileRefused as exc:
        raise DomainError(str(exc)) from None
    except FileNotFoundError:
        raise DomainError(f"There is no file {path}.") from None
    except UnicodeDecodeError as exc:
        raise DomainError(f"{path.name} is not UTF-8 text (byte {exc.start}).") from None
    except OSError as exc:
        raise DomainError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    try:
        if _is_yaml(path, text):
            return parse_backstage(text, path.name)
        return BackstageImport(parse_toml(text, path.name))
    except RecursionError:
        raise DomainError(f"{path.name} nests too deeply to be a catalog.") from None


def _is_yaml(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return True
    if suffix == ".toml":
        return False
    return any(line.startswith(("apiVersion:", "kind:", "---")) for line in text.splitlines())


SINGULAR = {"teams": "team", "people": "person", "services": "service", "policies": "policy",
            "targets": "target"}  # fmt: skip


def describe_counts(counts: dict[str, int]) -> str:
    """``3 teams, 1 person, …`` from :meth:`Catalog.counts`."""
    return ", ".join(f"{n} {what if n != 1 else SINGULAR[what]}" for what, n in counts.items())
