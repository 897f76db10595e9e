"""The Qt binding must not lose references to None or True (PySide6 6.12.0 on Python 3.11
did: the app aborted with "bool_dealloc"/"none_dealloc" after a few minutes of signals)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    fired = Signal(object)


def test_signals_and_void_calls_keep_none_and_true_alive(qtbot: QtBot) -> None:
    emitter = _Emitter()
    emitter.fired.connect(lambda _value: None)
    label = QLabel()
    qtbot.addWidget(label)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for i in range(20_000):
        emitter.fired.emit(i)
        label.setText("x")  # a method returning nothing
    # Other code may take or drop a few references meanwhile; a leak drops thousands.
    assert sys.getrefcount(None) - none_before > -1000
    assert sys.getrefcount(True) - true_before > -1000
