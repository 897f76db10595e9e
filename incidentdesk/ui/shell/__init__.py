"""The application shell: QApplication, the main window, theme, shortcuts, first run."""
