"""The main window as a commander uses it, on a real local store."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from incidentdesk.app.demo import seed_demo
from incidentdesk.app.desk import Desk
from incidentdesk.cli.main import main as cli_main
from incidentdesk.ui.command.timeline_model import TEXT
from incidentdesk.ui.shell.app import build_window
from incidentdesk.ui.shell.main_window import MainWindow
from incidentdesk.ui.shell.shortcuts import shortcut_overview


@pytest.fixture
def demo_id(data_dir: Path) -> str:
    desk = Desk.open(data_dir, "Seeder")
    incident = seed_demo(desk)
    desk.close()
    return incident


def open_window(qtbot: QtBot, data_dir: Path) -> MainWindow:
    window = build_window(data_dir, "Alice")
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitUntil(lambda: window.rows_loaded, timeout=10_000)
    if window.incident_list.model.rowCount():
        qtbot.waitUntil(lambda: window.command_view.state is not None, timeout=10_000)
    return window


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, demo_id: str) -> Iterator[MainWindow]:
    opened = open_window(qtbot, data_dir)
    yield opened
    opened.client.stop()


def timeline_texts(window: MainWindow) -> list[str]:
    proxy = window.command_view.timeline.proxy
    return [proxy.index(r, TEXT).data() for r in range(proxy.rowCount())]


def test_opens_on_the_most_urgent_incident(window: MainWindow, demo_id: str) -> None:
    view = window.command_view
    assert view.incident_id == demo_id
    assert view.header.title.text().startswith("EU checkout failing")
    assert view.header.severity_badge.text() == "SEV2"
    assert len(timeline_texts(window)) >= 55
    assert window.incident_list.model.rowCount() == 1
    assert window.sync_label.text() == "local only"


def test_a_note_from_another_process_appears_without_a_reload(
    qtbot: QtBot, window: MainWindow, data_dir: Path, demo_id: str
) -> None:
    view = window.command_view
    timeline = view.timeline
    resets: list[int] = []
    timeline.model.modelReset.connect(lambda: resets.append(1))
    timeline.view.selectRow(10)
    selected = timeline.selected_event_id()
    before = timeline.model.rowCount()

    exe = Path(sys.executable).parent / "incidentdesk"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "incidentdesk"]
    subprocess.run(
        [
            *command,
            "--data-dir",
            str(data_dir),
            "--as",
            "Alerting",
            "note",
            demo_id,
            "Datadog: p99 latency back under 300 ms",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    written = time.monotonic()
    qtbot.waitUntil(lambda: timeline.model.rowCount() == before + 1, timeout=3000)
    latency = time.monotonic() - written
    assert timeline_texts(window)[-1] == "Datadog: p99 latency back under 300 ms"
    assert timeline.selected_event_id() == selected, "the selection is kept"
    assert resets == [], "the timeline was not reloaded"
    print(f"external note visible after {latency * 1000:.0f} ms")


def test_declare_with_ctrl_n_opens_the_new_incident(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.open_declare_dialog()
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.title_edit, "Search results empty")
    dialog.set_severity("SEV3")
    dialog.accept_button.click()
    qtbot.waitUntil(
        lambda: window.command_view.header.title.text() == "Search results empty", timeout=5000
    )
    state = window.command_view.state
    assert state is not None and state.holders("commander") == ["Alice"]
    assert window.incident_list.model.rowCount() == 2


def test_layout_last_incident_and_utc_are_restored(
    qtbot: QtBot, data_dir: Path, demo_id: str
) -> None:
    desk = Desk.open(data_dir, "Seeder")
    other = desk.incidents.declare("Second incident", "SEV1")
    desk.close()
    first = open_window(qtbot, data_dir)
    assert first.command_view.incident_id == other  # SEV1 is more urgent
    first.incident_list.select(demo_id)
    qtbot.waitUntil(lambda: first.command_view.incident_id == demo_id)
    first.command_view.timeline.utc_box.setChecked(True)
    first.splitter.setSizes([500, 900])
    sizes = first.splitter.sizes()
    first.close()
    first.client.stop()

    second = open_window(qtbot, data_dir)
    qtbot.waitUntil(lambda: second.command_view.incident_id == demo_id)
    assert second.command_view.timeline.utc_box.isChecked()
    assert second.splitter.sizes() == sizes
    second.client.stop()


def test_shortcut_overview_lists_the_actions(window: MainWindow) -> None:
    text = shortcut_overview(window)
    for expected in ("Ctrl+N", "Ctrl+U", "Ctrl+L", "Ctrl+P", "F1", "Declare incident"):
        assert expected in text


def test_f1_lists_the_shortcuts_in_two_aligned_columns(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.show_shortcuts()
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    keys = [k.text() for k in dialog.key_labels]
    names = [d.text() for d in dialog.description_labels]
    assert "<b>Ctrl+N</b>" in keys and "Declare incident" in names
    assert names == sorted(names, key=str.casefold)
    lefts = {d.mapTo(dialog, d.rect().topLeft()).x() for d in dialog.description_labels}
    assert len(lefts) == 1, "every description starts at the same x"
    widest_key = max(k.mapTo(dialog, k.rect().topRight()).x() for k in dialog.key_labels)
    assert widest_key < lefts.pop(), "no key runs into its description"


def test_themes_switch_and_are_remembered(window: MainWindow) -> None:
    window.set_theme("dark")
    assert window.palette().window().color().lightness() < 80
    assert window.settings.value("theme") == "dark"
    window.set_theme("light")
    assert window.palette().window().color().lightness() > 200


@pytest.mark.parametrize("panel", ["window", "timeline", "roles", "header"])
def test_screenshot_command_renders_real_data(
    tmp_path: Path, data_dir: Path, demo_id: str, panel: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"{panel}.png"
    code = cli_main(
        [
            "--data-dir",
            str(data_dir),
            "screenshot",
            str(out),
            "--panel",
            panel,
            "--incident",
            demo_id[:8],
            "--size",
            "1280x800",
        ]
    )
    assert code == 0, capsys.readouterr().err
    image = QImage(str(out))
    assert not image.isNull()
    if panel == "window":
        assert (image.width(), image.height()) == (1280, 800)
    # Not a blank image: the rendering has many colours (text, badges).
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 20


def test_screenshot_of_an_unknown_incident_is_a_clear_error(
    tmp_path: Path, data_dir: Path, demo_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli_main(
        [
            "--data-dir",
            str(data_dir),
            "screenshot",
            str(tmp_path / "x.png"),
            "--incident",
            "ffffffff",
        ]
    )
    assert code == 1
    assert "No incident has an id starting with 'ffffffff'" in capsys.readouterr().err


def test_reminder_intervals_are_configurable_and_remembered(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    from datetime import timedelta

    from incidentdesk.ui.command.reminder_settings import load_intervals

    assert load_intervals(window.settings) == {
        "SEV1": timedelta(minutes=30),
        "SEV2": timedelta(minutes=60),
    }
    dialog = window.edit_reminder_intervals()
    qtbot.waitUntil(dialog.isVisible)
    dialog.spins["SEV2"].setValue(15)
    dialog.spins["SEV3"].setValue(120)
    dialog.accept()
    assert window.command_view.banner._intervals["SEV2"] == timedelta(minutes=15)
    window.settings.sync()
    window.client.stop()
    again = open_window(qtbot, data_dir)
    assert load_intervals(again.settings)["SEV3"] == timedelta(minutes=120)
    # The demo's last update was long enough ago for a 15-minute cadence: the banner says so.
    assert any("update" in m.lower() for m in again.command_view.banner.messages())
    again.client.stop()


@pytest.mark.parametrize("panel", ["window", "escalation", "roles"])
def test_screenshot_shows_the_command_view_whatever_view_the_window_was_left_on(
    tmp_path: Path, data_dir: Path, demo_id: str, panel: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from incidentdesk.ui.shell.app import ui_settings

    settings = ui_settings(data_dir)
    settings.setValue("window/view", "Library")  # the person last looked at the library
    settings.sync()
    out = tmp_path / f"{panel}.png"
    code = cli_main(["--data-dir", str(data_dir), "screenshot", str(out), "--panel", panel])
    assert code == 0, capsys.readouterr().err
    assert not QImage(str(out)).isNull()


def test_an_action_typed_in_the_window_opens_in_the_postmortem(
    qtbot: QtBot, window: MainWindow, demo_id: str
) -> None:
    from PySide6.QtCore import QItemSelectionModel

    view = window.command_view
    view.quick_entry.line_edit.setText("/action @bob roll back auth-gateway by Friday")
    view.quick_entry.submit()
    timeline = view.timeline
    qtbot.waitUntil(
        lambda: "@bob roll back auth-gateway by Friday" in timeline_texts(window), timeout=10_000
    )
    row = timeline_texts(window).index("@bob roll back auth-gateway by Friday")
    timeline.view.selectionModel().setCurrentIndex(
        timeline.proxy.index(row, TEXT),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    qtbot.waitUntil(lambda: timeline.model.row_at(row).item_id is not None, timeout=5000)
    timeline.open_item_action.trigger()
    editor = window.postmortems.editors[demo_id]
    qtbot.waitUntil(lambda: editor.actions_panel.table.isVisible(), timeout=10_000)
    table = editor.actions_panel.table
    qtbot.waitUntil(lambda: bool(table.selectionModel().selectedRows()), timeout=5000)
    (selected,) = table.selectionModel().selectedRows()
    assert selected.data() == "roll back auth-gateway"
    assert editor.action_items_tab_text().startswith("Action items (")


def test_a_window_closed_before_its_courier_starts_leaves_no_courier_behind(
    qtbot: QtBot, data_dir: Path, demo_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The courier starts a moment after the window shows its data; a window closed before
    then (a quick screenshot, a test) must not start it afterwards, opening a Desk behind
    whatever runs next."""
    import incidentdesk.ui.shell.app as shell_app

    monkeypatch.setattr(shell_app, "COURIER_DELAY_MS", 300)
    window = open_window(qtbot, data_dir)
    assert window.courier is not None and window.courier.service is None
    window.close()
    qtbot.wait(600)  # past the delay: the pending start has fired by now
    assert window.courier.service is None
    window.client.stop()
