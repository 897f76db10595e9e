"""The quick entry, driven with the keyboard against a real Desk on a temporary store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from incidentdesk.app.desk import Desk
from incidentdesk.core.timefmt import utc_now
from incidentdesk.ui.command.quick_entry import QuickEntry
from incidentdesk.ui.common.client import DeskClient

BERLIN = ZoneInfo("Europe/Berlin")
Settle = Callable[[], None]


@pytest.fixture
def incident(desk: Desk) -> str:
    return desk.incidents.declare("Checkout is failing", "SEV3", ["checkout"])


@pytest.fixture
def selection() -> dict[str, str | None]:
    """What the timeline has selected (the tests set ``selection["id"]``)."""
    return {"id": None}


@pytest.fixture
def entry(
    qtbot: QtBot, client: DeskClient, incident: str, selection: dict[str, str | None]
) -> QuickEntry:
    widget = QuickEntry(client, lambda: selection["id"], local_tz=BERLIN)
    qtbot.addWidget(widget)
    widget.resize(700, 120)
    widget.set_incident(incident)
    widget.set_people(["Alice", "Alex Kim", "Bob"])
    widget.show()
    with qtbot.waitActive(widget):
        widget.activateWindow()
    widget.focus_entry()
    return widget


def press(qtbot: QtBot, entry: QuickEntry, key: Qt.Key | str) -> None:
    """One key, where Qt sends it: to the completion list while it is open."""
    target = entry.completion_list if entry.completion_list.isVisible() else entry.line_edit
    qtbot.keyClick(target, key)


def type_text(qtbot: QtBot, entry: QuickEntry, text: str) -> None:
    for char in text:
        press(qtbot, entry, char)


def enter(qtbot: QtBot, entry: QuickEntry, text: str, settle: Settle) -> None:
    """Type a whole line and save it (closing any completion list first)."""
    type_text(qtbot, entry, text)
    if entry.completion_list.isVisible():
        press(qtbot, entry, Qt.Key.Key_Escape)
    press(qtbot, entry, Qt.Key.Key_Return)
    settle()


def offered(entry: QuickEntry) -> list[str]:
    model = entry.completion_list.model()
    return [str(model.index(row, 0).data()).split()[0] for row in range(model.rowCount())]


# ------------------------------------------------------------------ notes


def test_a_typed_note_is_in_the_timeline_after_enter(
    qtbot: QtBot, entry: QuickEntry, desk: Desk, incident: str, settle: Settle
) -> None:
    with qtbot.waitSignal(entry.submitted) as saved, qtbot.waitSignal(entry.message) as said:
        enter(qtbot, entry, "p99 latency at 4s on checkout", settle)
    last = desk.incidents.timeline(incident)[-1]
    assert last.text == "p99 latency at 4s on checkout"
    assert last.event.payload["note_kind"] == "note"
    assert saved.args == [last.event.id]
    assert said.args == ["Saved: Note"]
    assert entry.line_edit.text() == ""
    assert not entry.error_label.isVisible()


@pytest.mark.parametrize(
    ("typed", "kind", "text", "pinned"),
    [
        ("/decision roll back to 4.2", "decision", "roll back to 4.2", False),
        ("/action restarted the pool", "action", "restarted the pool", False),
        ("/observation errors falling", "observation", "errors falling", False),
        ("/obs errors falling", "observation", "errors falling", False),
        ("/update status page posted", "update", "status page posted", False),
        ("/pin watch the queue", "note", "watch the queue", True),
        ("/pin /decision freeze deploys", "decision", "freeze deploys", True),
    ],
)
def test_note_commands_add_entries_of_their_kind(
    qtbot: QtBot,
    entry: QuickEntry,
    desk: Desk,
    incident: str,
    settle: Settle,
    typed: str,
    kind: str,
    text: str,
    pinned: bool,
) -> None:
    enter(qtbot, entry, typed, settle)
    last = desk.incidents.timeline(incident)[-1]
    assert (last.text, last.event.payload["note_kind"], last.pinned) == (text, kind, pinned)
    assert entry.line_edit.text() == ""


# ------------------------------------------------------------------ state commands


def test_sev_status_and_role_change_the_incident(
    qtbot: QtBot, entry: QuickEntry, desk: Desk, incident: str, settle: Settle
) -> None:
    enter(qtbot, entry, "/sev 2", settle)
    assert desk.incidents.get(incident).severity == "SEV2"
    enter(qtbot, entry, "/sev SEV1", settle)
    assert desk.incidents.get(incident).severity == "SEV1"
    enter(qtbot, entry, "/status mitigated", settle)
    assert desk.incidents.get(incident).status == "mitigated"
    enter(qtbot, entry, "/role scribe Alice", settle)
    assert desk.incidents.get(incident).holders("scribe") == ["Alice"]
    enter(qtbot, entry, "/role commander Alex Kim", settle)
    assert desk.incidents.get(incident).holders("commander") == ["Alex Kim"]
    assert not entry.error_label.isVisible()


def test_pin_alone_pins_the_entry_selected_in_the_timeline(
    qtbot: QtBot,
    entry: QuickEntry,
    desk: Desk,
    incident: str,
    settle: Settle,
    selection: dict[str, str | None],
) -> None:
    note = desk.incidents.add_note(incident, "the queue is backing up")
    selection["id"] = note
    enter(qtbot, entry, "/pin", settle)
    assert note in desk.incidents.get(incident).pinned
    assert entry.line_edit.text() == ""


def test_pin_with_nothing_selected_says_so_and_changes_nothing(
    qtbot: QtBot, entry: QuickEntry, desk: Desk, incident: str, settle: Settle
) -> None:
    before = len(desk.incidents.timeline(incident))
    enter(qtbot, entry, "/pin", settle)
    assert entry.error_label.isVisible()
    assert "Select an entry in the timeline" in entry.error_label.text()
    assert entry.line_edit.text() == "/pin"
    assert len(desk.incidents.timeline(incident)) == before


def test_at_back_dates_what_follows_to_local_clock_time(
    qtbot: QtBot, entry: QuickEntry, desk: Desk, incident: str, settle: Settle
) -> None:
    # Two hours ago is earlier today, or yesterday evening just after midnight: either way
    # the latest such clock time that is not still to come.
    then = (utc_now() - timedelta(hours=2)).astimezone(BERLIN).replace(second=0, microsecond=0)
    enter(qtbot, entry, f"/at {then:%H:%M} /decision roll back", settle)
    entries = {e.text: e for e in desk.incidents.timeline(incident)}
    decision = entries["roll back"]
    assert decision.event.payload["note_kind"] == "decision"
    assert decision.event.occurred_at == then.astimezone(UTC)

    enter(qtbot, entry, f"/at {then:%H:%M} saw the spike", settle)
    assert {e.text: e for e in desk.incidents.timeline(incident)}[
        "saw the spike"
    ].event.occurred_at == (then.astimezone(UTC))
    iso = "2026-01-05T14:05+01:00"
    enter(qtbot, entry, f"/at {iso} /sev 2", settle)
    changed = [e for e in desk.incidents.timeline(incident) if e.event.kind == "severity.changed"]
    assert changed[-1].event.occurred_at == datetime(2026, 1, 5, 13, 5, tzinfo=UTC)


# ------------------------------------------------------------------ refusals


def test_an_unknown_command_keeps_the_text_and_lists_the_commands(
    qtbot: QtBot, entry: QuickEntry, desk: Desk, incident: str, settle: Settle
) -> None:
    before = len(desk.incidents.timeline(incident))
    enter(qtbot, entry, "/frobnicate the cache", settle)
    assert entry.line_edit.text() == "/frobnicate the cache"
    assert entry.error_label.isVisible()
    assert "is not a command" in entry.error_label.text()
    assert "/sev" in entry.error_label.text() and "/role" in entry.error_label.text()
    assert len(desk.incidents.timeline(incident)) == before


def test_a_refusal_from_the_desk_shows_inline_until_a_command_succeeds(
    qtbot: QtBot, entry: QuickEntry, desk: Desk, incident: str, settle: Settle
) -> None:
    enter(qtbot, entry, "/at 2099-01-01T10:00Z /sev 2", settle)
    assert entry.error_label.isVisible()
    assert "is in the future" in entry.error_label.text()
    assert entry.line_edit.text() == "/at 2099-01-01T10:00Z /sev 2"

    entry.line_edit.clear()
    enter(qtbot, entry, "/sev 2", settle)
    assert not entry.error_label.isVisible()
    assert entry.line_edit.text() == ""
    assert desk.incidents.get(incident).severity == "SEV2"


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("/sev 3", "The incident is already SEV3."),
        ("/status investigating", "The incident is already investigating."),
    ],
)
def test_a_command_that_changes_nothing_clears_the_line_and_says_so(
    qtbot: QtBot,
    entry: QuickEntry,
    desk: Desk,
    incident: str,
    settle: Settle,
    line: str,
    said: str,
) -> None:
    before = len(desk.incidents.timeline(incident))
    with qtbot.waitSignal(entry.message) as message:
        enter(qtbot, entry, line, settle)
    assert message.args == [said]
    assert entry.line_edit.text() == ""  # the next command does not run into it
    assert not entry.error_label.isVisible()
    assert entry.notice_label.isVisible() and entry.notice_label.text() == said
    assert len(desk.incidents.timeline(incident)) == before

    enter(qtbot, entry, "/sev 2", settle)
    assert desk.incidents.get(incident).severity == "SEV2"
    assert not entry.notice_label.isVisible()


def test_escape_hides_the_error_and_keeps_the_text(
    qtbot: QtBot, entry: QuickEntry, settle: Settle
) -> None:
    enter(qtbot, entry, "/sev 9", settle)
    assert entry.error_label.isVisible()
    press(qtbot, entry, Qt.Key.Key_Escape)
    assert not entry.error_label.isVisible()
    assert entry.line_edit.text() == "/sev 9"


def test_a_second_enter_while_saving_adds_nothing_twice(
    qtbot: QtBot, entry: QuickEntry, desk: Desk, incident: str, settle: Settle
) -> None:
    type_text(qtbot, entry, "only once")
    press(qtbot, entry, Qt.Key.Key_Return)
    press(qtbot, entry, Qt.Key.Key_Return)
    settle()
    assert [e.text for e in desk.incidents.timeline(incident)].count("only once") == 1


def test_what_is_typed_while_saving_is_kept(
    qtbot: QtBot, entry: QuickEntry, desk: Desk, incident: str, settle: Settle
) -> None:
    type_text(qtbot, entry, "first")
    press(qtbot, entry, Qt.Key.Key_Return)
    entry.line_edit.setText("second, half typed")  # before the Desk has answered
    settle()
    assert desk.incidents.timeline(incident)[-1].text == "first"
    assert entry.line_edit.text() == "second, half typed"


# ------------------------------------------------------------------ history


def test_up_recalls_recent_entries_and_down_comes_back(
    qtbot: QtBot, entry: QuickEntry, settle: Settle
) -> None:
    enter(qtbot, entry, "first note", settle)
    enter(qtbot, entry, "/decision second", settle)
    type_text(qtbot, entry, "draft")
    press(qtbot, entry, Qt.Key.Key_Up)
    assert entry.line_edit.text() == "/decision second"
    press(qtbot, entry, Qt.Key.Key_Up)
    assert entry.line_edit.text() == "first note"
    press(qtbot, entry, Qt.Key.Key_Up)
    assert entry.line_edit.text() == "first note"
    press(qtbot, entry, Qt.Key.Key_Down)
    assert entry.line_edit.text() == "/decision second"
    press(qtbot, entry, Qt.Key.Key_Down)
    assert entry.line_edit.text() == "draft"


def test_a_recalled_entry_can_be_sent_again(
    qtbot: QtBot, entry: QuickEntry, desk: Desk, incident: str, settle: Settle
) -> None:
    enter(qtbot, entry, "still degraded", settle)
    press(qtbot, entry, Qt.Key.Key_Up)
    press(qtbot, entry, Qt.Key.Key_Return)
    settle()
    assert [e.text for e in desk.incidents.timeline(incident)].count("still degraded") == 2


# ------------------------------------------------------------------ completion


def test_completion_offers_roles_then_people(qtbot: QtBot, entry: QuickEntry) -> None:
    type_text(qtbot, entry, "/role ")
    assert entry.completion_list.isVisible()
    assert offered(entry) == ["commander", "deputy", "scribe", "comms", "ops_lead", "sme"]
    type_text(qtbot, entry, "scribe ")
    assert entry.completion_list.isVisible()
    assert offered(entry) == ["Alex", "Alice", "Bob"]  # first words of the names, sorted


def test_completion_is_driven_by_the_keyboard(
    qtbot: QtBot, entry: QuickEntry, desk: Desk, incident: str, settle: Settle
) -> None:
    type_text(qtbot, entry, "/ro")
    assert offered(entry) == ["/role"]
    press(qtbot, entry, Qt.Key.Key_Return)  # the only command is chosen already
    assert entry.line_edit.text() == "/role "
    type_text(qtbot, entry, "sc")
    press(qtbot, entry, Qt.Key.Key_Tab)
    assert entry.line_edit.text() == "/role scribe "
    type_text(qtbot, entry, "al")
    assert offered(entry) == ["Alex", "Alice"]
    press(qtbot, entry, Qt.Key.Key_Down)
    press(qtbot, entry, Qt.Key.Key_Down)
    press(qtbot, entry, Qt.Key.Key_Return)
    assert entry.line_edit.text() == "/role scribe Alice"
    assert not entry.completion_list.isVisible()
    press(qtbot, entry, Qt.Key.Key_Return)
    settle()
    assert desk.incidents.get(incident).holders("scribe") == ["Alice"]


def test_enter_with_no_person_chosen_saves_the_name_as_typed(
    qtbot: QtBot, entry: QuickEntry, desk: Desk, incident: str, settle: Settle
) -> None:
    type_text(qtbot, entry, "/role scribe Al")
    assert entry.completion_list.isVisible()
    press(qtbot, entry, Qt.Key.Key_Return)
    settle()
    assert desk.incidents.get(incident).holders("scribe") == ["Al"]


def test_completion_offers_statuses_and_commands(qtbot: QtBot, entry: QuickEntry) -> None:
    type_text(qtbot, entry, "/status ")
    assert offered(entry) == ["investigating", "identified", "mitigated", "resolved", "closed"]
    entry.line_edit.clear()
    type_text(qtbot, entry, "/")
    assert "/decision" in offered(entry) and "/help" in offered(entry)
    press(qtbot, entry, Qt.Key.Key_Escape)
    assert not entry.completion_list.isVisible()
    assert entry.line_edit.text() == "/"


def test_plain_notes_offer_no_completion(qtbot: QtBot, entry: QuickEntry) -> None:
    type_text(qtbot, entry, "rolled back at 14:05 ")
    assert not entry.completion_list.isVisible()


# ------------------------------------------------------------------ the rest


def test_help_lists_the_commands_and_clears_the_field(
    qtbot: QtBot, entry: QuickEntry, settle: Settle
) -> None:
    enter(qtbot, entry, "/help", settle)
    assert entry.help_label.isVisible()
    assert "/status mitigated" in entry.help_label.text()
    assert entry.line_edit.text() == ""
    press(qtbot, entry, Qt.Key.Key_Escape)
    assert not entry.help_label.isVisible()


def test_the_preview_says_what_enter_will_do(qtbot: QtBot, entry: QuickEntry) -> None:
    type_text(qtbot, entry, "/sev 1")
    assert entry.preview_label.text() == "⏎ Severity → SEV1"
    entry.line_edit.setText("a plain note")
    assert not entry.preview_label.isVisible()


def test_without_an_incident_the_entry_is_disabled_and_says_why(
    entry: QuickEntry, incident: str
) -> None:
    entry.set_incident(None)
    assert not entry.line_edit.isEnabled()
    assert "Open an incident" in entry.line_edit.placeholderText()
    entry.set_incident(incident)
    assert entry.line_edit.isEnabled()
    assert "/help" in entry.line_edit.placeholderText()


def test_focus_entry_puts_the_cursor_in_the_field(qtbot: QtBot, entry: QuickEntry) -> None:
    entry.line_edit.clearFocus()
    entry.focus_entry()
    qtbot.waitUntil(entry.line_edit.hasFocus)


# ------------------------------------------------------------------ action items


def next_weekday(today: date, weekday: int) -> date:
    """The next such weekday after today (never today)."""
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def test_action_with_owner_and_due_is_an_item_the_postmortem_lists(
    qtbot: QtBot,
    entry: QuickEntry,
    client: DeskClient,
    desk: Desk,
    incident: str,
    settle: Settle,
) -> None:
    from incidentdesk.ui.postmortem.editor import PostmortemEditor

    type_text(qtbot, entry, "/action Bob: roll back auth-gateway by Friday")
    friday = next_weekday(datetime.now(BERLIN).date(), 4)
    assert entry.preview_label.text() == f"⏎ Action item · Bob · due Fri {friday.isoformat()}"
    with qtbot.waitSignal(entry.message) as said:
        press(qtbot, entry, Qt.Key.Key_Return)
        settle()
    assert said.args == [f"Saved: Action item for Bob, due {friday.isoformat()}."]
    assert entry.line_edit.text() == ""

    (item,) = desk.incidents.get(incident).postmortem.action_items.values()
    assert (item.description, item.owner, item.due, item.status) == (
        "roll back auth-gateway",
        "Bob",
        friday,
        "open",
    )
    note = desk.incidents.timeline(incident)[-1]
    assert note.text == "Bob: roll back auth-gateway by Friday"
    assert note.event.payload["note_kind"] == "action"
    assert item.note == note.event.id

    editor = PostmortemEditor(client, incident)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitUntil(lambda: editor.is_loaded, timeout=5000)
    assert editor.action_items_tab_text() == "Action items (1)"
    editor.show_action_item(item.id)
    table = editor.actions_panel.table
    assert table.isVisible()
    assert [i.row() for i in table.selectionModel().selectedRows()] == [0]
    assert table.model().index(0, 0).data() == "roll back auth-gateway"
    assert [o.item.id for o in desk.action_items.owned_by("bob")] == [item.id]
    assert [i["id"] for i in desk.action_items.rows() if i["status"] == "open"] == [item.id]


def test_action_with_a_due_phrase_it_does_not_know_keeps_it_and_says_so(
    qtbot: QtBot, entry: QuickEntry, desk: Desk, incident: str, settle: Settle
) -> None:
    enter(qtbot, entry, "/action restart the pool by end of week", settle)
    (item,) = desk.incidents.get(incident).postmortem.action_items.values()
    assert (item.description, item.owner, item.due) == (
        "restart the pool by end of week",
        "",
        None,
    )
    assert entry.line_edit.text() == ""
    assert entry.notice_label.isVisible()
    assert entry.notice_label.text().startswith(
        "'by end of week' is not a due date I know, so no due date is set"
    )
