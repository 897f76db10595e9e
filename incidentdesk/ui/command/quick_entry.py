"""The quick entry: one line at the bottom of the command window where the scribe types.

Enter adds a note; a line starting with ``/`` is a command (``/sev 2``, ``/role scribe
Alice``, ``/at 14:05 /decision roll back``; the language is in
:mod:`incidentdesk.core.incident.quick`).
Commands become operations (:mod:`incidentdesk.app.operations`, shared with the command
line) run on the Desk through the client's worker. A refusal keeps the text and shows
why under the field; a saved entry clears it, and so does a command that changes nothing
(``/sev 1`` on a SEV1), with a note saying why. ``/action`` also makes a tracked action item
(owner and due date read from the text by :mod:`incidentdesk.core.postmortem.action_text`).
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable
from datetime import datetime, tzinfo

from PySide6.QtCore import QEvent, QModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.app.action_items import ActionAdded
from incidentdesk.app.operations import Operation, from_quick
from incidentdesk.core.errors import DomainError, NoChange
from incidentdesk.core.incident.quick import QuickCommand, describe, help_lines, parse_quick
from incidentdesk.core.incident.quick_completion import Completion, completion_slot, completions
from incidentdesk.core.timefmt import utc_now
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.style import ERROR_COLOR, WARNING_COLOR
from incidentdesk.ui.common.tasks import user_message
from incidentdesk.ui.widgets.inline_note import note_css

HISTORY_SIZE = 50
POPUP_MIN_WIDTH = 160
PLACEHOLDER = "Add a note: Enter saves · / for commands (/help) · ↑ recalls the last entry"
PLACEHOLDER_NO_INCIDENT = "Open an incident to write in its timeline"
NOTHING_SELECTED = "Select an entry in the timeline to pin it, or write the note to pin after /pin."
# A completion of these kinds only continues the line, so the first one is pre-chosen and
# Enter takes it; a person, status or severity must be chosen on purpose.
_PRECHOSEN = ("command", "role")
_COMPLETION_ROLE = Qt.ItemDataRole.UserRole + 1
_HELP_ROW = (
    "<tr><td style='padding-right:12px; white-space:nowrap'><code>{}</code></td>"
    "<td width='100%'>{}</td></tr>"
)


class QuickEntry(QWidget):
    """The command window's one-line entry for notes and slash commands.

    Args:
        client: the Desk client; every command runs through it.
        selected_entry: the id of the entry selected in the timeline, for ``/pin`` alone.
        parent: the parent widget.
        clock: the current time (UTC); tests pass a fixed one.
        local_tz: the zone of ``/at HH:MM``; the system's when omitted.

    Signals:
        submitted(str): an entry or command was saved (the id of the event it wrote).
        message(str): a short confirmation for the status bar.
    """

    submitted = Signal(str)
    message = Signal(str)

    def __init__(
        self,
        client: DeskClient,
        selected_entry: Callable[[], str | None] = lambda: None,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        local_tz: tzinfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("QuickEntry")
        self._client = client
        self._selected_entry = selected_entry
        self._clock = clock
        self._local_tz = local_tz
        self._incident_id: str | None = None
        self._people: list[str] = []
        self._history: list[str] = []
        self._browsing: int | None = None  # position in the history while Up/Down walk it
        self._draft = ""  # what was typed before Up started walking the history
        self._saving: str | None = None  # the line being saved, until the Desk answers
        self._offered: list[Completion] = []
        self._build_fields()
        self._build_completer()
        self._lay_out()
        self.line_edit.returnPressed.connect(self.submit)
        self.line_edit.textEdited.connect(self._edited)
        self.line_edit.textChanged.connect(self._show_preview)
        self._show_incident_state()

    def _build_fields(self) -> None:
        self.line_edit: QLineEdit = _EntryField(self)
        self.line_edit.setObjectName("quickEntryField")
        self.line_edit.setAccessibleName("Quick entry")
        self.line_edit.setClearButtonEnabled(False)
        self.preview_label = QLabel(self)
        self.preview_label.setObjectName("quickEntryPreview")
        self.preview_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # a hint
        self.error_label = _notice_label(self, "Quick entry problem")
        self.error_label.setStyleSheet(note_css(ERROR_COLOR))
        self.notice_label = _notice_label(self, "Quick entry notice")
        self.notice_label.setStyleSheet(note_css(WARNING_COLOR))
        self.help_label = _notice_label(self, "Quick entry commands")
        self.help_label.setTextFormat(Qt.TextFormat.RichText)
        self.help_label.setStyleSheet(
            "QLabel { background: palette(alternate-base); border-left: 3px solid palette(mid);"
            " padding: 3px 6px; }"
        )

    def _build_completer(self) -> None:
        self._model = QStandardItemModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setWidget(self.line_edit)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setCompletionRole(_COMPLETION_ROLE)
        self._completer.setMaxVisibleItems(12)  # every command at once
        self._completer.activated.connect(self._complete_with)
        self.completion_list = QListView()
        self.completion_list.setAccessibleName("Quick entry completions")
        self.completion_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.completion_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._completer.setPopup(self.completion_list)  # the completer owns it from here

    def _lay_out(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.line_edit, 1)
        row.addWidget(self.preview_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.error_label)
        layout.addWidget(self.notice_label)
        layout.addWidget(self.help_label)

    # ------------------------------------------------------------ public

    def set_incident(self, incident_id: str | None) -> None:
        """Write into this incident (None: disabled, with a placeholder saying why)."""
        if incident_id == self._incident_id:
            return
        self._incident_id = incident_id
        self._show_error("")
        self.help_label.hide()
        self._show_incident_state()

    def set_people(self, people: list[str]) -> None:
        """The names offered after ``/role <role> ``."""
        self._people = sorted(set(people), key=str.casefold)

    def focus_entry(self) -> None:
        """Put the cursor in the field (the window binds a shortcut to this)."""
        self.line_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def submit(self) -> None:
        """Run the line in the field: add the note or carry out the command."""
        incident_id = self._incident_id
        typed = self.line_edit.text()
        if incident_id is None or self._saving is not None or not typed.strip():
            return  # a second Enter while the first is saving would add it twice
        self.completion_list.hide()
        now = self._clock()
        try:
            command = parse_quick(typed, now=now, local_tz=self._local_tz)
        except DomainError as error:
            self._show_error(str(error))
            return
        if command.action == "help":
            self._show_help(command.text)
            self._remember(typed)
            self.line_edit.clear()
            return
        operation = self._operation(incident_id, command)
        if operation is None:
            return
        done = describe(command, now=now, local_tz=self._local_tz)
        self._saving = typed
        self._client.command(
            operation.run,
            lambda result: self._saved(typed, done, result),
            lambda error: self._refused(typed, error),
        )

    # ------------------------------------------------------------ running commands

    def _operation(self, incident_id: str, command: QuickCommand) -> Operation | None:
        """What the line asks the Desk to do; None (with the reason shown) when it cannot."""
        entry = None
        if command.action == "pin_selected":
            entry = self._selected_entry()
            if entry is None:
                self._show_error(NOTHING_SELECTED)
                return None
        return from_quick(incident_id, command, selected_entry=entry, local_tz=self._local_tz)

    def _saved(self, typed: str, done: str, result: str | ActionAdded) -> None:
        self._saving = None
        self._remember(typed)
        if self.line_edit.text() == typed:  # keep whatever was typed while it saved
            self.line_edit.clear()
        self.help_label.hide()
        self.notice_label.hide()
        if isinstance(result, ActionAdded):
            # A due phrase that was not understood stays in the text; say so where it shows.
            self._show_error("")
            self._show_notice(result.parsed.notice)
            self.message.emit(f"Saved: {result.summary()}")
            self.submitted.emit(result.note_id)
            return
        self._show_error("")
        self.message.emit(f"Saved: {done}")
        self.submitted.emit(result)

    def _refused(self, typed: str, error: BaseException) -> None:
        self._saving = None
        if isinstance(error, NoChange):
            # Nothing to do is not a mistake to fix: clear the line so the next command
            # does not run into it, and say why nothing changed.
            self._remember(typed)
            if self.line_edit.text() == typed:
                self.line_edit.clear()
            self._show_error("")
            self.message.emit(user_message(error))
            self._show_notice(user_message(error))
            return
        self._show_error(user_message(error))

    # ------------------------------------------------------------ feedback

    def _show_incident_state(self) -> None:
        enabled = self._incident_id is not None
        self.line_edit.setEnabled(enabled)
        self.line_edit.setPlaceholderText(PLACEHOLDER if enabled else PLACEHOLDER_NO_INCIDENT)

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))
        self.line_edit.setAccessibleDescription(text)
        if text:
            self.notice_label.hide()

    def _show_notice(self, text: str) -> None:
        """Why a command changed nothing, or what of it was not understood (not an error)."""
        self.notice_label.setText(text)
        self.notice_label.setVisible(bool(text))
        self.line_edit.setAccessibleDescription(text)

    def _show_help(self, topic: str) -> None:
        rows = "".join(
            _HELP_ROW.format(html.escape(usage), html.escape(summary))
            for usage, summary in help_lines(topic)
        )
        footer = (
            ""
            if topic
            else "<tr><td colspan='2'>Tab or Ctrl+Space completes · ↑ and ↓ walk recent "
            "entries · // starts a note with a slash · Esc hides this</td></tr>"
        )
        self.help_label.setText(f"<table>{rows}{footer}</table>")
        self.help_label.show()
        self._show_error("")

    def _show_preview(self, text: str) -> None:
        """What Enter will do, for a command (a plain note needs no explanation)."""
        preview = ""
        if text.lstrip().startswith("/"):
            now = self._clock()
            with contextlib.suppress(DomainError):  # the error shows when Enter is pressed
                command = parse_quick(text, now=now, local_tz=self._local_tz)
                if command.action != "help":
                    preview = "⏎ " + describe(command, now=now, local_tz=self._local_tz)
        self.preview_label.setText(preview)
        self.preview_label.setVisible(bool(preview))

    def _dismiss(self) -> bool:
        """Esc: hide the error and the help; False when there was nothing to hide."""
        shown = any(w.isVisible() for w in (self.error_label, self.notice_label, self.help_label))
        self._show_error("")
        self.notice_label.hide()
        self.help_label.hide()
        return shown

    # ------------------------------------------------------------ history

    def _remember(self, typed: str) -> None:
        self._browsing = None
        if not self._history or self._history[-1] != typed:
            self._history.append(typed)
            del self._history[:-HISTORY_SIZE]

    def _walk_history(self, step: int) -> None:
        """Up (-1) recalls older entries; Down (+1) comes back, to the line being typed."""
        if not self._history:
            return
        if self._browsing is None:
            if step > 0:
                return
            self._draft = self.line_edit.text()
            position = len(self._history) - 1
        else:
            position = max(0, self._browsing + step)
        if position >= len(self._history):
            self._browsing = None
            self.line_edit.setText(self._draft)
        else:
            self._browsing = position
            self.line_edit.setText(self._history[position])

    # ------------------------------------------------------------ completion

    def _edited(self, _text: str) -> None:
        self._browsing = None
        self.notice_label.hide()
        if not self.line_edit.text():
            self._show_error("")
        self._offer_completions()

    def _typed_up_to_cursor(self) -> str:
        return self.line_edit.text()[: self.line_edit.cursorPosition()]

    def _offer_completions(self, *, on_request: bool = False) -> bool:
        """Show what can complete the word being typed; True when something is offered."""
        slot = completion_slot(self._typed_up_to_cursor())
        found = completions(slot, people=self._people) if slot else []
        if slot is None or not found:
            self.completion_list.hide()
            return False
        if on_request and len(found) == 1:
            self._insert(found[0])
            return True
        self._offered = found
        self._model.clear()
        for completion in found:
            item = QStandardItem(completion.label)
            item.setData(completion.insert, _COMPLETION_ROLE)
            item.setEditable(False)
            self._model.appendRow(item)
        self._completer.setCompletionPrefix("")
        self._completer.complete(self._popup_rect(slot.prefix))
        # The completer makes the first row current; Enter would take it, so keep that only
        # where taking it merely continues the line.
        first = self._completer.completionModel().index(0, 0)
        self.completion_list.setCurrentIndex(first if slot.kind in _PRECHOSEN else QModelIndex())
        return True

    def _popup_rect(self, prefix: str) -> QRect:
        """Under the word being completed, as wide as its longest choice (within the field)."""
        view = self.completion_list
        field = self.line_edit.width()
        content = (
            view.sizeHintForColumn(0)
            + 2 * view.frameWidth()
            + view.verticalScrollBar().sizeHint().width()
        )
        width = max(POPUP_MIN_WIDTH, min(content, field))
        word = self.line_edit.cursorRect().left() - self.line_edit.fontMetrics().horizontalAdvance(
            prefix
        )
        x = max(0, min(word, field - width))
        return QRect(x, 0, width, self.line_edit.height())

    def _take_chosen_completion(self) -> None:
        index = self.completion_list.currentIndex()
        row = index.row() if index.isValid() else 0
        self.completion_list.hide()
        if 0 <= row < len(self._offered):
            self._insert(self._offered[row])

    def _complete_with(self, chosen: str) -> None:
        for completion in self._offered:
            if completion.insert == chosen:
                self._insert(completion)
                return

    def _insert(self, completion: Completion) -> None:
        """Replace the word being typed with ``completion``, then offer what comes next."""
        head = self._typed_up_to_cursor()
        tail = self.line_edit.text()[len(head) :]
        slot = completion_slot(head)
        if slot is None:
            return
        new_head = head[: slot.start] + completion.insert + (" " if completion.more else "")
        self.line_edit.setText(new_head + (tail.lstrip(" ") if completion.more else tail))
        self.line_edit.setCursorPosition(len(new_head))
        self._offer_completions()


class _EntryField(QLineEdit):
    """The field: Up and Down walk the history, Tab and Ctrl+Space complete.

    While the completion list is open, Qt sends the keys it does not use itself (Enter,
    Esc, Tab) here first; ignoring them lets the completer choose or close.
    """

    def __init__(self, owner: QuickEntry) -> None:
        super().__init__(owner)
        self._owner = owner

    def event(self, event: QEvent) -> bool:
        # Tab must be caught before QWidget moves the focus to the next widget.
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Tab
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            owner = self._owner
            if owner.completion_list.isVisible():
                owner._take_chosen_completion()
                return True
            if owner._offer_completions(on_request=True):
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        owner = self._owner
        key = event.key()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if owner.completion_list.isVisible():
            if enter and not owner.completion_list.currentIndex().isValid():
                owner.completion_list.hide()  # nothing chosen: Enter saves the line as typed
            elif enter or key in (Qt.Key.Key_Escape, Qt.Key.Key_Backtab):
                event.ignore()
                return
        elif plain and key == Qt.Key.Key_Up:
            owner._walk_history(-1)
            return
        elif plain and key == Qt.Key.Key_Down:
            owner._walk_history(+1)
            return
        elif key == Qt.Key.Key_Escape and owner._dismiss():
            return
        if key == Qt.Key.Key_Space and event.modifiers() == Qt.KeyboardModifier.ControlModifier:
            owner._offer_completions()
            return
        super().keyPressEvent(event)


def _notice_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name)
    label.hide()
    return label
