"""The catalog in the journal: imported, replaced, synced, and invisible to incident views."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from incidentdesk.app.catalog import describe_counts, read_catalog_file
from incidentdesk.app.desk import Desk
from incidentdesk.core.catalog.model import CATALOG_ID, Catalog, parse_toml
from incidentdesk.core.journal.events import Event
from incidentdesk.infra.shipped import resource_path


@pytest.fixture(scope="module")
def example() -> Catalog:
    return parse_toml(resource_path("catalog", "example.toml").read_text(encoding="utf-8"))


def smaller(catalog: Catalog) -> Catalog:
    return replace(catalog, services=catalog.services[:2])


def journal(desk: Desk) -> list[Event]:
    events: list[Event] = []
    desk.exchange.read_journal(lambda _n: None, events.extend)
    return events


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Desk]:
    folder = tmp_path / "other-workstation"
    folder.mkdir()
    opened = Desk.open(folder, "Bob")
    yield opened
    opened.close()


def test_no_catalog_until_one_is_imported(desk: Desk) -> None:
    assert desk.catalog.current() is None
    assert desk.catalog.version() is None
    assert desk.catalog.history() == []


def test_import_then_replace_keeps_history(desk: Desk, example: Catalog) -> None:
    first = desk.catalog.import_catalog(example, "example.toml")
    version = desk.catalog.version()
    assert version is not None
    assert (version.event_id, version.author, version.source) == (first, "Alice", "example.toml")
    assert desk.catalog.current() == example
    second = desk.catalog.import_catalog(smaller(example), "smaller.toml")
    assert second != first
    assert desk.catalog.current() == smaller(example)
    assert [v.event_id for v in desk.catalog.history()] == [first, second]


def test_an_identical_catalog_is_not_recorded_again(desk: Desk, example: Catalog) -> None:
    first = desk.catalog.import_catalog(example, "example.toml")
    count = len(journal(desk))
    assert desk.catalog.import_catalog(example, "renamed.toml") == first
    assert len(journal(desk)) == count
    assert desk.exchange.waiting() == 1  # the one catalog event waits in the outbox for the server


def test_the_catalog_never_shows_as_an_incident(desk: Desk, example: Catalog) -> None:
    incident = desk.incidents.declare("Checkout errors", "SEV2", ["checkout"])
    desk.catalog.import_catalog(example, "example.toml")
    assert [r["id"] for r in desk.incidents.rows(include_closed=True)] == [incident]
    assert desk.rebuild() >= 1
    assert [r["id"] for r in desk.incidents.rows(include_closed=True)] == [incident]
    assert [h.incident_id for h in desk.incidents.search("checkout")] == [incident]
    assert desk.incidents.search("payments") == []  # the catalog's words are not incident text
    assert desk.catalog.current() == example  # and the rebuild left it alone


def test_the_catalog_syncs_between_workstations(desk: Desk, other: Desk, example: Catalog) -> None:
    incident = desk.incidents.declare("Checkout errors", "SEV2", ["checkout"])
    desk.catalog.import_catalog(example, "example.toml")
    changed = other.exchange.receive(journal(desk))
    assert incident in changed
    assert [r["id"] for r in other.incidents.rows()] == [incident]
    assert other.catalog.current() == example
    # Bob replaces it there; Alice receives his catalog and both agree on the newest
    bobs = other.catalog.import_catalog(smaller(example), "smaller.toml")
    desk.exchange.receive(journal(other))
    for workstation in (desk, other):
        version = workstation.catalog.version()
        assert version is not None and version.event_id == bobs
        assert workstation.catalog.current() == smaller(example)
        assert [r["id"] for r in workstation.incidents.rows()] == [incident]
    assert other.exchange.receive(journal(desk)) == []  # nothing new either way


def test_a_received_catalog_that_breaks_the_rules_is_ignored(
    desk: Desk, other: Desk, example: Catalog
) -> None:
    desk.catalog.import_catalog(example, "example.toml")
    (event,) = [e for e in journal(desk) if e.incident_id == CATALOG_ID]
    broken = dict(event.payload)
    broken["catalog"] = {**event.payload["catalog"], "services": [{"name": "x"}]}
    other.exchange.receive(
        [event._replace(id=event.id[:-4] + "ffff", payload=broken, hlc=event.hlc + 1)]
    )
    assert other.catalog.current() is None


def test_a_catalog_file_is_read_by_extension_else_by_content(tmp_path: Path) -> None:
    backstage = (
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: payments}\n"
        "spec: {type: team}\n---\napiVersion: backstage.io/v1alpha1\nkind: User\n"
        "metadata: {name: priya}\nspec: {memberOf: [payments]}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: checkout}\n"
        "spec: {type: service, owner: payments}\n"
    )
    no_extension = tmp_path / "catalog-info"
    no_extension.write_text(backstage, encoding="utf-8")
    assert [s.name for s in read_catalog_file(no_extension).catalog.services] == ["checkout"]
    toml = tmp_path / "catalog"
    toml.write_text(resource_path("catalog", "example.toml").read_text(encoding="utf-8"))
    assert read_catalog_file(toml).catalog.counts()["services"] == 5
    assert describe_counts({"teams": 1, "people": 2}) == "1 team, 2 people"
