"""The quick entry and the command line ask the Desk the same way: a quick-entry line and
its command-line twin become the same operation (:mod:`incidentdesk.app.operations`), so
the same Desk call with the same arguments."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from incidentdesk.app.operations import from_quick
from incidentdesk.cli.main import HANDLERS, build_parser
from incidentdesk.core.incident.quick import parse_quick

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
INCIDENT = "0195a1b2"
Call = tuple[str, tuple[Any, ...], dict[str, Any]]

PAIRS = [
    ("plain words", ["note", INCIDENT, "plain words"]),
    ("/decision roll back", ["note", INCIDENT, "roll back", "--kind", "decision"]),
    ("/pin /obs falling", ["note", INCIDENT, "falling", "--kind", "observation", "--pin"]),
    ("/action Bob: fix it by Friday", ["note", INCIDENT, "Bob: fix it by Friday", "--kind=action"]),
    ("/sev 2", ["severity", INCIDENT, "SEV2"]),
    ("/status mitigated", ["status", INCIDENT, "mitigated"]),
    ("/role scribe Alex Kim", ["role", INCIDENT, "scribe", "Alex Kim"]),
    ("/bridge https://zoom.us/j/123", ["bridge", INCIDENT, "https://zoom.us/j/123"]),
    ("/impact EU card payments fail", ["impact", INCIDENT, "EU card payments fail"]),
    ("/pin", ["pin", INCIDENT, "0195ffee"]),
]


class RecordingDesk:
    """Stands in for the Desk (and its services): remembers each call by its dotted name,
    answers with an event id."""

    def __init__(self, calls: list[Call] | None = None, path: str = "") -> None:
        self.calls: list[Call] = [] if calls is None else calls
        self._path = path

    def __getattr__(self, name: str) -> RecordingDesk:
        return RecordingDesk(self.calls, f"{self._path}.{name}" if self._path else name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((self._path, args, kwargs))
        if self._path.endswith("add_action"):
            return SimpleNamespace(note_id="NOTE", parsed=SimpleNamespace(notice=""))
        return "EVENT"


@pytest.mark.parametrize(("line", "argv"), PAIRS, ids=[line for line, _ in PAIRS])
def test_a_quick_entry_line_and_its_command_make_the_same_desk_call(
    line: str, argv: list[str]
) -> None:
    typed = RecordingDesk()
    command = parse_quick(line, now=NOW, local_tz=UTC)
    from_quick(INCIDENT, command, selected_entry="0195ffee").run(typed)  # type: ignore[arg-type]

    scripted = RecordingDesk()
    args = build_parser().parse_args(argv)
    assert HANDLERS[args.command](args, scripted, io.StringIO()) == 0

    assert len(typed.calls) == 1
    assert typed.calls == scripted.calls


def test_help_and_pin_alone_without_a_selection_are_not_operations() -> None:
    for line in ("/help", "/pin"):
        with pytest.raises(ValueError):
            from_quick(INCIDENT, parse_quick(line, now=NOW, local_tz=UTC))
