"""The incident list keeps active, worst, newest incidents first, updating in place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from incidentdesk.ui.command.incident_list import TITLE, IncidentList


def row(i: str, sev: str, status: str, hours_ago: int) -> dict[str, object]:
    started = datetime.now(UTC) - timedelta(hours=hours_ago)
    return {
        "id": i,
        "title": f"incident {i}",
        "severity": sev,
        "status": status,
        "services": [],
        "commander": None,
        "started_at": started,
        "resolved_at": None,
        "event_count": 1,
    }


def titles(panel: IncidentList) -> list[str]:
    order = panel.order
    return [order.index(r, TITLE).data() for r in range(order.rowCount())]


def test_order_follows_changes_without_losing_the_selection(qtbot: QtBot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    panel = IncidentList()
    qtbot.addWidget(panel)
    rows = [
        row("a", "SEV3", "investigating", 3),
        row("b", "SEV1", "resolved", 1),
        row("c", "SEV3", "identified", 1),
        row("d", "SEV2", "closed", 5),
    ]
    panel.set_rows(rows)
    qtmodeltester.check(panel.model)
    assert titles(panel) == ["incident c", "incident a", "incident b"]  # closed hidden
    panel.order.set_show_closed(True)
    assert titles(panel)[-1] == "incident d"
    assert panel.select("a")
    selected: list[str] = []
    panel.selected.connect(selected.append)

    rows[0] = row("a", "SEV1", "investigating", 3)  # escalated: now first
    panel.set_rows([*rows, row("e", "SEV4", "investigating", 0)])
    assert titles(panel) == ["incident a", "incident c", "incident e", "incident b", "incident d"]
    current = panel.view.selectionModel().currentIndex()
    assert current.data() == "incident a", "the selection follows the incident"
    assert selected == []  # reordering is not a new pick
    qtmodeltester.check(panel.model)


def test_a_title_with_a_right_to_left_override_shows_its_marker(qtbot: QtBot) -> None:
    panel = IncidentList()
    qtbot.addWidget(panel)
    spoofed = row("a", "SEV2", "investigating", 1)
    spoofed["title"] = "Upload of RTL \u202egnp.exe\u202c"
    panel.set_rows([spoofed])
    assert titles(panel) == ["Upload of RTL ⟨U+202E⟩gnp.exe⟨U+202C⟩"]
