"""The live timeline: model, filters, pins, corrections, live insertion."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from pytestqt.qtbot import QtBot

from incidentdesk.app.desk import Desk
from incidentdesk.core.errors import DomainError
from incidentdesk.ui.command.timeline_model import (
    AUTHOR,
    KIND,
    TEXT,
    TIME,
    PinnedRole,
    TimelineModel,
)
from incidentdesk.ui.command.timeline_panel import TimelinePanel
from incidentdesk.ui.common.client import DeskClient


def texts(panel: TimelinePanel) -> list[str]:
    proxy = panel.proxy
    return [proxy.index(r, TEXT).data() for r in range(proxy.rowCount())]


def panel_on(client: DeskClient, desk: Desk, incident: str, qtbot: QtBot) -> TimelinePanel:
    panel = TimelinePanel(client)
    qtbot.addWidget(panel)
    panel.resize(900, 400)
    panel.show()
    panel.activateWindow()
    qtbot.waitActive(panel)
    panel.show_incident(incident, desk.incidents.snapshot(incident))
    return panel


def catch_up(panel: TimelinePanel, desk: Desk) -> None:
    assert panel.model.incident_id is not None
    panel.apply(desk.incidents.snapshot(panel.model.incident_id, panel.model.seq))


def test_model_passes_qt_model_checks(qtmodeltester, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    from incidentdesk.app.demo import seed_demo

    incident = seed_demo(desk)
    model = TimelineModel()
    model.load(incident, desk.incidents.snapshot(incident))
    qtmodeltester.check(model)
    assert model.rowCount() >= 55
    before = model.rowCount()
    desk.incidents.add_note(incident, "new entry")
    desk.incidents.add_note(
        incident, "back-dated", at=datetime.now(UTC) - timedelta(hours=2, minutes=59)
    )
    model.apply(desk.incidents.snapshot(incident, model.seq))
    assert model.rowCount() == before + 2
    qtmodeltester.check(model)


def clock_of(moment: datetime) -> str:
    """The Time cell: the time of day for today's entries (an hour ago is yesterday just
    after midnight), the date and minute for older ones."""
    today = datetime.now(moment.tzinfo).date()
    return moment.strftime("%H:%M:%S" if moment.date() == today else "%b %d %H:%M")


def test_an_entry_from_another_day_shows_its_date(
    qtbot: QtBot, client: DeskClient, desk: Desk
) -> None:
    start = datetime.now(UTC) - timedelta(days=3)
    incident = desk.incidents.declare("Disk full on db-2", "SEV3", at=start)
    panel = panel_on(client, desk, incident, qtbot)
    shown = start.astimezone()
    assert panel.model.index(0, TIME).data() == shown.strftime("%b %d %H:%M")
    panel.utc_box.setChecked(True)
    assert panel.model.index(0, TIME).data() == start.strftime("%b %d %H:%M")


def test_rows_show_time_kind_author_text_and_back_dated_rows_sort_into_place(
    qtbot: QtBot, client: DeskClient, desk: Desk
) -> None:
    start = datetime.now(UTC) - timedelta(hours=1)
    incident = desk.incidents.declare("Checkout errors", "SEV2", at=start)
    desk.with_author("Bob").incidents.add_note(incident, "saw 5xx spike", "observation")
    panel = panel_on(client, desk, incident, qtbot)
    desk.incidents.add_note(incident, "typed late", at=start + timedelta(minutes=1))
    inserted: list[int] = []
    panel.model.rowsInserted.connect(lambda _p, first, _last: inserted.append(first))
    catch_up(panel, desk)
    assert texts(panel) == [
        "Declared SEV2: Checkout errors",
        "typed late",
        "saw 5xx spike",
    ]
    assert inserted == [1], "a back-dated entry is inserted in place, not by a reset"
    model = panel.model
    assert model.index(2, KIND).data() == "Observation"
    assert model.index(2, AUTHOR).data() == "Bob"
    assert model.index(0, TIME).data() == clock_of(start.astimezone())
    assert "UTC" in model.index(0, TIME).data(Qt.ItemDataRole.ToolTipRole)
    panel.utc_box.setChecked(True)
    assert model.index(0, TIME).data() == clock_of(start)
    assert model.headerData(TIME, Qt.Orientation.Horizontal) == "Time (UTC)"


def test_filters_by_kind_author_pinned_and_text(
    qtbot: QtBot, client: DeskClient, desk: Desk
) -> None:
    incident = desk.incidents.declare("Queue backlog", "SEV3")
    desk.incidents.add_note(incident, "restart consumers", "decision", pinned=True)
    desk.with_author("Bob").incidents.add_note(incident, "lag 40k messages", "observation")
    desk.with_author("Bob").incidents.add_note(incident, "Restarted consumer group", "action")
    panel = panel_on(client, desk, incident, qtbot)

    panel.kind_actions["decision"].setChecked(True)
    panel.kind_actions["action"].setChecked(True)
    assert texts(panel) == ["restart consumers", "Restarted consumer group"]
    assert panel.kind_button.text() == "Decision, Action"
    panel.kind_actions["decision"].setChecked(False)
    panel.kind_actions["action"].setChecked(False)

    panel.author_box.setCurrentText("Bob")
    assert texts(panel) == ["lag 40k messages", "Restarted consumer group"]
    panel.author_box.setCurrentText("Everyone")

    qtbot.keyClicks(panel.search, "RESTART")
    assert texts(panel) == ["restart consumers", "Restarted consumer group"]
    panel.search.clear()

    panel.pinned_box.setChecked(True)
    assert texts(panel) == ["restart consumers"]
    assert panel.proxy.index(0, TEXT).data(PinnedRole) is True
    panel.pinned_box.setChecked(False)
    assert len(texts(panel)) == 4
    # Filtering nothing again, every cell says what the timeline's own cell says.
    for row in range(4):
        for column in (TIME, KIND, AUTHOR, TEXT):
            for role in (Qt.ItemDataRole.DisplayRole, PinnedRole, Qt.ItemDataRole.ToolTipRole):
                shown = panel.proxy.index(row, column).data(role)
                assert shown == panel.model.index(row, column).data(role)


def test_pin_unpin_and_correction_update_rows_in_place(
    qtbot: QtBot, client: DeskClient, desk: Desk, settle: Callable[[], None]
) -> None:
    incident = desk.incidents.declare("DNS", "SEV2")
    note = desk.incidents.add_note(incident, "resolver timeouts in eu-west")
    panel = panel_on(client, desk, incident, qtbot)
    resets: list[int] = []
    panel.model.modelReset.connect(lambda: resets.append(1))

    row = panel.proxy.index(1, TEXT)
    panel.view.selectionModel().setCurrentIndex(
        row,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert panel.selected_event_id() == note
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)
    qtbot.keyClick(panel.view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert note in desk.incidents.get(incident).pinned
    catch_up(panel, desk)
    assert panel.model.index(1, TEXT).data(PinnedRole) is True

    desk.incidents.correct_note(incident, note, "resolver timeouts in eu-west and us-east")
    catch_up(panel, desk)
    assert (
        panel.model.index(1, TEXT).data() == "resolver timeouts in eu-west and us-east (corrected)"
    )
    tooltip = panel.model.index(1, TEXT).data(Qt.ItemDataRole.ToolTipRole)
    assert "The original said:\nresolver timeouts in eu-west" in tooltip
    assert panel.selected_event_id() == note, "the selection survives updates"
    assert resets == [], "updates never reset the model"


def test_scroll_position_is_kept_when_reading_older_entries(
    qtbot: QtBot, client: DeskClient, desk: Desk
) -> None:
    start = datetime.now(UTC) - timedelta(hours=3)
    incident = desk.incidents.declare("Long one", "SEV3", at=start)
    for i in range(200):
        desk.incidents.add_note(incident, f"entry {i}", at=start + timedelta(seconds=30 * (i + 1)))
    panel = panel_on(client, desk, incident, qtbot)
    bar = panel.view.verticalScrollBar()
    assert bar.value() == bar.maximum(), "opens at the newest entry"

    panel.view.scrollTo(panel.proxy.index(50, 0), panel.view.ScrollHint.PositionAtTop)
    top_before = panel.view.indexAt(panel.view.viewport().rect().topLeft()).data()
    desk.incidents.add_note(incident, "new at the end")
    desk.incidents.add_note(
        incident, "back-dated before the reader", at=start + timedelta(seconds=45)
    )
    catch_up(panel, desk)
    top_after = panel.view.indexAt(panel.view.viewport().rect().topLeft()).data()
    assert top_after == top_before, "the row the reader was looking at stays put"

    panel.view.scrollToBottom()
    desk.incidents.add_note(incident, "newest")
    catch_up(panel, desk)
    assert bar.value() == bar.maximum(), "following the newest entries keeps following"


def long_incident(desk: Desk, entries: int, pin: int) -> tuple[str, datetime]:
    """An incident begun five hours ago with an entry a minute ("entry 0", …), the fourth
    corrected and one pinned; its id and start."""
    start = datetime.now(UTC) - timedelta(hours=5)
    incident = desk.incidents.declare("Long", "SEV3", at=start)
    ids = [
        desk.incidents.add_note(incident, f"entry {i}", at=start + timedelta(minutes=i + 1))
        for i in range(entries)
    ]
    desk.incidents.correct_note(incident, ids[3], "entry 3, corrected")
    desk.incidents.pin(incident, ids[pin])
    return incident, start


def test_a_long_timeline_paints_its_latest_entries_first_then_fills_in(
    qtmodeltester,
    qtbot: QtBot,
    client: DeskClient,
    desk: Desk,  # type: ignore[no-untyped-def]
) -> None:
    incident, _start = long_incident(desk, 120, pin=100)
    panel = panel_on(client, desk, incident, qtbot)
    full = [panel.model.row_at(r) for r in range(panel.model.rowCount())]

    latest, effects = desk.incidents.latest_entries(incident, 50)
    panel.show_latest(incident, latest, effects)
    # The 50 latest events, less the correction and the pin among them (they are not rows).
    assert panel.model.rowCount() == 48
    assert panel.model.row_at(47).text == "entry 119"
    pinned = [r for r in range(48) if panel.model.row_at(r).text == "entry 100"]
    assert pinned and panel.model.row_at(pinned[0]).pinned
    panel.view.selectRow(45)
    selected = panel.selected_event_id()
    resets: list[int] = []
    panel.model.modelReset.connect(lambda: resets.append(1))

    desk.incidents.add_note(incident, "arrived meanwhile")
    panel.complete(desk.incidents.snapshot(incident))
    qtmodeltester.check(panel.model)
    rows = [panel.model.row_at(r) for r in range(panel.model.rowCount())]
    assert [(r.event.id, r.text, r.pinned) for r in rows[:-1]] == [
        (r.event.id, r.text, r.pinned) for r in full
    ]
    assert rows[-1].text == "arrived meanwhile"
    assert rows[4].original_text == "entry 3"  # the correction of an older row, applied
    assert resets == [] and panel.selected_event_id() == selected


# ------------------------------------------------------------------ action items


def select_row(panel: TimelinePanel, row: int) -> None:
    panel.view.selectionModel().setCurrentIndex(
        panel.proxy.index(row, TEXT),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )


def menu_texts(panel: TimelinePanel) -> list[str]:
    menu = panel.context_menu()
    assert menu is not None
    return [a.text() for a in menu.actions()]


def test_an_action_items_row_says_so_and_opens_the_item(
    qtbot: QtBot, client: DeskClient, desk: Desk
) -> None:
    incident = desk.incidents.declare("Auth down", "SEV1")
    added = desk.action_items.add_action(incident, "Bob: roll back auth-gateway by tomorrow")
    panel = panel_on(client, desk, incident, qtbot)

    assert panel.proxy.index(1, KIND).data() == "Action item"
    tooltip = panel.proxy.index(1, TEXT).data(Qt.ItemDataRole.ToolTipRole)
    assert "Tracked as an action item: double-click to open it." in tooltip
    select_row(panel, 1)
    assert menu_texts(panel)[0] == "Open action item"
    with qtbot.waitSignal(panel.action_item_requested) as asked:
        rect = panel.view.visualRect(panel.proxy.index(1, TEXT))
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert asked.args == [incident, added.item_id]


def test_an_action_note_becomes_an_item_from_its_menu(
    qtbot: QtBot, client: DeskClient, desk: Desk, settle: Callable[[], None]
) -> None:
    from incidentdesk.ui.command.timeline_panel import local_today

    incident = desk.incidents.declare("Auth down", "SEV1")
    note = desk.incidents.add_note(incident, "@carol rotate the keys +3d", "action")
    desk.incidents.add_note(incident, "keys look fine", "observation")
    panel = panel_on(client, desk, incident, qtbot)
    resets: list[int] = []
    panel.model.modelReset.connect(lambda: resets.append(1))
    assert panel.proxy.index(1, KIND).data() == "Action"
    select_row(panel, 2)
    assert "Make action item…" not in menu_texts(panel)  # an observation is not an action
    select_row(panel, 1)
    assert menu_texts(panel)[0] == "Make action item…"

    panel.set_people(["Carol Diaz", "Alice"])
    dialog = panel.make_action_item()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    due = local_today() + timedelta(days=3)
    assert dialog.description_edit.text() == "rotate the keys"
    assert dialog.owner_edit.text() == "Carol Diaz"  # @carol is the one Carol known
    assert dialog.due_edit.text() == due.isoformat()
    assert dialog.due_hint.text() == f"Due {due.strftime('%A')} {due.isoformat()}."
    dialog.due_edit.setText("someday")
    assert not dialog.buttons.buttons()[0].isEnabled()
    assert "'someday' is not a due date" in dialog.due_hint.text()
    dialog.due_edit.setText("Friday")
    dialog.owner_edit.setText("Carol")
    with qtbot.waitSignal(panel.message) as said:
        dialog.accept()
        settle()
    assert said.args == ["Action item made for Carol; double-click the entry to open it."]

    (item,) = desk.incidents.get(incident).postmortem.action_items.values()
    friday = local_today() + timedelta(days=(4 - local_today().weekday()) % 7 or 7)
    assert (item.description, item.owner, item.due, item.note) == (
        "rotate the keys",
        "Carol",
        friday,
        note,
    )
    catch_up(panel, desk)
    assert panel.proxy.index(1, KIND).data() == "Action item"
    assert menu_texts(panel)[0] == "Open action item"
    assert resets == []
    with pytest.raises(DomainError, match="already has action item"):
        desk.action_items.make_from_note(incident, note, description="again")


def test_hidden_characters_show_as_markers_and_the_note_is_kept_as_typed(
    qtbot: QtBot, client: DeskClient, desk: Desk
) -> None:
    spoof = "RTL \u202egnp.exe\u202c"
    incident = desk.incidents.declare("Upload", "SEV3")
    desk.with_author("Mall\u200bory").incidents.add_note(incident, f"opened {spoof}\nsecond line")
    panel = panel_on(client, desk, incident, qtbot)
    qtbot.waitUntil(lambda: len(texts(panel)) == 2, timeout=10_000)
    shown = panel.proxy.index(1, TEXT).data()
    assert shown == "opened RTL ⟨U+202E⟩gnp.exe⟨U+202C⟩ …"
    assert panel.proxy.index(1, AUTHOR).data() == "Mall⟨U+200B⟩ory"
    tooltip = panel.proxy.index(1, TEXT).data(Qt.ItemDataRole.ToolTipRole)
    assert "⟨U+202E⟩" in tooltip and "\u202e" not in tooltip
    stored = [e.text for e in desk.incidents.timeline(incident)]
    assert f"opened {spoof}\nsecond line" in stored  # the journal keeps it as typed


def test_a_page_is_one_row_updated_in_place_however_many_attempts(
    qtmodeltester,
    desk: Desk,
    qtbot: QtBot,  # type: ignore[no-untyped-def]
) -> None:
    from catalogkit import catalog_text  # tests/catalogkit.py

    from incidentdesk.app.escalations import AttemptOutcome
    from incidentdesk.core.catalog.model import parse_toml

    desk.catalog.import_catalog(parse_toml(catalog_text("http://127.0.0.1:9")))
    incident = desk.incidents.declare("Checkout down", "SEV1", ["checkout"])
    desk.incidents.add_note(incident, "before the page")
    desk.escalations.escalate(incident, "checkout")
    model = TimelineModel()
    model.load(incident, desk.incidents.snapshot(incident))
    qtmodeltester.check(model)
    rows = model.rowCount()
    page_row = rows - 1
    assert model.index(page_row, TEXT).data().endswith("— requested, sending…")

    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b: changed.append((a.row(), b.row())))
    for attempt in range(3):
        [delivery] = desk.deliveries.claim_due()
        desk.deliveries.record_attempt(
            delivery, AttemptOutcome(False, False, "PagerDuty answered 503.")
        )
        # The next attempt is due later: make it due now, as time passing would.
        with desk.store.writing() as tx:
            tx.update_delivery(
                delivery.id, state="pending", attempts=attempt + 1, next_at_us=0, reason=""
            )
        model.apply(desk.incidents.snapshot(incident, model.seq))
        qtmodeltester.check(model)
        assert model.rowCount() == rows  # no row per attempt
        assert model.index(page_row, TEXT).data().endswith(f"— retrying (attempt {attempt + 2})")
    assert changed and all(change == (page_row, page_row) for change in changed)
    [delivery] = desk.deliveries.claim_due()
    desk.deliveries.record_attempt(
        delivery, AttemptOutcome(True, True, "Delivered to PagerDuty (202).")
    )
    model.apply(desk.incidents.snapshot(incident, model.seq))
    assert model.rowCount() == rows
    text = model.index(page_row, TEXT).data()
    assert text == (
        "Paging payments for checkout (level 1: pd-payments) — delivered, waiting for an answer"
    )
    tooltip = model.index(page_row, TEXT).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.count("failed (will retry): PagerDuty answered 503.") == 3
    assert "attempt 4 delivered" in tooltip
    # Opened again with only the latest entries first (the request left out), then completed:
    # still one row, with the whole story.
    events = desk.incidents.snapshot(incident).events
    fresh = TimelineModel()
    fresh.load_latest(incident, events[-2:], [])
    assert fresh.rowCount() == 0  # the latest two are outcomes: no rows of their own
    fresh.complete(desk.incidents.snapshot(incident))
    qtmodeltester.check(fresh)
    assert fresh.rowCount() == rows
    assert fresh.index(page_row, TEXT).data() == text


def test_a_chat_post_is_one_row_that_says_whether_it_went_out(
    qtmodeltester,
    desk: Desk,  # type: ignore[no-untyped-def]
) -> None:
    from catalogkit import catalog_text  # tests/catalogkit.py

    from incidentdesk.app.escalations import AttemptOutcome
    from incidentdesk.core.catalog.model import parse_toml

    desk.catalog.import_catalog(parse_toml(catalog_text("http://127.0.0.1:9")))
    incident = desk.incidents.declare("Checkout down", "SEV1", ["checkout"])
    desk.escalations.post_to_chat(incident, "slack-incidents", "Mitigated; next update 15:00")
    model = TimelineModel()
    model.load(incident, desk.incidents.snapshot(incident))
    rows = model.rowCount()
    assert model.index(rows - 1, TEXT).data() == (
        "Posting to slack-incidents: Mitigated; next update 15:00"
    )
    [delivery] = desk.deliveries.claim_due()
    desk.deliveries.record_attempt(delivery, AttemptOutcome(False, False, "Slack answered 503."))
    model.apply(desk.incidents.snapshot(incident, model.seq))
    assert model.rowCount() == rows
    assert model.index(rows - 1, TEXT).data() == (
        "Posting to slack-incidents (retrying, attempt 2): Mitigated; next update 15:00"
    )
    with desk.store.writing() as tx:  # due now, as time passing would make it
        tx.update_delivery(delivery.id, state="pending", attempts=1, next_at_us=0, reason="")
    [delivery] = desk.deliveries.claim_due()
    desk.deliveries.record_attempt(delivery, AttemptOutcome(True, True, "Posted (200)."))
    model.apply(desk.incidents.snapshot(incident, model.seq))
    qtmodeltester.check(model)
    assert model.rowCount() == rows
    assert model.index(rows - 1, TEXT).data() == (
        "Posted to slack-incidents: Mitigated; next update 15:00"
    )


def test_a_long_timeline_filled_in_by_batches_shows_every_row_in_order(
    qtmodeltester,
    qtbot: QtBot,
    client: DeskClient,
    desk: Desk,  # type: ignore[no-untyped-def]
) -> None:
    from incidentdesk.ui.command.timeline_rows import prepare

    incident, start = long_incident(desk, 100, pin=10)
    panel = TimelinePanel(client)
    qtbot.addWidget(panel)
    panel.resize(900, 400)
    panel.show()
    latest, effects = desk.incidents.latest_entries(incident, 20)
    panel.show_latest(incident, latest, effects)
    whole = desk.incidents.snapshot(incident)
    resets: list[int] = []
    panel.model.modelReset.connect(lambda: resets.append(1))
    done: list[int] = []

    panel.fill_in(prepare(whole.events, {}, whole.seq), lambda: done.append(1), batch=7)
    # Between two batches: a live entry at the end and a back-dated one among the rows still
    # to come, as the feed would bring them.
    assert not done and panel.model.rowCount() < 100
    desk.incidents.add_note(incident, "newest")
    desk.incidents.add_note(incident, "back-dated", at=start + timedelta(minutes=5, seconds=30))
    panel.apply(desk.incidents.snapshot(incident, whole.seq))
    qtbot.waitUntil(lambda: bool(done), timeout=5000)

    qtmodeltester.check(panel.model)
    full = TimelineModel()
    full.load(incident, desk.incidents.snapshot(incident))
    shown = [panel.model.row_at(r) for r in range(panel.model.rowCount())]
    expected = [full.row_at(r) for r in range(full.rowCount())]
    assert [(r.event.id, r.text, r.pinned, r.original_text) for r in shown] == [
        (r.event.id, r.text, r.pinned, r.original_text) for r in expected
    ]
    assert len(shown) == 103 and shown[-1].text == "newest"
    assert panel.view.viewport().updatesEnabled()  # held back while filling, not after
    assert shown[4].original_text == "entry 3" and shown[12].pinned  # after the back-dated
    assert resets == []


def test_showing_another_incident_stops_a_fill_in(
    qtbot: QtBot,
    client: DeskClient,
    desk: Desk,  # type: ignore[no-untyped-def]
) -> None:
    from incidentdesk.ui.command.timeline_rows import prepare

    first = desk.incidents.declare("First", "SEV3")
    for i in range(60):
        desk.incidents.add_note(first, f"first {i}")
    second = desk.incidents.declare("Second", "SEV3")
    desk.incidents.add_note(second, "only entry of the second")
    panel = panel_on(client, desk, first, qtbot)
    latest, effects = desk.incidents.latest_entries(first, 5)
    panel.show_latest(first, latest, effects)
    whole = desk.incidents.snapshot(first)
    done: list[int] = []
    panel.fill_in(prepare(whole.events, {}, whole.seq), lambda: done.append(1), batch=25)
    assert not panel.view.viewport().updatesEnabled()  # following: the rows go in above
    panel.view.verticalScrollBar().setValue(0)  # the reader scrolls up: they show now
    assert panel.view.viewport().updatesEnabled()
    panel.show_incident(second, desk.incidents.snapshot(second))
    # A zero-time timer queued now fires after the fill-in's next step was due.
    later: list[int] = []
    QTimer.singleShot(0, lambda: later.append(1))
    qtbot.waitUntil(lambda: bool(later), timeout=5000)
    assert done == []
    assert texts(panel)[-1] == "only entry of the second" and len(texts(panel)) == 2
