"""The panes of the post-mortem editor: the start page (choose a template), the section being
written (its text, save state and conflict note) and the side (guidance and findings).

They lay out and show; the editor (:mod:`incidentdesk.ui.postmortem.editor`) decides.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QHelpEvent, QTextCursor
from PySide6.QtWidgets import (
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
    QTabWidget,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.plural import counted
from incidentdesk.core.postmortem.review import CheckedFinding
from incidentdesk.core.postmortem.template import Template
from incidentdesk.ui.postmortem.findings import FindingsHighlighter, FindingsModel, finding_tip
from incidentdesk.ui.widgets.inline_note import InlineError

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.postmortems import SectionView

PREFILL_LABELS = {
    "impact": "Impact and durations",
    "responders": "Responders",
    "timeline": "Timeline (key moments)",
    "escalations": "Escalations",
    "action_items": "Tracked action items",
}


def bold(label: QLabel, scale: float = 1.0) -> None:
    """Make a label's font bold (and ``scale`` times its size)."""
    font = label.font()
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)


def flush_column(parent: QWidget) -> QVBoxLayout:
    """A vertical layout on ``parent`` with no margins."""
    layout = QVBoxLayout(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    return layout


def button_row(*items: QWidget | int, stretch_first: int = 0) -> QHBoxLayout:
    """A row of widgets; an int is a stretch of that factor."""
    row = QHBoxLayout()
    for index, item in enumerate(items):
        if isinstance(item, int):
            row.addStretch(item)
        elif index == 0 and stretch_first:
            row.addWidget(item, stretch_first)
        else:
            row.addWidget(item)
    return row


class StartPage(QWidget):
    """A post-mortem not started yet: choose a template (``start_requested``: start the one
    chosen).

    Action items made from the timeline exist before the post-mortem starts: the page has a
    tab for them too (the editor moves its one action items panel between the tab widgets).
    """

    start_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        intro = QLabel(
            "This incident has no post-mortem yet. Choose a template: sections the journal "
            "already knows (impact, responders, timeline) are filled in for you to edit.",
            self,
        )
        intro.setWordWrap(True)
        self.template_list = QListWidget(self)
        self.template_list.setObjectName("Templates")
        self.template_list.setWordWrap(True)
        self.template_list.setSpacing(2)
        self.template_list.itemDoubleClicked.connect(lambda _i: self.start_requested.emit())
        self.template_errors = InlineError(self)
        self.start_button = QPushButton("Start post-mortem", self)
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(lambda: self.start_requested.emit())
        choose = QWidget(self)
        start_layout = QVBoxLayout(choose)
        start_layout.addWidget(intro)
        start_layout.addWidget(self.template_list, 1)
        start_layout.addWidget(self.template_errors)
        start_layout.addLayout(button_row(1, self.start_button))
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(choose, "Start post-mortem")
        QVBoxLayout(self).addWidget(self.tabs)

    def set_templates(self, templates: Sequence[Template], errors: Sequence[str]) -> None:
        """List the templates (the first one chosen) and the files that failed to load."""
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

    def chosen_template(self) -> str | None:
        """The key of the template chosen in the list (None, and a message, when none is)."""
        item = self.template_list.currentItem()
        if item is None:
            self.template_errors.show_message("Choose a template first.")
            return None
        return str(item.data(Qt.ItemDataRole.UserRole))


class SectionPane(QWidget):
    """The section being written: its title, save state, conflict note and text.

    Signals:
        insert_requested(object): what the journal knows of a kind (None: the section's own).
        merge_requested(): the user asked to merge the conflicting saves.
    """

    insert_requested = Signal(object)
    merge_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section_title = QLabel(self)
        self.section_title.setTextFormat(Qt.TextFormat.PlainText)
        bold(self.section_title)
        self.required_label = QLabel(self)
        self.conflict_note = InlineError(self)
        self.merge_button = QPushButton("Merge…", self)
        self.merge_button.clicked.connect(lambda: self.merge_requested.emit())
        self.merge_button.hide()
        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName("SectionText")
        self.edit.setAccessibleName("Section text")
        self.edit.setTabChangesFocus(False)
        self.highlighter = FindingsHighlighter(self.edit.document(), self.edit.palette())
        self.edit.viewport().installEventFilter(self)
        self.insert_button = QToolButton(self)
        self.insert_button.setText("Insert from journal")
        self.insert_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.insert_menu = QMenu(self.insert_button)
        for kind, label in PREFILL_LABELS.items():
            action = self.insert_menu.addAction(label)
            action.triggered.connect(lambda _c=False, k=kind: self.insert_requested.emit(k))
        self.insert_button.setMenu(self.insert_menu)
        self.insert_button.clicked.connect(lambda: self.insert_requested.emit(None))
        self.save_state = QLabel(self)
        self.save_state.setObjectName("SaveState")
        self.save_state.setTextFormat(Qt.TextFormat.PlainText)
        self.save_state.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout = flush_column(self)
        layout.addLayout(button_row(self.section_title, self.required_label, 1, self.save_state))
        layout.addLayout(button_row(self.conflict_note, self.merge_button, stretch_first=1))
        layout.addWidget(self.edit, 1)
        layout.addLayout(button_row(self.insert_button, 1))

    def show_section(self, section: SectionView) -> None:
        """The title, whether it is required, and what "Insert from journal" inserts."""
        spec = section.spec
        self.section_title.setText(spec.title)
        self.required_label.setText("required" if spec.required else "optional")
        self.insert_button.setToolTip(
            f"Insert {PREFILL_LABELS[spec.prefill].lower()} from the journal"
            if spec.prefill
            else "Insert what the journal knows (choose from the menu)"
        )

    def set_save_state(self, text: str) -> None:
        """The save-state indicator (``Not saved: …`` in the error colour)."""
        self.save_state.setText(text)
        self.save_state.setToolTip(text)
        color = "palette(text)"
        if text.startswith("Not saved:"):
            from incidentdesk.ui.common.style import ERROR_COLOR

            color = ERROR_COLOR
        self.save_state.setStyleSheet(f"QLabel#SaveState {{ color: {color}; }}")

    def show_conflict(self, authors: str | None) -> None:
        """Say the section is in conflict between ``authors`` (None: it is not)."""
        if authors is None:
            self.conflict_note.clear_message()
            self.merge_button.hide()
            return
        self.conflict_note.show_message(
            f"This section was changed on two workstations ({authors}) from the same "
            "version. Both texts are kept; merge them to go on."
        )
        self.merge_button.show()

    def replace_text(self, text: str, keep_cursor: bool) -> None:
        """Put ``text`` in the editor (the cursor and scroll kept when ``keep_cursor``)."""
        cursor = self.edit.textCursor()
        position, anchor = cursor.position(), cursor.anchor()
        scroll = self.edit.verticalScrollBar().value()
        self.edit.setPlainText(text)
        if keep_cursor:
            end = len(text)
            cursor = self.edit.textCursor()
            cursor.setPosition(min(anchor, end))
            cursor.setPosition(min(position, end), QTextCursor.MoveMode.KeepAnchor)
            self.edit.setTextCursor(cursor)
            self.edit.verticalScrollBar().setValue(scroll)

    def insert_text(self, text: str) -> None:
        """Insert at the cursor (after its paragraph; all the text when it is empty)."""
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

    def next_open_finding(self) -> CheckedFinding | None:
        """The first open finding after the cursor, wrapping around (None: there is none)."""
        open_ones = sorted(
            (c for c in self.highlighter.findings() if c.open), key=lambda c: c.finding.start
        )
        here = self.edit.textCursor().selectionStart()
        after = [c for c in open_ones if self.highlighter.qt_span(c)[0] > here]
        found = after or open_ones
        return found[0] if found else None

    def select_finding(self, checked: CheckedFinding) -> None:
        """Select the words of a finding in the text."""
        start, end = self.highlighter.qt_span(checked)
        cursor = self.edit.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.edit.setTextCursor(cursor)

    def tooltip_at(self, position: int) -> str:
        """The hover text at a character position of the section ("" when none)."""
        checked = self.highlighter.finding_at(position)
        return finding_tip(checked) if checked is not None else ""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit.viewport() and event.type() == QEvent.Type.ToolTip:
            help_event = event if isinstance(event, QHelpEvent) else None
            if help_event is not None:
                position = self.edit.cursorForPosition(help_event.pos()).position()
                tip = self.tooltip_at(position)
                if tip:
                    QToolTip.showText(help_event.globalPos(), tip, self.edit)
                else:
                    QToolTip.hideText()
                return True
        return super().eventFilter(watched, event)


def guidance_html(section: SectionView) -> str:
    """The guidance of a section: its questions, its example, what the journal can fill."""
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


class SidePane(QSplitter):
    """The guidance of the section above, its blameless findings below.

    ``accept_requested``: the user asked to keep the selected finding (with a reason).
    """

    accept_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
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
        self._build_findings()
        guidance_box = QWidget(self)
        guidance_layout = flush_column(guidance_box)
        guidance_layout.addWidget(QLabel("Guidance", guidance_box))
        guidance_layout.addWidget(guidance_scroll, 1)
        findings_box = QWidget(self)
        findings_layout = flush_column(findings_box)
        findings_layout.addWidget(self.findings_label)
        findings_layout.addWidget(self.findings_view, 1)
        findings_layout.addWidget(self.finding_detail)
        findings_layout.addLayout(button_row(1, self.accept_button))
        self.addWidget(guidance_box)
        self.addWidget(findings_box)
        self.setChildrenCollapsible(False)
        self.setMinimumWidth(240)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.setSizes([450, 300])

    def _build_findings(self) -> None:
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
        self.findings_label = QLabel("Blameless check", self)
        self.accept_button = QPushButton("Accept with reason…", self)
        self.accept_button.setEnabled(False)
        self.accept_button.clicked.connect(lambda: self.accept_requested.emit())

    def show_findings(self, checked: Sequence[CheckedFinding]) -> int:
        """List the findings of the section on screen; returns how many are open."""
        self.findings_model.set_findings(checked)
        open_count = sum(1 for c in checked if c.open)
        self.findings_label.setText(
            "Blameless check: nothing to reword"
            if not checked
            else f"Blameless check: {open_count} to reword"
            + (f", {len(checked) - open_count} accepted" if len(checked) > open_count else "")
        )
        return open_count

    def current_finding(self) -> CheckedFinding | None:
        """The finding selected in the list."""
        index = self.findings_view.currentIndex()
        return self.findings_model.checked_at(index.row()) if index.isValid() else None

    def select(self, checked: CheckedFinding) -> None:
        """Select a finding in the list."""
        for row in range(self.findings_model.rowCount()):
            if self.findings_model.checked_at(row) == checked:
                self.findings_view.setCurrentIndex(self.findings_model.index(row))

    def show_chosen(self, writable: bool) -> None:
        """Explain the selected finding; "Accept with reason…" when it is open and writable."""
        checked = self.current_finding()
        self.accept_button.setEnabled(checked is not None and checked.open and writable)
        if checked is None and self.findings_model.rowCount():
            self.finding_detail.setText("Select a finding (or press F8) to see why and how.")
        else:
            self.finding_detail.setText(finding_tip(checked) if checked is not None else "")
        self.finding_detail.setVisible(bool(self.finding_detail.text()))
