"""Action items in the post-mortem editor, My action items, and the editor's item models."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from incidentdesk.app.demo import seed_demo
from incidentdesk.app.desk import Desk
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.postmortem.actions import FIELDS
from incidentdesk.ui.postmortem.editor import PostmortemEditor
from incidentdesk.ui.postmortem.my_action_items import MyActionItems


@pytest.fixture
def started(desk: Desk) -> str:
    incident = seed_demo(desk)
    desk.postmortems.start(incident, "standard")
    return incident


def open_editor(qtbot: QtBot, client: DeskClient, incident: str) -> PostmortemEditor:
    editor = PostmortemEditor(client, incident)
    qtbot.addWidget(editor)
    editor.resize(1300, 800)
    editor.show()
    qtbot.waitUntil(lambda: editor.current_section() is not None, timeout=5000)
    editor.tabs.setCurrentWidget(editor.actions_panel)
    return editor


def test_add_edit_and_overdue_action_items(
    qtbot: QtBot, client: DeskClient, desk: Desk, started: str
) -> None:
    editor = open_editor(qtbot, client, started)
    panel = editor.actions_panel
    model = panel.model

    qtbot.keyClicks(panel.description_edit, "Migration linter flags dropped indexes")
    qtbot.keyClicks(panel.owner_edit, "Lena Novak")
    panel.type_box.setCurrentIndex(panel.type_box.findData("detect"))
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)

    item = desk.postmortems.view(started).action_items[0]
    assert (item.description, item.owner, item.type, item.status) == (
        "Migration linter flags dropped indexes",
        "Lena Novak",
        "detect",
        "open",
    )
    assert item.due == date.today() + timedelta(days=14)  # SEV2's default
    assert panel.description_edit.text() == ""
    assert editor.tabs.tabText(1) == "Action items (1)"

    # Edit the owner through the table's editor, then move the due date into the past.
    owner = model.index(0, FIELDS.index("owner"))
    panel.table.setCurrentIndex(owner)
    panel.table.edit(owner)
    line = panel.table.focusWidget()
    assert isinstance(line, QLineEdit)
    line.selectAll()
    qtbot.keyClicks(line, "Alex Kim")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: model.item_at(0).owner == "Alex Kim", timeout=5000)
    assert desk.postmortems.view(started).action_items[0].owner == "Alex Kim"

    assert model.overdue_rows() == []
    model.setData(model.index(0, FIELDS.index("due")), "2020-01-31")
    qtbot.waitUntil(lambda: model.overdue_rows() == [0], timeout=5000)
    due = model.index(0, FIELDS.index("due"))
    assert due.data() == "2020-01-31 (overdue)"
    background = model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole)
    assert isinstance(background, QBrush) and background.color().alpha() > 0
    assert editor.tabs.tabText(1) == "Action items (1, 1 overdue)"

    # Done: no longer overdue.
    status = model.index(0, FIELDS.index("status"))
    panel.table.edit(status)
    combo = panel.table.focusWidget()
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("done"))
    panel.table.commitData(combo)
    qtbot.waitUntil(lambda: model.item_at(0).status == "done", timeout=5000)
    assert model.overdue_rows() == []
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None


def test_a_bad_value_is_refused_with_a_message(
    qtbot: QtBot, client: DeskClient, desk: Desk, started: str
) -> None:
    desk.action_items.save(started, description="Add an alert", owner="Alice")
    editor = open_editor(qtbot, client, started)
    model = editor.actions_panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
    model.setData(model.index(0, FIELDS.index("due")), "next week")
    qtbot.waitUntil(lambda: editor.error_note.isVisible(), timeout=5000)
    assert "is not a due date" in editor.error_note.text()
    assert model.item_at(0).due is not None  # unchanged


def test_my_action_items_across_incidents(
    qtbot: QtBot, client: DeskClient, desk: Desk, started: str
) -> None:
    other = desk.incidents.declare("Search slow", "SEV3", ["search"])
    desk.action_items.save(started, description="Fix the runbook", owner="Alice")
    desk.action_items.save(other, description="Tune the cache", owner="alice", due="2020-01-01")
    desk.action_items.save(other, description="Not mine", owner="Bob")
    desk.action_items.save(other, description="Already done", owner="Alice", status="done")

    view = MyActionItems(client)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=5000)

    model = view.model
    assert [model.index(r, 1).data() for r in range(2)] == ["Tune the cache", "Fix the runbook"]
    assert model.index(0, 0).data() == "2020-01-01 (overdue)"
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert view.summary.text() == "2 action items for Alice, 1 overdue"

    view.closed_box.setChecked(True)
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=5000)

    with qtbot.waitSignal(view.open_requested) as opened:
        view.table.doubleClicked.emit(model.index(0, 1))
    assert opened.args == [other]


def test_item_models_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, client: DeskClient, desk: Desk, started: str
) -> None:
    desk.action_items.save(started, description="Add an alert", owner="Alice", due="2020-01-01")
    desk.postmortems.save_section(started, "overview", "It was simply careless.", None)
    editor = open_editor(qtbot, client, started)
    qtbot.waitUntil(lambda: editor.findings_model.rowCount() == 2, timeout=5000)
    qtbot.waitUntil(lambda: editor.actions_panel.model.rowCount() == 1, timeout=5000)
    qtmodeltester.check(editor.sections_model)
    qtmodeltester.check(editor.findings_model)
    qtmodeltester.check(editor.actions_panel.model)

    mine = MyActionItems(client)
    qtbot.addWidget(mine)
    qtbot.waitUntil(lambda: mine.model.rowCount() == 1, timeout=5000)
    qtmodeltester.check(mine.model)


def test_an_item_without_an_owner_says_so_and_takes_one(qtbot: QtBot, desk: Desk) -> None:
    from incidentdesk.ui.postmortem.actions import ActionItemsPanel

    incident = desk.incidents.declare("Auth down", "SEV1")
    desk.action_items.add_action(incident, "roll back auth-gateway")
    panel = ActionItemsPanel()
    qtbot.addWidget(panel)
    panel.set_items(
        list(desk.incidents.get(incident).postmortem.action_items.values()), date.today()
    )
    cell = panel.model.index(0, FIELDS.index("owner"))
    assert cell.data() == "—"
    assert "Nobody owns this yet" in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert cell.data(Qt.ItemDataRole.EditRole) == ""
    with qtbot.waitSignal(panel.edit_requested) as asked:
        panel.model.setData(cell, "Bob", Qt.ItemDataRole.EditRole)
    item_id, field, value = asked.args
    assert (field, value) == ("owner", "Bob")
    desk.action_items.save(incident, item_id, owner=value)
    assert desk.incidents.get(incident).postmortem.action_items[item_id].owner == "Bob"
