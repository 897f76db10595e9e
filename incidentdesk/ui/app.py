"""Start the desktop application."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


class MainWindow(QMainWindow):
    """The application shell (the command view arrives with the command-window issue)."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.setWindowTitle("IncidentDesk")
        label = QLabel(f"IncidentDesk\n\nData: {data_dir}")
        label.setMargin(24)
        self.setCentralWidget(label)
        self.resize(1200, 800)


def run_app(data_dir: Path, chosen: bool, author: str | None) -> int:
    """Open the main window and run until it closes."""
    app = QApplication.instance() or QApplication(sys.argv)
    window = MainWindow(data_dir)
    window.show()
    return int(app.exec())
