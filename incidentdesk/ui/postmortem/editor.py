"""The guided blameless post-mortem editor for one incident.

Left, the sections with their completeness and the overall meter; in the middle, the text of
the current section, checked for blameless language as it is typed; right, the section's
guidance (questions and an example) and its findings. Above, the review bar; a second tab
holds the action items.

Saving: a save goes to the Desk a couple of seconds after typing stops, on Ctrl+S, when
another section is chosen and when the editor closes. Each save names the save it was based
on. The base is read and advanced on the store worker itself, so saves queued one after
another form a chain, never a conflict with themselves. When another workstation's save of
the section being edited arrives (the change feed), the text is updated in place if nothing
here is unsaved; otherwise the next save makes a conflict, which the merge dialog shows.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QHelpEvent, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.plural import counted
from incidentdesk.core.postmortem.model import Acceptance, SectionConflict
from incidentdesk.core.postmortem.review import CheckedFinding, match_findings
from incidentdesk.core.postmortem.template import Template
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.tasks import user_message
from incidentdesk.ui.postmortem.actions import ActionItemsPanel
from incidentdesk.ui.postmortem.conflict import ConflictDialog, pick_mine
from incidentdesk.ui.postmortem.findings import (
    AcceptFindingDialog,
    FindingsHighlighter,
    FindingsModel,
    finding_tip,
)
from incidentdesk.ui.postmortem.review import ReviewBar
from incidentdesk.ui.postmortem.sections import (
    KEY_ROLE,
    CompletenessMeter,
    SectionRow,
    SectionsModel,
)
from incidentdesk.ui.widgets.inline_note import InlineError, SuccessNote

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.desk import Desk
    from incidentdesk.app.postmortems import PostmortemView, SectionView
    from incidentdesk.core.postmortem.blameless import Checker

AUTOSAVE_MS = 2000  # a save this long after typing stops
CHECK_MS = 80  # the blameless check runs once typing pauses this long (it takes a few ms)
EXPORT_FORMATS = (("md", "Markdown"), ("html", "HTML"), ("pdf", "PDF"))
EXPORT_FILTERS = {"md": "Markdown (*.md)", "html": "HTML (*.html)", "pdf": "PDF (*.pdf)"}
PREFILL_LABELS = {
    "impact": "Impact and durations",
    "responders": "Responders",
    "timeline": "Timeline (key moments)",
    "escalations": "Escalations",
    "action_items": "Tracked action items",
}


def _local_tz() -> Any:
    return datetime.now().astimezone().tzinfo


def _setup(desk: Desk, incident_id: str) -> tuple[Checker, list[Template], list[str], list[str]]:
    """On the worker: the blameless checker (knowing the incident's and the catalog's
    people), the templates, template errors and the names offered for owners/reviewers."""
    from incidentdesk.infra import rules

    state = desk.incidents.get(incident_id)
    known = desk.postmortems.checker_people(state)  # the incident's and the catalog's people
    checker = rules.default_checker(known)
    people = sorted({*desk.incidents.people(), *known}, key=str.casefold)
    return checker, desk.postmortems.templates(), desk.postmortems.template_errors(), people


def _fetch(
    desk: Desk, incident_id: str, checker: Checker | None
) -> tuple[PostmortemView, tuple[Acceptance, ...]]:
    view = desk.postmortems.view(incident_id, checker)
    return view, tuple(desk.incidents.get(incident_id).postmortem.accepted)


class PostmortemEditor(QWidget):
    """The post-mortem of one incident: start it, write it, review it, export it.

    Args:
        client: the UI's handle on the Desk.
        incident_id: the incident (full id).
        parent: the owning widget.
        autosave_ms: the pause after typing before a save.

    Signals:
        message(str): something for the status bar.
        loaded(): the post-mortem (or the template choice) is on screen.
        saved(str): a section save was recorded (its event id).
        exported(str): an export was written (its path).
        export_failed(str): an export failed (the message).
        open_requested(str): the user asked for another incident's post-mortem.
    """

    message = Signal(str)
    loaded = Signal()
    saved = Signal(str)
    exported = Signal(str)
    export_failed = Signal(str)

    def __init__(
        self,
        client: DeskClient,
        incident_id: str,
        parent: QWidget | None = None,
        autosave_ms: int = AUTOSAVE_MS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PostmortemEditor")
        self.client = client
        self.incident_id = incident_id
        self.view: PostmortemView | None = None
        self.checker: Checker | None = None
        self.templates: list[Template] = []
        self.is_loaded = False
        self.conflict_dialog: ConflictDialog | None = None
        self.accept_dialog: AcceptFindingDialog | None = None
        self._acceptances: tuple[Acceptance, ...] = ()
        self._key: str | None = None
        # Per section: the save this workstation's text is based on (read and advanced on
        # the worker by each save), the text last sent to be saved, saves still queued.
        self._bases: dict[str, str | None] = {}
        self._sent: dict[str, str] = {}
        self._unsaved: dict[str, str] = {}  # text whose save failed: kept until one succeeds
        self._inflight: dict[str, int] = {}
        self._mine: set[str] = set()
        self._conflict_heads: tuple[str, ...] = ()
        self._setting_text = False
        self._last_text = ""
        self._checked_for: tuple[str, str, int] | None = None
        self._fetching = False
        self._refetch = False
        self._save_error = ""

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(autosave_ms)
        self._autosave.timeout.connect(self.save_now)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_MS)
        self._check_timer.timeout.connect(self.run_check)

        self._build()
        self._build_actions()
        client.incidents_changed.connect(self.on_incidents_changed)
        self._set_save_state("")
        self.client.call(
            lambda d: _setup(d, incident_id),
            lambda result: self._set_up(*result),
            self._load_failed,
        )

    # ------------------------------------------------------------ building

    def _build(self) -> None:
        self.title_label = QLabel(self)
        self.title_label.setObjectName("PostmortemTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title_label.setFont(font)
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
            button.clicked.connect(lambda _c=False, f=fmt: self.choose_export(f))
            header.addWidget(button)
            self.export_buttons[fmt] = button

        self.note = SuccessNote(self)
        self.error_note = InlineError(self)

        # The start page: choose a template.
        self.start_page = QWidget(self)
        intro = QLabel(
            "This incident has no post-mortem yet. Choose a template: sections the journal "
            "already knows (impact, responders, timeline) are filled in for you to edit.",
            self.start_page,
        )
        intro.setWordWrap(True)
        self.template_list = QListWidget(self.start_page)
        self.template_list.setObjectName("Templates")
        self.template_list.setWordWrap(True)
        self.template_list.setSpacing(2)
        self.template_list.itemDoubleClicked.connect(lambda _i: self.start_postmortem())
        self.template_errors = InlineError(self.start_page)
        self.start_button = QPushButton("Start post-mortem", self.start_page)
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(lambda: self.start_postmortem())
        choose = QWidget(self.start_page)
        start_layout = QVBoxLayout(choose)
        start_layout.addWidget(intro)
        start_layout.addWidget(self.template_list, 1)
        start_layout.addWidget(self.template_errors)
        start_row = QHBoxLayout()
        start_row.addStretch(1)
        start_row.addWidget(self.start_button)
        start_layout.addLayout(start_row)
        # Action items made from the timeline exist before the post-mortem starts: the start
        # page has their tab too (the one panel moves between the two tab widgets).
        self.start_tabs = QTabWidget(self.start_page)
        self.start_tabs.setDocumentMode(True)
        self.start_tabs.addTab(choose, "Start post-mortem")
        QVBoxLayout(self.start_page).addWidget(self.start_tabs)

        # The editor page.
        self.review_bar = ReviewBar(self)
        self.review_bar.step_requested.connect(self.set_review_state)
        self.review_bar.revision_requested.connect(self.start_revision)

        self.sections_model = SectionsModel(self)
        self.navigator = QListView(self)
        self.navigator.setObjectName("PostmortemSections")
        self.navigator.setAccessibleName("Sections")
        self.navigator.setModel(self.sections_model)
        self.navigator.setUniformItemSizes(True)
        self.navigator.setMinimumWidth(230)
        self.navigator.selectionModel().currentChanged.connect(self._navigator_moved)
        self.meter = CompletenessMeter(self)
        nav_box = QWidget(self)
        nav_layout = QVBoxLayout(nav_box)
        nav_layout.setContentsMargins(0, 0, 0, 0)
        nav_layout.addWidget(QLabel("Sections", nav_box))
        nav_layout.addWidget(self.navigator, 1)
        nav_layout.addWidget(self.meter)

        self.section_title = QLabel(self)
        self.section_title.setTextFormat(Qt.TextFormat.PlainText)
        title_font = self.section_title.font()
        title_font.setBold(True)
        self.section_title.setFont(title_font)
        self.required_label = QLabel(self)
        self.conflict_note = InlineError(self)
        self.merge_button = QPushButton("Merge…", self)
        self.merge_button.clicked.connect(self.open_conflict_dialog)
        self.merge_button.hide()
        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName("SectionText")
        self.edit.setAccessibleName("Section text")
        self.edit.setTabChangesFocus(False)
        self.highlighter = FindingsHighlighter(self.edit.document(), self.edit.palette())
        self.edit.textChanged.connect(self._text_edited)
        self.edit.viewport().installEventFilter(self)
        self.insert_button = QToolButton(self)
        self.insert_button.setText("Insert from journal")
        self.insert_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.insert_menu = QMenu(self.insert_button)
        for kind, label in PREFILL_LABELS.items():
            action = self.insert_menu.addAction(label)
            action.triggered.connect(lambda _c=False, k=kind: self.insert_from_journal(k))
        self.insert_button.setMenu(self.insert_menu)
        self.insert_button.clicked.connect(lambda: self.insert_from_journal(None))
        self.save_state = QLabel(self)
        self.save_state.setObjectName("SaveState")
        self.save_state.setTextFormat(Qt.TextFormat.PlainText)
        self.save_state.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        center = QWidget(self)
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(0, 0, 0, 0)
        title_row = QHBoxLayout()
        title_row.addWidget(self.section_title)
        title_row.addWidget(self.required_label)
        title_row.addStretch(1)
        title_row.addWidget(self.save_state)
        center_layout.addLayout(title_row)
        conflict_row = QHBoxLayout()
        conflict_row.addWidget(self.conflict_note, 1)
        conflict_row.addWidget(self.merge_button)
        center_layout.addLayout(conflict_row)
        center_layout.addWidget(self.edit, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.insert_button)
        bottom.addStretch(1)
        center_layout.addLayout(bottom)

        self.guidance = QLabel(self)
        self.guidance.setObjectName("SectionGuidance")
        self.guidance.setWordWrap(True)
        self.guidance.setTextFormat(Qt.TextFormat.RichText)
        self.guidance.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.guidance.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        guidance_scroll = QScrollArea(self)
        guidance_scroll.setAccessibleName("Guidance for this section")
        guidance_scroll.setWidgetResizable(True)
        guidance_scroll.setWidget(self.guidance)
        guidance_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.findings_model = FindingsModel(self)
        self.findings_view = QListView(self)
        self.findings_view.setObjectName("Findings")
        self.findings_view.setAccessibleName("Blameless findings")
        self.findings_view.setModel(self.findings_model)
        self.findings_view.setAlternatingRowColors(True)
        self.findings_view.setUniformItemSizes(True)
        self.finding_detail = QLabel(self)
        self.finding_detail.setObjectName("FindingDetail")
        self.finding_detail.setWordWrap(True)
        self.finding_detail.setTextFormat(Qt.TextFormat.PlainText)
        self.finding_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.findings_view.selectionModel().currentChanged.connect(self._finding_chosen)
        self.findings_view.clicked.connect(self._show_finding_in_text)
        self.findings_label = QLabel("Blameless check", self)
        self.accept_button = QPushButton("Accept with reason…", self)
        self.accept_button.setEnabled(False)
        self.accept_button.clicked.connect(self.open_accept_dialog)
        side = QSplitter(Qt.Orientation.Vertical, self)
        guidance_box = QWidget(side)
        guidance_layout = QVBoxLayout(guidance_box)
        guidance_layout.setContentsMargins(0, 0, 0, 0)
        guidance_layout.addWidget(QLabel("Guidance", guidance_box))
        guidance_layout.addWidget(guidance_scroll, 1)
        findings_box = QWidget(side)
        findings_layout = QVBoxLayout(findings_box)
        findings_layout.setContentsMargins(0, 0, 0, 0)
        findings_layout.addWidget(self.findings_label)
        findings_layout.addWidget(self.findings_view, 1)
        findings_layout.addWidget(self.finding_detail)
        accept_row = QHBoxLayout()
        accept_row.addStretch(1)
        accept_row.addWidget(self.accept_button)
        findings_layout.addLayout(accept_row)
        side.addWidget(guidance_box)
        side.addWidget(findings_box)
        side.setChildrenCollapsible(False)
        side.setMinimumWidth(240)
        side.setStretchFactor(0, 3)
        side.setStretchFactor(1, 2)
        side.setSizes([450, 300])

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("PostmortemSplitter")
        self.splitter.addWidget(nav_box)
        self.splitter.addWidget(center)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([270, 620, 340])

        self.actions_panel = ActionItemsPanel(self)
        self.actions_panel.add_requested.connect(self.add_action_item)
        self.actions_panel.edit_requested.connect(self.edit_action_item)

        self.tabs = QTabWidget(self)
        self.tabs.tabBar().setAccessibleName("Post-mortem: sections or action items")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.splitter, "Sections")
        self.tabs.addTab(self.actions_panel, "Action items")

        self.editor_page = QWidget(self)
        editor_layout = QVBoxLayout(self.editor_page)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(self.review_bar)
        editor_layout.addWidget(self.tabs, 1)

        self.loading_label = QLabel("Loading the post-mortem…", self)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.loading_label)
        self.pages.addWidget(self.start_page)
        self.pages.addWidget(self.editor_page)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(header)
        layout.addWidget(self.note)
        layout.addWidget(self.error_note)
        layout.addWidget(self.pages, 1)

    def _build_actions(self) -> None:
        def add(text: str, keys: str, slot: Callable[[], Any]) -> QAction:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _c=False: slot())
            self.addAction(action)
            return action

        self.save_action = add("Save the section now", "Ctrl+S", self.save_now)
        self.previous_action = add("Previous section", "Ctrl+PgUp", lambda: self.move_section(-1))
        self.next_action = add("Next section", "Ctrl+PgDown", lambda: self.move_section(1))
        self.export_action = add("Export the post-mortem…", "Ctrl+E", self.choose_export)
        self.next_finding_action = add("Next blameless finding", "F8", self.next_finding)

    def sizeHint(self) -> QSize:
        return QSize(1200, 780)

    # ------------------------------------------------------------ loading

    def _set_up(
        self, checker: Checker, templates: list[Template], errors: list[str], people: list[str]
    ) -> None:
        self.checker = checker
        self.templates = templates
        self.template_list.clear()
        for template in templates:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, template.key)
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole, f"{template.name}\n{template.description}"
            )
            sections = ", ".join(s.title for s in template.sections)
            label = QLabel(
                f"<b>{html.escape(template.name)}</b><br>{html.escape(template.description)}"
                f"<br><span style='color: palette(placeholder-text)'>"
                f"{counted(len(template.sections), 'section')}: {html.escape(sections)}</span>",
                self.template_list,
            )
            label.setContentsMargins(6, 4, 6, 4)  # one line each: the size hint is exact
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            self.template_list.addItem(item)
            self.template_list.setItemWidget(item, label)
            item.setSizeHint(QSize(0, label.sizeHint().height() + 6))
        if self.template_list.count():
            self.template_list.setCurrentRow(0)
        self.template_errors.show_message("\n".join(errors))
        self.actions_panel.set_people(people)
        self.review_bar.set_people(people)
        self.refresh()

    def _load_failed(self, error: BaseException) -> None:
        self.loading_label.setText(user_message(error))
        self.error_note.show_message(user_message(error))

    def on_incidents_changed(self, incident_ids: list[str]) -> None:
        """The change feed says these incidents have new events."""
        if self.incident_id in incident_ids:
            self.refresh()

    def refresh(self) -> None:
        """Fetch the post-mortem again (one fetch at a time)."""
        if self.checker is None:
            return  # the setup's own refresh comes
        if self._fetching:
            self._refetch = True
            return
        self._fetching = True
        incident_id, checker = self.incident_id, self.checker
        self.client.call(
            lambda d: _fetch(d, incident_id, checker),
            lambda result: self._arrived(*result),
            self._fetch_failed,
        )

    def _fetch_failed(self, error: BaseException) -> None:
        self._fetching = False
        self.error_note.show_message(user_message(error))
        self._maybe_refetch()

    def _maybe_refetch(self) -> None:
        if self._refetch:
            self._refetch = False
            self.refresh()

    def _arrived(self, view: PostmortemView, acceptances: tuple[Acceptance, ...]) -> None:
        self._fetching = False
        self.view = view
        self._acceptances = acceptances
        self.title_label.setText(f"Post-mortem — {view.title}")
        self._place_action_items(view)
        if not view.started:
            self.subtitle_label.setText(f"{view.severity} · not started")
            self.pages.setCurrentWidget(self.start_page)
            for button in self.export_buttons.values():
                button.setEnabled(False)
        else:
            self._show_view(view)
        if not self.is_loaded:
            self.is_loaded = True
            self.loaded.emit()
        self._maybe_refetch()

    def _show_view(self, view: PostmortemView) -> None:
        self.pages.setCurrentWidget(self.editor_page)
        for button in self.export_buttons.values():
            button.setEnabled(True)
        self.subtitle_label.setText(
            f"{view.severity} · {view.template_name} template · revision {view.revision}"
        )
        self.review_bar.set_review(
            view.review_state,
            view.revision,
            view.reviewers,
            view.approved_by,
            view.blockers,
            self.client.author,
        )
        rows = [
            SectionRow(s.spec, s.completeness, s.open_findings, s.conflict is not None)
            for s in view.sections
        ]
        self.sections_model.set_rows(rows)
        if self._key is not None:  # the section being typed in keeps its live completeness
            self.sections_model.set_text(self._key, self.edit.toPlainText())
        self._update_meter()
        self.edit.setReadOnly(view.read_only)
        self.insert_button.setEnabled(not view.read_only)
        if self._key is None or self.sections_model.row_of(self._key) < 0:
            if view.sections:
                self.select_section(view.sections[0].key)
        else:
            self._reconcile(view.section(self._key))
        self._checked_for = None
        self.run_check()

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

    def show_action_item(self, item_id: str) -> None:
        """Bring the action items forward with one item selected (once they have loaded)."""
        if not self.is_loaded:
            self.loaded.connect(lambda: self.show_action_item(item_id))
            return
        for tabs in (self.tabs, self.start_tabs):
            if tabs.indexOf(self.actions_panel) >= 0:
                tabs.setCurrentWidget(self.actions_panel)
        self.actions_panel.select_item(item_id)

    def _update_meter(self) -> None:
        self.meter.set_counts(*self.sections_model.counts())

    # ------------------------------------------------------------ sections

    def select_section(self, key: str) -> None:
        """Show a section (the one being left is saved first)."""
        if self.view is None:
            return
        if key == self._key:
            return
        self.save_now()
        section = self.view.section(key)
        self._key = key
        row = self.sections_model.row_of(key)
        if self.navigator.currentIndex().row() != row:
            self.navigator.setCurrentIndex(self.sections_model.index(row))
        spec = section.spec
        self.section_title.setText(spec.title)
        self.required_label.setText("required" if spec.required else "optional")
        self.guidance.setText(self._guidance_html(section))
        self.insert_button.setToolTip(
            f"Insert {PREFILL_LABELS[spec.prefill].lower()} from the journal"
            if spec.prefill
            else "Insert what the journal knows (choose from the menu)"
        )
        if not self._inflight.get(key):
            self._bases[key] = section.base
            self._sent[key] = section.text
        self._set_text(self._shown_text(section))
        self._conflict_heads = ()
        self._show_conflict(section)
        self.edit.setReadOnly(self.view.read_only or section.conflict is not None)
        self._checked_for = None
        self.run_check()

    def _shown_text(self, section: SectionView) -> str:
        if section.conflict is not None:  # this workstation's side, until merged
            return pick_mine(section.conflict.heads, self._mine, self.client.author).text
        if section.key in self._unsaved:  # a refused save: the words stay on screen
            return self._unsaved[section.key]
        return self._sent.get(section.key, section.text)

    @staticmethod
    def _guidance_html(section: SectionView) -> str:
        spec = section.spec
        parts = []
        if spec.guidance:
            items = "".join(f"<li>{html.escape(q)}</li>" for q in spec.guidance)
            parts.append(f"<p><b>Questions to answer</b></p><ul>{items}</ul>")
        if spec.example:
            example = html.escape(spec.example).replace("\n", "<br>")
            parts.append(f"<p><b>Example</b></p><p><i>{example}</i></p>")
        if spec.prefill:
            parts.append(
                f"<p>The journal can fill this in: “Insert from journal” adds the "
                f"{html.escape(PREFILL_LABELS[spec.prefill].lower())} as text to edit.</p>"
            )
        return "".join(parts) or "<p>No guidance for this section.</p>"

    def _navigator_moved(self, current: Any, _previous: Any) -> None:
        key = current.data(KEY_ROLE) if current.isValid() else None
        if isinstance(key, str) and key != self._key:
            self.select_section(key)

    def move_section(self, step: int) -> None:
        """Go to the previous (-1) or next (1) section (Ctrl+PgUp, Ctrl+PgDown)."""
        if self._key is None:
            return
        row = self.sections_model.row_of(self._key) + step
        if 0 <= row < self.sections_model.rowCount():
            self.select_section(self.sections_model.row_at(row).key)

    def current_section(self) -> str | None:
        """The key of the section being edited."""
        return self._key

    # ------------------------------------------------------------ text and saving

    def _set_text(self, text: str, keep_cursor: bool = False) -> None:
        """Replace the editor's text without counting it as an edit."""
        cursor = self.edit.textCursor()
        position, anchor = cursor.position(), cursor.anchor()
        scroll = self.edit.verticalScrollBar().value()
        self._setting_text = True
        try:
            self.edit.setPlainText(text)
        finally:
            self._setting_text = False
        self._last_text = text
        if keep_cursor:
            end = len(text)
            cursor = self.edit.textCursor()
            cursor.setPosition(min(anchor, end))
            cursor.setPosition(min(position, end), QTextCursor.MoveMode.KeepAnchor)
            self.edit.setTextCursor(cursor)
            self.edit.verticalScrollBar().setValue(scroll)
        if self._key is not None:
            self.sections_model.set_text(self._key, text)
            self._update_meter()

    def _text_edited(self) -> None:
        text = self.edit.toPlainText()
        if self._setting_text or self._key is None or text == self._last_text:
            return
        self._last_text = text
        self.sections_model.set_text(self._key, text)
        self._update_meter()
        self._check_timer.start()
        if self.is_dirty():
            self._autosave.start()  # restarted by every edit
            self._set_save_state("Not saved yet")

    def is_dirty(self) -> bool:
        """Whether the section on screen has text not yet sent to be saved."""
        if self._key is None:
            return False
        return self.edit.toPlainText() != self._sent.get(self._key, "")

    def save_now(self) -> None:
        """Save the section on screen if it changed (Ctrl+S; also on switching and close)."""
        self._autosave.stop()
        key = self._key
        view = self.view
        if key is None or view is None or not view.started or not self.is_dirty():
            return
        if view.read_only:
            self._set_save_state("Not saved: the post-mortem is read-only")
            return
        if self._conflict_heads:
            self._set_save_state("Not saved: merge the conflicting edits first")
            return
        text = self.edit.toPlainText()
        self._sent[key] = text
        self._inflight[key] = self._inflight.get(key, 0) + 1
        self._set_save_state("Saving…")
        incident_id, bases, mine = self.incident_id, self._bases, self._mine

        def save(desk: Desk) -> str:
            # On the worker, in order: each save is based on the one queued before it.
            new = desk.postmortems.save_section(incident_id, key, text, bases.get(key))
            bases[key] = new
            mine.add(new)
            return new

        self.client.command(
            save,
            lambda new: self._saved(key, new),
            lambda error: self._save_failed(key, text, error),
        )

    def _saved(self, key: str, save_id: str) -> None:
        self._inflight[key] -= 1
        self._unsaved.pop(key, None)
        self._save_error = ""
        if not self._inflight[key] and not (key == self._key and self.is_dirty()):
            self._set_save_state(f"Saved {datetime.now().strftime('%H:%M')}")
        self.saved.emit(save_id)
        self.refresh()

    def _save_failed(self, key: str, text: str, error: BaseException) -> None:
        self._inflight[key] -= 1
        self._unsaved[key] = text  # shown again when the section is, until a save succeeds
        if self._sent.get(key) == text:
            self._sent[key] = "\x00unsaved"  # never equal to the text: still to be saved
        self._save_error = user_message(error)
        self._set_save_state(f"Not saved: {self._save_error}")
        self.refresh()

    def _set_save_state(self, text: str) -> None:
        self.save_state.setText(text)
        self.save_state.setToolTip(text)
        color = "palette(text)"
        if text.startswith("Not saved:"):
            from incidentdesk.ui.common.style import ERROR_COLOR

            color = ERROR_COLOR
        self.save_state.setStyleSheet(f"QLabel#SaveState {{ color: {color}; }}")

    def save_state_text(self) -> str:
        """The save-state indicator's words (``Saved 12:04``, ``Saving…``, ``Not saved: …``)."""
        return self.save_state.text()

    def flush(self) -> None:
        """Save anything unsaved now (the window is closing)."""
        self.save_now()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush()
        super().closeEvent(event)

    def _reconcile(self, section: SectionView) -> None:
        """A newer view of the section on screen arrived: follow other workstations' saves."""
        key = section.key
        self._show_conflict(section)
        if section.conflict is not None:
            self.edit.setReadOnly(True)
            shown = self._shown_text(section)
            if not self.is_dirty() and not self._inflight.get(key):
                self._sent[key] = shown
                self._set_text(shown, keep_cursor=True)
            return
        self.edit.setReadOnly(self.view is not None and self.view.read_only)
        if self._inflight.get(key):
            return  # our own save is on its way; the next view includes it
        if section.base == self._bases.get(key):
            return
        on_screen = self.edit.toPlainText()
        if not self.is_dirty() or on_screen == section.text:
            self._bases[key] = section.base
            self._sent[key] = section.text
            if on_screen != section.text:
                self._set_text(section.text, keep_cursor=True)
                self._checked_for = None
                self._set_save_state("Updated from another workstation")
        # Otherwise: unsaved edits here stay; the next save (on the old base) is a conflict.

    # ------------------------------------------------------------ conflicts

    def _show_conflict(self, section: SectionView) -> None:
        conflict = section.conflict
        if conflict is None:
            self._conflict_heads = ()
            self.conflict_note.clear_message()
            self.merge_button.hide()
            if self.conflict_dialog is not None and self.conflict_dialog.isVisible():
                self.conflict_dialog.reject()
            return
        authors = ", ".join(dict.fromkeys(h.author for h in conflict.heads))
        self.conflict_note.show_message(
            f"This section was changed on two workstations ({authors}) from the same "
            "version. Both texts are kept; merge them to go on."
        )
        self.merge_button.show()
        heads = tuple(h.id for h in conflict.heads)
        if heads != self._conflict_heads:
            self._conflict_heads = heads
            self.open_conflict_dialog()

    def open_conflict_dialog(self) -> ConflictDialog | None:
        """Show the merge dialog for the section on screen (if it is in conflict)."""
        if self.view is None or self._key is None:
            return None
        section = self.view.section(self._key)
        conflict = section.conflict
        if conflict is None:
            return None
        if self.conflict_dialog is not None:
            self.conflict_dialog.reject()
        # Unsaved words typed here are part of "mine": the merge must not lose them.
        unsaved = self.edit.toPlainText() if self.is_dirty() else None
        dialog = ConflictDialog(
            section.spec.title, conflict, set(self._mine), self.client.author, self, unsaved
        )
        key = section.key
        dialog.resolved.connect(lambda text: self._resolve(key, conflict, text))
        self.conflict_dialog = dialog
        dialog.open()
        return dialog

    def _resolve(self, key: str, conflict: SectionConflict, text: str) -> None:
        heads = [h.id for h in conflict.heads]
        incident_id, bases, mine = self.incident_id, self._bases, self._mine
        self._inflight[key] = self._inflight.get(key, 0) + 1
        self._sent[key] = text
        self._set_save_state("Saving…")

        def resolve(desk: Desk) -> str:
            new = desk.postmortems.resolve_conflict(incident_id, key, text, heads)
            bases[key] = new
            mine.add(new)
            return new

        def done(new: str) -> None:
            if key == self._key:
                self._conflict_heads = ()
                self.conflict_note.clear_message()
                self.merge_button.hide()
                self._set_text(text, keep_cursor=True)
                self._checked_for = None
            self._saved(key, new)

        self.client.command(resolve, done, lambda error: self._save_failed(key, text, error))

    # ------------------------------------------------------------ blameless check

    def run_check(self) -> None:
        """Check the text on screen now and underline what the check finds."""
        self._check_timer.stop()
        if self.checker is None or self._key is None:
            return
        text = self.edit.toPlainText()
        stamp = (self._key, text, len(self._acceptances))
        if stamp == self._checked_for:
            return
        self._checked_for = stamp
        found = self.checker.check(text)
        checked = match_findings(self._key, found, self._acceptances)
        self.highlighter.set_findings(checked)
        self.findings_model.set_findings(checked)
        open_count = sum(1 for c in checked if c.open)
        self.sections_model.set_open_findings(self._key, open_count)
        self.findings_label.setText(
            "Blameless check: nothing to reword"
            if not checked
            else f"Blameless check: {open_count} to reword"
            + (f", {len(checked) - open_count} accepted" if len(checked) > open_count else "")
        )
        self._finding_chosen(self.findings_view.currentIndex(), None)

    def findings(self) -> list[CheckedFinding]:
        """The findings underlined in the section on screen."""
        return self.highlighter.findings()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit.viewport() and event.type() == QEvent.Type.ToolTip:
            help_event = event if isinstance(event, QHelpEvent) else None
            if help_event is not None:
                position = self.edit.cursorForPosition(help_event.pos()).position()
                checked = self.highlighter.finding_at(position)
                if checked is not None:
                    QToolTip.showText(help_event.globalPos(), finding_tip(checked), self.edit)
                else:
                    QToolTip.hideText()
                return True
        return super().eventFilter(watched, event)

    def tooltip_at(self, position: int) -> str:
        """The hover text at a character position of the section ("" when none)."""
        checked = self.highlighter.finding_at(position)
        return finding_tip(checked) if checked is not None else ""

    def next_finding(self) -> None:
        """Select the next open finding after the cursor, wrapping around (F8)."""
        self.run_check()
        open_ones = sorted(
            (c for c in self.highlighter.findings() if c.open), key=lambda c: c.finding.start
        )
        if not open_ones:
            self.message.emit("No blameless findings to reword in this section.")
            return
        here = self.edit.textCursor().selectionStart()
        after = [c for c in open_ones if self.highlighter.qt_span(c)[0] > here]
        self._select_finding((after or open_ones)[0])

    def _select_finding(self, checked: CheckedFinding) -> None:
        start, end = self.highlighter.qt_span(checked)
        cursor = self.edit.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.edit.setTextCursor(cursor)
        self.edit.setFocus()
        for row in range(self.findings_model.rowCount()):
            if self.findings_model.checked_at(row) == checked:
                self.findings_view.setCurrentIndex(self.findings_model.index(row))

    def _show_finding_in_text(self, index: Any) -> None:
        if index.isValid():
            start, end = self.highlighter.qt_span(self.findings_model.checked_at(index.row()))
            cursor = self.edit.textCursor()
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            self.edit.setTextCursor(cursor)

    def _finding_chosen(self, current: Any, _previous: Any) -> None:
        valid = current is not None and current.isValid()
        checked = self.findings_model.checked_at(current.row()) if valid else None
        writable = self.view is not None and not self.view.read_only
        self.accept_button.setEnabled(checked is not None and checked.open and writable)
        if checked is None and self.findings_model.rowCount():
            self.finding_detail.setText("Select a finding (or press F8) to see why and how.")
        else:
            self.finding_detail.setText(finding_tip(checked) if checked is not None else "")
        self.finding_detail.setVisible(bool(self.finding_detail.text()))

    def open_accept_dialog(self) -> AcceptFindingDialog | None:
        """Ask the reason to keep the selected finding (it is then recorded)."""
        index = self.findings_view.currentIndex()
        if not index.isValid() or self._key is None:
            return None
        checked = self.findings_model.checked_at(index.row())
        dialog = AcceptFindingDialog(checked, self)
        key = self._key
        dialog.accepted_with.connect(lambda reason: self.accept_finding(key, checked, reason))
        self.accept_dialog = dialog
        dialog.open()
        return dialog

    def accept_finding(self, key: str, checked: CheckedFinding, reason: str) -> None:
        """Record that a finding is kept as written, for ``reason``."""
        self.save_now()
        incident_id = self.incident_id
        finding = checked.finding
        self.client.command(
            lambda d: d.postmortems.accept_finding(
                incident_id, key, finding.rule_id, finding.text, finding.start, reason
            ),
            lambda _id: self._done("Finding accepted; the reason is recorded."),
            self._failed,
        )

    # ------------------------------------------------------------ journal prefill

    def insert_from_journal(self, kind: str | None) -> None:
        """Insert what the journal knows (``impact``, ``responders``, ``timeline``,
        ``escalations``, ``action_items``; None: the section's own kind) at the cursor."""
        if self.view is None or self._key is None or self.edit.isReadOnly():
            return
        wanted = kind or self.view.section(self._key).spec.prefill or "timeline"
        incident_id, key = self.incident_id, self._key
        self.client.call(
            lambda d: d.postmortems.prefill(incident_id, _local_tz()).texts.get(wanted, ""),
            lambda text: self._insert(key, wanted, text),
            self._failed,
        )

    def _insert(self, key: str, kind: str, text: str) -> None:
        if key != self._key or self.edit.isReadOnly():
            return
        if not text.strip():
            self.message.emit(f"The journal has nothing for {PREFILL_LABELS[kind].lower()}.")
            return
        cursor = self.edit.textCursor()
        if self.edit.toPlainText().strip():
            block = cursor.block().text()
            if block.strip():
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
                text = "\n\n" + text
        else:
            cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        self.edit.setTextCursor(cursor)
        self.edit.setFocus()

    # ------------------------------------------------------------ starting, review

    def start_postmortem(self, template_key: str | None = None) -> None:
        """Start the post-mortem from a template (the one chosen in the list when None)."""
        if template_key is None:
            item = self.template_list.currentItem()
            if item is None:
                self.template_errors.show_message("Choose a template first.")
                return
            template_key = str(item.data(Qt.ItemDataRole.UserRole))
        incident_id, key = self.incident_id, template_key
        self.start_button.setEnabled(False)

        def started(_id: str) -> None:
            self.start_button.setEnabled(True)
            self._done("Post-mortem started.")

        def failed(error: BaseException) -> None:
            self.start_button.setEnabled(True)
            self._failed(error)

        self.client.command(
            lambda d: d.postmortems.start(incident_id, key, local_tz=_local_tz()), started, failed
        )

    def set_review_state(self, state: str, reviewers: Sequence[str] = ()) -> None:
        """Move the review along (the Desk checks the rules and says why it refuses)."""
        self.save_now()
        incident_id, checker, names = self.incident_id, self.checker, list(reviewers)
        self.client.command(
            lambda d: d.postmortems.set_review_state(incident_id, state, names, checker=checker),
            lambda _id: self._done(f"The post-mortem is now {state.replace('_', ' ')}."),
            self._failed,
        )

    def start_revision(self) -> None:
        """Make a published post-mortem a draft again, as its next revision."""
        incident_id = self.incident_id
        self.client.command(
            lambda d: d.postmortems.start_revision(incident_id),
            lambda _id: self._done("A new revision is open for editing."),
            self._failed,
        )

    # ------------------------------------------------------------ action items

    def add_action_item(self, description: str, owner: str, kind: str) -> None:
        """Add an action item (due by default per the incident's severity)."""
        incident_id = self.incident_id

        def added(_id: str) -> None:
            self.actions_panel.clear_new()
            self._done("Action item added.")

        self.client.command(
            lambda d: d.action_items.save(
                incident_id, None, description=description, owner=owner, type=kind
            ),
            added,
            self._failed,
        )

    def edit_action_item(self, item_id: str, field: str, value: Any) -> None:
        """Change one field of an action item."""
        incident_id = self.incident_id
        self.client.command(
            lambda d: d.action_items.save(incident_id, item_id, **{field: value}),
            lambda _id: self._done(""),
            self._failed,
        )

    # ------------------------------------------------------------ export

    def choose_export(self, fmt: str | None = None) -> None:
        """Ask where to export (Ctrl+E: any format, chosen by the file's suffix)."""
        if self.view is None or not self.view.started:
            self.message.emit("Start the post-mortem before exporting it.")
            return
        filters = [EXPORT_FILTERS[fmt]] if fmt else list(EXPORT_FILTERS.values())
        suggested = f"postmortem-{self.incident_id[:8]}.{fmt or 'md'}"
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export the post-mortem", str(Path.home() / suggested), ";;".join(filters)
        )
        if not path:
            return
        from incidentdesk.infra.export import format_for

        target = Path(path)
        picked = fmt or format_for(target)
        if picked is None:
            picked = next((f for f, label in EXPORT_FILTERS.items() if label == chosen), "md")
            target = target.with_suffix(f".{picked}")
        self.export_document(target, picked)

    def export_document(self, path: Path, fmt: str | None = None) -> None:
        """Export to ``path`` on the worker (unsaved text is saved first); ``exported`` or
        ``export_failed`` tells how it went."""
        from incidentdesk.infra.export import export, format_for

        chosen = fmt or format_for(path) or "md"
        self.save_now()
        incident_id = self.incident_id
        self.note.clear_message()
        self.error_note.clear_message()
        self.message.emit(f"Exporting to {path}…")

        def job(desk: Desk) -> str:
            started = time.monotonic()
            export(desk.postmortems.document(incident_id), chosen, path)
            return f"{path}|{time.monotonic() - started:.2f}"

        def done(result: str) -> None:
            written = result.rpartition("|")[0]
            self._done(f"Exported to {written}")
            self.exported.emit(written)

        def failed(error: BaseException) -> None:
            self._failed(error)
            self.export_failed.emit(user_message(error))

        self.client.call(job, done, failed)

    # ------------------------------------------------------------ messages

    def _done(self, text: str) -> None:
        self.error_note.clear_message()
        if text:
            self.note.show_message(text)
            self.message.emit(text)
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        text = user_message(error)
        self.note.clear_message()
        self.error_note.show_message(text)
        self.message.emit(text)
        self.refresh()


# ------------------------------------------------------------ integration


def render_postmortem_for_screenshot(
    desk_client_or_desk: DeskClient | Desk,
    incident_id: str,
    size: tuple[int, int] = (1400, 900),
    timeout_s: float = 20.0,
) -> PostmortemEditor:
    """A post-mortem editor on ``incident_id``, loaded and laid out at ``size``, for
    ``grab()``. Given a Desk, a client is made for it (stopped with the editor)."""
    from incidentdesk.core.errors import DomainError

    app = QApplication.instance()
    if isinstance(desk_client_or_desk, DeskClient):
        client = desk_client_or_desk
        own = False
    else:
        client = DeskClient(desk_client_or_desk)
        own = True
    editor = PostmortemEditor(client, incident_id)
    if own:
        client.setParent(editor)
    editor.resize(*size)
    editor.show()
    deadline = time.monotonic() + timeout_s
    while not (editor.is_loaded and client.worker.pending == 0):
        if time.monotonic() > deadline:
            raise DomainError("The post-mortem did not load in time for the screenshot.")
        if app is not None:
            app.processEvents()
        time.sleep(0.005)
    for _ in range(10):
        if app is not None:
            app.processEvents()
    editor.edit.moveCursor(QTextCursor.MoveOperation.Start)
    editor.edit.ensureCursorVisible()
    return editor


from incidentdesk.ui.postmortem.menu import PostmortemWindows, install_postmortem  # noqa: E402

__all__ = [
    "PostmortemEditor",
    "PostmortemWindows",
    "install_postmortem",
    "render_postmortem_for_screenshot",
]
