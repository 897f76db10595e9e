"""Qt's own messages: one known, harmless platform warning is dropped, the rest kept.

Platform plugins that cannot pass a window's size hints to a window manager (offscreen,
and some xcb setups such as a bare Xvfb) print "This plugin does not support
propagateSizeHints()" from ``QPlatformWindow`` each time a window is set up. It is not
in a logging category (``default``), so a filter rule would silence every plain warning;
instead a message handler drops exactly that line and hands everything else on.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMessageLogContext, QtMsgType, qFormatLogMessage, qInstallMessageHandler

DROPPED = frozenset({"This plugin does not support propagateSizeHints()"})

Handler = Callable[[QtMsgType, QMessageLogContext, str], Any]
_previous: Handler | None = None
_installed = False


def install_message_filter() -> None:
    """Drop the messages in :data:`DROPPED`; pass every other one to the handler before
    (Qt's default output on stderr when there was none). Safe to call more than once."""
    global _previous, _installed
    if _installed:
        return
    _previous = qInstallMessageHandler(_handle)
    _installed = True


def _handle(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if message in DROPPED:
        return
    if _previous is not None:
        _previous(kind, context, message)
        return
    print(qFormatLogMessage(kind, context, message), file=sys.stderr, flush=True)
