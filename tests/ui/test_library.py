"""The incident library and the read-only review, on a real local store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from incidentdesk.app.demo import seed_demo
from incidentdesk.app.desk import Desk
from incidentdesk.core.journal.sync_state import LOCAL_ONLY, OFFLINE, ONLINE, SyncStatus
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.library.model import (
    DRILL,
    SEV,
    STARTED,
    TITLE,
    HtmlRole,
    IncidentIdRole,
    LibraryModel,
    highlighted_html,
)
from incidentdesk.ui.library.panel import LibraryPanel
from incidentdesk.ui.library.review import role_tenures
from incidentdesk.ui.metrics.panel import MetricsPanel
from incidentdesk.ui.shell.app import build_window
from incidentdesk.ui.shell.main_window import COMMAND, LIBRARY, METRICS

DEMO_TITLE = "EU checkout failing: payments-api 5xx from ledger-service timeouts"


@dataclass
class Library:
    """The seeded incidents, by name."""

    demo: str
    login: str
    search: str
    payments: str
    game_day: str
    email: str
    rehearsal_note: str


def seed_library(desk: Desk) -> Library:
    """The demo incident and five past ones (closed, resolved, one marked a drill)."""
    demo = seed_demo(desk)
    now = datetime.now(UTC).replace(microsecond=0)

    def past(title: str, sev: str, services: list[str], days: int, resolve: int) -> str:
        start = now - timedelta(days=days)
        incident = desk.incidents.declare(title, sev, services, at=start)
        desk.incidents.set_milestone(incident, "acknowledged", at=start + timedelta(minutes=5))
        desk.incidents.assign_role(
            incident, "commander", "Maya Chen", at=start + timedelta(minutes=5)
        )
        desk.incidents.set_status(incident, "resolved", at=start + timedelta(minutes=resolve))
        return incident

    login = past("Login latency spike in US", "SEV3", ["auth-api"], 12, 95)
    desk.incidents.set_status(login, "closed")
    search = past("Search index lagging", "SEV4", ["search"], 25, 300)
    desk.incidents.set_status(search, "closed")
    payments = past("Payments double charge", "SEV1", ["payments-api"], 40, 180)
    rehearsal = desk.incidents.add_note(
        payments,
        "Rollback rehearsal planned with the ledger team",
        at=now - timedelta(days=40) + timedelta(minutes=30),
    )
    game_day = past("Game day: region failover", "SEV2", ["edge"], 50, 45)
    desk.incidents.set_drill(game_day)
    email = past("Email queue backlog", "SEV4", [], 95, 600)
    return Library(demo, login, search, payments, game_day, email, rehearsal)


@pytest.fixture
def seeded(desk: Desk) -> Library:
    return seed_library(desk)


@pytest.fixture
def panel(
    qtbot: QtBot, client: DeskClient, seeded: Library, settle: Callable[[], None]
) -> LibraryPanel:
    made = LibraryPanel(client)
    qtbot.addWidget(made)
    made.resize(1300, 700)
    made.show()
    made.reload()
    settle()
    return made


def shown_titles(panel: LibraryPanel) -> list[str]:
    proxy = panel.proxy
    return [proxy.index(r, TITLE).data() for r in range(proxy.rowCount())]


def texts_in(widget: QWidget) -> str:
    return " ".join(label.text() for label in widget.findChildren(QLabel))


def row_of(panel: LibraryPanel, incident_id: str) -> int:
    proxy = panel.proxy
    return next(
        r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(IncidentIdRole) == incident_id
    )


def test_lists_every_incident_with_the_demo_first_by_start(
    panel: LibraryPanel, qtmodeltester: ModelTester
) -> None:
    titles = shown_titles(panel)
    assert len(titles) == 6
    assert titles[0] == DEMO_TITLE  # newest start first
    assert "Login latency spike in US" in titles  # closed incidents are listed too
    assert titles[-1] == "Email queue backlog"
    assert panel.count_label.text() == "6 incidents"
    assert panel.table.isVisible()
    qtmodeltester.check(panel.model)
    qtmodeltester.check(panel.proxy)


def test_filters_by_severity_status_service_drill_and_dates(
    panel: LibraryPanel, seeded: Library
) -> None:
    panel.severity_box.setCurrentText("SEV4")
    assert sorted(shown_titles(panel)) == ["Email queue backlog", "Search index lagging"]
    assert panel.count_label.text() == "2 of 6 incidents match the filters"
    panel.status_box.setCurrentText("Closed")
    assert shown_titles(panel) == ["Search index lagging"]
    panel.severity_box.setCurrentText("All severities")
    panel.status_box.setCurrentText("Active")
    assert shown_titles(panel) == [DEMO_TITLE]
    panel.status_box.setCurrentText("All statuses")

    services = [panel.service_box.itemText(i) for i in range(panel.service_box.count())]
    assert services[0] == "All services" and "ledger-service" in services
    panel.service_box.setCurrentText("payments-api")
    assert sorted(shown_titles(panel)) == [DEMO_TITLE, "Payments double charge"]
    panel.service_box.setCurrentText("All services")

    panel.drill_box.setCurrentText("Drills only")
    assert shown_titles(panel) == ["Game day: region failover"]
    assert panel.proxy.index(0, DRILL).data() == "Drill"
    panel.drill_box.setCurrentText("Drills hidden")
    assert "Game day: region failover" not in shown_titles(panel)
    assert len(shown_titles(panel)) == 5
    panel.drill_box.setCurrentText("Drills shown")

    today = QDate.currentDate()
    panel.period.set_range(today.addDays(-45), today.addDays(-20))
    assert sorted(shown_titles(panel)) == ["Payments double charge", "Search index lagging"]
    panel.period.preset.setCurrentText("Last 30 days")
    assert sorted(shown_titles(panel)) == [
        DEMO_TITLE,
        "Login latency spike in US",
        "Search index lagging",
    ]
    panel.period.preset.setCurrentText("Any time")
    assert len(shown_titles(panel)) == 6


def test_the_team_filter_follows_the_service_catalog(
    panel: LibraryPanel, desk: Desk, settle: Callable[[], None]
) -> None:
    assert not panel.team_box.isVisibleTo(panel)  # no catalog: no teams to choose from
    from incidentdesk.core.catalog.model import parse_toml

    desk.catalog.import_catalog(
        parse_toml(
            """
[[teams]]
name = "money"
members = []
[[teams]]
name = "identity"
members = []
[[services]]
name = "payments-api"
team = "money"
tier = 1
[[services]]
name = "auth-api"
team = "identity"
tier = 2
"""
        )
    )
    panel.reload()
    settle()
    teams = [panel.team_box.itemText(i) for i in range(panel.team_box.count())]
    assert teams == ["All teams", "identity", "money"]
    assert panel.team_box.isVisibleTo(panel)
    panel.team_box.setCurrentText("money")
    assert sorted(shown_titles(panel)) == [DEMO_TITLE, "Payments double charge"]
    panel.team_box.setCurrentText("identity")
    assert shown_titles(panel) == ["Login latency spike in US"]


def test_only_incidents_with_open_action_items(
    panel: LibraryPanel, desk: Desk, seeded: Library, settle: Callable[[], None]
) -> None:
    desk.postmortems.start(seeded.payments, "lightweight", fill=False)
    item = desk.action_items.save(
        seeded.payments, description="Idempotency keys on charges", owner="Maya Chen"
    )
    panel.reload()
    settle()
    panel.actions_box.setChecked(True)
    assert shown_titles(panel) == ["Payments double charge"]
    desk.action_items.save(seeded.payments, item, status="done")
    panel.reload()
    settle()
    assert shown_titles(panel) == []
    panel.actions_box.setChecked(False)
    assert len(shown_titles(panel)) == 6


def test_an_action_from_the_timeline_is_an_open_action_item_before_any_post_mortem(
    panel: LibraryPanel, desk: Desk, seeded: Library, settle: Callable[[], None]
) -> None:
    desk.action_items.add_action(seeded.payments, "@maya refund the double charges tomorrow")
    panel.reload()
    settle()
    panel.actions_box.setChecked(True)
    assert shown_titles(panel) == ["Payments double charge"]


def test_review_shows_who_was_paged_and_the_post_mortem_with_its_action_items(
    qtbot: QtBot, panel: LibraryPanel, desk: Desk, seeded: Library
) -> None:
    from datetime import date

    from incidentdesk.core.catalog.model import parse_toml

    desk.catalog.import_catalog(
        parse_toml(
            """
[[teams]]
name = "money"
members = []
escalation_policy = "money"
[[services]]
name = "payments-api"
team = "money"
tier = 1
[[policies]]
name = "money"
[[policies.levels]]
targets = ["pd"]
ack_timeout_minutes = 5
[[targets]]
name = "pd"
adapter = "pagerduty"
secret = "pagerduty/money"
"""
        )
    )
    page = desk.escalations.escalate(seeded.demo, "payments-api")
    desk.escalations.acknowledge(seeded.demo, page, by="Priya Raman")
    desk.postmortems.start(seeded.demo, "lightweight", fill=False)
    desk.action_items.save(
        seeded.demo, description="Tune the pool", owner="Ravi Patel", due=date(2020, 1, 1)
    )
    panel.open_review(seeded.demo)
    review = panel.review
    qtbot.waitUntil(lambda: review.state is not None and review.state.id == seeded.demo)
    escalations = texts_in(review.escalations)
    assert "payments-api — money, level 1: acknowledged" in escalations
    assert "by Priya Raman" in escalations
    text = texts_in(review.postmortem)
    assert "Draft (revision 1) · Lightweight template" in text
    assert "Tune the pool (Ravi Patel, open, due 2020-01-01) — OVERDUE" in text
    assert review.postmortem_button.text() == "Open post-mortem…"


def test_sorts_by_any_column(qtbot: QtBot, panel: LibraryPanel) -> None:
    panel.table.sortByColumn(SEV, Qt.SortOrder.AscendingOrder)
    severities = [panel.proxy.index(r, SEV).data() for r in range(panel.proxy.rowCount())]
    assert severities == sorted(severities)  # SEV1 (worst) first
    assert severities[0] == "SEV1"
    panel.table.sortByColumn(TITLE, Qt.SortOrder.AscendingOrder)
    titles = shown_titles(panel)
    assert titles == sorted(titles, key=str.casefold)
    panel.table.sortByColumn(STARTED, Qt.SortOrder.AscendingOrder)
    assert shown_titles(panel)[0] == "Email queue backlog"  # the oldest
    # Clicking a header sorts too (the view is the user's way in).
    header = panel.table.horizontalHeader()
    at = QPoint(header.sectionViewportPosition(SEV) + 10, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert header.sortIndicatorSection() == SEV
    severities = [panel.proxy.index(r, SEV).data() for r in range(panel.proxy.rowCount())]
    assert severities in (sorted(severities), sorted(severities, reverse=True))


def test_search_waits_for_typing_to_pause_then_highlights_the_matched_words(
    qtbot: QtBot, panel: LibraryPanel, seeded: Library, qtmodeltester: ModelTester
) -> None:
    serial = panel._search_serial
    qtbot.keyClicks(panel.search, "rehearsal")
    assert not panel.searching, "nothing is searched while typing"
    assert panel._search_serial == serial
    qtbot.waitUntil(lambda: panel.searching, timeout=3000)
    assert panel._search_serial == serial + 1, "one search for the whole word, not one per key"
    assert panel.results_view.isVisible() and not panel.table.isVisible()
    results = panel.results
    assert results.rowCount() == 1
    qtmodeltester.check(results)
    hit = results.hits[0]
    assert hit.incident_id == seeded.payments and hit.event_id == seeded.rehearsal_note
    html = results.index(0).data(HtmlRole)
    assert "<b>rehearsal</b>" in html
    assert "Payments double charge" in html
    assert panel.count_label.text() == "1 match for “rehearsal”"

    # A filter that leaves the hit's incident out hides the hit.
    panel.severity_box.setCurrentText("SEV4")
    assert results.rowCount() == 0
    assert "1 hidden by the filters" in panel.count_label.text()
    panel.severity_box.setCurrentText("All severities")

    # Opening a hit shows the review with that entry selected.
    panel.results_view.setCurrentIndex(results.index(0))
    qtbot.keyClick(panel.results_view, Qt.Key.Key_Return)
    review = panel.review
    qtbot.waitUntil(lambda: review.state is not None and review.state.id == seeded.payments)
    assert review.timeline.selected_event_id() == seeded.rehearsal_note

    # Clearing the search shows the whole list again.
    panel.show_browser()
    panel.search.clear()
    assert not panel.searching and panel.table.isVisible()


def test_search_finds_demo_notes_and_answers_only_the_latest_query(
    qtbot: QtBot, panel: LibraryPanel, settle: Callable[[], None]
) -> None:
    panel.search.setText("index")
    panel._run_search_now()
    panel.search.setText("reconciliation")  # typed on before the first answer came
    panel._run_search_now()
    settle()
    assert panel.results.query == "reconciliation"
    snippets = [h.snippet for h in panel.results.hits]
    assert any("reconciliation" in s.lower() for s in snippets)
    assert all("<b>" in panel.results.index(r).data(HtmlRole) for r in range(len(snippets)))


def test_highlighted_html_escapes_text_and_merges_spans() -> None:
    assert highlighted_html("a <b> & c", [(0, 1)]) == "<b>a</b> &lt;b&gt; &amp; c"
    assert highlighted_html("deploy window", [(0, 3), (2, 6)]) == "<b>deploy</b> window"
    assert highlighted_html("short", [(3, 99)]) == "sho<b>rt</b>"


def test_mark_as_drill_from_the_context_menu_leaves_it_out_of_the_metrics(
    qtbot: QtBot,
    panel: LibraryPanel,
    client: DeskClient,
    desk: Desk,
    seeded: Library,
    settle: Callable[[], None],
) -> None:
    metrics = MetricsPanel(client)
    qtbot.addWidget(metrics)
    metrics.show()
    metrics.reload()
    settle()
    assert metrics.report is not None
    counted = metrics.report.counted
    assert metrics.report.drills_excluded == 1  # the game day

    row = row_of(panel, seeded.payments)
    menu = panel.context_menu(panel.proxy.index(row, TITLE))
    assert menu is not None
    labels = [a.text() for a in menu.actions() if a.text()]
    assert labels == ["Open review", "Mark as drill"]  # resolved: no command view
    next(a for a in menu.actions() if a.text() == "Mark as drill").trigger()
    with qtbot.waitSignal(panel.message) as said:
        settle()
    assert "drill" in said.args[0]
    assert desk.incidents.get(seeded.payments).drill

    panel.reload()
    metrics.reload()
    settle()
    assert metrics.report.counted == counted - 1
    assert metrics.report.drills_excluded == 2
    menu = panel.context_menu(panel.proxy.index(row, TITLE))
    assert menu is not None
    assert "Not a drill" in [a.text() for a in menu.actions()]
    demo_row = row_of(panel, seeded.demo)
    menu = panel.context_menu(panel.proxy.index(demo_row, TITLE))
    assert menu is not None
    assert "Open in command view" in [a.text() for a in menu.actions()]


def test_review_opens_read_only_with_roles_escalations_and_post_mortem(
    qtbot: QtBot, panel: LibraryPanel, desk: Desk, seeded: Library
) -> None:
    demo_row = row_of(panel, seeded.demo)
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.proxy.index(demo_row, TITLE))
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    review = panel.review
    qtbot.waitUntil(lambda: review.state is not None and review.state.id == seeded.demo)
    assert panel.pages.currentWidget() is review
    assert review.header.title.text() == DEMO_TITLE
    assert review.header.milestone_labels["mitigated_at"].text() != "—"
    assert review.timeline.model.rowCount() >= 55
    assert "Review (read-only)" in review.notice.text()

    # Read-only: no pin, no correct, in the menu or by keyboard.
    timeline = review.timeline
    assert not timeline.pin_action.isEnabled() and not timeline.correct_action.isEnabled()
    assert timeline.pin_action not in timeline.actions()
    events = desk.incidents.get(seeded.demo).event_count
    timeline.view.selectRow(3)
    with qtbot.waitSignal(timeline.message) as said:
        timeline.toggle_pin()
    assert "read-only" in said.args[0]
    timeline.correct_selected()
    assert desk.incidents.get(seeded.demo).event_count == events

    # Who held what: the commander handover, the shadow, the released expert.
    roles = review.roles
    commander = roles.topLevelItem(0)
    assert commander.text(0) == "Incident Commander"
    people = [commander.child(i).text(0).strip() for i in range(commander.childCount())]
    assert people == ["Maya Chen", "Alex Kim", "shadow: Rui Costa"]
    assert "handed over to Alex Kim" in commander.child(0).text(2)
    assert commander.child(1).text(2) == "still holds it"
    assert "1 handover" in review.roles_label.text()
    experts = roles.topLevelItem(roles.topLevelItemCount() - 1)
    assert experts.text(0) == "Subject Matter Expert"
    assert "released" in experts.child(0).text(2)

    assert "No post-mortem yet." in texts_in(review.postmortem)
    assert review.postmortem_button.text() == "Start post-mortem…"
    assert "Nobody was paged." in texts_in(review.escalations)
    assert review.escalations.isVisible()
    with qtbot.waitSignal(panel.postmortem_requested) as wanted:
        review.postmortem_button.click()
    assert wanted.args == [seeded.demo]
    assert review.command_button.isVisible()  # the demo is still being worked
    with qtbot.waitSignal(panel.command_requested) as asked:
        review.command_button.click()
    assert asked.args == [seeded.demo]

    # Back to the list with Escape; a closed incident offers no command view.
    qtbot.keyClick(review.timeline.view, Qt.Key.Key_Escape)
    assert panel.pages.currentWidget() is panel.browser
    panel.open_review(seeded.login)
    qtbot.waitUntil(lambda: review.state is not None and review.state.id == seeded.login)
    assert not review.command_button.isVisible()
    assert not review.drill_badge.isVisible()
    panel.open_review(seeded.game_day)
    qtbot.waitUntil(lambda: review.state is not None and review.state.id == seeded.game_day)
    assert review.drill_badge.isVisible()


def test_role_tenures_follow_handovers_and_releases(desk: Desk) -> None:
    incident = seed_demo(desk)
    tenures = role_tenures(desk.incidents.get(incident).role_history)
    commander = [t for t in tenures if t.role == "commander"]
    assert [(t.person, t.shadow, t.ended_by) for t in commander] == [
        ("Maya Chen", False, "handed over to Alex Kim"),
        ("Alex Kim", False, ""),
        ("Rui Costa", True, ""),
    ]
    assert commander[0].end == commander[1].start
    sme = next(t for t in tenures if t.role == "sme")
    assert sme.ended_by == "released" and sme.end is not None


def test_sync_line_says_when_data_last_synced_and_offline_changes_nothing(
    qtbot: QtBot, panel: LibraryPanel, seeded: Library
) -> None:
    assert panel.sync_label.text().startswith("Local only")
    synced = datetime.now(UTC) - timedelta(minutes=3)
    panel.set_sync_status(SyncStatus(ONLINE, last_sync=synced))
    assert panel.sync_label.text().startswith("Last sync: ")
    assert synced.astimezone().strftime("%H:%M:%S") in panel.sync_label.text()
    before = shown_titles(panel)
    panel.set_sync_status(SyncStatus(OFFLINE, waiting=2, last_sync=synced))
    assert panel.sync_label.text().startswith("Offline · last sync: ")
    assert "work offline" in panel.sync_label.toolTip()
    assert shown_titles(panel) == before
    panel.open_review(seeded.search)  # offline, a past incident still opens
    qtbot.waitUntil(lambda: panel.review.state is not None)
    assert panel.review.header.title.text() == "Search index lagging"
    panel.set_sync_status(SyncStatus(LOCAL_ONLY))
    assert "no shared database" in panel.sync_label.text()


@pytest.fixture
def window_dir(data_dir: Path) -> Path:
    desk = Desk.open(data_dir, "Seeder")
    seed_library(desk)
    desk.close()
    return data_dir


def test_window_switches_views_with_ctrl_1_2_3_and_opens_active_incidents_in_command(
    qtbot: QtBot, window_dir: Path
) -> None:
    window = build_window(window_dir, "Alice")
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.waitUntil(lambda: window.rows_loaded and window.command_view.state is not None)
    try:
        assert window.views.currentIndex() == COMMAND
        qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        assert window.views.currentIndex() == LIBRARY
        assert window.library.model.rowCount() == 6  # fed by the window's one fetch
        assert window.library.sync_label.text().startswith("Local only")
        qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
        assert window.views.currentIndex() == METRICS
        qtbot.waitUntil(lambda: window.metrics.report is not None)
        qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        assert window.views.currentIndex() == COMMAND

        window.search_library()
        assert window.views.currentIndex() == LIBRARY and window.library.search.hasFocus()
        demo = window.command_view.incident_id
        assert demo is not None
        window.library.open_review(demo)
        review = window.library.review
        qtbot.waitUntil(lambda: review.state is not None)
        review.command_button.click()
        assert window.views.currentIndex() == COMMAND
        qtbot.waitUntil(lambda: window.command_view.incident_id == demo)
        window.show_view(LIBRARY)
        window.save_layout()
        assert window.settings.value("window/view") == "Library"
    finally:
        window.client.stop()


def test_a_spoofing_title_shows_its_hidden_characters(desk: Desk) -> None:
    desk.incidents.declare("Upload of RTL \u202egnp.exe\u202c", "SEV3")
    model = LibraryModel()
    model.set_rows(desk.incidents.rows(include_closed=True))
    assert model.index(0, TITLE).data() == "Upload of RTL ⟨U+202E⟩gnp.exe⟨U+202C⟩"
    assert "\u202e" not in model.index(0, TITLE).data(Qt.ItemDataRole.ToolTipRole)
