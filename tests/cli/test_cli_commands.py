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


# Lists what the interpreter has imported, on stderr.
_LIST = """
for name in sorted(sys.modules):
    print("imported:", name, file=sys.stderr)
"""
# Runs the command as `python -m incidentdesk` would, then lists what it imported.
_PROBE = (
    """
import runpy, sys
sys.argv = ["incidentdesk", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("incidentdesk", run_name="__main__", alter_sys=True)
except SystemExit as exit:
    code = exit.code
"""
    + _LIST
    + "raise SystemExit(code)"
)
# What the interpreter imports before running anything (site and its .pth files).
_BARE = "import runpy, sys\n" + _LIST


def imported_by(*argv: str, probe: str = _PROBE) -> set[str]:
    """The modules ``python -m incidentdesk ARGV`` has imported by the time it exits."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv],
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


# What `--version` and `--help` may import of the package: the command line's entry, its
# table and its shared options, and the names of the statuses and milestones `--help` lists
# (the profile's settings, the domain and SQL wait for a command).
LIGHT = {
    "incidentdesk",
    "incidentdesk.__main__",
    "incidentdesk.cli",
    "incidentdesk.cli.main",
    "incidentdesk.cli.commands",
    "incidentdesk.cli.common",
    "incidentdesk.core",
    "incidentdesk.core.incident",
    "incidentdesk.core.incident.statuses",
    "incidentdesk.infra",
    "incidentdesk.infra.profile_names",
}


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_import_no_command_module_nor_the_desk(flag: str) -> None:
    modules = imported_by(flag)
    assert "incidentdesk.cli.main" in modules  # the measurement saw the command line
    assert not modules & COMMAND_MODULES
    assert not heavy(modules)
    assert "sqlalchemy" not in modules and "alembic" not in modules
    ours = {m for m in modules if m.split(".")[0] == "incidentdesk"}
    assert ours <= LIGHT, sorted(ours - LIGHT)
    # Nor the costly parts of the standard library a command needs (a few ms each), beyond
    # what the interpreter loaded before running anything (site's .pth files differ).
    before = imported_by(probe=_BARE)
    costly = {"dataclasses", "typing", "datetime", "shutil", "json", "sqlite3", "logging"}
    assert not (modules - before) & costly


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


def test_help_lists_every_command_with_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    from incidentdesk.core.incident.lifecycle import STATUSES

    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["--help"])
    assert exited.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())  # unwrapped
    for command in COMMANDS:
        assert f" {command.name} " in shown, command.name
        assert " ".join(command.help.split()) in shown, command.name
    assert " → ".join(STATUSES) in shown


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["nosuch"])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'nosuch'" in error and "'declare'" in error


def test_options_before_or_after_the_command(tmp_path: Path) -> None:
    parser = build_parser()
    before = parser.parse_args(["--data-dir", str(tmp_path), "--as", "Ann", "show", "abc123"])
    after = build_parser().parse_args(["show", "abc123", "--data-dir", str(tmp_path)])
    assert (before.command, before.id, before.data_dir, before.author) == (
        "show",
        "abc123",
        str(tmp_path),
        "Ann",
    )
    assert (after.command, after.data_dir) == ("show", str(tmp_path))
