"""The declare dialog, driven like a user would, against a real Desk."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot

from incidentdesk.app.desk import Desk
from incidentdesk.core.errors import DomainError
from incidentdesk.core.incident.severity import UNSURE_RULE
from incidentdesk.ui.command.declare_dialog import DeclareDialog, split_services
from incidentdesk.ui.common.client import DeskClient


@pytest.fixture
def dialog(qtbot: QtBot, client: DeskClient) -> Iterator[DeclareDialog]:
    made = DeclareDialog(client)
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    yield made


def fill(
    qtbot: QtBot, dialog: DeclareDialog, title: str, severity: str, services: str = ""
) -> None:
    qtbot.keyClicks(dialog.title_edit, title)
    qtbot.mouseClick(dialog.severity_options[severity].radio, Qt.MouseButton.LeftButton)
    if services:
        qtbot.keyClicks(dialog.services_edit, services)


def declare(qtbot: QtBot, dialog: DeclareDialog) -> str:
    with qtbot.waitSignal(dialog.declared, timeout=5000) as blocker:
        qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    return str(blocker.args[0])


def refuse(desk: Desk, kind: str) -> Callable[[], None]:
    """Make the database itself refuse events of one kind; returns how to lift it."""
    name = "refuse_" + kind.replace(".", "_")
    with sqlite3.connect(desk.store.path) as db:
        db.execute(
            f"CREATE TRIGGER {name} BEFORE INSERT ON events WHEN NEW.kind = '{kind}' "
            "BEGIN SELECT RAISE(ABORT, 'the disk said no'); END"
        )

    def lift() -> None:
        with sqlite3.connect(desk.store.path) as db:
            db.execute(f"DROP TRIGGER {name}")

    return lift


def test_declaring_records_severity_services_and_the_declarer_as_commander(
    qtbot: QtBot, dialog: DeclareDialog, desk: Desk, settle: Callable[[], None]
) -> None:
    fill(qtbot, dialog, "EU checkout failing", "SEV2", "payments-api, ledger-service,")
    incident_id = declare(qtbot, dialog)
    settle()

    state = desk.incidents.get(incident_id)
    assert state.title == "EU checkout failing"
    assert state.severity == "SEV2"
    assert state.services == ["payments-api", "ledger-service"]
    assert state.holders("commander") == ["Alice"]
    assert state.declared_by == "Alice"
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.isVisible()


def test_unchecking_take_command_declares_without_a_commander(
    qtbot: QtBot, dialog: DeclareDialog, desk: Desk, settle: Callable[[], None]
) -> None:
    assert dialog.take_command.isChecked()
    assert dialog.take_command.text() == "I take command as Alice"
    assert not dialog.commander_edit.isEnabled()
    fill(qtbot, dialog, "Search slow", "SEV4")
    box = dialog.take_command
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert not box.isChecked()
    assert dialog.commander_edit.isEnabled()
    incident_id = declare(qtbot, dialog)
    settle()

    state = desk.incidents.get(incident_id)
    assert state.severity == "SEV4"
    assert state.services == []
    assert state.holders("commander") == []


def test_someone_else_can_be_named_commander(
    qtbot: QtBot, dialog: DeclareDialog, desk: Desk, settle: Callable[[], None]
) -> None:
    dialog.set_people(["Maya Chen", "Jonas Weber"])
    fill(qtbot, dialog, "Login errors", "SEV1")
    dialog.take_command.setChecked(False)
    qtbot.keyClicks(dialog.commander_edit, "Maya Chen")
    incident_id = declare(qtbot, dialog)
    settle()
    assert desk.incidents.get(incident_id).holders("commander") == ["Maya Chen"]


def test_an_empty_title_keeps_the_dialog_open_with_an_inline_error(
    qtbot: QtBot, dialog: DeclareDialog, desk: Desk, settle: Callable[[], None]
) -> None:
    qtbot.mouseClick(dialog.severity_options["SEV3"].radio, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.services_edit, "search-api")
    qtbot.keyClicks(dialog.title_edit, "   ")
    with qtbot.assertNotEmitted(dialog.declared):
        qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
        settle()

    assert dialog.isVisible()
    assert dialog.title_error.isVisible()
    assert "title" in dialog.title_error.text()
    assert dialog.title_edit.hasFocus()
    assert dialog.services_edit.text() == "search-api"
    assert dialog.selected_severity() == "SEV3"
    assert desk.incidents.rows() == []

    qtbot.keyClicks(dialog.title_edit, "Search down")  # typing clears the error
    assert not dialog.title_error.isVisible()


def test_a_severity_must_be_chosen_and_the_unsure_rule_is_shown(
    qtbot: QtBot, dialog: DeclareDialog, desk: Desk, settle: Callable[[], None]
) -> None:
    assert dialog.selected_severity() is None
    qtbot.keyClicks(dialog.title_edit, "Something odd")
    with qtbot.assertNotEmitted(dialog.declared):
        qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
        settle()
    assert dialog.isVisible()
    assert dialog.severity_error.isVisible()
    assert UNSURE_RULE in dialog.severity_error.text()
    assert desk.incidents.rows() == []


def test_each_level_shows_its_definition_and_a_click_on_it_chooses_it(
    qtbot: QtBot, dialog: DeclareDialog
) -> None:
    dialog.set_severity("SEV4")
    assert dialog.selected_severity() == "SEV4"
    option = dialog.severity_options["SEV2"]
    labels = [w.text() for w in option.findChildren(QLabel)]
    assert any("Major incident." in t and "any service outage" in t for t in labels)
    sev1 = [w.text() for w in dialog.severity_options["SEV1"].findChildren(QLabel)]
    assert any(t.startswith("<b>Critical incident.</b> Critical issue") for t in sev1)
    assert not any("Major incident" in t for t in sev1)
    qtbot.mouseClick(option, Qt.MouseButton.LeftButton, pos=option.rect().center())
    assert dialog.selected_severity() == "SEV2"


def test_a_title_the_desk_would_refuse_is_explained_inline(
    qtbot: QtBot, dialog: DeclareDialog, desk: Desk
) -> None:
    dialog.title_edit.setText("Checkout\x1b[31m down")
    qtbot.mouseClick(dialog.severity_options["SEV3"].radio, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert "control character" in dialog.title_error.text()
    assert dialog.isVisible()
    assert desk.incidents.rows() == []


def test_a_failed_save_keeps_everything_typed_and_a_retry_succeeds(
    qtbot: QtBot, dialog: DeclareDialog, desk: Desk, settle: Callable[[], None]
) -> None:
    lift = refuse(desk, "incident.declared")
    fill(qtbot, dialog, "EU checkout failing", "SEV1", "payments-api")
    with qtbot.assertNotEmitted(dialog.declared):
        qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
        settle()

    assert dialog.isVisible()
    assert "the disk said no" in dialog.form_error.text()
    assert dialog.title_edit.text() == "EU checkout failing"
    assert dialog.services_edit.text() == "payments-api"
    assert dialog.selected_severity() == "SEV1"
    assert dialog.accept_button.isEnabled()
    assert desk.incidents.rows() == []

    lift()
    incident_id = declare(qtbot, dialog)
    settle()
    assert desk.incidents.get(incident_id).holders("commander") == ["Alice"]


def test_when_only_the_commander_fails_a_retry_does_not_declare_twice(
    qtbot: QtBot, dialog: DeclareDialog, desk: Desk, settle: Callable[[], None]
) -> None:
    lift = refuse(desk, "role.assigned")
    fill(qtbot, dialog, "EU checkout failing", "SEV2")
    incident_id = declare(qtbot, dialog)  # the incident exists: the window may open it
    settle()
    assert dialog.isVisible()
    assert "declared, but the commander could not be assigned" in dialog.form_error.text()
    assert dialog.title_edit.isReadOnly()

    lift()
    with qtbot.assertNotEmitted(dialog.declared):
        qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
        settle()
    assert not dialog.isVisible()
    assert [row["id"] for row in desk.incidents.rows()] == [incident_id]
    assert desk.incidents.get(incident_id).holders("commander") == ["Alice"]


def test_services_complete_the_name_after_the_last_comma(
    qtbot: QtBot, dialog: DeclareDialog
) -> None:
    dialog.set_services(["payments-api", "ledger-service", "checkout-web"])
    qtbot.mouseClick(dialog.services_edit, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.services_edit, "payments-api, led")
    completer = dialog.services_edit.completer()
    assert completer.currentCompletion() == "payments-api, ledger-service"
    popup = completer.popup()
    assert popup.isVisible()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.services_edit.text() == "payments-api, ledger-service"


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("", []),
        ("a", ["a"]),
        (" a , b,, a ,c ", ["a", "b", "c"]),
        (",,", []),
    ],
)
def test_split_services(typed: str, names: list[str]) -> None:
    assert split_services(typed) == names


def test_a_service_name_the_desk_would_refuse_is_explained_inline(
    qtbot: QtBot, dialog: DeclareDialog, desk: Desk
) -> None:
    with pytest.raises(DomainError, match="service name is too long"):
        split_services("a, " + "x" * 101)
    fill(qtbot, dialog, "Checkout down", "SEV2", "checkout, " + "x" * 101)
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert "service name is too long" in dialog.services_error.text()
    assert dialog.services_edit.hasFocus()
    assert desk.incidents.rows() == []


def test_keyboard_only_alt_digit_picks_the_level_and_enter_declares(
    qtbot: QtBot, dialog: DeclareDialog, desk: Desk, settle: Callable[[], None]
) -> None:
    dialog.activateWindow()
    qtbot.waitActive(dialog)  # shortcuts reach the active window only
    qtbot.keyClicks(dialog.title_edit, "Checkout down")
    qtbot.keyClick(dialog.title_edit, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.selected_severity() == "SEV1")  # a mnemonic animates
    radio = dialog.severity_options["SEV1"].radio
    assert radio.hasFocus()
    with qtbot.waitSignal(dialog.declared, timeout=5000) as blocker:
        qtbot.keyClick(radio, Qt.Key.Key_Return)
    settle()
    assert desk.incidents.get(blocker.args[0]).severity == "SEV1"
