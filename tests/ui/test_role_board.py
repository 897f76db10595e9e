"""The role board: real widgets driven with qtbot on a real Desk (no mocks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from incidentdesk.app.demo import seed_demo
from incidentdesk.app.desk import Desk
from incidentdesk.core.incident.roles import ROLES
from incidentdesk.ui.command.role_board import RoleBoard, RoleCard
from incidentdesk.ui.common.client import DeskClient

Settle = Callable[[], None]
ROW = {role.key: row for row, role in enumerate(ROLES)}


@pytest.fixture
def incident(desk: Desk) -> str:
    return desk.incidents.declare("EU checkout failing", "SEV2", ["payments-api"])


@pytest.fixture
def board(qtbot: QtBot, client: DeskClient, desk: Desk, incident: str) -> RoleBoard:
    made = RoleBoard(client)
    qtbot.addWidget(made)
    made.set_incident(incident)
    made.set_state(desk.incidents.snapshot(incident).state)
    made.set_people(["Maya Chen", "Alex Kim", "Rui Costa"])
    made.resize(900, 300)
    made.show()
    qtbot.waitExposed(made)
    return made


def type_name(qtbot: QtBot, card: RoleCard, name: str) -> None:
    """Type into the card's person field as a user would (the completer may pop up)."""
    card.person.lineEdit().clear()
    qtbot.keyClicks(card.person.lineEdit(), name)
    card.person.completer().popup().hide()


def click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def press_enter(qtbot: QtBot, widget: QWidget, settle: Settle) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    qtbot.wait(1)  # the board acts on the next turn of the event loop, after the completer
    settle()


def refresh(board: RoleBoard, desk: Desk, incident: str, settle: Settle) -> None:
    """What the command view does after a change: pass the board a fresh state."""
    settle()
    board.set_state(desk.incidents.snapshot(incident).state)


def test_role_model_passes_the_model_tester(
    qtmodeltester: ModelTester, desk: Desk, board: RoleBoard
) -> None:
    demo = seed_demo(desk)
    board.set_incident(demo)
    board.set_state(desk.incidents.snapshot(demo).state)
    qtmodeltester.check(board.model)
    model = board.model
    assert model.rowCount() == len(ROLES)
    assert model.rowCount(model.index(0, 0)) == 0
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "Role",
        "Holder(s)",
        "Since",
        "Shadow",
    ]
    commander = ROW["commander"]
    assert model.index(commander, 1).data() == "Alex Kim"
    assert model.index(commander, 3).data() == "Rui Costa"
    assert model.index(commander, 0).data(Qt.ItemDataRole.ToolTipRole) == ROLES[0].duty
    # The tester stays attached: changes and a reset after the check are checked too.
    desk.incidents.release_role(demo, "commander", shadow=True)
    board.set_state(desk.incidents.snapshot(demo).state)
    model.refresh_times()
    board.set_incident(None)
    qtmodeltester.check(model, force_py=True)


def test_same_incident_updates_rows_and_another_incident_resets(
    qtbot: QtBot, desk: Desk, board: RoleBoard, incident: str
) -> None:
    model = board.model
    desk.incidents.assign_role(incident, "scribe", "Jonas Weber")
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, _r=None: changed.append((a.row(), b.row())))
    with qtbot.assertNotEmitted(model.modelReset):
        board.set_state(desk.incidents.snapshot(incident).state)
    assert changed == [(ROW["scribe"], ROW["scribe"])]  # only the row that changed

    other = desk.incidents.declare("Search latency", "SEV3")
    board.set_incident(other)
    with qtbot.waitSignal(model.modelReset):
        board.set_state(desk.incidents.snapshot(other).state)
    assert model.incident_id == other
    with qtbot.assertNotEmitted(model.modelReset):  # a late state of the old incident
        board.set_state(desk.incidents.snapshot(incident).state)
    assert model.incident_id == other


def test_since_shows_local_time_and_elapsed(desk: Desk, board: RoleBoard, incident: str) -> None:
    now = desk.clock()
    took = now - timedelta(hours=2, minutes=5)
    desk.incidents.assign_role(incident, "commander", "Maya Chen", at=took)
    board.model.clock = lambda: now
    board.set_state(desk.incidents.snapshot(incident).state)
    local = took.astimezone().strftime("%H:%M")
    assert board.model.index(ROW["commander"], 2).data() == f"since {local} · 2h 05m"
    line = board.cards["commander"].lines["Maya Chen", False]
    assert line.since.full_text == f"since {local} · 2h 05m"

    board.model.clock = lambda: now + timedelta(minutes=10)  # time passes: the tick shows it
    board.model.refresh_times()
    assert board.cards["commander"].lines["Maya Chen", False] is line  # kept (and its focus)
    assert line.since.full_text == f"since {local} · 2h 15m"


def test_assign_a_commander_then_hand_over(
    qtbot: QtBot, desk: Desk, board: RoleBoard, incident: str, settle: Settle
) -> None:
    card = board.cards["commander"]
    assert card.assign_button.text() == "Assign"
    type_name(qtbot, card, "Maya Chen")
    with qtbot.waitSignal(board.message) as said:
        click(qtbot, card.assign_button)
    assert said.args == ["Maya Chen is now Incident Commander"]
    refresh(board, desk, incident, settle)
    assert desk.incidents.get(incident).holders("commander") == ["Maya Chen"]
    assert list(card.lines) == [("Maya Chen", False)]
    assert card.lines["Maya Chen", False].since.full_text.startswith("since ")
    assert card.assign_button.text() == "Hand over"
    assert card.person.currentText() == ""  # ready for the next name

    type_name(qtbot, card, "Alex Kim")
    with qtbot.waitSignal(board.message) as said:
        click(qtbot, card.assign_button)
    assert said.args == ["Incident Commander handed over from Maya Chen to Alex Kim"]
    refresh(board, desk, incident, settle)
    assert desk.incidents.get(incident).holders("commander") == ["Alex Kim"]
    texts = [entry.text for entry in desk.incidents.timeline(incident)]
    assert "Incident Commander handed over from Maya Chen to Alex Kim" in texts
    assert list(card.lines) == [("Alex Kim", False)]
    assert not board.error_label.isVisible()


def test_enter_in_the_name_field_assigns(
    qtbot: QtBot, desk: Desk, board: RoleBoard, incident: str, settle: Settle
) -> None:
    card = board.cards["deputy"]
    type_name(qtbot, card, "Priya Raman")  # a new name, not in the list
    press_enter(qtbot, card.person.lineEdit(), settle)
    assert desk.incidents.get(incident).holders("deputy") == ["Priya Raman"]


def test_a_known_name_typed_in_another_case_is_the_known_person(
    qtbot: QtBot, desk: Desk, board: RoleBoard, incident: str, settle: Settle
) -> None:
    card = board.cards["scribe"]
    type_name(qtbot, card, "  alex KIM ")
    click(qtbot, card.assign_button)
    settle()
    assert desk.incidents.get(incident).holders("scribe") == ["Alex Kim"]


def test_part_of_a_known_name_asks_before_adding_a_new_person(
    qtbot: QtBot, desk: Desk, board: RoleBoard, incident: str, settle: Settle
) -> None:
    card = board.cards["deputy"]
    qtbot.keyClicks(card.person.lineEdit(), "kim")
    popup = card.person.completer().popup()
    assert popup.isVisible()  # "Alex Kim" is suggested
    press_enter(qtbot, popup, settle)  # Enter without picking: the typed text
    assert desk.incidents.get(incident).holders("deputy") == []
    assert board.error_label.text().startswith("Did you mean Alex Kim?")

    press_enter(qtbot, card.person.lineEdit(), settle)  # asked twice: a new person
    assert desk.incidents.get(incident).holders("deputy") == ["kim"]


def test_pick_a_suggestion_with_the_keyboard(
    qtbot: QtBot, desk: Desk, board: RoleBoard, incident: str, settle: Settle
) -> None:
    card = board.cards["ops_lead"]
    qtbot.keyClicks(card.person.lineEdit(), "kim")
    popup = card.person.completer().popup()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    press_enter(qtbot, popup, settle)
    assert desk.incidents.get(incident).holders("ops_lead") == ["Alex Kim"]
    assert not board.error_label.isVisible()


def test_completer_matches_any_part_of_a_name_in_any_case(qtbot: QtBot, board: RoleBoard) -> None:
    completer = board.cards["scribe"].person.completer()
    assert completer.caseSensitivity() == Qt.CaseSensitivity.CaseInsensitive
    assert completer.filterMode() == Qt.MatchFlag.MatchContains
    completer.setCompletionPrefix("kim")
    assert completer.currentCompletion() == "Alex Kim"
    board.cards["scribe"].person.setEditText("Ma")
    board.set_people(["Maya Chen", "Lena Novak"])  # what someone types survives new people
    assert board.cards["scribe"].person.currentText() == "Ma"
    assert board.cards["scribe"].person.count() == 2


def test_attach_and_release_a_shadow(
    qtbot: QtBot, desk: Desk, board: RoleBoard, incident: str, settle: Settle
) -> None:
    desk.incidents.assign_role(incident, "commander", "Alex Kim")
    card = board.cards["commander"]
    type_name(qtbot, card, "Rui Costa")
    with qtbot.waitSignal(board.message) as said:
        click(qtbot, card.shadow_button)
    assert said.args == ["Rui Costa now shadows Incident Commander"]
    refresh(board, desk, incident, settle)
    assert desk.incidents.get(incident).shadows["commander"].person == "Rui Costa"
    line = card.lines["Rui Costa", True]
    assert line.name.text() == "shadow: Rui Costa"
    assert board.model.index(ROW["commander"], 3).data() == "Rui Costa"

    with qtbot.waitSignal(board.message) as said:
        click(qtbot, line.release_button)
    assert said.args == ["Rui Costa stopped shadowing Incident Commander"]
    refresh(board, desk, incident, settle)
    state = desk.incidents.get(incident)
    assert "commander" not in state.shadows
    assert state.holders("commander") == ["Alex Kim"]  # the holder stays
    assert ("Rui Costa", True) not in card.lines


def test_several_subject_matter_experts(
    qtbot: QtBot, desk: Desk, board: RoleBoard, incident: str, settle: Settle
) -> None:
    card = board.cards["sme"]
    for name in ("Lena Novak", "Rui Costa"):
        type_name(qtbot, card, name)
        click(qtbot, card.assign_button)
        refresh(board, desk, incident, settle)
        assert card.assign_button.text() == "Assign"  # experts join; nobody is handed over
    assert desk.incidents.get(incident).holders("sme") == ["Lena Novak", "Rui Costa"]
    assert list(card.lines) == [("Lena Novak", False), ("Rui Costa", False)]
    assert board.model.index(ROW["sme"], 1).data() == "Lena Novak, Rui Costa"

    click(qtbot, card.lines["Lena Novak", False].release_button)
    refresh(board, desk, incident, settle)
    assert desk.incidents.get(incident).holders("sme") == ["Rui Costa"]
    assert list(card.lines) == [("Rui Costa", False)]


def test_unfilled_key_roles_glow_until_filled(
    qtbot: QtBot, desk: Desk, board: RoleBoard, incident: str, settle: Settle
) -> None:
    glowing = {key for key, card in board.cards.items() if card.property("glow")}
    assert glowing == {"commander", "scribe"}
    assert board.model.index(ROW["commander"], 1).data() == "unfilled"

    type_name(qtbot, board.cards["commander"], "Maya Chen")
    click(qtbot, board.cards["commander"].assign_button)
    refresh(board, desk, incident, settle)
    assert board.cards["commander"].property("glow") is False
    assert board.cards["scribe"].property("glow") is True

    click(qtbot, board.cards["commander"].lines["Maya Chen", False].release_button)
    refresh(board, desk, incident, settle)
    assert desk.incidents.get(incident).holders("commander") == []
    assert board.cards["commander"].property("glow") is True


def test_a_refused_change_shows_inline_and_the_next_success_clears_it(
    qtbot: QtBot, desk: Desk, board: RoleBoard, incident: str, settle: Settle
) -> None:
    desk.incidents.assign_role(incident, "commander", "Maya Chen")
    board.set_state(desk.incidents.snapshot(incident).state)
    card = board.cards["commander"]
    type_name(qtbot, card, "Maya Chen")
    with qtbot.assertNotEmitted(board.message):
        click(qtbot, card.assign_button)
        settle()
    assert board.error_label.isVisible()
    assert board.error_label.text() == "Maya Chen already holds Incident Commander."
    assert card.person.currentText() == "Maya Chen"  # kept, to correct it

    type_name(qtbot, card, "Alex Kim")
    click(qtbot, card.assign_button)
    refresh(board, desk, incident, settle)
    assert not board.error_label.isVisible()


def test_an_empty_name_is_refused_without_asking_the_desk(
    qtbot: QtBot, board: RoleBoard, client: DeskClient
) -> None:
    click(qtbot, board.cards["scribe"].shadow_button)
    assert client.worker.pending == 0
    assert board.error_label.text() == "Pick or type a name to give a shadow for Scribe."


def test_keyboard_and_screen_reader_names(board: RoleBoard) -> None:
    for role in ROLES:
        card = board.cards[role.key]
        assert card.toolTip() == role.duty
        assert role.duty in card.person.toolTip()
        for widget in (card.person, card.assign_button, card.shadow_button):
            assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            assert role.label in widget.accessibleName()
    assert board.cards["commander"].assign_button.accessibleName() == "Assign Incident Commander"


def test_tab_walks_each_card_then_the_next(
    qtbot: QtBot, desk: Desk, board: RoleBoard, incident: str
) -> None:
    desk.incidents.assign_role(incident, "commander", "Alex Kim")
    desk.incidents.assign_role(incident, "commander", "Rui Costa", shadow=True)
    board.set_state(desk.incidents.snapshot(incident).state)
    card = board.cards["commander"]
    qtbot.waitUntil(card.lines["Rui Costa", True].isVisible)
    card.person.setFocus()
    seen = []
    for _ in range(7):
        seen.append(board.focusWidget().accessibleName())
        qtbot.keyClick(board.focusWidget(), Qt.Key.Key_Tab)
    assert seen == [
        "Person for Incident Commander",
        "Hand over Incident Commander",
        "Shadow Incident Commander",
        "Release Alex Kim from Incident Commander",
        "Release Rui Costa as shadow of Incident Commander",
        "Person for Deputy",
        "Assign Deputy",
    ]


def test_no_incident_disables_the_cards(
    board: RoleBoard, desk: Desk, client: DeskClient, incident: str
) -> None:
    board.set_incident(None)
    assert board.model.incident_id is None
    assert all(not card.isEnabled() for card in board.cards.values())
    assert board.model.index(0, 1).data() == ""
    assert not board.model.index(0, 0, QModelIndex()).parent().isValid()
