"""Post-mortems in the incident list, the action-item table and the search index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from incidentdesk.app.demo import seed_demo
from incidentdesk.app.desk import Desk
from incidentdesk.core.errors import DomainError


@pytest.fixture
def desk(data_dir: Path) -> Iterator[Desk]:
    opened = Desk.open(data_dir, "Lena Novak")
    yield opened
    opened.close()


def row(desk: Desk, incident: str) -> dict:
    return next(r for r in desk.incidents.rows(include_closed=True) if r["id"] == incident)


def test_the_incident_list_knows_the_post_mortem_and_its_open_action_items(desk: Desk) -> None:
    incident = seed_demo(desk)
    assert row(desk, incident)["postmortem_state"] is None
    desk.postmortems.start(incident, "lightweight", fill=False)
    first = desk.action_items.save(
        incident, description="Alert on pool saturation", owner="Ravi Patel", type="detect"
    )
    desk.action_items.save(incident, description="Load test the ledger", owner="Lena Novak")
    listed = row(desk, incident)
    assert (listed["postmortem_state"], listed["open_actions"]) == ("draft", 2)
    desk.action_items.save(incident, first, status="done")
    assert row(desk, incident)["open_actions"] == 1
    with desk.store.reading() as tx:
        items = {i["description"]: i for i in tx.action_items()}
        assert items["Alert on pool saturation"]["status"] == "done"
        assert [i["description"] for i in tx.action_items(owner="ravi patel")] == [
            "Alert on pool saturation"
        ]
    desk.rebuild()  # the projection is rebuilt from the journal
    assert row(desk, incident)["open_actions"] == 1
    with desk.store.reading() as tx:
        assert len(tx.action_items()) == 2


def test_search_finds_post_mortem_text_and_action_items_as_last_saved(desk: Desk) -> None:
    incident = seed_demo(desk)
    desk.postmortems.start(incident, "lightweight", fill=False)
    key = desk.postmortems.view(incident).sections[0].spec.key
    first = desk.postmortems.save_section(incident, key, "The connection pool was exhausted.", None)
    desk.postmortems.save_section(
        incident, key, "The ledger's retry storm exhausted the pool.", first
    )
    item = desk.action_items.save(
        incident, description="Cap retries in the ledger client", owner="Ravi Patel"
    )
    assert [h.incident_id for h in desk.incidents.search("retry storm")] == [incident]
    assert desk.incidents.search("connection pool was exhausted") == []  # the replaced text is gone
    assert [h.incident_id for h in desk.incidents.search("cap retries")] == [incident]
    desk.action_items.save(incident, item, description="Bound the ledger client's retries")
    assert desk.incidents.search("cap retries") == []
    assert [h.incident_id for h in desk.incidents.search("bound retries")] == [incident]
    desk.rebuild()
    assert [h.incident_id for h in desk.incidents.search("retry storm")] == [incident]
    assert desk.incidents.search("connection pool was exhausted") == []
    assert [h.incident_id for h in desk.incidents.search("bound retries")] == [incident]


def test_the_blameless_check_knows_the_catalog_people(desk: Desk) -> None:
    from incidentdesk.core.catalog.model import parse_toml

    desk.catalog.import_catalog(
        parse_toml(
            """
[[people]]
handle = "zoe"
name = "Zoë Quinn"
team = "payments"
[[teams]]
name = "payments"
members = ["zoe"]
"""
        )
    )
    incident = desk.incidents.declare("Checkout down", "SEV2", ["checkout"])
    desk.postmortems.start(incident, "lightweight", fill=False)
    key = desk.postmortems.view(incident).sections[0].spec.key
    desk.postmortems.save_section(incident, key, "Zoë broke the deploy on Friday.", None)
    findings = desk.postmortems.view(incident).section(key).findings
    assert [f.finding.category for f in findings] == ["named-person"]
    assert findings[0].finding.text.startswith("Zoë")


def test_the_document_leaves_out_sections_that_only_repeat_its_tables(desk: Desk) -> None:
    incident = seed_demo(desk)
    desk.postmortems.start(incident, "standard")  # fills impact, responders and timeline
    keys = [s.key for s in desk.postmortems.document(incident).sections]
    assert "impact" in keys and "overview" in keys  # kept (overview: required, not written)
    assert not {"responders", "timeline", "action_items"} & set(keys)  # shown as tables
    section = desk.postmortems.view(incident).section("timeline")
    desk.postmortems.save_section(
        incident, "timeline", section.text + "\n\nThe pager fired late.", section.base
    )
    doc = desk.postmortems.document(incident)
    assert "timeline" in [s.key for s in doc.sections]  # someone wrote in it: it is kept


def test_overdue_follows_the_local_date_not_the_utc_one(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time
    from datetime import UTC, date, datetime

    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        evening = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 9 March, 18:00 in San Francisco
        desk = Desk(Desk.open(data_dir, "Ana").store, "Ana", clock=lambda: evening)
        incident = desk.incidents.declare("Checkout down", "SEV2", at=evening)
        desk.postmortems.start(incident, "lightweight", fill=False)
        desk.action_items.save(
            incident, description="Tune the pool", owner="Ana", due=date(2026, 3, 9)
        )
        view = desk.postmortems.view(incident)
        assert view.today == date(2026, 3, 9)
        assert view.overdue() == []  # due today, local time: not late yet
        desk.close()
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


# ----------------------------------------------------------------- two workstations


def two_desks(data_dir: Path) -> tuple[Desk, Desk]:
    other = data_dir.parent / "other-desk"
    other.mkdir()
    return Desk.open(data_dir, "alice"), Desk.open(other, "bob")


def exchange(source: Desk, target: Desk) -> None:
    from incidentdesk.core.journal.events import Event

    events: list[Event] = []
    source.exchange.read_journal(lambda _n: None, events.extend)
    target.exchange.receive(events)


def test_an_edit_made_before_hearing_of_the_approval_sends_the_review_back(
    data_dir: Path,
) -> None:
    a, b = two_desks(data_dir)
    incident = a.incidents.declare("Checkout down", "SEV2")
    a.postmortems.start(incident, "lightweight", fill=False)
    for spec in a.postmortems.view(incident).sections:
        if spec.spec.required:
            a.postmortems.save_section(
                incident, spec.spec.key, "The pool ran dry after a deploy.", None
            )
    a.postmortems.set_review_state(incident, "in_review", reviewers=["bob"])
    exchange(a, b)
    key = a.postmortems.view(incident).sections[0].spec.key
    base = a.postmortems.view(incident).section(key).base
    b.postmortems.set_review_state(incident, "approved")  # bob approves on his workstation...
    a.postmortems.save_section(
        incident, key, "UNREVIEWED TEXT added after approval", base
    )  # ...alice edits
    exchange(b, a)
    exchange(a, b)
    for desk in (a, b):
        pm = desk.incidents.get(incident).postmortem
        assert (pm.review_state, pm.approved_by) == ("in_review", ())
    with pytest.raises(DomainError, match="cannot become published"):
        a.postmortems.set_review_state(incident, "published")
    a.close()
    b.close()


def test_a_step_taken_from_a_state_that_no_longer_holds_changes_nothing(
    data_dir: Path,
) -> None:
    a, b = two_desks(data_dir)
    incident = a.incidents.declare("Checkout down", "SEV2")
    a.postmortems.start(incident, "lightweight", fill=False)
    for spec in a.postmortems.view(incident).sections:
        if spec.spec.required:
            a.postmortems.save_section(
                incident, spec.spec.key, "The pool ran dry after a deploy.", None
            )
    a.postmortems.set_review_state(incident, "in_review", reviewers=["bob", "alice"])
    a.postmortems.set_review_state(incident, "approved")
    exchange(a, b)
    a.postmortems.set_review_state(incident, "published")
    b.postmortems.set_review_state(incident, "draft")  # bob, from "approved", on his stale copy
    exchange(b, a)
    exchange(a, b)
    for desk in (a, b):
        pm = desk.incidents.get(incident).postmortem
        assert (pm.review_state, pm.revision) == ("published", 1)  # still read-only
    a.close()
    b.close()


def test_two_templates_started_at_once_keep_every_section_someone_wrote_in(
    data_dir: Path,
) -> None:
    a, b = two_desks(data_dir)
    incident = a.incidents.declare("Checkout down", "SEV2")
    exchange(a, b)
    a.postmortems.start(incident, "standard", fill=False)
    b.postmortems.start(incident, "lightweight", fill=False)
    b_key = b.postmortems.view(incident).sections[0].spec.key
    b.postmortems.save_section(incident, b_key, "Bob's words.", None)
    exchange(a, b)
    exchange(b, a)
    for desk in (a, b):
        view = desk.postmortems.view(incident)
        assert view.section(b_key).text == "Bob's words."
        assert "overview" in [s.spec.key for s in view.sections]
    a.close()
    b.close()


def test_search_keeps_the_newest_action_item_text_when_saves_arrive_out_of_order(
    data_dir: Path,
) -> None:
    import time

    a, b = two_desks(data_dir)
    third = data_dir.parent / "third-desk"
    third.mkdir()
    c = Desk.open(third, "carol")
    incident = a.incidents.declare("Checkout down", "SEV2")
    a.postmortems.start(incident, "lightweight", fill=False)
    item = a.action_items.save(incident, description="Tune the pool", owner="Ana")
    exchange(a, b)
    a.action_items.save(incident, item, description="Giraffe runbook")  # earlier in fold order
    time.sleep(0.005)  # a later millisecond: bob's clock value is the higher one
    b.action_items.save(incident, item, description="Hippo runbook")  # later: it wins
    exchange(b, c)  # the server happens to deliver bob's save first
    exchange(a, c)
    for desk in (c, c.with_author("carol")):
        assert [i["description"] for i in desk.action_items.rows()] == ["Hippo runbook"]
    assert [h.incident_id for h in c.incidents.search("hippo")] == [incident]
    assert c.incidents.search("giraffe") == []
    c.rebuild()
    assert c.incidents.search("giraffe") == [] and len(c.incidents.search("hippo")) == 1
    for desk in (a, b, c):
        desk.close()
