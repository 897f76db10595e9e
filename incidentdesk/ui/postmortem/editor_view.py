"""The widgets of the post-mortem editor, laid out: the header with the export buttons, the
loading page, the start page, and the editor page (review bar; sections, text and side in a
splitter; the action items tab).

:class:`EditorView` only builds and shows; :class:`~incidentdesk.ui.postmortem.editor.
PostmortemEditor` connects it to the Desk and decides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.ui.postmortem.actions import ActionItemsPanel
from incidentdesk.ui.postmortem.editor_commands import EXPORT_FORMATS
from incidentdesk.ui.postmortem.panes import SectionPane, SidePane, StartPage, bold, flush_column
from incidentdesk.ui.postmortem.review import ReviewBar
from incidentdesk.ui.postmortem.sections import CompletenessMeter, SectionRow, SectionsModel
from incidentdesk.ui.widgets.inline_note import InlineError, SuccessNote

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.postmortems import PostmortemView


class EditorView(QWidget):
    """The post-mortem editor's widgets (see the module's docstring).

    Signals:
        message(str): something for the status bar.
    """

    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        header = self._build_header()
        self.note = SuccessNote(self)
        self.error_note = InlineError(self)
        self.start_page = StartPage(self)
        self.template_list = self.start_page.template_list
        self.start_button = self.start_page.start_button
        self.start_tabs = self.start_page.tabs
        self.review_bar = ReviewBar(self)
        self._build_panes()
        self.actions_panel = ActionItemsPanel(self)
        self.tabs = QTabWidget(self)
        self.tabs.tabBar().setAccessibleName("Post-mortem: sections or action items")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.splitter, "Sections")
        self.tabs.addTab(self.actions_panel, "Action items")
        self.editor_page = QWidget(self)
        editor_layout = flush_column(self.editor_page)
        editor_layout.addWidget(self.review_bar)
        editor_layout.addWidget(self.tabs, 1)
        self.loading_label = QLabel("Loading the post-mortem…", self)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget(self)
        for page in (self.loading_label, self.start_page, self.editor_page):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(header)
        layout.addWidget(self.note)
        layout.addWidget(self.error_note)
        layout.addWidget(self.pages, 1)
        self.save_action = self._add_action("Save the section now", "Ctrl+S")
        self.previous_action = self._add_action("Previous section", "Ctrl+PgUp")
        self.next_action = self._add_action("Next section", "Ctrl+PgDown")
        self.export_action = self._add_action("Export the post-mortem…", "Ctrl+E")
        self.next_finding_action = self._add_action("Next blameless finding", "F8")

    def _build_header(self) -> QHBoxLayout:
        self.title_label = QLabel(self)
        self.title_label.setObjectName("PostmortemTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        bold(self.title_label, 1.25)
        self.title_label.setWordWrap(True)
        self.subtitle_label = QLabel(self)
        self.subtitle_label.setTextFormat(Qt.TextFormat.PlainText)
        self.export_buttons: dict[str, QPushButton] = {}
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title_label)
        titles.addWidget(self.subtitle_label)
        header.addLayout(titles, 1)
        header.addWidget(QLabel("Export:", self))
        for fmt, label in EXPORT_FORMATS:
            button = QPushButton(label, self)
            button.setToolTip(f"Export the post-mortem as {label} (Ctrl+E: choose the format)")
            header.addWidget(button)
            self.export_buttons[fmt] = button
        return header

    def _build_navigator(self) -> QWidget:
        self.sections_model = SectionsModel(self)
        self.navigator = QListView(self)
        self.navigator.setObjectName("PostmortemSections")
        self.navigator.setAccessibleName("Sections")
        self.navigator.setModel(self.sections_model)
        self.navigator.setUniformItemSizes(True)
        self.navigator.setMinimumWidth(230)
        self.meter = CompletenessMeter(self)
        nav_box = QWidget(self)
        nav_layout = flush_column(nav_box)
        nav_layout.addWidget(QLabel("Sections", nav_box))
        nav_layout.addWidget(self.navigator, 1)
        nav_layout.addWidget(self.meter)
        return nav_box

    def _build_panes(self) -> None:
        navigator = self._build_navigator()  # first: the focus chain follows creation
        self.section_pane = pane = SectionPane(self)
        self.edit, self.highlighter = pane.edit, pane.highlighter
        self.merge_button, self.insert_button = pane.merge_button, pane.insert_button
        self.save_state = pane.save_state
        self.side = side = SidePane(self)
        self.guidance, self.findings_model = side.guidance, side.findings_model
        self.findings_view, self.finding_detail = side.findings_view, side.finding_detail
        self.accept_button = side.accept_button
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("PostmortemSplitter")
        for index, (widget, stretch) in enumerate(((navigator, 0), (pane, 3), (side, 2))):
            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(index, stretch)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([270, 620, 340])

    def _add_action(self, text: str, keys: str) -> QAction:
        """A keyboard shortcut of the editor (and its children)."""
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        return action

    def sizeHint(self) -> QSize:
        return QSize(1200, 780)

    # ------------------------------------------------------------ showing

    def _show_header(self, view: PostmortemView) -> None:
        """The title, the subtitle and the page for a post-mortem (started or not)."""
        self.title_label.setText(f"Post-mortem — {view.title}")
        if view.started:
            self.subtitle_label.setText(
                f"{view.severity} · {view.template_name} template · revision {view.revision}"
            )
        else:
            self.subtitle_label.setText(f"{view.severity} · not started")
        self.pages.setCurrentWidget(self.editor_page if view.started else self.start_page)
        for button in self.export_buttons.values():
            button.setEnabled(view.started)

    def _show_sections(self, view: PostmortemView, key: str | None, me: str) -> None:
        """The review bar, the sections' list and meter (``key``, the section being typed
        in, keeps its live completeness) and whether the text can be edited."""
        self.review_bar.set_review(
            view.review_state, view.revision, view.reviewers, view.approved_by, view.blockers, me
        )
        rows = [
            SectionRow(s.spec, s.completeness, s.open_findings, s.conflict is not None)
            for s in view.sections
        ]
        self.sections_model.set_rows(rows)
        if key is not None:
            self.sections_model.set_text(key, self.edit.toPlainText())
        self._update_meter()
        self.edit.setReadOnly(view.read_only)
        self.insert_button.setEnabled(not view.read_only)

    def _show_outcome(self, text: str, failed: bool) -> None:
        """How a command went, in the notes and the status bar ("" when it says nothing)."""
        shown, cleared = (self.error_note, self.note) if failed else (self.note, self.error_note)
        cleared.clear_message()
        if text:
            shown.show_message(text)
            self.message.emit(text)

    def _timer(self, interval_ms: int, slot: Callable[[], None]) -> QTimer:
        """A single-shot timer of the editor."""
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval_ms)
        timer.timeout.connect(slot)
        return timer

    def _update_meter(self) -> None:
        self.meter.set_counts(*self.sections_model.counts())

    def _place_action_items(self, view: PostmortemView) -> None:
        """The action items tab, on the start page until the post-mortem starts."""
        home, away = (self.tabs, self.start_tabs) if view.started else (self.start_tabs, self.tabs)
        if home.indexOf(self.actions_panel) < 0:
            away.removeTab(away.indexOf(self.actions_panel))
            home.addTab(self.actions_panel, "")
        self.actions_panel.set_items(view.action_items, view.today)
        overdue = len(view.overdue())
        home.setTabText(
            home.indexOf(self.actions_panel),
            f"Action items ({len(view.action_items)}"
            + (f", {overdue} overdue)" if overdue else ")"),
        )

    def action_items_tab_text(self) -> str:
        """The title of the action items tab, wherever it is (``Action items (2)``)."""
        for tabs in (self.tabs, self.start_tabs):
            index = tabs.indexOf(self.actions_panel)
            if index >= 0:
                return tabs.tabText(index)
        return ""

    def _raise_action_items(self, item_id: str) -> None:
        for tabs in (self.tabs, self.start_tabs):
            if tabs.indexOf(self.actions_panel) >= 0:
                tabs.setCurrentWidget(self.actions_panel)
        self.actions_panel.select_item(item_id)
