"""First start: the welcome dialog's paths, and the profile chooser."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from incidentdesk.infra.config import CONFIG_NAME, Profile, ProfileLocation, shared_secret_name
from incidentdesk.infra.secrets import SERVICE
from incidentdesk.ui.settings.connection_dialog import ConnectionDialog
from incidentdesk.ui.shell.app import Startup
from incidentdesk.ui.shell.main_window import MainWindow
from incidentdesk.ui.shell.welcome_dialog import ProfileChooser, WelcomeDialog


class FakeSyncService:
    """Stands in for the sync thread: records that it was started."""

    started: ClassVar[list[FakeSyncService]] = []

    def __init__(self, *_args: Any) -> None:
        pass

    def start(self) -> None:
        FakeSyncService.started.append(self)

    def stop(self, timeout: float = 0) -> None:
        pass

    def is_alive(self) -> bool:
        return False

    def wake(self) -> None:
        pass


@pytest.fixture
def startup(qtbot: QtBot, data_dir: Path) -> Iterator[Callable[[ProfileLocation], Startup]]:
    made: list[Startup] = []

    def begin(location: ProfileLocation) -> Startup:
        FakeSyncService.started.clear()
        starter = Startup(location, sync_service=FakeSyncService)
        starter.begin()
        if starter.welcome is not None:
            qtbot.addWidget(starter.welcome)
            qtbot.waitUntil(starter.welcome.isVisible)
        made.append(starter)
        return starter

    yield begin
    for starter in made:
        if starter.window is not None:
            starter.window.close()
        starter.finish()


def opened_window(qtbot: QtBot, starter: Startup) -> MainWindow:
    qtbot.waitUntil(lambda: starter.window is not None, timeout=5000)
    window = starter.window
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.rows_loaded, timeout=10_000)
    return window


def test_a_new_profile_is_welcomed_and_work_locally_opens_the_window(
    qtbot: QtBot, data_dir: Path, startup: Callable[[ProfileLocation], Startup]
) -> None:
    location = ProfileLocation(data_dir)
    starter = startup(location)
    welcome = starter.welcome
    assert welcome is not None
    assert welcome.catalog_button.isEnabled()  # a catalog can be imported from the start
    assert "Backstage" in welcome.catalog_button.description()
    qtbot.keyClicks(welcome.name_edit, "Maya Chen")
    qtbot.mouseClick(welcome.local_button, Qt.MouseButton.LeftButton)

    window = opened_window(qtbot, starter)
    assert window.isVisible() and not welcome.isVisible()
    assert window.client.author == "Maya Chen"
    assert Profile.load(data_dir).name == "Maya Chen"
    assert window.incident_list.model.rowCount() == 0
    assert window.sync_label.text() == "local only"
    assert location.has_database()
    window.close()
    starter.finish()

    again = startup(location)
    assert again.welcome is None, "the welcome dialog shows once per profile"
    opened_window(qtbot, again)


def test_the_demo_choice_opens_the_demo_incident_as_a_drill(
    qtbot: QtBot, data_dir: Path, startup: Callable[[ProfileLocation], Startup]
) -> None:
    starter = startup(ProfileLocation(data_dir))
    assert starter.welcome is not None
    qtbot.mouseClick(starter.welcome.demo_button, Qt.MouseButton.LeftButton)
    window = opened_window(qtbot, starter)
    view = window.command_view
    qtbot.waitUntil(lambda: view.state is not None, timeout=10_000)
    assert view.state is not None
    assert view.header.title.text().startswith("EU checkout failing")
    assert view.state.drill, "practice stays out of the metrics"
    assert window.client.author  # the OS user: no name was typed
    assert not (data_dir / CONFIG_NAME).exists(), "nothing to save when no name was typed"


def test_connect_opens_the_shared_database_dialog_and_saving_opens_the_window_connected(
    qtbot: QtBot,
    data_dir: Path,
    startup: Callable[[ProfileLocation], Startup],
    memory_keyring: dict[tuple[str, str], str],
) -> None:
    starter = startup(ProfileLocation(data_dir))
    welcome = starter.welcome
    assert welcome is not None
    qtbot.mouseClick(welcome.shared_button, Qt.MouseButton.LeftButton)
    dialog = welcome.connection_dialog
    assert isinstance(dialog, ConnectionDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.test_button.text() == "&Test connection"
    assert starter.window is None, "nothing opens before the connection is saved"

    qtbot.waitUntil(lambda: dialog.setup is not None, timeout=5000)  # the keyring was read
    qtbot.keyClicks(dialog.url_edit, "postgresql://desk@db.example.org/incidents")
    qtbot.keyClicks(dialog.password_edit, "s3cret-pw")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    window = opened_window(qtbot, starter)
    assert window.sync_label.where == "postgresql://desk@db.example.org:5432/incidents"
    assert FakeSyncService.started, "the sync starts because the profile is now connected"
    assert memory_keyring[(SERVICE, shared_secret_name(data_dir))] == "s3cret-pw"
    assert "s3cret-pw" not in (data_dir / CONFIG_NAME).read_text()


def test_closing_the_connection_dialog_returns_to_the_welcome(
    qtbot: QtBot, data_dir: Path, startup: Callable[[ProfileLocation], Startup]
) -> None:
    starter = startup(ProfileLocation(data_dir))
    welcome = starter.welcome
    assert welcome is not None
    dialog = welcome.open_connection_dialog()
    qtbot.waitUntil(dialog.isVisible)
    dialog.reject()
    assert welcome.isVisible() and starter.window is None


def test_a_bad_name_is_refused_next_to_the_field(
    qtbot: QtBot, data_dir: Path, startup: Callable[[ProfileLocation], Startup]
) -> None:
    starter = startup(ProfileLocation(data_dir))
    welcome = starter.welcome
    assert welcome is not None
    welcome.name_edit.setText("tab\there")
    qtbot.mouseClick(welcome.local_button, Qt.MouseButton.LeftButton)
    assert welcome.name_error.isVisible() and "control character" in welcome.name_error.text()
    assert welcome.isVisible() and starter.window is None
    assert welcome.name_edit.text() == "tab\there", "what was typed stays"


def test_quitting_the_welcome_of_a_new_named_profile_leaves_no_folder(
    qtbot: QtBot, tmp_path: Path, startup: Callable[[ProfileLocation], Startup]
) -> None:
    location = ProfileLocation(tmp_path, "training", base_chosen=True, named=True)
    location.data_dir.mkdir(parents=True)
    starter = startup(location)
    assert starter.welcome is not None
    assert "“training” is new" in starter.welcome.intro.text()
    qtbot.mouseClick(starter.welcome.quit_button, Qt.MouseButton.LeftButton)
    assert not location.data_dir.exists()


def test_the_chooser_offers_every_profile_and_checks_a_new_name(
    qtbot: QtBot, tmp_path: Path
) -> None:
    base = ProfileLocation(tmp_path)
    (tmp_path / "profiles" / "training").mkdir(parents=True)
    (tmp_path / "profiles" / "prod-incidents").mkdir()
    chooser = ProfileChooser(base, ["prod-incidents", "training"], preselect="training")
    qtbot.addWidget(chooser)
    chooser.show()
    names = [chooser.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(3)]
    assert names == ["default", "prod-incidents", "training"]
    assert chooser.list.currentItem().data(Qt.ItemDataRole.UserRole) == "training"
    qtbot.keyClicks(chooser.new_edit, "on call")
    chooser.open_button.click()
    assert chooser.new_error.isVisible() and "contains ' '" in chooser.new_error.text()
    assert chooser.isVisible()
    chooser.new_edit.clear()
    qtbot.keyClicks(chooser.new_edit, "drills")
    chooser.open_button.click()
    assert chooser.chosen == "drills" and not chooser.isVisible()


def test_the_welcome_dialog_names_a_new_named_profile(qtbot: QtBot, tmp_path: Path) -> None:
    location = ProfileLocation(tmp_path, "training", named=True)
    welcome = WelcomeDialog(location, "alice")
    qtbot.addWidget(welcome)
    assert "The profile “training” is new" in welcome.intro.text()
    assert welcome.name_edit.placeholderText() == "alice"


def test_a_profile_connected_from_the_command_line_is_not_new(
    qtbot: QtBot, data_dir: Path, startup: Callable[[ProfileLocation], Startup]
) -> None:
    profile = Profile(data_dir, shared_url="postgresql://desk@db.example.org:5432/incidents")
    profile.save()
    starter = startup(ProfileLocation(data_dir))
    assert starter.welcome is None
    window = opened_window(qtbot, starter)
    assert FakeSyncService.started and window.sync_label.where == profile.shared_url
