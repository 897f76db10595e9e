"""PySide6's per-import source scan, made cheap: the same answers as PySide's own."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from incidentdesk.ui.shell.qt_imports import FEATURE_MODULE, quicken_feature_scan


def test_the_quicker_scan_is_installed_and_answers_as_pysides_own() -> None:
    importlib.import_module("incidentdesk.ui.shell.app")  # its package installs the scan
    importlib.import_module("incidentdesk.core.journal.fold")  # a module without Qt
    assert quicken_feature_scan()
    feature = sys.modules[FEATURE_MODULE]
    quick = feature._mod_uses_pyside
    original = quick.original
    modules = [m for m in list(sys.modules.values()) if isinstance(m, ModuleType)]
    answers = {m.__name__: quick(m) for m in modules}
    assert answers == {m.__name__: original(m) for m in modules}
    assert answers["incidentdesk.ui.shell.app"] is True  # it imports PySide6
    assert answers["incidentdesk.core.journal.fold"] is False
    assert quicken_feature_scan()  # a second call changes nothing
    assert feature._mod_uses_pyside is quick
