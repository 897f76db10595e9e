"""The settings dialog, on a real window and the in-memory keyring."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from incidentdesk.infra.config import CONFIG_NAME, Profile, ProfileLocation, shared_secret_name
from incidentdesk.infra.secrets import SERVICE
from incidentdesk.ui.command.reminder_settings import load_intervals
from incidentdesk.ui.settings.connection_dialog import ConnectionDialog
from incidentdesk.ui.settings.dialog import SettingsDialog
from incidentdesk.ui.shell.app import build_window
from incidentdesk.ui.shell.main_window import MainWindow

SECRET = "Tr0ub4dor&3-shared"


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    opened = build_window(data_dir, None, location=ProfileLocation(data_dir))
    qtbot.addWidget(opened)
    opened.show()
    qtbot.waitUntil(lambda: opened.rows_loaded, timeout=10_000)
    yield opened
    opened.client.stop()


def open_settings(qtbot: QtBot, window: MainWindow) -> SettingsDialog:
    dialog = window.open_settings()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.facts is not None, timeout=5000)
    # The secret rows arrive with the facts; let their (word-wrapped) layout settle.
    qtbot.waitUntil(lambda: settled(dialog), timeout=5000)
    return dialog


def settled(dialog: SettingsDialog) -> bool:
    layout = dialog.layout()
    return bool(dialog.rows) and layout.totalHeightForWidth(dialog.width()) == dialog.height()


def every_text(dialog: SettingsDialog) -> str:
    texts = [w.text() for w in dialog.findChildren(QLabel)]
    texts += [w.text() for w in dialog.findChildren(QLineEdit)]
    return "\n".join(texts)


def store(qtbot: QtBot, dialog: SettingsDialog, name: str, value: str) -> None:
    row = dialog.rows[name]

    qtbot.mouseClick(row.set_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row.editor.isVisible() and row.value_edit.hasFocus(), timeout=5000)
    assert row.value_edit.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClicks(row.value_edit, value)
    with qtbot.waitSignal(dialog.finished_step, timeout=5000):
        qtbot.mouseClick(row.store_button, Qt.MouseButton.LeftButton)


def test_ctrl_comma_opens_the_settings(window: MainWindow) -> None:
    assert window.settings_action.shortcut().toString() == "Ctrl+,"
    assert window.settings_action.text() == "Se&ttings…"


def test_a_secret_goes_to_the_keyring_never_to_the_config_file(
    qtbot: QtBot,
    window: MainWindow,
    data_dir: Path,
    memory_keyring: dict[tuple[str, str], str],
) -> None:
    dialog = open_settings(qtbot, window)
    row = dialog.rows[shared_secret_name(data_dir)]
    assert row.state_label.text() == "— not set" and row.set_button.text() == "Set…"
    assert "system keyring" in dialog.keyring_label.text()
    assert row.remove_button.isHidden()

    store(qtbot, dialog, shared_secret_name(data_dir), SECRET)
    assert memory_keyring[(SERVICE, shared_secret_name(data_dir))] == SECRET
    assert row.state_label.text() == "— set" and row.set_button.text() == "Replace…"
    assert not row.editor.isVisible() and row.value_edit.text() == ""
    assert "stored in the system keyring" in dialog.secret_done.text()
    assert SECRET not in every_text(dialog), "a secret's value is never shown"

    # Saving the name writes config.toml: the name, never a secret.
    dialog.name_edit.setText("Maya Chen")
    with qtbot.waitSignal(dialog.finished_step, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    config = (data_dir / CONFIG_NAME).read_text(encoding="utf-8")
    assert 'name = "Maya Chen"' in config
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), f"the secret is in {path.name}"
    assert Profile.load(data_dir).name == "Maya Chen"
    # The new name applies at once: the next entry is recorded as Maya Chen.
    assert window.statusBar().currentMessage() == "You now record as Maya Chen."
    qtbot.waitUntil(lambda: window.client.worker.pending == 0)
    assert window.client.author == "Maya Chen"


def test_replace_and_remove(
    qtbot: QtBot, window: MainWindow, memory_keyring: dict[tuple[str, str], str], data_dir: Path
) -> None:
    memory_keyring[(SERVICE, shared_secret_name(data_dir))] = "old-value"
    dialog = open_settings(qtbot, window)
    row = dialog.rows[shared_secret_name(data_dir)]
    assert row.set_button.text() == "Replace…" and not row.remove_button.isHidden()
    store(qtbot, dialog, shared_secret_name(data_dir), "new-value")
    assert memory_keyring[(SERVICE, shared_secret_name(data_dir))] == "new-value"
    with qtbot.waitSignal(dialog.finished_step, timeout=5000):
        qtbot.mouseClick(row.remove_button, Qt.MouseButton.LeftButton)
    assert (SERVICE, shared_secret_name(data_dir)) not in memory_keyring
    assert row.state_label.text() == "— not set" and "removed" in dialog.secret_done.text()


def test_an_empty_secret_is_not_stored(
    qtbot: QtBot, window: MainWindow, memory_keyring: dict[tuple[str, str], str], data_dir: Path
) -> None:
    dialog = open_settings(qtbot, window)
    row = dialog.rows[shared_secret_name(data_dir)]
    qtbot.mouseClick(row.set_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(row.store_button, Qt.MouseButton.LeftButton)
    assert row.error.isVisible() and "empty" in row.error.text()
    assert (SERVICE, shared_secret_name(data_dir)) not in memory_keyring


def test_without_a_usable_keyring_secrets_last_for_this_session_only(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    dialog = open_settings(qtbot, window)
    assert dialog.keyring_warning.isVisible()
    assert "secrets last for this session only" in dialog.keyring_warning.text()
    store(qtbot, dialog, shared_secret_name(data_dir), SECRET)
    assert "kept for this session only" in dialog.secret_done.text()
    assert dialog.rows[shared_secret_name(data_dir)].state_label.text() == "— set"


def test_a_secret_from_the_environment_is_shown_as_such(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    monkeypatch.setenv("INCIDENTDESK_SECRET_SHARED_DB", SECRET)
    dialog = open_settings(qtbot, window)
    row = dialog.rows[shared_secret_name(data_dir)]
    assert "set in the environment (INCIDENTDESK_SECRET_SHARED_DB)" in row.state_label.text()
    assert row.remove_button.isHidden()
    assert SECRET not in every_text(dialog)


def test_theme_times_and_reminders_apply_on_save(qtbot: QtBot, window: MainWindow) -> None:
    dialog = open_settings(qtbot, window)
    assert dialog.local_radio.isChecked()
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("dark"))
    dialog.utc_radio.setChecked(True)
    dialog.spins["SEV3"].setValue(120)
    dialog.spins["SEV1"].setValue(0)
    with qtbot.waitSignal(dialog.finished_step, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert window.palette().window().color().lightness() < 80
    assert window.settings.value("theme") == "dark"
    assert window.command_view.timeline.utc_box.isChecked()
    intervals = load_intervals(window.settings)
    assert intervals["SEV3"] == timedelta(minutes=120) and "SEV1" not in intervals
    window.set_theme("light")


def test_cancel_changes_nothing(qtbot: QtBot, window: MainWindow, data_dir: Path) -> None:
    dialog = open_settings(qtbot, window)
    dialog.name_edit.setText("Someone Else")
    dialog.utc_radio.setChecked(True)
    dialog.reject()
    assert not window.command_view.timeline.utc_box.isChecked()
    # Nothing typed was saved (the profile's id, made to name its secret, may be there).
    assert Profile.load(data_dir).name is None
    assert "[user]" not in (data_dir / CONFIG_NAME).read_text(encoding="utf-8")


def test_the_shared_database_button_opens_its_dialog(qtbot: QtBot, window: MainWindow) -> None:
    dialog = open_settings(qtbot, window)
    assert "this computer works on its own" in dialog.shared_label.text()
    qtbot.mouseClick(dialog.shared_button, Qt.MouseButton.LeftButton)
    connection = window._connection_dialog
    assert isinstance(connection, ConnectionDialog)
    qtbot.waitUntil(connection.isVisible)


def test_a_bad_name_is_refused_next_to_the_field(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    dialog = open_settings(qtbot, window)
    dialog.name_edit.setText("line\x07bell")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.name_error.isVisible()
    assert "control character" in dialog.name_error.text()
    # Nothing typed was saved (the profile's id, made to name its secret, may be there).
    assert Profile.load(data_dir).name is None
    assert "[user]" not in (data_dir / CONFIG_NAME).read_text(encoding="utf-8")
