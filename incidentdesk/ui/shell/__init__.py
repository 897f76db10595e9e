"""The application shell: QApplication, the main window, theme, shortcuts, first run."""

import PySide6.QtCore  # noqa: F401  (installs PySide's import hook, quickened below)

from incidentdesk.ui.shell.qt_imports import quicken_feature_scan

# Before the window's modules (and later SQLAlchemy, on the store worker) are imported.
quicken_feature_scan()
