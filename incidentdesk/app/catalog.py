"""The Desk's catalog commands and queries (a mixin of Desk).

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
from typing import TYPE_CHECKING

from incidentdesk.core.catalog.backstage import BackstageImport, parse_backstage
from incidentdesk.core.catalog.model import CATALOG_ID, Catalog, catalog_from_dict, parse_toml
from incidentdesk.core.catalog.payload import catalog_to_dict
from incidentdesk.core.errors import DomainError
from incidentdesk.core.journal.boundary import hlc_ceiling
from incidentdesk.core.journal.events import Event, validate_payload
from incidentdesk.core.journal.ids import hlc_next, new_event_id
from incidentdesk.core.journal.provenance import identities
from incidentdesk.core.timefmt import to_micros
from incidentdesk.infra.files import MIB, FileRefused, read_bounded

if TYPE_CHECKING:
    from collections.abc import Callable

    from incidentdesk.infra.store.local import LocalStore

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


class CatalogCommands:
    """Catalog commands; mixed into :class:`incidentdesk.app.desk.Desk`."""

    if TYPE_CHECKING:
        store: LocalStore
        author: str
        clock: Callable[[], datetime]

    def import_catalog(self, catalog: Catalog, source: str = "") -> str:
        """Record ``catalog`` as the current one; returns the id of its event.

        A catalog equal to the current one is not recorded again (CI may import the same
        file on every merge): the current event's id is returned, so a caller can tell
        "unchanged" by comparing it with :meth:`catalog_version`'s.
        """
        payload = validate_payload(
            CATALOG_KIND, {"source": source, "catalog": catalog_to_dict(catalog)}
        )
        with self.store.writing() as tx:
            events = tx.events_of_kinds(CATALOG_ID, (CATALOG_KIND,))
            if events:
                latest = max(events, key=lambda e: e.key)
                if latest.payload["catalog"] == payload["catalog"]:
                    return latest.id
            now = self.clock()
            event = Event(
                id=new_event_id(),
                incident_id=CATALOG_ID,
                kind=CATALOG_KIND,
                payload=payload,
                occurred_at=now,
                hlc=hlc_next(tx.max_hlc(below=hlc_ceiling(now)), to_micros(now) // 1000),
                author=self.author,
                device=self.store.device_id,
            )
            tx.append(event)
        return event.id

    def catalog(self) -> Catalog | None:
        """The current catalog, or None when none was ever imported."""
        version = self.catalog_version()
        return None if version is None else version.catalog

    def identities(self) -> dict[str, frozenset[str]]:
        """Each catalog person's other names (handle, e-mail login), by name and handle:
        what :func:`incidentdesk.core.journal.provenance.shown_recorder` compares a recorder to."""
        catalog = self.catalog()
        if catalog is None:
            return {}
        return identities((p.name, p.handle, p.email) for p in catalog.people)

    def catalog_version(self) -> CatalogVersion | None:
        """The current catalog with when, by whom and from where it was imported."""
        with self.store.reading() as tx:
            events = tx.events_of_kinds(CATALOG_ID, (CATALOG_KIND,))
        if not events:
            return None
        return _version(max(events, key=lambda e: e.key))

    def catalog_history(self) -> list[CatalogVersion]:
        """Every catalog imported, oldest first (fold order)."""
        with self.store.reading() as tx:
            events = tx.events_of_kinds(CATALOG_ID, (CATALOG_KIND,))
        return [_version(e) for e in sorted(events, key=lambda e: e.key)]


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
