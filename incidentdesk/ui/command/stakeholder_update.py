"""The stakeholder update composer, in CAN form: Conditions, Actions, Needs.

Prefilled from the incident's state; the three parts stay editable and the preview shows the
exact text that is posted to the timeline as an ``update`` note (which restarts the update
reminder). "Send to" may also post it to a chat target of the catalog (a Slack or Teams
incident channel): the courier sends it, and the send is recorded in the timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.incident.lifecycle import STATUS_LABELS
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.core.timefmt import format_duration, utc_now
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.tasks import user_message
from incidentdesk.ui.widgets.inline_note import InlineError

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.desk import Desk

EMPTY_BULLET = "- "
TIMELINE_ONLY = "The timeline only"
NOTHING = "None."
SECTIONS = (
    ("Conditions", "the situation and its impact"),
    ("Actions", "what the team is doing"),
    ("Needs", "what you need from stakeholders: decisions, people, access"),
)


def conditions_text(state: IncidentState, now: datetime, tz: tzinfo | None = None) -> str:
    """The Conditions line for a state, such as
    ``SEV2 · Mitigated (monitoring) · affected: payments-api · started 14:05 (2h 10m ago)``,
    then the customer impact and the bridge link on lines of their own when they are set.

    Args:
        state: the incident's state.
        now: the current time (aware).
        tz: the zone to show times in; the workstation's when None.
    """
    parts = [state.severity, STATUS_LABELS.get(state.status, state.status)]
    if state.services:
        parts.append("affected: " + ", ".join(state.services))
    started = state.milestones.get("started_at")
    if started is not None:
        local, local_now = started.astimezone(tz), now.astimezone(tz)
        clock = local.strftime("%H:%M")
        if local.date() != local_now.date():
            clock = f"{local.day} {local.strftime('%b')} {clock}"
        parts.append(f"started {clock} ({_ago(now - started)} ago)")
    lines = [" · ".join(parts)]
    if state.impact:
        lines.append(f"Customer impact: {state.impact}")
    if state.bridge:
        lines.append(f"Bridge: {state.bridge}")
    return "\n".join(lines)


def actions_text(recent_entries: Sequence[str] | None) -> str:
    """Bullets for the Actions part (one empty bullet when there is nothing to start from)."""
    lines = [" ".join(entry.split()) for entry in recent_entries or ()]
    bullets = [f"- {line}" for line in lines if line]
    return "\n".join(bullets) if bullets else EMPTY_BULLET


def compose_update(title: str, conditions: str, actions: str, needs: str) -> str:
    """The text posted: a heading, then each CAN part (an empty part reads "None.")."""
    blocks = [f"Status update — {title}" if title.strip() else "Status update"]
    for (name, _hint), body in zip(SECTIONS, (conditions, actions, needs), strict=True):
        blocks.append(f"{name}:\n{_section_body(body)}")
    return "\n\n".join(blocks)


def _section_body(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    kept = [line for line in lines if line.strip() not in ("", "-", "*", "•")]
    return "\n".join(kept) if kept else NOTHING


def _ago(delta: timedelta) -> str:
    if delta < timedelta(hours=1):
        return f"{max(0, int(delta.total_seconds() // 60))}m"
    return format_duration(delta)


class StakeholderUpdateDialog(QDialog):
    """Write a stakeholder update and post it to the timeline.

    Args:
        client: the UI's handle on the Desk.
        incident_id: the incident the update is about.
        state: its current state (for the prefilled Conditions).
        parent: the owning window.
        recent_entries: texts of recent decisions and actions, newest last, to start the
            Actions part from.
        clock: the current time (UTC); tests pass their own.

    Signals:
        posted(str): the id of the saved ``update`` note (the dialog then closes).

    The chat targets for "Send to" are fetched on the worker when the dialog opens.
    """

    posted = Signal(str)

    def __init__(
        self,
        client: DeskClient,
        incident_id: str,
        state: IncidentState,
        parent: QWidget | None = None,
        *,
        recent_entries: Sequence[str] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._incident_id = incident_id
        self._title = state.title
        self._busy = False
        self.setWindowTitle(f"Stakeholder update — {state.title}")
        self.resize(960, 600)

        self.conditions_edit = self._editor(conditions_text(state, clock()))
        self.actions_edit = self._editor(actions_text(recent_entries))
        self.needs_edit = self._editor("")
        columns = QHBoxLayout()
        columns.addLayout(self._editor_column(), 1)
        columns.addLayout(self._preview_column(), 1)
        send_row = self._send_row()

        self.error = InlineError()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Post update")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addLayout(send_row)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        for edit in self.editors():
            edit.textChanged.connect(self._refresh_preview)
        self._refresh_preview()
        self.needs_edit.setFocus()
        client.call(
            lambda desk: desk.escalations.chat_targets(), self.set_chat_targets, lambda _e: None
        )

    def _editor_column(self) -> QVBoxLayout:
        """Conditions, Actions and Needs, each under its name and hint."""
        editors = QVBoxLayout()
        stretches = (2, 3, 2)  # Actions usually runs longest
        for (name, hint), edit, stretch in zip(SECTIONS, self.editors(), stretches, strict=True):
            label = QLabel(f"<b>{name}</b> — {hint}")
            label.setBuddy(edit)
            edit.setAccessibleName(name)
            editors.addWidget(label)
            editors.addWidget(edit, stretch)
        return editors

    def _preview_column(self) -> QVBoxLayout:
        """The update as it will read, not editable."""
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("Preview")
        self.preview.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        self.preview.setFont(mono)  # as it will read in chat and in the timeline
        # The window's colour rather than an editor's: it reads as not editable.
        self.preview.setStyleSheet("QPlainTextEdit { background-color: palette(window); }")
        preview_box = QVBoxLayout()
        preview_box.addWidget(QLabel("<b>Preview</b> — posted to the timeline as an update"))
        preview_box.addWidget(self.preview, 1)
        return preview_box

    def _send_row(self) -> QHBoxLayout:
        """Where else the update goes (a chat channel of the catalog)."""
        self.send_to = QComboBox()
        self.send_to.addItem(TIMELINE_ONLY, None)
        self.send_to.setAccessibleName("Send to")
        self.send_to.setToolTip(
            "Also post the update to a chat channel of the service catalog; it is always "
            "saved to the timeline"
        )
        self.send_to.setEnabled(False)  # until the catalog's chat targets arrive
        send_label = QLabel("Also &send to")
        send_label.setBuddy(self.send_to)
        send_row = QHBoxLayout()
        send_row.addWidget(send_label)
        send_row.addWidget(self.send_to)
        send_row.addStretch(1)
        return send_row

    # ----------------------------------------------------------------- API

    def editors(self) -> tuple[QPlainTextEdit, QPlainTextEdit, QPlainTextEdit]:
        """The Conditions, Actions and Needs editors."""
        return (self.conditions_edit, self.actions_edit, self.needs_edit)

    def text(self) -> str:
        """The update as it will be posted."""
        conditions, actions, needs = (e.toPlainText() for e in self.editors())
        return compose_update(self._title, conditions, actions, needs)

    def set_chat_targets(self, names: Sequence[str]) -> None:
        """Offer these chat targets (the dedicated incident channel first)."""
        chosen = self.send_to.currentData()
        while self.send_to.count() > 1:
            self.send_to.removeItem(1)
        for name in names:
            self.send_to.addItem(name, name)
        self.send_to.setEnabled(bool(names))
        if chosen is not None and chosen in names:
            self.send_to.setCurrentIndex(self.send_to.findData(chosen))
        if not names:
            self.send_to.setToolTip("The service catalog names no Slack or Teams channel")

    def target(self) -> str | None:
        """The chat target chosen (None: the timeline only)."""
        data = self.send_to.currentData()
        return str(data) if data is not None else None

    def reject(self) -> None:
        """Close without posting (not while the update is being saved)."""
        if not self._busy:
            super().reject()

    # ----------------------------------------------------------------- internals

    def _editor(self, text: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(text)
        edit.setTabChangesFocus(True)
        edit.setMinimumHeight(70)
        return edit

    def _refresh_preview(self) -> None:
        self.preview.setPlainText(self.text())
        self.error.clear_message()

    def _submit(self) -> None:
        if self._busy:
            return
        if not self.conditions_edit.toPlainText().strip():
            self.error.show_message("Say what is happening under Conditions before posting.")
            self.conditions_edit.setFocus()
            return
        text = self.text()
        incident_id = self._incident_id
        target = self.target()
        self._set_busy(True)

        def post(desk: Desk) -> str:
            if target is not None:  # refused (no such channel) before anything is saved
                desk.escalations.post_to_chat(incident_id, target, text, purpose="update")
            return desk.incidents.add_note(incident_id, text, "update")

        self._client.command(post, self._done, self._failed)

    def _done(self, event_id: str) -> None:
        self._set_busy(False)
        self.posted.emit(event_id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.error.show_message(f"The update was not posted: {user_message(error)}")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(not busy)
        self.save_button.setText("Posting…" if busy else "&Post update")
