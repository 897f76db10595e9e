"""The guided post-mortem editor: templates, autosave, live blameless check, review, export."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat
from pytestqt.qtbot import QtBot

from incidentdesk.app.demo import seed_demo
from incidentdesk.app.desk import Desk
from incidentdesk.core.journal.events import Event
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.postmortem.editor import PostmortemEditor

BLAMEFUL = "Alice should have checked the config; it was simply careless."
CLEAN = {
    "overview": "For 76 minutes EU customers could not pay by card.",
    "what_happened": "A schema migration dropped an index on the ledger table.",
    "contributing_factors": "The migration linter did not know about dropped indexes.",
    "resolution": "The index was recreated concurrently on the primary.",
    "how_did_we_do": "Detection was quick; the rollback runbook was out of date.",
    "action_items": "See the action items table.",
}


def journal(desk: Desk) -> list[Event]:
    events: list[Event] = []
    desk.exchange.read_journal(lambda _n: None, events.extend)
    return events


def saves(desk: Desk, section: str) -> list[Event]:
    return [
        e
        for e in journal(desk)
        if e.kind == "postmortem.section_saved" and e.payload["section"] == section
    ]


def open_editor(
    qtbot: QtBot, client: DeskClient, incident: str, autosave_ms: int = 150
) -> PostmortemEditor:
    editor = PostmortemEditor(client, incident, autosave_ms=autosave_ms)
    qtbot.addWidget(editor)
    editor.resize(1300, 800)
    editor.show()
    qtbot.waitUntil(lambda: editor.is_loaded, timeout=5000)
    return editor


def wait_idle(qtbot: QtBot, client: DeskClient) -> None:
    qtbot.waitUntil(lambda: client.worker.pending == 0, timeout=5000)


@pytest.fixture
def incident(desk: Desk) -> str:
    return seed_demo(desk)


@pytest.fixture
def started(desk: Desk, incident: str) -> str:
    desk.postmortems.start(incident, "standard")
    return incident


def type_into(qtbot: QtBot, editor: PostmortemEditor, text: str) -> None:
    editor.edit.setFocus()
    editor.edit.moveCursor(editor.edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.edit, text)


def test_start_from_a_template_with_prefilled_sections(
    qtbot: QtBot, client: DeskClient, desk: Desk, incident: str
) -> None:
    editor = open_editor(qtbot, client, incident)

    assert editor.pages.currentWidget() is editor.start_page
    names = [
        editor.template_list.item(n).data(Qt.ItemDataRole.AccessibleTextRole)
        for n in range(editor.template_list.count())
    ]
    assert [n.split("\n")[0] for n in names] == ["Standard", "Google SRE", "Lightweight"]
    assert all(len(n.split("\n")[1]) > 20 for n in names)  # each with its description

    qtbot.mouseClick(editor.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.pages.currentWidget() is editor.editor_page, timeout=5000)

    assert desk.postmortems.view(incident).template == "standard"
    titles = [r.spec.title for r in editor.sections_model.rows()]
    assert titles[:3] == ["Overview", "What happened", "Contributing factors"]
    assert editor.current_section() == "overview"
    assert "Questions to answer" in editor.guidance.text()
    impact = {r.key: r.completeness for r in editor.sections_model.rows()}["impact"]
    assert impact == "complete"  # prefilled from the journal
    editor.select_section("timeline")
    assert "UTC" in editor.edit.toPlainText()
    done, total = editor.sections_model.counts()
    assert editor.meter.text() == f"{done} of {total} required complete"
    assert 0 < done < total


def test_typing_autosaves_each_save_naming_its_base(
    qtbot: QtBot, client: DeskClient, desk: Desk, started: str
) -> None:
    editor = open_editor(qtbot, client, started)

    type_into(qtbot, editor, "EU card payments failed.")
    assert editor.save_state_text() == "Not saved yet"
    qtbot.waitUntil(lambda: editor.save_state_text().startswith("Saved "), timeout=5000)
    first = saves(desk, "overview")
    assert [e.payload["text"] for e in first] == ["EU card payments failed."]
    assert first[0].payload["base"] is None

    type_into(qtbot, editor, " For 76 minutes.")
    qtbot.waitUntil(lambda: len(saves(desk, "overview")) == 2, timeout=5000)
    second = saves(desk, "overview")[1]
    assert second.payload["base"] == first[0].id
    assert second.payload["text"] == "EU card payments failed. For 76 minutes."
    assert {r.key: r.completeness for r in editor.sections_model.rows()}["overview"] == ("complete")


def test_switching_section_and_ctrl_s_save_at_once(
    qtbot: QtBot, client: DeskClient, desk: Desk, started: str
) -> None:
    editor = open_editor(qtbot, client, started, autosave_ms=60_000)

    type_into(qtbot, editor, "Saved by switching.")
    qtbot.keyClick(editor.edit, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert editor.current_section() == "what_happened"
    type_into(qtbot, editor, "Saved by Ctrl+S.")
    qtbot.keyClick(editor.edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, client)

    view = desk.postmortems.view(started)
    assert view.section("overview").text == "Saved by switching."
    assert view.section("what_happened").text == "Saved by Ctrl+S."
    qtbot.keyClick(editor.edit, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert editor.current_section() == "overview"
    assert editor.edit.toPlainText() == "Saved by switching."


def test_closing_the_editor_saves(
    qtbot: QtBot, client: DeskClient, desk: Desk, started: str
) -> None:
    editor = open_editor(qtbot, client, started, autosave_ms=60_000)
    type_into(qtbot, editor, "Written just before closing.")
    editor.close()
    wait_idle(qtbot, client)
    assert desk.postmortems.view(started).section("overview").text == "Written just before closing."


def _wave_ranges(editor: PostmortemEditor) -> list[tuple[int, int]]:
    ranges = []
    block = editor.edit.document().firstBlock()
    while block.isValid():
        for fmt in block.layout().formats():
            if fmt.format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline:
                start = block.position() + fmt.start
                ranges.append((start, start + fmt.length))
        block = block.next()
    return sorted(ranges)


def test_findings_underlined_as_you_type_and_accepted_with_a_reason(
    qtbot: QtBot, client: DeskClient, desk: Desk, started: str
) -> None:
    editor = open_editor(qtbot, client, started)

    type_into(qtbot, editor, BLAMEFUL)
    qtbot.waitUntil(lambda: len(editor.findings()) == 3, timeout=3000)
    spans = [(BLAMEFUL.index(w), BLAMEFUL.index(w) + len(w)) for w in ("should have", "simply")]
    spans.append((BLAMEFUL.index("careless"), BLAMEFUL.index("careless") + len("careless")))
    assert _wave_ranges(editor) == spans
    assert "hindsight" in editor.tooltip_at(spans[0][0] + 2)
    assert "Suggestion:" in editor.tooltip_at(spans[0][0] + 2)
    assert editor.tooltip_at(0) == ""
    assert editor.findings_model.rowCount() == 3
    careless = editor.findings_model.index(2)
    assert careless.data() == "“careless” — blame and judgement, line 1"
    rect = editor.findings_view.visualRect(careless)
    qtbot.mouseClick(editor.findings_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.edit.textCursor().selectedText() == "careless"
    assert "Suggestion: Describe the action" in editor.finding_detail.text()
    editor.edit.moveCursor(editor.edit.textCursor().MoveOperation.End)

    # F8 goes to the first finding after the cursor (wrapping round).
    qtbot.keyClick(editor.edit, Qt.Key.Key_F8)
    assert editor.edit.textCursor().selectedText() == "should have"

    # Rewording one makes it go away.
    editor.edit.selectAll()
    qtbot.keyClicks(editor.edit, "The config check was skipped; it was careless.")
    qtbot.waitUntil(lambda: len(editor.findings()) == 1, timeout=3000)

    editor.findings_view.setCurrentIndex(editor.findings_model.index(0))
    assert editor.accept_button.isEnabled()
    qtbot.mouseClick(editor.accept_button, Qt.MouseButton.LeftButton)
    dialog = editor.accept_dialog
    assert dialog is not None
    dialog.buttons.accepted.emit()  # no reason yet: refused
    assert dialog.isVisible() and "reason" in dialog.error.text()
    dialog.reason_edit.setPlainText("Quoted from the customer's complaint.")
    dialog.buttons.accepted.emit()

    qtbot.waitUntil(lambda: editor.findings() and not editor.findings()[0].open, timeout=5000)
    accepted = desk.incidents.get(started).postmortem.accepted
    assert [(a.rule_id, a.text, a.reason) for a in accepted] == [
        ("blame.careless", "careless", "Quoted from the customer's complaint.")
    ]
    assert _wave_ranges(editor) == []  # accepted: no longer a wavy red line
    assert not editor.accept_button.isEnabled()


def _fill(desk: Desk, incident: str, extra: str = "") -> None:
    for key, text in CLEAN.items():
        base = desk.postmortems.view(incident).section(key).base
        desk.postmortems.save_section(
            incident, key, text + (extra if key == "overview" else ""), base
        )


def test_review_rules_in_the_bar(
    qtbot: QtBot, client: DeskClient, desk: Desk, started: str
) -> None:
    _fill(desk, started, " It was simply a bad deploy.")
    editor = open_editor(qtbot, client, started)
    bar = editor.review_bar
    assert bar.send_button.isVisible() and not bar.approve_button.isVisible()

    bar.reviewers_edit.setText("Alice, Lena Novak")
    qtbot.mouseClick(bar.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.state == "in_review", timeout=5000)
    assert bar.approve_button.isVisible()
    assert not bar.approve_button.isEnabled()
    assert "1 blameless finding must be reworded or accepted" in bar.blockers_label.text()

    # Accept the one finding: Approve becomes possible.
    editor.findings_view.setCurrentIndex(editor.findings_model.index(0))
    editor.accept_finding("overview", editor.findings_model.checked_at(0), "Said by a customer.")
    qtbot.waitUntil(lambda: bar.approve_button.isEnabled(), timeout=5000)
    assert not bar.blockers_label.isVisible()

    qtbot.mouseClick(bar.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.state == "approved", timeout=5000)
    qtbot.mouseClick(bar.publish_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.state == "published", timeout=5000)

    assert editor.edit.isReadOnly()
    assert bar.revision_button.isVisible()
    assert "read-only" in bar.blockers_label.text()
    editor.edit.setFocus()
    qtbot.keyClicks(editor.edit, "more")  # typing does nothing in a published post-mortem
    assert "more" not in editor.edit.toPlainText()

    qtbot.mouseClick(bar.revision_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.state == "draft", timeout=5000)
    assert not editor.edit.isReadOnly()
    assert desk.postmortems.view(started).revision == 2


def test_approve_lists_incomplete_sections(
    qtbot: QtBot, client: DeskClient, desk: Desk, started: str
) -> None:
    desk.postmortems.set_review_state(started, "in_review", ["Alice"])
    editor = open_editor(qtbot, client, started)
    text = editor.review_bar.blockers_label.text()
    assert not editor.review_bar.approve_button.isEnabled()
    assert text.startswith("Cannot approve yet: required sections are not complete (Overview")


def test_export_markdown_from_the_gui(
    qtbot: QtBot, client: DeskClient, desk: Desk, started: str, tmp_path: Path
) -> None:
    editor = open_editor(qtbot, client, started, autosave_ms=60_000)
    type_into(qtbot, editor, "Unsaved words are saved before the export.")
    target = tmp_path / "postmortem.md"

    with qtbot.waitSignal(editor.exported, timeout=10_000) as signal:
        editor.export_document(target)

    assert signal.args == [str(target)]
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert "EU checkout failing" in text
    assert "Unsaved words are saved before the export." in text
    assert editor.note.text() == f"Exported to {target}"

    missing = tmp_path / "no-such-folder" / "pm.html"
    with qtbot.waitSignal(editor.export_failed, timeout=10_000) as failed:
        editor.export_document(missing)
    assert "does not exist" in failed.args[0]
    assert editor.error_note.isVisible()
    assert not missing.exists()


def test_insert_from_journal(qtbot: QtBot, client: DeskClient, desk: Desk, started: str) -> None:
    editor = open_editor(qtbot, client, started)
    type_into(qtbot, editor, "Who was there:")
    editor.insert_from_journal("responders")
    qtbot.waitUntil(
        lambda: "Incident Commander: Maya Chen" in editor.edit.toPlainText(), timeout=5000
    )
    assert editor.edit.toPlainText().startswith("Who was there:\n\n")
    qtbot.waitUntil(lambda: editor.save_state_text().startswith("Saved"), timeout=5000)
    assert (
        "Incident Commander: Maya Chen" in desk.postmortems.view(started).section("overview").text
    )


@pytest.mark.parametrize(("name", "magic"), [("pm.html", b"<!DOCTYPE html>"), ("pm.pdf", b"%PDF")])
def test_export_html_and_pdf_on_the_worker(
    qtbot: QtBot, client: DeskClient, started: str, tmp_path: Path, name: str, magic: bytes
) -> None:
    editor = open_editor(qtbot, client, started)
    with qtbot.waitSignal(editor.exported, timeout=20_000):
        editor.export_document(tmp_path / name)
    assert (tmp_path / name).read_bytes()[:20].upper().startswith(magic.upper())


def test_underlines_stay_on_the_words_after_an_emoji(
    qtbot: QtBot, client: DeskClient, started: str
) -> None:
    # Qt counts an emoji as two text positions; the checker counts it as one character.
    editor = open_editor(qtbot, client, started)
    text = "Rollback 🚀🔥 done; it was simply careless."
    editor.edit.insertPlainText(text)  # pasted: key clicks cannot type an emoji
    qtbot.waitUntil(lambda: len(editor.findings()) == 2, timeout=3000)
    shift = 2  # two emoji before the words
    words = [
        (text.index(w) + shift, text.index(w) + shift + len(w)) for w in ("simply", "careless")
    ]
    assert _wave_ranges(editor) == words
    assert "Suggestion:" in editor.tooltip_at(words[1][0] + 1)
    assert editor.tooltip_at(words[0][0] - 2) == ""  # just before "simply": nothing
    editor.edit.moveCursor(editor.edit.textCursor().MoveOperation.Start)
    qtbot.keyClick(editor.edit, Qt.Key.Key_F8)
    assert editor.edit.textCursor().selectedText() == "simply"


def test_text_whose_save_is_refused_stays_on_screen_across_section_switches(
    qtbot: QtBot, client: DeskClient, desk: Desk, started: str
) -> None:
    editor = open_editor(qtbot, client, started, autosave_ms=60_000)
    too_long = "The ledger retried. " * 5_001  # over the 100,000-character limit
    editor.edit.insertPlainText(too_long)
    editor.save_now()
    qtbot.waitUntil(lambda: editor.save_state_text().startswith("Not saved"), timeout=5000)
    assert "too long" in editor.save_state_text()
    qtbot.keyClick(editor.edit, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, client)
    qtbot.keyClick(editor.edit, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, client)
    assert editor.current_section() == "overview"
    assert editor.edit.toPlainText() == too_long  # nothing typed is lost
    assert editor.is_dirty()


def test_line_breaks_pasted_from_a_word_processor_save(
    qtbot: QtBot, client: DeskClient, desk: Desk, started: str
) -> None:
    editor = open_editor(qtbot, client, started)
    editor.edit.insertPlainText("First line.\vSecond line.")
    qtbot.waitUntil(lambda: editor.save_state_text().startswith("Saved "), timeout=5000)
    assert desk.postmortems.view(started).section("overview").text == "First line.\nSecond line."
