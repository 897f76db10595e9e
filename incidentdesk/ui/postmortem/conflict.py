"""The merge dialog for a section two workstations changed from the same save.

It shows the common base, this workstation's text ("mine") and the other one(s) ("theirs")
side by side, and a merged text to edit; "Keep mine", "Keep theirs" and "Merge" each save
one text that supersedes every competing save (``Desk.postmortems.resolve_conflict``).
Nothing is lost: the competing saves stay in the journal.
"""

from __future__ import annotations

from collections.abc import Collection
from difflib import SequenceMatcher

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.postmortem.model import SectionConflict, SectionSave
from incidentdesk.ui.postmortem.save_chain import pick_mine
from incidentdesk.ui.widgets.inline_note import InlineError


def _changes(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    """(base start, base end, replacement lines) for each change from ``base`` to ``other``."""
    matcher = SequenceMatcher(a=base, b=other, autojunk=False)
    return [
        (i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]


def merge3(base: str, mine: str, theirs: str) -> tuple[str, bool]:
    """A line-by-line three-way merge: ``(text, clean)``.

    Changes that touch different lines of the base are combined; when both sides changed the
    same lines differently, the merge is not clean and the text is ``mine`` (for the person
    to edit).
    """
    if mine == theirs or theirs == base:
        return mine, True
    if mine == base:
        return theirs, True
    # Lines without their ends: saved texts lose a final newline, which is no change.
    base_lines = base.split("\n")
    ours = _changes(base_lines, mine.split("\n"))
    others = _changes(base_lines, theirs.split("\n"))
    edits = sorted([(s, e, r, 0) for s, e, r in ours] + [(s, e, r, 1) for s, e, r in others])
    merged: list[str] = []
    position = 0
    last: tuple[int, int, list[str], int] | None = None
    for start, end, lines, side in edits:
        if last is not None and (
            start < last[1] or (start == last[0] == last[1] == end and side != last[3])
        ):
            if (start, end, lines) == last[:3]:
                continue  # the same change on both sides
            return mine, False
        merged.extend(base_lines[position:start])
        merged.extend(lines)
        position = max(position, end)
        last = (start, end, lines, side)
    merged.extend(base_lines[position:])
    return "\n".join(merged), True


def _pane(title: str, text: str, parent: QWidget) -> tuple[QLabel, QPlainTextEdit]:
    label = QLabel(title, parent)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    edit = QPlainTextEdit(parent)
    edit.setPlainText(text)
    edit.setReadOnly(True)
    edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    return label, edit


class ConflictDialog(QDialog):
    """Merge the competing saves of one section.

    Args:
        title: the section's title.
        conflict: base and heads (from ``SectionView.conflict``).
        mine_ids: ids of the saves this workstation made (the first head among them is
            "mine"; otherwise the last head by ``me``, otherwise the first head).
        mine_text: unsaved text on screen, shown as "mine" instead of its saved text.
        me: this workstation's author name.
        parent: the editor.

    Signals:
        resolved(str): the text to save as the merge of every head.
    """

    resolved = Signal(str)

    def __init__(
        self,
        title: str,
        conflict: SectionConflict,
        mine_ids: Collection[str],
        me: str,
        parent: QWidget | None = None,
        mine_text: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Merge the edits of “{title}”")
        self.resize(1100, 640)
        self.conflict = conflict
        mine = pick_mine(conflict.heads, mine_ids, me)
        others = [h for h in conflict.heads if h.id != mine.id]
        self.mine_text = mine.text if mine_text is None else mine_text
        self.theirs_text = others[-1].text if others else ""
        merged, clean = merge3(conflict.base_text, self.mine_text, self.theirs_text)
        if len(others) > 1:
            clean = False
            merged = self.mine_text
        intro, grid = self._build_panes(title, conflict, mine, others, mine_text)

        merged_label = QLabel(
            "Merged text" + ("" if clean else " — the edits overlap: edit this to combine them"),
            self,
        )
        font = QFont(merged_label.font())
        font.setBold(True)
        merged_label.setFont(font)
        self.merged_clean = clean
        self.merged_edit = QPlainTextEdit(self)
        self.merged_edit.setPlainText(merged)
        self.error = InlineError(self)

        buttons = self._build_buttons()

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid, 2)
        layout.addWidget(merged_label)
        layout.addWidget(self.merged_edit, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def _build_panes(
        self,
        title: str,
        conflict: SectionConflict,
        mine: SectionSave,
        others: list[SectionSave],
        mine_text: str | None,
    ) -> tuple[QLabel, QGridLayout]:
        intro = QLabel(
            f"“{title}” was changed here and on another workstation from the same version. "
            "Both texts are kept in the journal; choose or write the text that replaces them.",
            self,
        )
        intro.setWordWrap(True)
        base_label, self.base_edit = _pane("Base (before both edits)", conflict.base_text, self)
        mine_title = f"Mine ({mine.author}{', with unsaved words' if mine_text else ''})"
        mine_label, self.mine_edit = _pane(mine_title, self.mine_text, self)
        theirs_title = "Theirs (" + ", ".join(dict.fromkeys(o.author for o in others)) + ")"
        theirs_body = "\n\n— — —\n\n".join(o.text for o in others)
        theirs_label, self.theirs_edit = _pane(theirs_title, theirs_body, self)
        grid = QGridLayout()
        for column, (label, edit) in enumerate(
            ((base_label, self.base_edit), (mine_label, self.mine_edit)),
        ):
            grid.addWidget(label, 0, column)
            grid.addWidget(edit, 1, column)
        grid.addWidget(theirs_label, 0, 2)
        grid.addWidget(self.theirs_edit, 1, 2)
        return intro, grid

    def _build_buttons(self) -> QHBoxLayout:
        self.keep_mine_button = QPushButton("Keep &mine", self)
        self.keep_theirs_button = QPushButton("Keep &theirs", self)
        self.merge_button = QPushButton("&Merge", self)
        self.merge_button.setDefault(True)
        self.cancel_button = QPushButton("Later", self)
        self.cancel_button.setToolTip("Close; the section stays in conflict until merged")
        self.keep_mine_button.clicked.connect(lambda: self._finish(self.mine_text))
        self.keep_theirs_button.clicked.connect(lambda: self._finish(self.theirs_text))
        self.merge_button.clicked.connect(lambda: self._finish(self.merged_edit.toPlainText()))
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        for button in (self.keep_mine_button, self.keep_theirs_button, self.merge_button):
            buttons.addWidget(button)
        return buttons

    def _finish(self, text: str) -> None:
        self.resolved.emit(text)
        self.accept()

    def show_error(self, message: str) -> None:
        """Say why the merge could not be saved."""
        self.error.show_message(message)
