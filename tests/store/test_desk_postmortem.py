"""The post-mortem through the Desk: prefill from the demo incident, autosave, a conflict
between two workstations, the review workflow, action items and the exported document."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from incidentdesk.app.demo import seed_demo
from incidentdesk.app.desk import Desk
from incidentdesk.core.errors import DomainError
from incidentdesk.core.journal.events import Event

NOW = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
CET = timezone(timedelta(hours=1))

GOOD_TEXT = {
    "overview": "For 76 minutes, EU card payments failed after a migration dropped an index.",
    "what_happened": "Migration 0142 rebuilt ledger_entries without ix_entries_account.",
    "contributing_factors": "The migration linter does not compare indexes; staging is small.",
    "resolution": "The index was recreated concurrently while traffic kept flowing.",
    "how_did_we_do": "Went well: the deploy log pointed at the migration within 20 minutes.",
}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def demo(data_dir: Path) -> Iterator[tuple[Desk, str]]:
    desk = Desk(Desk.open(data_dir, "Lena Novak").store, "Lena Novak", clock=Clock(NOW))
    incident = seed_demo(desk)
    yield desk, incident
    desk.close()


def _journal(desk: Desk) -> list[Event]:
    events: list[Event] = []
    desk.exchange.read_journal(lambda _n: None, events.extend)
    return events


def test_prefill_from_the_demo_incident(demo: tuple[Desk, str]) -> None:
    desk, incident = demo
    filled = desk.postmortems.prefill(incident, CET)
    assert filled.durations == (
        ("Time to detect", "0s"),
        ("Time to acknowledge", "4m 00s"),
        ("Time to mitigate", "1h 16m"),
    )
    assert ("Incident Commander", "Maya Chen") in filled.responders
    assert ("Incident Commander", "Alex Kim") in filled.responders
    assert ("Incident Commander (shadow)", "Rui Costa") in filled.responders
    assert ("Subject Matter Expert", "Lena Novak") in filled.responders
    impact = filled.texts["impact"]
    assert "- Impact window: 2026-11-26 14:00 UTC (15:00 local) to 2026-11-26 15:16 UTC" in impact
    assert "- Time to acknowledge: 4m 00s" in impact
    assert "payments-api, ledger-service" in impact
    kinds = [m.kind for m in filled.timeline]
    assert kinds[0] == "incident.declared"
    assert {"status.changed", "milestone.set", "role.assigned"} <= set(kinds)
    texts = [m.text for m in filled.timeline]
    assert "Incident Commander handed over from Maya Chen to Alex Kim" in texts
    assert any(t.startswith("Hypothesis: migration 0142") for t in texts)  # pinned decision
    assert not any("Bridge closed" in t for t in texts)  # an ordinary note is not key
    timeline = filled.texts["timeline"].splitlines()
    assert timeline[0].startswith("- 2026-11-26 14:00 UTC (15:00 local): Declared SEV2")
    assert [m.at for m in filled.timeline] == sorted(m.at for m in filled.timeline)
    assert filled.texts["escalations"] == "Nothing was escalated."


def test_starting_fills_the_sections_the_journal_knows(demo: tuple[Desk, str]) -> None:
    desk, incident = demo
    desk.postmortems.start(incident, "standard", local_tz=CET)
    view = desk.postmortems.view(incident)
    assert view.started and view.template_name == "Standard" and view.review_label == "draft"
    by_key = {s.key: s for s in view.sections}
    assert by_key["impact"].text.startswith("- Impact window:")
    assert by_key["responders"].completeness == "complete"
    assert by_key["overview"].completeness == "empty" and by_key["overview"].base is None
    assert by_key["action_items"].text == ""  # no action items yet: nothing to fill in
    assert 0 < view.completeness < 1
    assert any("Overview" in b for b in view.blockers)
    with pytest.raises(DomainError, match="already has a post-mortem"):
        desk.postmortems.start(incident, "lightweight")
    with pytest.raises(DomainError, match="no template 'nope'; use one of standard"):
        desk.postmortems.start(incident, "nope")


def test_autosave_chains_its_bases_and_the_same_text_records_nothing(
    demo: tuple[Desk, str],
) -> None:
    desk, incident = demo
    desk.postmortems.start(incident, "lightweight")
    base = None
    for text in ("A migration", "A migration dropped", "A migration dropped an index."):
        base = desk.postmortems.save_section(incident, "contributors", text, base)
    before = len(_journal(desk))
    assert (
        desk.postmortems.save_section(
            incident, "contributors", "A migration dropped an index.", base
        )
        == base
    )
    assert len(_journal(desk)) == before
    section = desk.postmortems.view(incident).section("contributors")
    assert section.conflict is None and section.heads == (base,)
    assert section.text == "A migration dropped an index."
    with pytest.raises(DomainError, match="no section 'summary'; its sections are contributors"):
        desk.postmortems.save_section(incident, "summary", "x", None)
    with pytest.raises(DomainError, match="is not a save of the section 'mitigators'"):
        desk.postmortems.save_section(incident, "mitigators", "x", base)


def test_two_workstations_conflict_identically_and_merge(tmp_path: Path) -> None:
    clock = Clock(NOW)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    ana = Desk(Desk.open(tmp_path / "a", "Ana").store, "Ana", clock=clock)
    bo = Desk(Desk.open(tmp_path / "b", "Bo").store, "Bo", clock=clock)
    try:
        incident = ana.incidents.declare("Checkout down", "SEV2")
        ana.postmortems.start(incident, "lightweight")
        first = ana.postmortems.save_section(
            incident, "contributors", "A migration dropped an index.", None
        )
        bo.exchange.receive(_journal(ana))
        # Both edit the same version while apart.
        mine = ana.postmortems.save_section(
            incident, "contributors", "A migration dropped an index on the primary.", first
        )
        clock.now += timedelta(seconds=5)
        theirs = bo.postmortems.save_section(
            incident, "contributors", "A migration dropped an index; the linter missed it.", first
        )
        ana.exchange.receive(_journal(bo))
        bo.exchange.receive(_journal(ana))
        views = [d.postmortems.view(incident).section("contributors") for d in (ana, bo)]
        assert views[0].conflict == views[1].conflict
        conflict = views[0].conflict
        assert conflict is not None
        assert conflict.base_id == first
        assert conflict.base_text == "A migration dropped an index."
        assert {(h.id, h.author) for h in conflict.heads} == {(mine, "Ana"), (theirs, "Bo")}
        assert views[0].text == views[1].text == "A migration dropped an index."
        assert any(
            "conflicting edits (Contributors)" in b for b in ana.postmortems.view(incident).blockers
        )

        merged = ana.postmortems.resolve_conflict(
            incident,
            "contributors",
            "A migration dropped an index on the primary; the linter missed it.",
            [h.id for h in conflict.heads],
        )
        bo.exchange.receive(_journal(ana))
        for desk in (ana, bo):
            section = desk.postmortems.view(incident).section("contributors")
            assert section.conflict is None
            assert section.heads == (merged,)
            assert section.text.endswith("the linter missed it.")
    finally:
        ana.close()
        bo.close()


def _fill_lightweight(desk: Desk, incident: str) -> None:
    desk.postmortems.start(incident, "lightweight")
    for key, text in {
        "contributors": "A migration dropped an index, and someone should have tested it.",
        "mitigators": "Recreating the index concurrently kept traffic flowing.",
        "follow_ups": "The migration linter will compare indexes before and after.",
    }.items():
        desk.postmortems.save_section(incident, key, text, None)


def test_approval_needs_findings_fixed_or_accepted_and_a_named_reviewer(
    demo: tuple[Desk, str],
) -> None:
    desk, incident = demo
    _fill_lightweight(desk, incident)
    with pytest.raises(DomainError, match="cannot become approved"):
        desk.postmortems.set_review_state(incident, "approved")
    with pytest.raises(DomainError, match="Name at least one reviewer"):
        desk.postmortems.set_review_state(incident, "in review")
    desk.postmortems.set_review_state(incident, "in review", reviewers=["Priya Raman"])
    with pytest.raises(DomainError, match=r"Only a named reviewer \(Priya Raman\) can approve"):
        desk.postmortems.set_review_state(incident, "approved")
    priya = desk.with_author("Priya Raman")
    with pytest.raises(DomainError, match="1 blameless finding must be reworded or accepted"):
        priya.postmortems.set_review_state(incident, "approved")

    view = priya.postmortems.view(incident)
    assert view.checked
    finding = view.section("contributors").findings[0]
    assert finding.open and finding.finding.text == "should have"
    with pytest.raises(DomainError, match="A reason is needed"):
        desk.postmortems.accept_finding(
            incident, "contributors", finding.finding.rule_id, "should have", 42, " "
        )
    desk.postmortems.accept_finding(
        incident,
        "contributors",
        finding.finding.rule_id,
        finding.finding.text,
        finding.finding.start,
        "Quoting the migration checklist, which says so.",
    )
    assert priya.postmortems.view(incident).blockers == ()
    priya.postmortems.set_review_state(incident, "approved")
    view = priya.postmortems.view(incident)
    assert (view.review_state, view.approved_by, view.read_only) == (
        "approved",
        ("Priya Raman",),
        True,
    )


def test_rewording_a_finding_fixes_it_and_an_incomplete_section_blocks(
    demo: tuple[Desk, str],
) -> None:
    desk, incident = demo
    _fill_lightweight(desk, incident)
    view = desk.postmortems.view(incident)
    section = view.section("contributors")
    desk.postmortems.save_section(
        incident, "contributors", "A migration dropped an index; nothing checked it.", section.base
    )
    follow = desk.postmortems.view(incident).section("follow_ups")
    desk.postmortems.save_section(incident, "follow_ups", "TODO", follow.base)
    desk.postmortems.set_review_state(incident, "in review", reviewers=["Lena Novak"])
    with pytest.raises(DomainError, match=r"required sections are not complete \(Follow-ups\)"):
        desk.postmortems.set_review_state(incident, "approved")
    desk.postmortems.save_section(
        incident, "follow_ups", "Linter compares indexes (Lena, P2).", None
    )
    view = desk.postmortems.view(incident)
    assert view.section("follow_ups").conflict is not None  # a save on a stale base
    with pytest.raises(DomainError, match=r"unmerged conflicting edits \(Follow-ups\)"):
        desk.postmortems.set_review_state(incident, "approved")
    desk.postmortems.resolve_conflict(
        incident,
        "follow_ups",
        "Linter compares indexes (Lena, P2).",
        view.section("follow_ups").heads,
    )
    desk.postmortems.set_review_state(incident, "approved")
    assert desk.postmortems.view(incident).review_state == "approved"


def test_published_is_read_only_until_a_new_revision(demo: tuple[Desk, str]) -> None:
    desk, incident = demo
    _fill_lightweight(desk, incident)
    section = desk.postmortems.view(incident).section("contributors")
    desk.postmortems.save_section(
        incident, "contributors", "A migration dropped an index.", section.base
    )
    desk.postmortems.set_review_state(incident, "in review", reviewers=["Lena Novak"])
    desk.postmortems.set_review_state(incident, "approved")
    with pytest.raises(DomainError, match="approved; move it back to draft"):
        desk.postmortems.save_section(incident, "risks", "More migrations queued.", None)
    desk.postmortems.set_review_state(incident, "published")
    item = desk.action_items.save(incident, description="Index linter", owner="Lena Novak")
    with pytest.raises(DomainError, match=r"published \(revision 1\) and read-only; start a new"):
        desk.postmortems.save_section(incident, "risks", "More migrations queued.", None)
    with pytest.raises(DomainError, match="start a new revision"):
        desk.postmortems.set_review_state(incident, "draft")
    desk.action_items.save(incident, item, status="done")  # tracked work goes on
    published = desk.postmortems.document(incident)
    assert published.review_state == "published" and published.revision == 1

    desk.postmortems.start_revision(incident, "Add the customer numbers")
    view = desk.postmortems.view(incident)
    assert (view.review_state, view.revision, view.approved_by) == ("draft", 2, ())
    steps = [(h.state, h.revision, h.reason) for h in view.history]
    assert steps == [
        ("in_review", 1, None),
        ("approved", 1, None),
        ("published", 1, None),
        ("draft", 2, "Add the customer numbers"),
    ]
    desk.postmortems.save_section(incident, "risks", "More migrations queued.", None)
    assert desk.postmortems.view(incident).section("risks").text == "More migrations queued."
    assert desk.postmortems.view(incident).section("risks").published_text is None
    with pytest.raises(DomainError, match="Only a published post-mortem starts a new revision"):
        desk.postmortems.start_revision(incident)


def test_action_items_defaults_overdue_and_my_items(data_dir: Path) -> None:
    clock = Clock(NOW)
    desk = Desk(Desk.open(data_dir, "Ana").store, "Ana", clock=clock)
    try:
        sev1 = desk.incidents.declare("Payments down", "SEV1")
        sev3 = desk.incidents.declare("Slow search", "SEV3")
        first = desk.action_items.save(sev1, description="Pool alert", owner="Bo", type="detect")
        item = desk.incidents.get(sev1).postmortem.action_items[first]
        assert (item.type, item.priority, item.status) == ("detect", "P3", "open")
        assert item.due == date(2026, 12, 3)  # SEV1: 7 days
        later = desk.action_items.save(sev3, description="Cache warmup", owner="bo")
        assert desk.incidents.get(sev3).postmortem.action_items[later].due == date(2026, 12, 26)
        undated = desk.action_items.save(sev3, description="Runbook", owner="Bo", due=None)
        desk.action_items.save(sev3, description="Not mine", owner="Cy")
        desk.action_items.due_days = {"SEV1": 2}
        short = desk.action_items.save(sev1, description="Hotfix", owner="Bo", priority="p1")
        assert desk.incidents.get(sev1).postmortem.action_items[short].due == date(2026, 11, 28)

        clock.now = NOW + timedelta(days=10)
        mine = desk.action_items.owned_by("BO")
        assert [o.item.id for o in mine] == [short, first, later, undated]
        assert [o.overdue for o in mine] == [True, True, False, False]
        assert mine[0].incident_title == "Payments down"

        desk.action_items.save(sev1, short, status="won't do")
        desk.action_items.save(sev1, first, due="2026-12-20", tracker_url="https://t.example/1")
        edited = desk.incidents.get(sev1).postmortem.action_items[first]
        assert (edited.description, edited.owner, edited.due) == (
            "Pool alert",
            "Bo",
            date(2026, 12, 20),
        )
        assert [o.item.id for o in desk.action_items.owned_by("Bo")] == [first, later, undated]
        assert len(desk.action_items.owned_by("Bo", include_closed=True)) == 4

        with pytest.raises(DomainError, match="must start with http:// or https://"):
            desk.action_items.save(sev1, first, tracker_url="ftp://t.example/1")
        nobodys = desk.action_items.save(sev1, description="Nobody's yet", due=None)
        assert desk.incidents.get(sev1).postmortem.action_items[nobodys].owner == ""
        with pytest.raises(DomainError, match="A new action item needs a description"):
            desk.action_items.save(sev1, owner="Bo")
        with pytest.raises(DomainError, match="no action item"):
            desk.action_items.save(sev1, "0192f3a0-0000-7000-8000-00000000dead", status="done")
        with pytest.raises(DomainError, match="not a valid priority"):
            desk.action_items.save(sev1, first, priority="urgent")
    finally:
        desk.close()


def test_the_document_is_the_same_for_the_same_journal(
    demo: tuple[Desk, str], tmp_path: Path
) -> None:
    desk, incident = demo
    desk.postmortems.start(incident, "standard", local_tz=CET)
    for key, text in GOOD_TEXT.items():
        desk.postmortems.save_section(incident, key, text, None)
    desk.action_items.save(
        incident, description="Index linter", owner="Lena Novak", type="prevent", priority="P2"
    )
    doc = desk.postmortems.document(incident)
    assert doc.template == "Standard" and doc.review_state == "draft" and doc.revision == 1
    assert [s.key for s in doc.sections][:2] == ["overview", "what_happened"]
    assert doc.sections[0].text == GOOD_TEXT["overview"] and doc.sections[0].required
    assert ("Time to mitigate", "1h 16m") in doc.durations
    assert doc.timeline[0].kind == "incident.declared"
    assert doc.action_items[0].description == "Index linter"
    assert doc.action_items[0].status == "open" and doc.action_items[0].due == "2026-12-10"
    assert doc.services == ("payments-api", "ledger-service")

    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    other = Desk(
        Desk.open(copy_dir, "Someone").store, "Someone", clock=Clock(NOW + timedelta(days=3))
    )
    try:
        other.exchange.receive(reversed(_journal(desk)))
        assert other.postmortems.document(incident) == doc
    finally:
        other.close()
