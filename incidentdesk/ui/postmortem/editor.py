"""The guided blameless post-mortem editor for one incident.

Left, the sections with their completeness and the overall meter; in the middle, the text of
the current section, checked for blameless language as it is typed; right, the section's
guidance (questions and an example) and its findings. Above, the review bar; a second tab
holds the action items. The panes are in :mod:`~incidentdesk.ui.postmortem.panes`.

Saving: a couple of seconds after typing stops, on Ctrl+S, when another section is chosen
and on close. What is saved, in flight and in conflict is kept by the Qt-free
:class:`~incidentdesk.ui.postmortem.save_chain.SaveChain` (its docstring tells how). Other
commands (start, review, action items, export) are in ``editor_commands``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QWidget

from incidentdesk.app.postmortem_files import editor_setup, fetch_postmortem
from incidentdesk.core.postmortem.model import Acceptance, SectionConflict
from incidentdesk.core.postmortem.review import CheckedFinding, match_findings
from incidentdesk.core.postmortem.template import Template
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.tasks import user_message
from incidentdesk.ui.postmortem.conflict import ConflictDialog
from incidentdesk.ui.postmortem.editor_commands import EditorCommands, choose_export_target
from incidentdesk.ui.postmortem.editor_view import EditorView
from incidentdesk.ui.postmortem.findings import AcceptFindingDialog
from incidentdesk.ui.postmortem.panes import PREFILL_LABELS, guidance_html
from incidentdesk.ui.postmortem.save_chain import SaveChain
from incidentdesk.ui.postmortem.sections import KEY_ROLE

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.postmortems import PostmortemView, SectionView
    from incidentdesk.core.postmortem.blameless import Checker

AUTOSAVE_MS = 2000  # a save this long after typing stops
CHECK_MS = 80  # the blameless check runs once typing pauses this long (it takes a few ms)


class PostmortemEditor(EditorView):
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
    """

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
        self.chain = SaveChain(incident_id, client.author)
        self._acceptances: tuple[Acceptance, ...] = ()
        self._key: str | None = None
        self._setting_text = False
        self._last_text = ""
        self._checked_for: tuple[str, str, int] | None = None
        self._fetching = False
        self._refetch = False

        self._autosave = self._timer(autosave_ms, self.save_now)
        self._check_timer = self._timer(CHECK_MS, self.run_check)
        then = (self._done, self._failed, self.save_now, self.actions_panel.clear_new)
        self.commands = EditorCommands(client, incident_id, *then)
        self._connect()
        client.incidents_changed.connect(self.on_incidents_changed)
        self.section_pane.set_save_state("")
        self.client.call(
            lambda d: editor_setup(d, incident_id),
            lambda result: self._set_up(*result),
            self._load_failed,
        )

    # ------------------------------------------------------------ wiring

    def _connect(self) -> None:
        for fmt, button in self.export_buttons.items():
            button.clicked.connect(lambda _c=False, f=fmt: self.choose_export(f))
        self.start_page.start_requested.connect(lambda: self.start_postmortem())
        self.review_bar.step_requested.connect(
            lambda state, names: self.commands.set_review_state(state, names, self.checker)
        )
        self.review_bar.revision_requested.connect(self.commands.start_revision)
        self.navigator.selectionModel().currentChanged.connect(self._navigator_moved)
        self.section_pane.insert_requested.connect(self.insert_from_journal)
        self.section_pane.merge_requested.connect(self.open_conflict_dialog)
        self.edit.textChanged.connect(self._text_edited)
        self.side.accept_requested.connect(self.open_accept_dialog)
        self.findings_view.selectionModel().currentChanged.connect(
            lambda _c, _p: self._finding_chosen()
        )
        self.findings_view.clicked.connect(self._show_finding_in_text)
        self.actions_panel.add_requested.connect(self.commands.add_action_item)
        self.actions_panel.edit_requested.connect(self.commands.edit_action_item)
        self.save_action.triggered.connect(lambda _c=False: self.save_now())
        self.previous_action.triggered.connect(lambda _c=False: self.move_section(-1))
        self.next_action.triggered.connect(lambda _c=False: self.move_section(1))
        self.export_action.triggered.connect(lambda _c=False: self.choose_export())
        self.next_finding_action.triggered.connect(lambda _c=False: self.next_finding())

    # ------------------------------------------------------------ loading

    def _set_up(
        self, checker: Checker, templates: list[Template], errors: list[str], people: list[str]
    ) -> None:
        self.checker = checker
        self.templates = templates
        self.start_page.set_templates(templates, errors)
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
            lambda d: fetch_postmortem(d, incident_id, checker),
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
        self._show_header(view)
        self._place_action_items(view)
        if view.started:
            self._show_sections(view, self._key, self.client.author)
            self._follow(view)
        if not self.is_loaded:
            self.is_loaded = True
            self.loaded.emit()
        self._maybe_refetch()

    def _follow(self, view: PostmortemView) -> None:
        if self._key is None or self.sections_model.row_of(self._key) < 0:
            if view.sections:
                self.select_section(view.sections[0].key)
        else:
            self._reconcile(view.section(self._key))
        self._checked_for = None
        self.run_check()

    # ------------------------------------------------------------ sections

    def select_section(self, key: str) -> None:
        """Show a section (the one being left is saved first)."""
        if self.view is None or key == self._key:
            return
        self.save_now()
        section = self.view.section(key)
        self._key = key
        row = self.sections_model.row_of(key)
        if self.navigator.currentIndex().row() != row:
            self.navigator.setCurrentIndex(self.sections_model.index(row))
        self.section_pane.show_section(section)
        self.guidance.setText(guidance_html(section))
        self.chain.open(section)
        self._set_text(self.chain.shown_text(section))
        self._show_conflict(section)
        self.edit.setReadOnly(self.view.read_only or section.conflict is not None)
        self._checked_for = None
        self.run_check()

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
        self._setting_text = True
        try:
            self.section_pane.replace_text(text, keep_cursor)
        finally:
            self._setting_text = False
        self._last_text = text
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
            self.section_pane.set_save_state("Not saved yet")

    def is_dirty(self) -> bool:
        """Whether the section on screen has text not yet sent to be saved."""
        return self.chain.is_dirty(self._key, self.edit.toPlainText())

    def save_now(self) -> None:
        """Save the section on screen if it changed (Ctrl+S; also on switching and close)."""
        self._autosave.stop()
        key, view = self._key, self.view
        if key is None or view is None or not view.started or not self.is_dirty():
            return
        refusal = self.chain.refusal(view.read_only)
        if refusal:
            self.section_pane.set_save_state(refusal)
            return
        text = self.edit.toPlainText()
        job = self.chain.save(key, text)
        self.section_pane.set_save_state("Saving…")
        self.client.command(
            job,
            lambda new: self._saved(key, new),
            lambda error: self._save_failed(key, text, error),
        )

    def _saved(self, key: str, save_id: str) -> None:
        if self.chain.saved(key) and not (key == self._key and self.is_dirty()):
            self.section_pane.set_save_state(f"Saved {datetime.now().strftime('%H:%M')}")
        self.saved.emit(save_id)
        self.refresh()

    def _save_failed(self, key: str, text: str, error: BaseException) -> None:
        self.chain.failed(key, text, user_message(error))
        self.section_pane.set_save_state(f"Not saved: {self.chain.error}")
        self.refresh()

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
        self._show_conflict(section)
        text = self.chain.follow(section, self.edit.toPlainText())
        if section.conflict is not None:
            self.edit.setReadOnly(True)
            if text is not None:
                self._set_text(text, keep_cursor=True)
            return
        self.edit.setReadOnly(self.view is not None and self.view.read_only)
        if text is not None:
            self._set_text(text, keep_cursor=True)
            self._checked_for = None
            self.section_pane.set_save_state("Updated from another workstation")

    # ------------------------------------------------------------ conflicts

    def _show_conflict(self, section: SectionView) -> None:
        conflict = section.conflict
        opens = self.chain.new_conflict(section)
        if conflict is None:
            self.section_pane.show_conflict(None)
            if self.conflict_dialog is not None and self.conflict_dialog.isVisible():
                self.conflict_dialog.reject()
            return
        self.section_pane.show_conflict(", ".join(dict.fromkeys(h.author for h in conflict.heads)))
        if opens:
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
            section.spec.title, conflict, set(self.chain.mine), self.client.author, self, unsaved
        )
        key = section.key
        dialog.resolved.connect(lambda text: self._resolve(key, conflict, text))
        self.conflict_dialog = dialog
        dialog.open()
        return dialog

    def _resolve(self, key: str, conflict: SectionConflict, text: str) -> None:
        job = self.chain.resolve(key, text, [h.id for h in conflict.heads])
        self.section_pane.set_save_state("Saving…")

        def done(new: str) -> None:
            if key == self._key:
                self.chain.conflict_heads = ()
                self.section_pane.show_conflict(None)
                self._set_text(text, keep_cursor=True)
                self._checked_for = None
            self._saved(key, new)

        self.client.command(job, done, lambda error: self._save_failed(key, text, error))

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
        checked = match_findings(self._key, self.checker.check(text), self._acceptances)
        self.highlighter.set_findings(checked)
        self.sections_model.set_open_findings(self._key, self.side.show_findings(checked))
        self._finding_chosen()

    def findings(self) -> list[CheckedFinding]:
        """The findings underlined in the section on screen."""
        return self.highlighter.findings()

    def tooltip_at(self, position: int) -> str:
        """The hover text at a character position of the section ("" when none)."""
        return self.section_pane.tooltip_at(position)

    def next_finding(self) -> None:
        """Select the next open finding after the cursor, wrapping around (F8)."""
        self.run_check()
        checked = self.section_pane.next_open_finding()
        if checked is None:
            self.message.emit("No blameless findings to reword in this section.")
            return
        self.section_pane.select_finding(checked)
        self.edit.setFocus()
        self.side.select(checked)

    def _show_finding_in_text(self, index: Any) -> None:
        if index.isValid():
            self.section_pane.select_finding(self.findings_model.checked_at(index.row()))

    def _finding_chosen(self) -> None:
        self.side.show_chosen(self.view is not None and not self.view.read_only)

    def open_accept_dialog(self) -> AcceptFindingDialog | None:
        """Ask the reason to keep the selected finding (it is then recorded)."""
        checked = self.side.current_finding()
        if checked is None or self._key is None:
            return None
        dialog = AcceptFindingDialog(checked, self)
        key = self._key
        dialog.accepted_with.connect(lambda reason: self.accept_finding(key, checked, reason))
        self.accept_dialog = dialog
        dialog.open()
        return dialog

    # ------------------------------------------------------------ commands

    def accept_finding(self, key: str, checked: CheckedFinding, reason: str) -> None:
        """Record that a finding is kept as written, for ``reason``."""
        self.commands.accept_finding(key, checked, reason)

    def insert_from_journal(self, kind: str | None) -> None:
        """Insert what the journal knows (``impact``, ``responders``, ``timeline``,
        ``escalations``, ``action_items``; None: the section's own kind) at the cursor."""
        if self.view is None or self._key is None or self.edit.isReadOnly():
            return
        wanted = kind or self.view.section(self._key).spec.prefill or "timeline"
        key = self._key
        self.commands.prefill(wanted, lambda text: self._insert(key, wanted, text))

    def _insert(self, key: str, kind: str, text: str) -> None:
        if key != self._key or self.edit.isReadOnly():
            return
        if not text.strip():
            self.message.emit(f"The journal has nothing for {PREFILL_LABELS[kind].lower()}.")
        else:
            self.section_pane.insert_text(text)

    def start_postmortem(self, template_key: str | None = None) -> None:
        """Start the post-mortem from a template (the one chosen in the list when None)."""
        key = template_key or self.start_page.chosen_template()
        if key is None:
            return
        self.start_button.setEnabled(False)
        self.commands.start(key, lambda: self.start_button.setEnabled(True))

    def show_action_item(self, item_id: str) -> None:
        """Bring the action items forward with one item selected (once they have loaded)."""
        if not self.is_loaded:
            self.loaded.connect(lambda: self.show_action_item(item_id))
            return
        self._raise_action_items(item_id)

    def choose_export(self, fmt: str | None = None) -> None:
        """Ask where to export (Ctrl+E: any format, chosen by the file's suffix)."""
        if self.view is None or not self.view.started:
            self.message.emit("Start the post-mortem before exporting it.")
            return
        target = choose_export_target(self, self.incident_id, fmt)
        if target is not None:
            self.export_document(*target)

    def export_document(self, path: Path, fmt: str | None = None) -> None:
        """Export to ``path`` on the worker (unsaved text is saved first); ``exported`` or
        ``export_failed`` tells how it went."""
        from incidentdesk.app.postmortem_files import export_format

        chosen = fmt or export_format(path) or "md"
        self.save_now()
        self.note.clear_message()
        self.error_note.clear_message()
        self.message.emit(f"Exporting to {path}…")
        self.commands.export(path, chosen, self.exported.emit, self.export_failed.emit)

    # ------------------------------------------------------------ messages

    def _done(self, text: str) -> None:
        self._show_outcome(text, failed=False)
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self._show_outcome(user_message(error), failed=True)
        self.refresh()
