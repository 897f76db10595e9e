"""The reminder banner: appears when something is due, clears when it is done."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from incidentdesk.app.desk import Desk
from incidentdesk.core.timefmt import utc_now
from incidentdesk.ui.command.reminders import ReminderBanner


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def banner(qtbot: QtBot, clock: Clock) -> Iterator[ReminderBanner]:
    host = QWidget()  # the banner lives in a window, as in the app
    qtbot.addWidget(host)
    made = ReminderBanner(host, clock=clock)
    QVBoxLayout(host).addWidget(made)
    host.show()
    qtbot.waitExposed(host)
    assert not made.isVisible()  # nothing to say until it is given an incident
    yield made  # (the host stays alive until the test ends)


def button(banner: ReminderBanner, text: str) -> QPushButton:
    (found,) = [b for b in banner.findChildren(QPushButton) if b.text() == text]
    return found


def test_appears_for_an_unstaffed_incident_and_clears_when_done(
    banner: ReminderBanner, desk: Desk, clock: Clock
) -> None:
    incident = desk.incidents.declare("Login failing", "SEV1", at=clock.now - timedelta(minutes=42))
    banner.set_state(desk.incidents.snapshot(incident).state)
    assert banner.isVisible()
    assert banner.messages() == [
        "No Incident Commander — assign one",
        "No Scribe — assign one",
        "Status update due: no update yet, started 42 min ago (SEV1: every 30 min)",
    ]
    assert button(banner, "Post update…").isVisible()

    desk.incidents.assign_role(incident, "commander", "Maya Chen")
    banner.set_state(desk.incidents.snapshot(incident).state)
    assert banner.messages() == [
        "No Scribe — assign one",
        "Status update due: no update yet, started 42 min ago (SEV1: every 30 min)",
    ]

    desk.incidents.assign_role(incident, "scribe", "Jonas Weber")
    desk.incidents.add_note(
        incident, "Investigating login failures; next update in 30 min", "update"
    )
    banner.set_state(desk.incidents.snapshot(incident).state)
    assert banner.messages() == []
    assert not banner.isVisible()


def test_the_timer_brings_it_back_when_the_next_update_falls_due(
    qtbot: QtBot, banner: ReminderBanner, desk: Desk, clock: Clock
) -> None:
    incident = desk.incidents.declare("Payments slow", "SEV2")
    desk.incidents.assign_role(incident, "commander", "Maya Chen")
    desk.incidents.assign_role(incident, "scribe", "Jonas Weber")
    desk.incidents.add_note(incident, "Payments slow in EU; investigating", "update")
    state = desk.incidents.snapshot(incident).state
    banner.set_state(state)
    assert not banner.isVisible()

    assert state.last_update_at is not None
    clock.now = state.last_update_at
    clock.advance(61)  # no new state: the banner notices on its own, within a second
    qtbot.waitUntil(banner.isVisible, timeout=2500)
    assert banner.messages() == [
        "Status update due: last update 1 h 01 min ago (SEV2: every 60 min)"
    ]


def test_buttons_ask_the_window_to_act(
    qtbot: QtBot, banner: ReminderBanner, desk: Desk, clock: Clock
) -> None:
    incident = desk.incidents.declare("Login failing", "SEV1", at=clock.now - timedelta(minutes=31))
    banner.set_state(desk.incidents.snapshot(incident).state)

    with qtbot.waitSignal(banner.update_requested, timeout=1000):
        qtbot.mouseClick(button(banner, "Post update…"), Qt.MouseButton.LeftButton)
    asked: list[str] = []
    banner.assign_requested.connect(asked.append)
    for each in banner.findChildren(QPushButton):
        if each.text() == "Assign…":
            qtbot.mouseClick(each, Qt.MouseButton.LeftButton)
    assert sorted(asked) == ["commander", "scribe"]


def test_a_major_incident_without_commander_is_shown_as_critical(
    banner: ReminderBanner, desk: Desk
) -> None:
    incident = desk.incidents.declare("Login failing", "SEV2")
    banner.set_state(desk.incidents.snapshot(incident).state)
    assert [r.level for r in banner.current()] == ["critical", "warning"]


def test_intervals_can_be_configured(banner: ReminderBanner, desk: Desk, clock: Clock) -> None:
    incident = desk.incidents.declare("Search slow", "SEV3", at=clock.now - timedelta(minutes=20))
    desk.incidents.assign_role(incident, "commander", "Maya Chen")
    desk.incidents.assign_role(incident, "scribe", "Jonas Weber")
    banner.set_state(desk.incidents.snapshot(incident).state)
    assert not banner.isVisible()  # SEV3 has no update timer by default

    banner.set_intervals({"SEV3": timedelta(minutes=15)})
    assert banner.messages() == [
        "Status update due: no update yet, started 20 min ago (SEV3: every 15 min)"
    ]


def test_nothing_for_a_resolved_incident_or_none(
    banner: ReminderBanner, desk: Desk, clock: Clock
) -> None:
    incident = desk.incidents.declare("Login failing", "SEV1", at=clock.now - timedelta(hours=2))
    banner.set_state(desk.incidents.snapshot(incident).state)
    assert banner.isVisible()
    banner.set_state(None)
    assert not banner.isVisible()

    desk.incidents.set_status(incident, "resolved")
    banner.set_state(desk.incidents.snapshot(incident).state)
    assert not banner.isVisible()
