"""Set one named secret (a paging target's key or webhook URL) from where it was missed.

The settings dialog's secret row (:class:`incidentdesk.ui.settings.secret_row.SecretRow`) in a
dialog of its own, opened by a page that failed for want of it ("Set secret…"). The keyring
is read and written off the GUI thread, as in the settings dialog.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from incidentdesk.app.profile import SecretState, secret_state, store_secret
from incidentdesk.core.errors import UserError
from incidentdesk.ui.settings.secret_row import SecretRow
from incidentdesk.ui.widgets.diagnostics import SideWorker
from incidentdesk.ui.widgets.fitting_dialog import FittingDialog
from incidentdesk.ui.widgets.inline_note import SuccessNote


class SecretDialog(FittingDialog):
    """Store the secret ``name`` on this workstation (system keyring, or this session).

    Signals:
        secret_changed(str): the secret was stored (its name).
    """

    secret_changed = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.label = "Paging secret"
        self.setWindowTitle(f"Set secret — {name}")
        intro = QLabel(
            f"The page could not go out because the secret “{name}” is not set on this "
            "workstation. Paste the integration key (or webhook URL) your team keeps for it: "
            "it is kept in the system keyring (for this session only when there is none), "
            "never in a file or the database."
        )
        intro.setWordWrap(True)
        self.row = SecretRow(SecretState(name, self.label, False), self)
        self.row.store_requested.connect(self._store)
        self.row.remove_button.hide()
        self.done_note = SuccessNote()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.row)
        layout.addWidget(self.done_note)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())
        self._side = SideWorker(self)
        self.row.set_busy(True)
        self.row.state_label.setText("— checking the keyring…")
        self._side.run(lambda: secret_state(name, self.label), self._shown, self._failed)
        self.row.start_editing()

    def _shown(self, state: SecretState) -> None:
        self.row.set_state(state)
        self.row.remove_button.hide()
        self.row.set_busy(False)

    def _store(self, name: str, value: str) -> None:
        self.row.set_busy(True)
        label = self.label
        self._side.run(lambda: store_secret(name, label, value), self._stored, self._failed)
        self.row.value_edit.clear()  # the value lives on in the background step only

    def _stored(self, result: tuple[SecretState, str]) -> None:
        state, message = result
        self._shown(state)
        self.row.stop_editing()
        self.done_note.show_message(f"{message} Page again to send it.")
        self.secret_changed.emit(state.name)

    def _failed(self, error: BaseException) -> None:
        self.row.set_busy(False)
        self.row.error.show_message(str(error) if isinstance(error, UserError) else repr(error))

    def done(self, result: int) -> None:
        self._side.shutdown()
        super().done(result)
