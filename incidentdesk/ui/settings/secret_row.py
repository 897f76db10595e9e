"""One named secret in a settings dialog: its state, Set/Replace and Remove, and a password
field to type it. The row never holds a value longer than the Store click; the dialog that
owns it reads and writes the keyring off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from incidentdesk.app.profile import SecretState, env_name
from incidentdesk.ui.widgets.inline_note import InlineError


class SecretRow(QWidget):
    """A named secret: its state, Set/Replace and Remove, and a password field to type it.

    Signals:
        store_requested(str, str): the name and the typed value.
        remove_requested(str): the name.
    """

    store_requested = Signal(str, str)
    remove_requested = Signal(str)

    def __init__(self, state: SecretState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.title = QLabel(state.label)
        self.name_label = QLabel(
            f"Secret “{state.name}”, or {env_name(state.name)} in the environment"
        )
        self.name_label.setProperty("muted", True)
        self.name_label.setWordWrap(True)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.set_button = QPushButton()
        self.set_button.setAutoDefault(False)
        self.set_button.clicked.connect(self.start_editing)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAutoDefault(False)
        self.remove_button.setAccessibleName(f"Remove {state.label}")
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self.state.name))

        self.value_edit = QLineEdit()
        self.value_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.value_edit.setAccessibleName(f"New value of {state.label}")
        self.value_edit.setPlaceholderText("The new value (hidden as you type)")
        self.value_edit.returnPressed.connect(self._store)
        self.store_button = QPushButton("Store")
        self.store_button.setAutoDefault(False)
        self.store_button.clicked.connect(self._store)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.stop_editing)
        self.editor = QWidget()
        editor_row = QHBoxLayout(self.editor)
        editor_row.setContentsMargins(0, 0, 0, 0)
        editor_row.addWidget(self.value_edit, 1)
        editor_row.addWidget(self.store_button)
        editor_row.addWidget(self.cancel_button)
        self.editor.hide()
        self.error = InlineError()

        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(8)
        top.addWidget(self.title)
        top.addWidget(self.state_label, 1)
        top.addWidget(self.set_button)
        top.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.name_label)
        layout.addWidget(self.editor)
        layout.addWidget(self.error)
        self.set_state(state)

    def set_state(self, state: SecretState) -> None:
        """Show a new state."""
        self.state = state
        if state.problem:
            text = "unknown: the keyring did not answer"
        elif state.from_environment:
            text = f"set in the environment ({env_name(state.name)}), which is used first"
        else:
            text = "set" if state.is_set else "not set"
        self.state_label.setText(f"— {text}")
        self.error.show_message(state.problem or "")
        verb = "Replace…" if state.is_set else "Set…"
        self.set_button.setText(verb)
        self.set_button.setAccessibleName(f"{verb.rstrip('…')} {state.label}")
        # Hidden rather than disabled: only a stored secret can be removed from here.
        self.remove_button.setVisible(state.is_set and not state.from_environment)

    def start_editing(self) -> None:
        """Show the password field, focused."""
        self.error.clear_message()
        self.editor.show()
        self.value_edit.setFocus()

    def stop_editing(self) -> None:
        """Hide the password field and forget what was typed."""
        self.value_edit.clear()
        self.editor.hide()

    def set_busy(self, busy: bool) -> None:
        """Disable the buttons while the keyring works."""
        for button in (self.set_button, self.store_button, self.cancel_button):
            button.setEnabled(not busy)
        self.remove_button.setEnabled(not busy)

    def _store(self) -> None:
        value = self.value_edit.text()
        if not value:
            self.error.show_message("Type the secret first; an empty one is not stored.")
            return
        self.store_requested.emit(self.state.name, value)
