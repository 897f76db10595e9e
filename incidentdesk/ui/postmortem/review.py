"""The review bar: Draft → In review → Approved → Published, and Not required.

It shows the state, the reviewers and who approved, and offers only the steps the workflow
allows from here. Approve stays disabled while something blocks it, and the reasons are
listed beside it (incomplete required sections, open findings, open conflicts, not a named
reviewer). A published post-mortem offers "Start a new revision".
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.postmortem.model import REVIEW_LABELS, TRANSITIONS
from incidentdesk.ui.common.style import STATUS_COLORS, badge_css

REVIEW_COLORS = {
    "draft": STATUS_COLORS["closed"],
    "in_review": STATUS_COLORS["identified"],
    "approved": STATUS_COLORS["mitigated"],
    "published": STATUS_COLORS["resolved"],
    "not_required": STATUS_COLORS["closed"],
}


def split_names(text: str) -> list[str]:
    """Reviewers typed as ``Alice, Bob``: trimmed, each once."""
    return list(dict.fromkeys(n.strip() for n in text.replace(";", ",").split(",") if n.strip()))


class ReviewBar(QWidget):
    """Review state and the steps available from it.

    Signals:
        step_requested(str, list): move to a review state with these reviewers.
        revision_requested(): start a new revision of the published post-mortem.
    """

    step_requested = Signal(str, list)
    revision_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReviewBar")
        self.state = "draft"
        self.badge = QLabel(self)
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.people_label = QLabel(self)
        self.people_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reviewers_edit = QLineEdit(self)
        self.reviewers_edit.setPlaceholderText("Reviewers, e.g. Lena Novak, Alex Kim")
        self.reviewers_edit.setMinimumWidth(220)
        self.reviewers_edit.setAccessibleName("Reviewers")
        self.send_button = QPushButton("Send for review", self)
        self.approve_button = QPushButton("Approve", self)
        self.publish_button = QPushButton("Publish", self)
        self.draft_button = QPushButton("Back to draft", self)
        self.not_required_button = QPushButton("Not required", self)
        self.revision_button = QPushButton("Start a new revision", self)
        self.blockers_label = QLabel(self)
        self.blockers_label.setWordWrap(True)
        self.blockers_label.setTextFormat(Qt.TextFormat.PlainText)
        self.blockers_label.setObjectName("ApprovalBlockers")

        self.send_button.clicked.connect(self._send)
        self.approve_button.clicked.connect(lambda: self._step("approved"))
        self.publish_button.clicked.connect(lambda: self._step("published"))
        self.draft_button.clicked.connect(lambda: self._step("draft"))
        self.not_required_button.clicked.connect(lambda: self._step("not_required"))
        self.revision_button.clicked.connect(self.revision_requested)
        self.reviewers_edit.returnPressed.connect(self._send)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        row.addWidget(self.badge)
        row.addWidget(self.people_label, 1)
        row.addWidget(self.reviewers_edit)
        for button in (
            self.send_button,
            self.approve_button,
            self.publish_button,
            self.draft_button,
            self.not_required_button,
            self.revision_button,
        ):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.blockers_label)

    def set_people(self, people: Sequence[str]) -> None:
        """Names offered while typing reviewers."""
        completer = QCompleter(list(people), self.reviewers_edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.reviewers_edit.setCompleter(completer)

    def set_review(
        self,
        state: str,
        revision: int,
        reviewers: Sequence[str],
        approved_by: Sequence[str],
        blockers: Sequence[str],
        me: str,
    ) -> None:
        """Show the review state and enable the steps allowed from it."""
        self.state = state
        label = REVIEW_LABELS.get(state, state)
        self.badge.setText(f"{label.capitalize()} · rev. {revision}")
        self.badge.setStyleSheet(badge_css(REVIEW_COLORS.get(state, "#757575")))
        facts = []
        if reviewers:
            facts.append("Reviewers: " + ", ".join(reviewers))
        if approved_by:
            facts.append("approved by " + ", ".join(approved_by))
        self.people_label.setText(" · ".join(facts))
        allowed = TRANSITIONS.get(state, ())
        self.send_button.setVisible("in_review" in allowed and state != "approved")
        self.reviewers_edit.setVisible(self.send_button.isVisible())
        if self.reviewers_edit.isVisible() and not self.reviewers_edit.text():
            self.reviewers_edit.setText(", ".join(reviewers))
        self.approve_button.setVisible("approved" in allowed)
        self.publish_button.setVisible("published" in allowed)
        self.draft_button.setVisible("draft" in allowed)
        self.not_required_button.setVisible("not_required" in allowed)
        self.revision_button.setVisible(state == "published")

        reasons = list(blockers)
        if state == "in_review" and me not in reviewers:
            reasons.append(f"only a named reviewer can approve; {me} is not one")
        self.approve_button.setEnabled(not reasons)
        if state == "in_review" and reasons:
            self.blockers_label.setText("Cannot approve yet: " + "; ".join(reasons))
            self.approve_button.setToolTip("\n".join(reasons))
        elif state == "published":
            self.blockers_label.setText(
                "Published: read-only. Start a new revision to change the text."
            )
            self.approve_button.setToolTip("")
        else:
            self.blockers_label.setText("")
            self.approve_button.setToolTip("")
        self.blockers_label.setVisible(bool(self.blockers_label.text()))

    def _send(self) -> None:
        if self.send_button.isVisible():
            self._step("in_review")

    def _step(self, state: str) -> None:
        names = split_names(self.reviewers_edit.text()) if state == "in_review" else []
        self.step_requested.emit(state, names)
