"""Two workstations editing one section: followed in place, or merged through the dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from incidentdesk.app.demo import seed_demo
from incidentdesk.app.desk import Desk
from incidentdesk.core.journal.events import Event
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.postmortem.conflict import merge3
from incidentdesk.ui.postmortem.editor import PostmortemEditor


def exchange(a: Desk, b: Desk) -> None:
    """Copy each journal's events to the other (what sync does through the server)."""
    for source, target in ((a, b), (b, a)):
        events: list[Event] = []
        source.exchange.read_journal(lambda _n: None, events.extend)
        target.exchange.receive(events)


@pytest.fixture
def bob(tmp_path: Path) -> Iterator[Desk]:
    folder = tmp_path / "bob"
    folder.mkdir()
    opened = Desk.open(folder, "Bob")
    yield opened
    opened.close()


@pytest.fixture
def shared(desk: Desk, bob: Desk) -> str:
    """A post-mortem both workstations hold, its overview saved once by Alice."""
    incident = seed_demo(desk)
    desk.postmortems.start(incident, "standard")
    desk.postmortems.save_section(
        incident, "overview", "Payments failed.\nThe index was dropped.\n", None
    )
    exchange(desk, bob)
    return incident


def open_editor(qtbot: QtBot, client: DeskClient, incident: str) -> PostmortemEditor:
    editor = PostmortemEditor(client, incident, autosave_ms=60_000)
    qtbot.addWidget(editor)
    editor.resize(1300, 800)
    editor.show()
    qtbot.waitUntil(lambda: editor.current_section() == "overview", timeout=5000)
    return editor


def bob_saves(bob: Desk, incident: str, text: str) -> None:
    base = bob.postmortems.view(incident).section("overview").base
    bob.postmortems.save_section(incident, "overview", text, base)


def test_a_remote_save_updates_the_text_in_place_keeping_the_cursor(
    qtbot: QtBot, client: DeskClient, desk: Desk, bob: Desk, shared: str
) -> None:
    editor = open_editor(qtbot, client, shared)
    client.start_feed()  # the first look records where the journal is
    qtbot.waitUntil(lambda: client.describe()["cursor"] is not None, timeout=5000)
    cursor = editor.edit.textCursor()
    cursor.setPosition(5)
    editor.edit.setTextCursor(cursor)

    bob_saves(bob, shared, "Payments failed.\nThe index was dropped.\nBob adds a line.\n")
    exchange(desk, bob)  # the change feed then announces the incident

    qtbot.waitUntil(lambda: "Bob adds a line." in editor.edit.toPlainText(), timeout=5000)
    assert editor.edit.textCursor().position() == 5
    assert editor.save_state_text() == "Updated from another workstation"
    assert editor.conflict_dialog is None
    # The next local save builds on Bob's: no conflict.
    editor.edit.moveCursor(editor.edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.edit, "Alice too.")
    editor.save_now()
    qtbot.waitUntil(lambda: client.worker.pending == 0, timeout=5000)
    section = desk.postmortems.view(shared).section("overview")
    assert section.conflict is None
    assert section.text == "Payments failed.\nThe index was dropped.\nBob adds a line.Alice too."


def test_unsaved_edits_meet_a_remote_save_in_the_merge_dialog(
    qtbot: QtBot, client: DeskClient, desk: Desk, bob: Desk, shared: str
) -> None:
    editor = open_editor(qtbot, client, shared)
    # Alice edits the first line here (not saved yet) while Bob changes the second.
    editor.edit.selectAll()
    qtbot.keyClicks(editor.edit, "Card payments failed in the EU.")
    qtbot.keyClick(editor.edit, Qt.Key.Key_Return)
    qtbot.keyClicks(editor.edit, "The index was dropped.")
    qtbot.keyClick(editor.edit, Qt.Key.Key_Return)
    bob_saves(bob, shared, "Payments failed.\nA migration dropped the index.\n")
    exchange(desk, bob)
    editor.refresh()
    qtbot.waitUntil(lambda: client.worker.pending == 0, timeout=5000)
    assert editor.edit.toPlainText().startswith("Card payments")  # never overwritten

    editor.save_now()  # based on the old save: a conflict, shown at once
    qtbot.waitUntil(lambda: editor.conflict_dialog is not None, timeout=5000)
    dialog = editor.conflict_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.base_edit.toPlainText() == "Payments failed.\nThe index was dropped."
    assert dialog.mine_edit.toPlainText() == (
        "Card payments failed in the EU.\nThe index was dropped."
    )
    assert dialog.theirs_edit.toPlainText() == "Payments failed.\nA migration dropped the index."
    assert dialog.merged_clean
    assert dialog.merged_edit.toPlainText() == (
        "Card payments failed in the EU.\nA migration dropped the index."
    )
    assert editor.edit.isReadOnly()
    assert editor.merge_button.isVisible()
    assert desk.postmortems.view(shared).section("overview").conflict is not None

    dialog.merged_edit.setPlainText(
        "Card payments failed in the EU.\nA migration dropped the index.\nMerged by Alice.\n"
    )
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    merged = "Card payments failed in the EU.\nA migration dropped the index.\nMerged by Alice."
    qtbot.waitUntil(lambda: not editor.merge_button.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: client.worker.pending == 0, timeout=5000)

    section = desk.postmortems.view(shared).section("overview")
    assert section.conflict is None
    assert section.text == merged
    assert editor.edit.toPlainText().rstrip("\n") == merged
    assert not editor.edit.isReadOnly()
    # Bob's workstation folds to the same merged text.
    exchange(desk, bob)
    assert bob.postmortems.view(shared).section("overview").text == merged


def test_keep_theirs(qtbot: QtBot, client: DeskClient, desk: Desk, bob: Desk, shared: str) -> None:
    editor = open_editor(qtbot, client, shared)
    editor.edit.selectAll()
    qtbot.keyClicks(editor.edit, "Mine.")
    bob_saves(bob, shared, "Theirs.")
    exchange(desk, bob)
    editor.save_now()
    qtbot.waitUntil(lambda: editor.conflict_dialog is not None, timeout=5000)
    dialog = editor.conflict_dialog
    assert dialog is not None
    assert not dialog.merged_clean  # both changed the same line
    qtbot.mouseClick(dialog.keep_theirs_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.edit.toPlainText() == "Theirs.", timeout=5000)
    qtbot.waitUntil(lambda: client.worker.pending == 0, timeout=5000)
    section = desk.postmortems.view(shared).section("overview")
    assert (section.text, section.conflict) == ("Theirs.", None)


@pytest.mark.parametrize(
    ("base", "mine", "theirs", "expected"),
    [
        ("a\nb\nc\n", "A\nb\nc\n", "a\nb\nC\n", ("A\nb\nC\n", True)),
        ("a\nb\n", "a\nb\nmine\n", "a\nb\n", ("a\nb\nmine\n", True)),
        ("a\nb\n", "a\nb\n", "x\nb\n", ("x\nb\n", True)),
        ("a\nb", "a\nb\nmine", "x\nb", ("x\nb\nmine", True)),
        ("a\n", "mine\n", "theirs\n", ("mine\n", False)),
        ("a\nb\n", "a\nb\nmine\n", "a\nb\ntheirs\n", ("a\nb\nmine\n", False)),
        ("a\nb\n", "A\nb\n", "A\nb\n", ("A\nb\n", True)),
    ],
)
def test_merge3(base: str, mine: str, theirs: str, expected: tuple[str, bool]) -> None:
    assert merge3(base, mine, theirs) == expected
