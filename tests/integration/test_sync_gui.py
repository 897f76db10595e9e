"""The window on a shared PostgreSQL: live remote entries, the sync state, offline and back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pgcluster import PgCluster
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from synckit import APP_PASSWORD, Workstation

from incidentdesk.infra.config import Profile, shared_secret_name
from incidentdesk.infra.secrets import set_secret
from incidentdesk.ui.command.timeline_model import TEXT
from incidentdesk.ui.settings.connection_dialog import ConnectionDialog
from incidentdesk.ui.shell.app import build_window
from incidentdesk.ui.shell.main_window import MainWindow

LIVE_MS = 5_000  # a remote entry shows within this (NOTIFY makes it well under a second)


def timeline_texts(window: MainWindow) -> list[str]:
    proxy = window.command_view.timeline.proxy
    return [proxy.index(r, TEXT).data() for r in range(proxy.rowCount())]


def write_note(qtbot: QtBot, window: MainWindow, text: str) -> None:
    """Type a note in the quick entry and wait until the timeline shows it."""
    entry = window.command_view.quick_entry.line_edit
    entry.setFocus()
    qtbot.keyClicks(entry, text)
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: timeline_texts(window)[-1] == text, timeout=LIVE_MS)


def server_texts(workstation: Workstation) -> list[str]:
    """The note texts on the shared server (read directly, not through a sync)."""
    return [str(e.payload.get("text")) for _seq, e in workstation.shared.pull_events(0)]


@pytest.fixture
def other(tmp_path: Path, shared_schema: str) -> Iterator[Workstation]:
    """Another workstation on the shared database (its own local file, Desk and Sync)."""
    made = Workstation(tmp_path, "Bob", shared_schema)
    yield made
    made.close()


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, shared_schema: str) -> Iterator[MainWindow]:
    """Alice's window, connected as the dialog would leave it: URL in the profile, password
    in the (in-memory) keyring."""
    data_dir = tmp_path / "alice"
    data_dir.mkdir()
    Profile(data_dir, name="Alice", shared_url=shared_schema).save()
    set_secret(shared_secret_name(data_dir), APP_PASSWORD)
    opened = build_window(data_dir, "Alice")
    qtbot.addWidget(opened)
    opened.resize(1400, 900)
    opened.show()
    qtbot.waitUntil(lambda: opened.rows_loaded, timeout=10_000)
    yield opened
    opened.close()
    opened.client.stop()


def test_remote_entries_appear_live_and_offline_writing_goes_up_later(
    qtbot: QtBot, window: MainWindow, other: Workstation, pg_cluster: PgCluster
) -> None:
    label = window.sync_label
    qtbot.waitUntil(lambda: label.text() == "online", timeout=15_000)
    assert not window.offline_banner.isVisible()
    assert "Last sync:" in label.toolTip()

    # Bob declares; the incident reaches Alice's list without a reload.
    incident = other.desk.incidents.declare("Payments down", "SEV1", ["payments"])
    other.sync.sync_once()
    qtbot.waitUntil(lambda: window.incident_list.model.rowCount() == 1, timeout=LIVE_MS)
    assert window.incident_list.select(incident)
    qtbot.waitUntil(lambda: window.command_view.state is not None, timeout=LIVE_MS)
    timeline = window.command_view.timeline
    resets: list[int] = []
    timeline.model.modelReset.connect(lambda: resets.append(1))
    before = timeline.model.rowCount()

    # Bob writes a note: it appears in Alice's timeline at once, as a new row.
    other.desk.incidents.add_note(incident, "gateway returns 502 for EU cards")
    other.sync.sync_once()
    qtbot.waitUntil(lambda: timeline.model.rowCount() == before + 1, timeout=LIVE_MS)
    assert timeline_texts(window)[-1] == "gateway returns 502 for EU cards"
    assert resets == [], "the timeline was not reloaded"
    assert label.text() == "online"

    # Alice writes: the note goes up at once (the command wakes the sync service).
    write_note(qtbot, window, "rolling back ledger-service 4.2")
    qtbot.waitUntil(
        lambda: "rolling back ledger-service 4.2" in server_texts(other), timeout=LIVE_MS
    )

    # The server goes away: offline is normal operation, and writing goes on.
    pg_cluster.stop("fast")
    try:
        qtbot.waitUntil(lambda: label.text().startswith("offline"), timeout=15_000)
        write_note(qtbot, window, "failing over to the DR gateway")
        qtbot.waitUntil(lambda: label.text() == "offline — 1 change waiting", timeout=LIVE_MS)
        banner = window.offline_banner
        assert banner.isVisible()
        assert banner.headline.text().startswith("Offline — 1 change waiting. Writing goes on")
        # The server's own words (which depend on the moment: refused, shutting down).
        where = f"127.0.0.1:{pg_cluster.port}"
        assert where in banner.detail.text() and banner.detail.isVisible()
        assert banner.detail.text() in label.toolTip()
    finally:
        pg_cluster.start()
        pg_cluster.wait_ready()

    # Back: the label says so, the banner goes, and the note reached the server.
    qtbot.waitUntil(lambda: label.text() == "online", timeout=30_000)
    assert not window.offline_banner.isVisible()
    qtbot.waitUntil(lambda: "failing over to the DR gateway" in server_texts(other), timeout=5000)

    service = window.sync.service if window.sync is not None else None
    assert service is not None and service.is_alive()
    window.close()  # closing the window stops the sync thread (without waiting forever)
    assert not service.is_alive()


def test_test_connection_with_a_wrong_password_says_so(
    qtbot: QtBot, tmp_path: Path, shared_schema: str
) -> None:
    data_dir = tmp_path / "carol"
    data_dir.mkdir()
    dialog = ConnectionDialog(data_dir)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.ready, timeout=5000):
        dialog.show()
    qtbot.keyClicks(dialog.url_edit, shared_schema)
    qtbot.keyClicks(dialog.password_edit, "not-the-password")
    with qtbot.waitSignal(dialog.finished_step, timeout=15_000):
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert "refused the password for user 'desk_app'" in dialog.password_error.text()
    assert "not-the-password" not in dialog.password_error.text()

    dialog.password_edit.clear()
    qtbot.keyClicks(dialog.password_edit, APP_PASSWORD)
    with qtbot.waitSignal(dialog.finished_step, timeout=15_000):
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert dialog.result_ok.text() == "Connected; schema matches."
    assert not dialog.password_error.isVisible()


def test_saving_the_connection_in_the_dialog_starts_syncing(
    qtbot: QtBot, tmp_path: Path, shared_schema: str, other: Workstation
) -> None:
    incident = other.desk.incidents.declare("Search results empty", "SEV3")
    other.sync.sync_once()
    data_dir = tmp_path / "dave"
    data_dir.mkdir()
    window = build_window(data_dir, "Dave")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.rows_loaded, timeout=10_000)
    assert window.sync_label.text() == "local only"

    dialog = window.open_connection_dialog()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.setup is not None, timeout=5000)
    qtbot.keyClicks(dialog.url_edit, shared_schema)
    qtbot.keyClicks(dialog.password_edit, APP_PASSWORD)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: window.sync_label.text() == "online", timeout=15_000)
    qtbot.waitUntil(lambda: window.incident_list.model.row_of(incident) is not None, timeout=5000)
    assert "Connected to postgresql://desk_app@127.0.0.1" in window.sync_label.toolTip()

    # Saving again (the stored password kept) replaces the running service with a new one.
    assert window.sync is not None
    first = window.sync.service
    again = window.open_connection_dialog()
    assert again is not None and again is not dialog
    qtbot.waitUntil(lambda: again.setup is not None, timeout=5000)
    assert again.url_edit.text() == shared_schema
    with qtbot.waitSignal(again.saved, timeout=10_000):
        qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.sync.service not in (None, first), timeout=10_000)
    assert first is not None and not first.is_alive()
    qtbot.waitUntil(lambda: window.sync_label.text() == "online", timeout=15_000)
    window.close()
    window.client.stop()


def test_past_incidents_are_listed_searched_and_reviewed_with_the_server_stopped(
    qtbot: QtBot, window: MainWindow, other: Workstation, pg_cluster: PgCluster
) -> None:
    from incidentdesk.ui.shell.main_window import LIBRARY

    qtbot.waitUntil(lambda: window.sync_label.text() == "online", timeout=15_000)
    incident = other.desk.incidents.declare("Cache stampede on login", "SEV2", ["auth"])
    other.desk.incidents.add_note(incident, "thundering herd after the cache flush")
    other.desk.incidents.set_status(incident, "resolved")
    other.sync.sync_once()
    library = window.library
    qtbot.waitUntil(lambda: library.model.row_by_id(incident) is not None, timeout=LIVE_MS)

    pg_cluster.stop("fast")
    try:
        qtbot.waitUntil(lambda: window.sync_label.text().startswith("offline"), timeout=15_000)
        window.show_view(LIBRARY)
        qtbot.waitUntil(lambda: library.sync_label.text().startswith("Offline · last sync: "))
        qtbot.keyClicks(library.search, "thundering")
        qtbot.waitUntil(lambda: library.results.rowCount() == 1, timeout=5_000)
        library.open_review(incident)
        qtbot.waitUntil(lambda: library.review.state is not None, timeout=5_000)
        assert library.review.header.title.text() == "Cache stampede on login"
        texts = [
            library.review.timeline.model.row_at(r).text
            for r in range(library.review.timeline.model.rowCount())
        ]
        assert "thundering herd after the cache flush" in texts
    finally:
        pg_cluster.start()
