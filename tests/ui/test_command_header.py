"""The command view's header as a commander sees it at 3 a.m.: any title fits, severity and
status look different, the bridge is one click, the runbooks are one menu away."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication, QImage
from pytestqt.qtbot import QtBot

from incidentdesk.app.demo import seed_demo_catalog
from incidentdesk.app.desk import Desk
from incidentdesk.ui.command.header import IncidentHeader
from incidentdesk.ui.command.incident_list import SEV, IncidentList
from incidentdesk.ui.command.stakeholder_update import conditions_text
from incidentdesk.ui.command.view import CommandView
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.style import SEVERITY_COLORS

LONG_TITLE = (
    "EU and UK checkout failing for card payments: payments-api returns 5xx because "
    "ledger-service times out on ix_entries_account after migration 0142 dropped the index "
    "on primary and on all replicas at 20:41"
)[:200]


def header_for(qtbot: QtBot, desk: Desk, title: str, status: str | None = None) -> IncidentHeader:
    incident = desk.incidents.declare(title, "SEV1", ["payments-api"])
    if status:
        desk.incidents.set_status(incident, status)
    header = IncidentHeader()
    qtbot.addWidget(header)
    header.resize(700, 200)
    header.show()
    header.set_state(desk.incidents.get(incident))
    qtbot.waitExposed(header)
    layout = header.layout()
    assert layout is not None
    layout.activate()  # lay out now what the state showed (the badges), not at the next idle
    return header


def test_a_200_character_title_keeps_the_badges_and_elides_to_two_lines(
    qtbot: QtBot, desk: Desk
) -> None:
    assert len(LONG_TITLE) == 200
    short = header_for(qtbot, desk, "Checkout down")
    long = header_for(qtbot, desk, LONG_TITLE)
    for badge in ("severity_badge", "status_badge"):
        assert getattr(long, badge).size() == getattr(short, badge).size()
        assert getattr(long, badge).height() < 2 * long.title.fontMetrics().height()
    lines = long.title.shown_lines()
    assert len(lines) == 2
    assert lines[1].endswith("…")
    assert long.title.is_elided() and not short.title.is_elided()
    assert all(
        long.title.fontMetrics().horizontalAdvance(line) <= long.title.width() for line in lines
    )
    assert long.title.toolTip() == LONG_TITLE
    # The header grows by at most the second line: the role board below is not pushed down.
    assert (
        long.sizeHint().height()
        <= short.sizeHint().height() + long.title.fontMetrics().height() + 4
    )


def test_copy_title_puts_the_whole_title_on_the_clipboard(qtbot: QtBot, desk: Desk) -> None:
    header = header_for(qtbot, desk, LONG_TITLE)
    with qtbot.waitSignal(header.message) as said:
        header.copy_title_action.trigger()
    assert QGuiApplication.clipboard().text() == LONG_TITLE
    assert said.args == ["Incident title copied."]
    assert header.copy_title_action.shortcut().toString() == "Ctrl+Shift+T"
    assert header.copy_title_action in header.title.actions()  # the title's context menu


def colour_share(image: QImage, colour: str, tolerance: int = 40) -> float:
    """The share of pixels within ``tolerance`` of ``colour`` (per channel)."""
    want = QColor(colour)
    hits = total = 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            total += 1
            hits += all(
                abs(a - b) <= tolerance
                for a, b in zip(
                    (c.red(), c.green(), c.blue()),
                    (want.red(), want.green(), want.blue()),
                    strict=True,
                )
            )
    return hits / max(1, total)


@pytest.mark.parametrize("status", [None, "identified", "mitigated", "resolved"])
def test_status_never_looks_like_the_severity(qtbot: QtBot, desk: Desk, status: str | None) -> None:
    header = header_for(qtbot, desk, "Checkout down", status)
    severity = header.severity_badge.grab().toImage()
    shown = header.status_badge.grab().toImage()
    assert colour_share(severity, SEVERITY_COLORS["SEV1"]) > 0.5  # a solid red badge
    assert colour_share(shown, SEVERITY_COLORS["SEV1"]) < 0.02  # the status: no red at all


class UrlCatcher(QObject):
    """Stands in for the browser or meeting app: records the links it is asked to open."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def catcher() -> Iterator[UrlCatcher]:
    made = UrlCatcher()
    for scheme in ("https", "zoommtg"):
        QDesktopServices.setUrlHandler(scheme, made, "open")
    yield made
    for scheme in ("https", "zoommtg"):
        QDesktopServices.unsetUrlHandler(scheme)


@pytest.fixture
def view(qtbot: QtBot, desk: Desk, client: DeskClient) -> Iterator[CommandView]:
    seed_demo_catalog(desk)
    incident = desk.incidents.declare("Checkout down", "SEV1", ["payments-api", "ledger-service"])
    made = CommandView(client)
    qtbot.addWidget(made)
    made.resize(1280, 720)
    made.show()
    with qtbot.waitSignal(made.loaded, timeout=5000):
        made.show_incident(incident)
    yield made


def type_line(qtbot: QtBot, view: CommandView, line: str) -> None:
    entry = view.quick_entry
    entry.line_edit.setText(line)
    with qtbot.waitSignal(entry.submitted, timeout=5000):
        entry.submit()


def test_bridge_and_impact_typed_in_the_quick_entry_show_in_the_header(
    qtbot: QtBot, view: CommandView, catcher: UrlCatcher
) -> None:
    header = view.header
    assert header.bridge.isHidden() and header.impact.isHidden()
    type_line(qtbot, view, "/bridge https://meet.example.com/eu-checkout?pwd=1")
    type_line(qtbot, view, "/impact EU card payments fail at checkout")
    qtbot.waitUntil(lambda: header.impact.isVisible(), timeout=5000)
    assert header.bridge.isVisible() and "Join bridge" in header.bridge.text()
    assert header.impact.text() == "Impact: EU card payments fail at checkout"
    assert header.join_bridge_action.shortcut().toString() == "Ctrl+Shift+J"
    header.bridge.linkActivated.emit("https://meet.example.com/eu-checkout?pwd=1")  # a click
    header.join_bridge_action.trigger()
    assert catcher.opened == ["https://meet.example.com/eu-checkout?pwd=1"] * 2
    header.copy_bridge_action.trigger()
    assert QGuiApplication.clipboard().text() == "https://meet.example.com/eu-checkout?pwd=1"


def test_a_bad_bridge_link_stays_in_the_box_with_the_reason(
    qtbot: QtBot, view: CommandView
) -> None:
    entry = view.quick_entry
    entry.line_edit.setText("/bridge javascript:alert(1)")
    entry.submit()
    assert entry.line_edit.text() == "/bridge javascript:alert(1)"
    assert "is not a bridge link" in entry.error_label.text()
    assert view.header.bridge.isHidden()


def test_the_runbooks_menu_opens_the_catalog_links_of_the_affected_services(
    qtbot: QtBot, view: CommandView, catcher: UrlCatcher
) -> None:
    header = view.header
    qtbot.waitUntil(lambda: header.runbooks.isVisible(), timeout=5000)
    actions = header.runbooks_menu.actions()
    assert [a.text() for a in actions] == [
        "payments-api — runbook",
        "payments-api — dashboard",
        "ledger-service — runbook",
    ]
    actions[1].trigger()
    assert catcher.opened == ["https://grafana.example.com/d/payments-api/overview"]


def test_the_selected_incident_keeps_its_severity_colour(qtbot: QtBot, desk: Desk) -> None:
    incident = desk.incidents.declare(LONG_TITLE, "SEV1", [])
    panel = IncidentList()
    qtbot.addWidget(panel)
    panel.resize(600, 300)
    panel.show()
    panel.set_rows(desk.incidents.rows())
    assert panel.select(incident)
    view = panel.view
    cell = view.visualRect(panel.order.index(0, SEV))
    image = view.viewport().grab().toImage().copy(cell.adjusted(3, 3, -3, -3))
    assert colour_share(image, SEVERITY_COLORS["SEV1"]) > 0.5
    # The title column takes the spare width.
    header = view.horizontalHeader()
    assert header.sectionSize(1) > view.viewport().width() // 2


def test_the_stakeholder_update_says_the_impact_and_the_bridge(desk: Desk) -> None:
    incident = desk.incidents.declare(
        "Checkout down",
        "SEV1",
        ["payments-api"],
        bridge="https://meet.example.com/b",
        impact="EU card payments fail",
    )
    state = desk.incidents.get(incident)
    text = conditions_text(state, desk.clock())
    assert text.splitlines()[1:] == [
        "Customer impact: EU card payments fail",
        "Bridge: https://meet.example.com/b",
    ]
    assert (
        conditions_text(
            desk.incidents.get(desk.incidents.declare("Other", "SEV3")), desk.clock()
        ).count("\n")
        == 0
    )


def test_the_header_shows_hidden_characters_instead_of_obeying_them(
    qtbot: QtBot, desk: Desk
) -> None:
    spoof = "Upload of RTL \u202egnp.exe\u202c"
    header = header_for(qtbot, desk, spoof)
    shown = " ".join(header.title.shown_lines())
    assert shown == "Upload of RTL ⟨U+202E⟩gnp.exe⟨U+202C⟩"
    assert "\u202e" not in header.title.toolTip()
    # Kept as typed: copying the title gives exactly what was written.
    header.copy_title_action.trigger()
    assert QGuiApplication.clipboard().text() == spoof
