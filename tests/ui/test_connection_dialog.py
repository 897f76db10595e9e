"""The shared database dialog, driven like a user would; no server needed."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from incidentdesk.infra.config import CONFIG_NAME, Profile, shared_secret_name
from incidentdesk.infra.secrets import SERVICE
from incidentdesk.infra.store.shared import SSL_MODES as STORE_SSL_MODES
from incidentdesk.ui.settings.connection_dialog import SSL_MODES, ConnectionDialog

PASSWORD = "correct-horse-battery-staple"


def open_dialog(qtbot: QtBot, data_dir: Path) -> ConnectionDialog:
    dialog = ConnectionDialog(data_dir)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.ready, timeout=5000):
        dialog.show()
    return dialog


@pytest.fixture
def dialog(qtbot: QtBot, data_dir: Path) -> Iterator[ConnectionDialog]:
    yield open_dialog(qtbot, data_dir)


def click(qtbot: QtBot, dialog: ConnectionDialog, button: QWidget) -> None:
    with qtbot.waitSignal(dialog.finished_step, timeout=15_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once it is closed


def test_the_sslmodes_offered_are_the_ones_the_store_accepts() -> None:
    assert SSL_MODES == STORE_SSL_MODES


def test_a_password_in_the_url_is_refused_inline_and_the_text_kept(
    qtbot: QtBot, dialog: ConnectionDialog, data_dir: Path
) -> None:
    url = "postgresql://desk:hunter2@db.example.org/incidents"
    qtbot.keyClicks(dialog.url_edit, url)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.url_error.isVisible()
    assert "Do not put the password in the URL" in dialog.url_error.text()
    assert "Password field" in dialog.url_error.text()
    assert "hunter2" not in dialog.url_error.text()
    assert dialog.url_edit.text() == url
    assert dialog.isVisible(), "no modal, no close: the error is next to the field"
    assert not (data_dir / CONFIG_NAME).exists()
    qtbot.keyClicks(dialog.url_edit, "x")  # typing again clears the refusal
    assert not dialog.url_error.isVisible()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://desk@db/incidents", "is not a postgresql:// URL"),
        ("postgresql://db.example.org/incidents", "needs a user, a host and a database"),
        ("postgresql://desk@db.example.org:port/incidents", "The port in"),
        ("postgresql://desk@[db.example.org/incidents", "is not a URL"),
    ],
)
def test_a_bad_url_is_explained(
    qtbot: QtBot, dialog: ConnectionDialog, url: str, expected: str
) -> None:
    qtbot.keyClicks(dialog.url_edit, url)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert expected in dialog.url_error.text()
    assert dialog.url_error.isVisible()
    assert dialog.url_edit.text() == url


def test_the_password_field_hides_what_is_typed(dialog: ConnectionDialog) -> None:
    assert dialog.password_edit.echoMode() == QLineEdit.EchoMode.Password
    assert "kept in the system keyring" in dialog.password_note.text()


def test_save_keeps_the_url_in_the_profile_and_the_password_in_the_keyring(
    qtbot: QtBot,
    dialog: ConnectionDialog,
    data_dir: Path,
    memory_keyring: dict[tuple[str, str], str],
    tmp_path: Path,
) -> None:
    rootcert = tmp_path / "root.crt"
    rootcert.write_text("-----BEGIN CERTIFICATE-----\n")
    saved: list[tuple[str, str]] = []
    dialog.saved.connect(lambda url, message: saved.append((url, message)))
    qtbot.keyClicks(dialog.url_edit, "postgresql://desk@db.example.org/incidents")
    dialog.sslmode_combo.setCurrentText("verify-full")
    qtbot.keyClicks(dialog.rootcert_edit, str(rootcert))
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    click(qtbot, dialog, dialog.save_button)

    assert saved and saved[0][0] == "postgresql://desk@db.example.org:5432/incidents"
    assert "system keyring" in saved[0][1]
    assert not dialog.isVisible(), "saving closes the dialog"
    text = (data_dir / CONFIG_NAME).read_text()
    assert PASSWORD not in text
    assert 'url = "postgresql://desk@db.example.org:5432/incidents"' in text
    assert 'sslmode = "verify-full"' in text
    assert str(rootcert) in text
    assert memory_keyring[(SERVICE, shared_secret_name(data_dir))] == PASSWORD
    profile = Profile.load(data_dir)
    assert profile.shared_sslrootcert == str(rootcert)

    again = open_dialog(qtbot, data_dir)  # shows what was saved, never the password
    assert again.url_edit.text() == "postgresql://desk@db.example.org:5432/incidents"
    assert again.sslmode_combo.currentText() == "verify-full"
    assert again.password_edit.text() == ""
    assert "leave empty to keep it" in again.password_edit.placeholderText()
    assert again.disconnect_button.isEnabled()


def test_a_missing_root_certificate_is_refused_next_to_its_field(
    qtbot: QtBot, dialog: ConnectionDialog, data_dir: Path, tmp_path: Path
) -> None:
    qtbot.keyClicks(dialog.url_edit, "postgresql://desk@db.example.org/incidents")
    qtbot.keyClicks(dialog.rootcert_edit, str(tmp_path / "nowhere.crt"))
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    click(qtbot, dialog, dialog.save_button)
    assert "no certificate file" in dialog.rootcert_error.text()
    assert dialog.isVisible()
    assert not (data_dir / CONFIG_NAME).exists()


def test_disconnect_removes_the_connection_and_the_password(
    qtbot: QtBot, data_dir: Path, memory_keyring: dict[tuple[str, str], str]
) -> None:
    Profile(data_dir, name="Alice", shared_url="postgresql://desk@db:5432/incidents").save()
    memory_keyring[(SERVICE, shared_secret_name(data_dir))] = PASSWORD
    dialog = open_dialog(qtbot, data_dir)
    gone: list[str] = []
    dialog.disconnected.connect(gone.append)
    assert dialog.disconnect_button.isEnabled()
    click(qtbot, dialog, dialog.disconnect_button)

    assert gone and "works locally only" in gone[0]
    assert "works locally only" in dialog.result_ok.text()
    assert (SERVICE, shared_secret_name(data_dir)) not in memory_keyring
    text = (data_dir / CONFIG_NAME).read_text()
    assert "shared_db" not in text and "postgresql://" not in text
    assert 'name = "Alice"' in text, "the rest of the profile is kept"
    assert not dialog.disconnect_button.isEnabled()


def test_without_a_keyring_the_dialog_says_session_only(
    qtbot: QtBot, data_dir: Path, memory_keyring: dict[tuple[str, str], str]
) -> None:
    import keyring
    import keyring.backends.fail

    from incidentdesk.infra import secrets

    keyring.set_keyring(keyring.backends.fail.Keyring())
    dialog = open_dialog(qtbot, data_dir)
    assert "no usable keyring" in dialog.password_note.text().lower()
    assert "kept for this session only" in dialog.password_note.text()

    qtbot.keyClicks(dialog.url_edit, "postgresql://desk@db.example.org/incidents")
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    messages: list[str] = []
    dialog.saved.connect(lambda _url, message: messages.append(message))
    click(qtbot, dialog, dialog.save_button)
    assert messages and "for this session only" in messages[0]
    assert secrets._session[shared_secret_name(data_dir)] == PASSWORD
    assert PASSWORD not in (data_dir / CONFIG_NAME).read_text()


def test_test_connection_against_a_closed_port_says_unreachable(
    qtbot: QtBot, dialog: ConnectionDialog
) -> None:
    port = closed_port()
    qtbot.keyClicks(dialog.url_edit, f"postgresql://desk@127.0.0.1:{port}/incidents")
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    click(qtbot, dialog, dialog.test_button)
    message = dialog.result_error.text()
    assert dialog.result_error.isVisible()
    assert f"Cannot reach the shared database at 127.0.0.1:{port}" in message
    assert PASSWORD not in message
    assert dialog.test_button.isEnabled() and dialog.test_button.text() == "&Test connection"
    assert dialog.password_edit.text() == PASSWORD, "what was typed stays"


def test_a_new_server_never_gets_the_old_servers_password(
    qtbot: QtBot, data_dir: Path, memory_keyring: dict[tuple[str, str], str]
) -> None:
    Profile(data_dir, shared_url="postgresql://desk@old-db:5432/incidents").save()
    memory_keyring[(SERVICE, shared_secret_name(data_dir))] = PASSWORD
    dialog = open_dialog(qtbot, data_dir)
    dialog.url_edit.clear()
    qtbot.keyClicks(dialog.url_edit, "postgresql://desk@new-db:5432/incidents")
    assert dialog.password_edit.placeholderText() == ""
    click(qtbot, dialog, dialog.save_button)
    assert (SERVICE, shared_secret_name(data_dir)) not in memory_keyring
    assert "new-db" in (data_dir / CONFIG_NAME).read_text()
