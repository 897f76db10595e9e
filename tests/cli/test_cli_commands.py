"""The command table (``cli.commands``): every command registered once, each one's module
imported only when that command runs, so ``--version`` and ``--help`` stay quick."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from incidentdesk.cli.commands import COMMAND_BY_NAME, COMMANDS
from incidentdesk.cli.main import HANDLERS, build_parser

ROOT = Path(__file__).resolve().parents[2]
COMMAND_MODULES = {f"incidentdesk.cli.{c.module}" for c in COMMANDS}
# What a command that changes nothing on disk must never load: the Desk, SQL, the window.
HEAVY = ("incidentdesk.app", "incidentdesk.runtime", "incidentdesk.ui", "sqlalchemy", "PySide6")


# Runs the command as `python -m incidentdesk` would, then lists what it imported.
_PROBE = """
import runpy, sys
sys.argv = ["incidentdesk", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("incidentdesk", run_name="__main__", alter_sys=True)
except SystemExit as exit:
    code = exit.code
for name in sorted(sys.modules):
    print("imported:", name, file=sys.stderr)
raise SystemExit(code)
"""


def imported_by(*argv: str) -> set[str]:
    """The modules ``python -m incidentdesk ARGV`` has imported by the time it exits."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stderr.splitlines()
    return {line.split()[1] for line in lines if line.startswith("imported: ")}


def heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY)}


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_import_no_command_module_nor_the_desk(flag: str) -> None:
    modules = imported_by(flag)
    assert "incidentdesk.cli.main" in modules  # the measurement saw the command line
    assert not modules & COMMAND_MODULES
    assert not heavy(modules)


def test_a_command_imports_its_own_module_only(tmp_path: Path) -> None:
    modules = imported_by("--data-dir", str(tmp_path), "incidents")
    assert modules & COMMAND_MODULES == {"incidentdesk.cli.incidents"}
    assert "incidentdesk.app.desk" in modules


def test_a_commands_help_imports_its_module_but_not_the_desk() -> None:
    modules = imported_by("note", "--help")
    assert modules & COMMAND_MODULES == {"incidentdesk.cli.changes"}
    assert not heavy(modules) - {"incidentdesk.app", "incidentdesk.app.operations"}


def test_every_command_is_registered_once_and_has_a_handler() -> None:
    names = [c.name for c in COMMANDS]
    assert len(names) == len(set(names)) == len(COMMAND_BY_NAME) == len(HANDLERS)
    for command in COMMANDS:
        module = importlib.import_module(f"incidentdesk.cli.{command.module}")
        assert callable(getattr(module, f"run_{command.name}", None)), command.name
    parser = build_parser()
    for name in names:  # each command's own arguments can be added and shown
        with pytest.raises(SystemExit) as exited:
            parser.parse_args([name, "--help"])
        assert exited.value.code == 0
