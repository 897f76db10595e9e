"""What the Desk reports of each saved event: the change feed the UI's client listens to
(it wakes the courier when a command queued a page or a chat post)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from catalogkit import Clock, catalog_text  # tests/catalogkit.py

from incidentdesk.app.changes import Change
from incidentdesk.app.desk import Desk
from incidentdesk.core.catalog.model import CATALOG_ID, parse_toml
from incidentdesk.core.errors import DomainError


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    d = Desk.open(tmp_path, "Ana")
    d.clock = Clock()
    yield d
    d.close()


def test_each_saved_event_is_reported_once_with_what_it_queued(desk: Desk) -> None:
    with desk.changes.watching() as changes:
        desk.catalog.import_catalog(parse_toml(catalog_text("http://127.0.0.1:9")))
        incident = desk.incidents.declare("Checkout fails", "SEV1", ["checkout"])
        note = desk.incidents.add_note(incident, "Looking")
        page = desk.escalations.escalate(incident, "checkout")
    assert [c.kind for c in changes] == [
        "catalog.imported",
        "incident.declared",
        "note.added",
        "escalation.requested",
    ]
    catalog, declared, noted, paged = changes
    assert catalog.catalog and catalog.incident_id == CATALOG_ID and catalog.queued == 0
    assert declared == Change(incident, incident, "incident.declared")
    assert noted.event_id == note and not noted.catalog and noted.queued == 0
    assert paged.incident_id == incident and paged.queued == len(desk.deliveries.pending())
    assert paged.queued > 0 and page


def test_a_command_that_announces_reports_the_chat_post_too(desk: Desk) -> None:
    desk.catalog.import_catalog(parse_toml(catalog_text("http://127.0.0.1:9")))
    incident = desk.incidents.declare("Checkout fails", "SEV1", ["checkout"])
    target = desk.escalations.chat_targets()[0]
    desk.escalations.set_chat_channel(incident, target)
    with desk.changes.watching() as changes:
        desk.incidents.set_severity(incident, "SEV2")
    assert [(c.kind, c.queued) for c in changes] == [
        ("severity.changed", 0),
        ("chat.requested", 1),
    ]


def test_nothing_is_reported_for_a_refused_or_unchanged_command(desk: Desk) -> None:
    catalog = parse_toml(catalog_text("http://127.0.0.1:9"))
    desk.catalog.import_catalog(catalog)
    incident = desk.incidents.declare("Checkout fails", "SEV1")
    with desk.changes.watching() as changes:
        desk.catalog.import_catalog(catalog)  # the same catalog: not recorded again
        with pytest.raises(DomainError):
            desk.incidents.set_severity(incident, "SEV1")
    assert changes == []


def test_an_other_authors_desk_reports_to_the_same_subscribers(desk: Desk) -> None:
    seen: list[Change] = []
    stop = desk.changes.subscribe(seen.append)
    incident = desk.with_author("Bo").incidents.declare("Checkout fails", "SEV1")
    stop()
    desk.incidents.add_note(incident, "not seen")
    assert [c.event_id for c in seen] == [incident]
