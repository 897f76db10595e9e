"""The escalation panel's widgets, laid out: the title row (summary, chat channel, "Page
another service…"), the no-catalog note, the offer bars, the grid of service rows and the
error note.

:class:`EscalationView` only builds and shows; :class:`~incidentdesk.ui.escalation.panel.
EscalationPanel` connects it to the Desk and decides.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.ui.common.style import WARNING_COLOR
from incidentdesk.ui.escalation.dialogs import OfferBar
from incidentdesk.ui.escalation.words import NO_CATALOG, NO_CHANNEL
from incidentdesk.ui.widgets.inline_note import InlineError, note_css


class EscalationView(QWidget):
    """The escalation panel's widgets (see the module's docstring).

    Signals:
        message(str): status-bar text after a change.
        import_requested(): the user asked to import a catalog (there is none yet).
        catalog_requested(): the user asked to see the catalog ("Open catalog").
    """

    message = Signal(str)
    import_requested = Signal()
    catalog_requested = Signal()

    def _build(self) -> None:
        """Make and lay out the widgets (the panel connects them)."""
        top = self._build_top()
        self._build_no_catalog()
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(1, 1)
        self.empty = QLabel("No affected services named: nobody to page yet.")
        self.empty.setProperty("muted", True)

        self.error = InlineError()
        self.resolve_bar = OfferBar("ResolvePagesOffer")
        self.sme_bar = OfferBar("SmeOffer")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.no_catalog)
        layout.addWidget(self.resolve_bar)
        layout.addLayout(self.grid)
        layout.addWidget(self.empty)
        layout.addWidget(self.sme_bar)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def _build_top(self) -> QHBoxLayout:
        title = QLabel("<b>Escalation</b>")
        title.setToolTip("Page the developer owners of the affected services")
        self.summary = QLabel()
        self.summary.setProperty("muted", True)
        self.other_button = QPushButton("Page another service…")
        self.other_button.setAutoDefault(False)
        self.other_button.setToolTip("Page the owners of a catalog service not in this incident")
        self.channel_box = QComboBox()
        self.channel_box.setAccessibleName("Post status changes to")
        self.channel_box.setToolTip(
            "Post this incident's status and severity changes to a chat channel of the catalog"
        )
        self.channel_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.channel_box.hide()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(title)
        top.addWidget(self.summary, 1)
        top.addWidget(self.channel_box)
        top.addWidget(self.other_button)
        return top

    def _build_no_catalog(self) -> None:
        self.no_catalog = QFrame()
        self.no_catalog.setObjectName("NoCatalog")
        self.no_catalog.setStyleSheet(note_css(WARNING_COLOR).replace("QLabel", "QFrame#NoCatalog"))
        self.no_catalog_text = QLabel(NO_CATALOG)
        self.no_catalog_text.setWordWrap(True)
        self.import_button = QPushButton("Import catalog…")
        self.import_button.setAutoDefault(False)
        self.import_button.setToolTip("Import a TOML catalog or a Backstage catalog-info.yaml")
        self.import_button.clicked.connect(self.import_requested)
        no_catalog = QHBoxLayout(self.no_catalog)
        no_catalog.setContentsMargins(8, 4, 4, 4)
        no_catalog.addWidget(self.no_catalog_text, 1)
        no_catalog.addWidget(self.import_button)
        self.no_catalog.hide()

    def _show_channel_choice(self, targets: list[str], current: str | None) -> None:
        """The chat channel choice (hidden when the catalog names no chat target)."""
        choices = [NO_CHANNEL, *(f"Status changes are posted to {t}" for t in targets)]
        if [self.channel_box.itemText(i) for i in range(self.channel_box.count())] != choices:
            self.channel_box.clear()
            self.channel_box.addItem(NO_CHANNEL, None)
            for target in targets:
                self.channel_box.addItem(f"Status changes are posted to {target}", target)
        index = self.channel_box.findData(current) if current is not None else 0
        self.channel_box.setCurrentIndex(max(index, 0))
        self.channel_box.setVisible(bool(targets))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._fit_height)

    def _fit_height(self) -> None:
        # A splitter gives a pane its minimum size, which ignores wrapped text: ask for the
        # height the rows and notes need at this width, so nothing is cut off.
        layout = self.layout()
        needed = layout.totalHeightForWidth(self.width()) if layout is not None else -1
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)
