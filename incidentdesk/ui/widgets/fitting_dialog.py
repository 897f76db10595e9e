"""A dialog whose height follows its wrapped text."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QDialog, QWidget


class FittingDialog(QDialog):
    """Grows or shrinks to fit its contents when a message appears or goes away.

    A window does not follow the height-for-width of wrapped labels on its own: after a
    layout request, once nested layouts have settled, the height is fitted to them.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fit_pending = False

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest and not self._fit_pending:
            self._fit_pending = True
            QTimer.singleShot(0, self, self._fit_height)
        return handled

    def _fit_height(self) -> None:
        self._fit_pending = False
        layout = self.layout()
        needed = layout.totalHeightForWidth(self.width()) if layout is not None else -1
        if needed > 0 and needed != self.height():
            self.setMinimumHeight(needed)
            self.resize(self.width(), needed)
