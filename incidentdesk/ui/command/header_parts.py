"""Labels that fit any text (the incident header, the role cards): a title in at most two
lines, and a one-line label; both end in "…" when the text does not fit."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent, QShowEvent, QTextLayout
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

ELLIPSIS = "…"


def elide_lines(text: str, font: QFont, width: int, max_lines: int) -> list[str]:
    """``text`` wrapped at word boundaries to ``width`` pixels in at most ``max_lines``
    lines; the last line ends in "…" when the text needed more."""
    if width <= 0 or not text:
        return [text] if text else []
    layout = QTextLayout(text, font)
    layout.beginLayout()
    spans: list[tuple[int, int]] = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        spans.append((line.textStart(), line.textLength()))
    layout.endLayout()
    lines = [text[start : start + length].strip() for start, length in spans]
    if len(lines) <= max_lines:
        return lines
    head = lines[: max_lines - 1]
    rest = " ".join(text[spans[max_lines - 1][0] :].split())
    last = QFontMetrics(font).elidedText(rest, Qt.TextElideMode.ElideRight, width)
    return [*head, last]


class TitleLabel(QLabel):
    """The incident title: wrapped to at most :attr:`MAX_LINES` lines, then elided; the
    full text is in the tooltip and the accessible name. It takes the width it is given
    (it never pushes the badges or the clock aside)."""

    MAX_LINES = 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_text = ""
        self.setWordWrap(False)  # the lines are broken here, so the height is known
        self.setMinimumWidth(80)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def set_full_text(self, text: str) -> None:
        """Show ``text`` in at most two lines."""
        if text != self.full_text:
            self.full_text = text
            self.setToolTip(text)
            self.setAccessibleName(text)
            self._fit()

    def shown_lines(self) -> list[str]:
        """The lines as shown."""
        return self.text().split("\n") if self.text() else []

    def is_elided(self) -> bool:
        """Whether part of the title is hidden (then the tooltip has it all)."""
        return " ".join(" ".join(self.shown_lines()).split()) != " ".join(self.full_text.split())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit()

    def _fit(self) -> None:
        if not self.isVisible():  # no width yet: the whole text until the layout gives one
            text = self.full_text
        else:
            width = self.contentsRect().width()
            text = "\n".join(elide_lines(self.full_text, self.font(), width, self.MAX_LINES))
        if text != self.text():
            self.setText(text)


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" when its text does not fit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_text = ""
        self.setMinimumWidth(1)

    def set_full_text(self, text: str) -> None:
        """Show ``text``, shortened to the width the layout gives."""
        if text != self.full_text:
            self.full_text = text
            self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        self.setText(metrics.elidedText(self.full_text, Qt.TextElideMode.ElideRight, self.width()))
