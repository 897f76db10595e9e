"""PySide6's look at every module imported after it, made cheap.

Importing ``PySide6.QtCore`` replaces ``__import__``: after each new module loads, PySide
decides whether that module may select a ``__feature__`` (``snake_case``,
``true_property``) by asking ``inspect.getsource(module)`` for its whole source and looking
for the word ``PySide6``. That puts the source of every module loaded from then on through
``linecache`` (decoded, split into lines, kept in memory): at start, about a quarter of the
CPU time of importing SQLAlchemy and a share of the window's own imports.

:func:`quicken_feature_scan` swaps that test for one that reads the file's bytes: the same
answer (the module's source names ``PySide6`` or not) at a fraction of the cost. Anything
that is not a plain ``.py`` file on disk is still asked the original way.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

FEATURE_MODULE = "shibokensupport.feature"


def quicken_feature_scan() -> bool:
    """Install the cheaper test (once); False when this PySide6 has no such scan."""
    feature = sys.modules.get(FEATURE_MODULE)
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original) or not hasattr(feature, "pyside_feature_dict"):
        return False
    if getattr(original, "quickened", False):
        return True
    feature._mod_uses_pyside = _quick(original)  # type: ignore[attr-defined]
    return True


def _quick(original: Callable[[ModuleType], bool]) -> Callable[[ModuleType], bool]:
    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)
        try:
            with open(path, "rb") as handle:
                return b"PySide6" in handle.read()
        except OSError:
            return original(module)

    uses_pyside.quickened = True  # type: ignore[attr-defined]
    uses_pyside.original = original  # type: ignore[attr-defined]
    return uses_pyside
