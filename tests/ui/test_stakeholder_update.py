"""The CAN stakeholder update composer: prefilled from the state, posted as an update note."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from incidentdesk.app.demo import seed_demo
from incidentdesk.app.desk import Desk
from incidentdesk.core.incident.reminders import reminders
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.core.timefmt import utc_now
from incidentdesk.ui.command.stakeholder_update import (
    StakeholderUpdateDialog,
    actions_text,
    compose_update,
    conditions_text,
)
from incidentdesk.ui.common.client import DeskClient


def open_dialog(
    qtbot: QtBot,
    client: DeskClient,
    desk: Desk,
    incident: str,
    recent_entries: list[str] | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> StakeholderUpdateDialog:
    state = desk.incidents.snapshot(incident).state
    dialog = StakeholderUpdateDialog(
        client, incident, state, recent_entries=recent_entries, clock=clock
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def refuse_notes(desk: Desk) -> Callable[[], None]:
    """Make the database itself refuse new notes; returns how to lift it."""
    with sqlite3.connect(desk.store.path) as db:
        db.execute(
            "CREATE TRIGGER refuse_notes BEFORE INSERT ON events WHEN NEW.kind = 'note.added' "
            "BEGIN SELECT RAISE(ABORT, 'the disk said no'); END"
        )

    def lift() -> None:
        with sqlite3.connect(desk.store.path) as db:
            db.execute("DROP TRIGGER refuse_notes")

    return lift


def test_prefilled_from_the_demo_incident(qtbot: QtBot, client: DeskClient, desk: Desk) -> None:
    incident = seed_demo(desk)
    started = desk.incidents.get(incident).milestones["started_at"]
    entries = ["Recreate the index CONCURRENTLY on primary", "Reconciliation cron suspended"]
    dialog = open_dialog(
        qtbot,
        client,
        desk,
        incident,
        entries,
        clock=lambda: started + timedelta(hours=2, minutes=10),
    )

    conditions = dialog.conditions_edit.toPlainText()
    assert conditions.startswith(
        "SEV2 · Mitigated (monitoring) · affected: payments-api, ledger-service · started "
    )
    first, *rest = conditions.splitlines()
    assert first.endswith("(2h 10m ago)")
    assert rest == [  # the demo's impact and bridge, on lines of their own
        "Customer impact: EU card payments fail at checkout (1 in 7)",
        "Bridge: https://meet.example.com/eu-checkout-bridge",
    ]
    assert dialog.actions_edit.toPlainText() == (
        "- Recreate the index CONCURRENTLY on primary\n- Reconciliation cron suspended"
    )
    assert dialog.needs_edit.toPlainText() == ""
    preview = dialog.preview.toPlainText()
    assert preview.startswith("Status update — EU checkout failing")
    assert "Needs:\nNone." in preview
    assert dialog.windowTitle().startswith("Stakeholder update — EU checkout failing")


def test_without_recent_entries_actions_start_as_an_empty_bullet(
    qtbot: QtBot, client: DeskClient, desk: Desk
) -> None:
    incident = desk.incidents.declare("Search slow", "SEV3")
    dialog = open_dialog(qtbot, client, desk, incident)
    assert dialog.actions_edit.toPlainText() == "- "
    assert "Actions:\nNone." in dialog.preview.toPlainText()


def test_the_preview_follows_the_edits(qtbot: QtBot, client: DeskClient, desk: Desk) -> None:
    incident = desk.incidents.declare("Search slow", "SEV3", ["search-api"])
    dialog = open_dialog(qtbot, client, desk, incident)
    dialog.actions_edit.clear()
    qtbot.keyClicks(dialog.actions_edit, "- Rolled back search-api 4.2")
    qtbot.keyClicks(dialog.needs_edit, "- Approval to email affected customers")
    preview = dialog.preview.toPlainText()
    assert "Actions:\n- Rolled back search-api 4.2" in preview
    assert preview.endswith("Needs:\n- Approval to email affected customers")
    assert preview == dialog.text()


def test_posting_saves_an_update_note_that_resets_the_reminder(
    qtbot: QtBot, client: DeskClient, desk: Desk, settle: Callable[[], None]
) -> None:
    incident = desk.incidents.declare("Login failing", "SEV1", at=utc_now() - timedelta(minutes=45))
    desk.incidents.assign_role(incident, "commander", "Alice")
    desk.incidents.assign_role(incident, "scribe", "Jonas Weber")
    assert [r.kind for r in reminders(desk.incidents.get(incident), utc_now())] == ["update_due"]

    dialog = open_dialog(qtbot, client, desk, incident)
    qtbot.keyClicks(dialog.needs_edit, "- A decision on failing over to eu-central")
    expected = dialog.preview.toPlainText()
    with qtbot.waitSignal(dialog.posted, timeout=5000) as blocker:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle()

    event_id = blocker.args[0]
    (entry,) = [e for e in desk.incidents.timeline(incident) if e.event.id == event_id]
    assert entry.event.payload["note_kind"] == "update"
    assert entry.text == expected
    state: IncidentState = desk.incidents.snapshot(incident).state
    assert state.last_update_at == entry.event.occurred_at
    assert reminders(state, utc_now()) == []
    assert not dialog.isVisible()


def test_a_failed_post_keeps_the_text_and_a_retry_succeeds(
    qtbot: QtBot, client: DeskClient, desk: Desk, settle: Callable[[], None]
) -> None:
    incident = desk.incidents.declare("Login failing", "SEV1")
    dialog = open_dialog(qtbot, client, desk, incident)
    qtbot.keyClicks(dialog.needs_edit, "- More hands from the auth team")
    lift = refuse_notes(desk)
    with qtbot.assertNotEmitted(dialog.posted):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        settle()
    assert dialog.isVisible()
    assert dialog.error.isVisible()
    assert "not posted" in dialog.error.text() and "the disk said no" in dialog.error.text()
    assert dialog.needs_edit.toPlainText() == "- More hands from the auth team"
    assert dialog.save_button.isEnabled()
    assert desk.incidents.get(incident).last_update_at is None

    lift()
    with qtbot.waitSignal(dialog.posted, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle()
    assert desk.incidents.get(incident).last_update_at is not None


def test_empty_conditions_are_refused_inline(
    qtbot: QtBot, client: DeskClient, desk: Desk, settle: Callable[[], None]
) -> None:
    incident = desk.incidents.declare("Login failing", "SEV1")
    dialog = open_dialog(qtbot, client, desk, incident)
    dialog.conditions_edit.clear()
    with qtbot.assertNotEmitted(dialog.posted):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        settle()
    assert "Conditions" in dialog.error.text()
    assert dialog.isVisible()
    assert desk.incidents.get(incident).note_count == 0


# --- the text itself ---------------------------------------------------------------------


def _state(**changes: object) -> IncidentState:
    state = IncidentState(
        "inc",
        declared=True,
        title="EU checkout failing",
        severity="SEV2",
        status="mitigated",
        services=["payments-api", "ledger-service"],
        milestones={"started_at": datetime(2026, 11, 26, 14, 5, tzinfo=UTC)},
    )
    for name, value in changes.items():
        setattr(state, name, value)
    return state


def test_conditions_text() -> None:
    now = datetime(2026, 11, 26, 16, 15, tzinfo=UTC)
    assert conditions_text(_state(), now, UTC) == (
        "SEV2 · Mitigated (monitoring) · affected: payments-api, ledger-service · "
        "started 14:05 (2h 10m ago)"
    )
    assert conditions_text(_state(services=[], status="investigating"), now, UTC) == (
        "SEV2 · Investigating · started 14:05 (2h 10m ago)"
    )
    soon = datetime(2026, 11, 26, 14, 47, 30, tzinfo=UTC)
    assert conditions_text(_state(), soon, UTC).endswith("started 14:05 (42m ago)")
    next_day = datetime(2026, 11, 27, 9, 5, tzinfo=UTC)
    assert conditions_text(_state(), next_day, UTC).endswith("started 26 Nov 14:05 (19h 00m ago)")


@pytest.mark.parametrize(
    ("entries", "text"),
    [
        (None, "- "),
        ([], "- "),
        (["  ", "Rolled back\n deploy 4711 "], "- Rolled back deploy 4711"),
        (["a", "b"], "- a\n- b"),
    ],
)
def test_actions_text(entries: list[str] | None, text: str) -> None:
    assert actions_text(entries) == text


def test_compose_update() -> None:
    assert compose_update("Login failing", "SEV1 · Investigating", "- ", "\n  \n") == (
        "Status update — Login failing\n\n"
        "Conditions:\nSEV1 · Investigating\n\n"
        "Actions:\nNone.\n\n"
        "Needs:\nNone."
    )
    assert compose_update("T", "c", "- a\n\n- b  ", "- help").endswith(
        "Actions:\n- a\n- b\n\nNeeds:\n- help"
    )
