"""Archives: the whole journal out to JSON Lines and back, checked line by line."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from incidentdesk.app.archive import FIELDS, ArchiveError, export_archive, import_archive
from incidentdesk.app.desk import Desk
from incidentdesk.core.timefmt import utc_now

Lines = list[str]


def build_journal(desk: Desk) -> list[str]:
    """Two incidents with every kind of event, back-dated entries and varied text."""
    now = utc_now()
    first = desk.incidents.declare(
        "Checkout 5xx in EU — São Paulo too",
        "SEV2",
        ["payments-api", "ledger"],
        at=now - timedelta(hours=1),
    )
    desk.incidents.assign_role(first, "commander", "Maya Chen")
    desk.incidents.assign_role(first, "commander", "Sam Okafor")
    desk.incidents.assign_role(first, "comms", "Ana Ruiz", shadow=True)
    note = desk.incidents.add_note(
        first, "Disk full on db-01\nsecond line: 数据库 שלום 🔥", "observation"
    )
    desk.incidents.add_note(first, "Back-dated finding", at=now - timedelta(minutes=30))
    desk.incidents.correct_note(first, note, "Disk nearly full on db-01")
    desk.incidents.pin(first, note)
    desk.incidents.set_severity(first, "SEV1")
    desk.incidents.set_status(first, "identified")
    desk.incidents.set_milestone(first, "acknowledged", now - timedelta(minutes=20))
    desk.incidents.release_role(first, "comms", shadow=True)
    second = desk.incidents.declare("Game day: failover drill", "SEV4")
    desk.incidents.set_drill(second)
    desk.incidents.add_note(second, "Failover finished", "update", pinned=True)
    return [first, second]


def read_lines(path: Path) -> Lines:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n")
    return text[:-1].split("\n")


def write_lines(path: Path, lines: Lines, end: str = "\n") -> Path:
    path.write_text("\n".join(lines) + end, encoding="utf-8")
    return path


def listed(desk: Desk) -> list[dict[str, Any]]:
    """The incident list without this store's own positions."""
    return [{k: v for k, v in row.items() if k != "last_seq"} for row in desk.incidents.rows(True)]


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Desk]:
    """A Desk on another, empty data dir (where a backup is restored)."""
    folder = tmp_path / "restored"
    folder.mkdir()
    opened = Desk.open(folder, "Bob")
    yield opened
    opened.close()


@pytest.fixture
def exported(desk: Desk, tmp_path: Path) -> tuple[list[str], Path]:
    incidents = build_journal(desk)
    path = tmp_path / "library.jsonl"
    export_archive(desk, path)
    return incidents, path


def assert_empty(desk: Desk) -> None:
    assert desk.incidents.rows(include_closed=True) == []
    assert desk.exchange.waiting() == 0
    assert desk.incidents.search("disk") == []
    assert desk.exchange.read_journal(lambda _n: None, lambda _b: None) == 0


# ------------------------------------------------------------------------ round trip


def test_a_round_trip_restores_the_same_incidents(
    desk: Desk, fresh: Desk, exported: tuple[list[str], Path]
) -> None:
    incidents, path = exported
    result = import_archive(fresh, path)
    count = len(read_lines(path)) - 1
    assert (result.added, result.skipped) == (count, 0)
    assert sorted(result.incidents) == sorted(incidents)
    for incident in incidents:
        assert fresh.incidents.timeline(incident) == desk.incidents.timeline(incident)
        assert fresh.incidents.get(incident) == desk.incidents.get(incident)
    assert listed(fresh) == listed(desk)
    assert fresh.incidents.search("nearly full") == desk.incidents.search("nearly full") != []
    assert fresh.incidents.search("数据库") == desk.incidents.search("数据库") != []
    # Restored events wait to go up to the shared database, as if written here.
    assert fresh.exchange.waiting() == count


def test_the_export_is_the_journal_and_nothing_else(
    desk: Desk, exported: tuple[list[str], Path]
) -> None:
    desk.exchange.set_sync_fact("cursor", "secret-looking-cursor-4242")
    _incidents, path = exported
    lines = read_lines(path)
    header = json.loads(lines[0])
    assert set(header) == {"incidentdesk_archive", "exported_at", "events"}
    assert header["incidentdesk_archive"] == 1
    assert datetime.fromisoformat(header["exported_at"]).utcoffset() == timedelta(0)
    assert header["events"] == len(lines) - 1
    journal: list[Any] = []
    desk.exchange.read_journal(lambda _n: None, journal.extend)
    for line, event in zip(lines[1:], journal, strict=True):  # in arrival order
        data = json.loads(line)
        assert tuple(data) == FIELDS
        assert data["id"] == event.id and data["payload"] == event.payload
        assert data["occurred_at"].endswith("+00:00")
        assert datetime.fromisoformat(data["occurred_at"]) == event.occurred_at
        assert (data["hlc"], data["author"], data["device"]) == (
            event.hlc,
            event.author,
            event.device,
        )
    assert "secret-looking-cursor" not in path.read_text(encoding="utf-8")


def test_importing_twice_changes_nothing(fresh: Desk, exported: tuple[list[str], Path]) -> None:
    incidents, path = exported
    first = import_archive(fresh, path)
    before = (
        listed(fresh),
        [fresh.incidents.timeline(i) for i in incidents],
        fresh.exchange.waiting(),
    )
    again = import_archive(fresh, path)
    assert (again.added, again.skipped, again.incidents) == (0, first.added, ())
    assert (
        listed(fresh),
        [fresh.incidents.timeline(i) for i in incidents],
        fresh.exchange.waiting(),
    ) == before


def test_importing_into_the_source_skips_everything(
    desk: Desk, exported: tuple[list[str], Path]
) -> None:
    _incidents, path = exported
    waiting = desk.exchange.waiting()
    result = import_archive(desk, path)
    assert result.added == 0 and result.skipped == len(read_lines(path)) - 1
    assert desk.exchange.waiting() == waiting


def test_a_newer_archive_adds_only_what_is_new(
    desk: Desk, fresh: Desk, exported: tuple[list[str], Path], tmp_path: Path
) -> None:
    incidents, path = exported
    import_archive(fresh, path)
    fresh.incidents.timeline(incidents[0])  # the restored desk has this incident's fold cached
    desk.incidents.add_note(incidents[0], "Later finding about the ledger")
    third = desk.incidents.declare("Another incident", "SEV3")
    newer = tmp_path / "newer.jsonl"
    export_archive(desk, newer)
    result = import_archive(fresh, newer)
    assert result.added == 2
    assert sorted(result.incidents) == sorted([incidents[0], third])
    assert fresh.incidents.timeline(incidents[0]) == desk.incidents.timeline(incidents[0])
    assert listed(fresh) == listed(desk)
    assert [h.event_id for h in fresh.incidents.search("ledger later")] != []


def test_restored_incidents_take_new_commands(
    fresh: Desk, exported: tuple[list[str], Path]
) -> None:
    incidents, path = exported
    import_archive(fresh, path)
    fresh.incidents.add_note(incidents[0], "Written after the restore")
    fresh.incidents.set_status(incidents[0], "mitigated")
    assert fresh.incidents.get(incidents[0]).status == "mitigated"


def test_a_payload_without_its_defaults_gets_them_written_in(
    fresh: Desk, exported: tuple[list[str], Path]
) -> None:
    incidents, path = exported
    lines = read_lines(path)
    number = next(i for i, line in enumerate(lines) if '"note.added"' in line)
    data = json.loads(lines[number])
    del data["payload"]["pinned"], data["payload"]["note_kind"]
    lines[number] = json.dumps(data)
    import_archive(fresh, write_lines(path, lines))
    entry = next(e for e in fresh.incidents.timeline(incidents[0]) if e.event.id == data["id"])
    assert entry.event.payload["note_kind"] == "note" and entry.event.payload["pinned"] is False


# ------------------------------------------------------------------------ empty


def test_export_of_an_empty_store(desk: Desk, fresh: Desk, tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    assert export_archive(desk, path) == 0
    (line,) = read_lines(path)
    assert json.loads(line)["events"] == 0
    result = import_archive(fresh, path)
    assert (result.added, result.skipped, result.incidents) == (0, 0, ())
    assert_empty(fresh)


# ------------------------------------------------------------------------ bad archives


def _set(index: int, field: str, value: Any) -> Callable[[Lines], None]:
    def change(lines: Lines) -> None:
        data = json.loads(lines[index])
        data[field] = value
        lines[index] = json.dumps(data, ensure_ascii=False)

    return change


def _set_payload(kind: str, field: str, value: Any) -> Callable[[Lines], int]:
    def change(lines: Lines) -> int:
        number = next(i for i, line in enumerate(lines) if f'"{kind}"' in line)
        data = json.loads(lines[number])
        data["payload"][field] = value
        lines[number] = json.dumps(data, ensure_ascii=False)
        return number + 1

    return change


def _truncate_last(lines: Lines) -> None:
    lines[-1] = lines[-1][: len(lines[-1]) // 2]


def _duplicate(lines: Lines) -> None:
    lines.insert(5, lines[4])
    _set(0, "events", len(lines) - 1)(lines)


def _drop_last(lines: Lines) -> None:
    del lines[-1]


def _forge(lines: Lines) -> None:
    # A second line with the id of line 5 and other content (a forged copy).
    data = json.loads(lines[4])
    data["author"] = "Mallory"
    lines.insert(5, json.dumps(data, ensure_ascii=False))
    _set(0, "events", len(lines) - 1)(lines)


def _repeat(lines: Lines) -> None:
    lines.insert(5, lines[4])
    _set(0, "events", len(lines) - 1)(lines)


# (name, change, line, what is said, lines quarantined)
BAD: list[tuple[str, Callable[[Lines], Any], int, str, int]] = [
    ("bad JSON", lambda ls: ls.__setitem__(2, ls[2][:25] + "}{"), 3, "not valid JSON", 1),
    ("malformed kind", _set(3, "kind", "Note Exploded!"), 4, "kind is not dotted lowercase", 1),
    ("kind not text", _set(3, "kind", 7), 4, "kind is not text", 1),
    ("declared elsewhere", _set(1, "id", str(uuid.uuid4())), 2, "must have its incident's id", 1),
    ("hlc as text", _set(4, "hlc", "12345"), 5, "hlc is not a whole number", 1),
    ("negative hlc", _set(4, "hlc", -1), 5, "hlc is out of range", 1),
    ("payload a list", _set(4, "payload", []), 5, "payload is not a JSON object", 1),
    ("id not a UUID", _set(2, "id", "not-a-uuid"), 3, "id is not a lowercase UUID", 1),
    ("incident id", _set(2, "incident_id", None), 3, "incident_id is not a lowercase UUID", 1),
    ("naive time", _set(2, "occurred_at", "2026-11-26T10:00:00"), 3, "has no UTC offset", 1),
    ("not a time", _set(2, "occurred_at", "yesterday"), 3, "is not an ISO 8601 time", 1),
    ("author", _set(2, "author", ""), 3, "author is empty", 1),
    ("device", _set(2, "device", "x" * 65), 3, "device is longer than 64 characters", 1),
    ("unknown field", _set(2, "extra", 1), 3, "unknown field 'extra'", 1),
    ("missing field", lambda ls: ls.__setitem__(2, '{"id": 1}'), 3, "the event has no", 1),
    ("not an object", lambda ls: ls.__setitem__(2, "[1, 2]"), 3, "must be a JSON object", 1),
    (
        "a line posing as unreadable",
        lambda ls: ls.__setitem__(2, '{"line": "all is well", "text": "x"}'),
        3,
        "the event has no 'id'",
        1,
    ),
    ("truncated last line", _truncate_last, -1, "the file may be cut short", 1),
    ("forged copy", _forge, 6, "same id as an existing event, different content", 1),
    ("empty line", lambda ls: ls.insert(2, ""), 3, "an empty line", 0),
    ("lines missing", _drop_last, -1, "the header counts", 0),
]


@pytest.mark.parametrize(
    ("change", "line", "expected", "kept"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_a_bad_line_is_named_and_kept_aside_and_the_rest_imported(
    fresh: Desk,
    exported: tuple[list[str], Path],
    change: Callable[[Lines], Any],
    line: int,
    expected: str,
    kept: int,
) -> None:
    incidents, path = exported
    lines = read_lines(path)
    good = len(lines) - 1
    change(lines)
    number = len(lines) if line == -1 else line
    end = "" if change is _truncate_last else "\n"
    result = import_archive(fresh, write_lines(path, lines, end))
    named = [p for p in result.problems if p.startswith(f"line {number}: ")]
    assert named and expected in named[0], result.problems
    assert all("\n" not in p for p in result.problems)
    assert result.quarantined == kept == fresh.exchange.quarantined_count()
    lost = 1 if line == -1 and change is not _truncate_last else kept
    if change is _forge:
        lost = 0  # the forged copy is the extra line; the original is imported
    assert result.added == good - lost
    assert incidents[1] in [r["id"] for r in fresh.incidents.rows(True)]
    if kept:
        row = fresh.exchange.quarantined()[0]
        assert row.source == "archive" and row.source_ref == f"{path}:{number}"
        assert expected in row.reason


def test_an_exact_repeat_of_a_line_is_skipped(
    fresh: Desk, exported: tuple[list[str], Path]
) -> None:
    _incidents, path = exported
    lines = read_lines(path)
    _repeat(lines)
    result = import_archive(fresh, write_lines(path, lines))
    assert (result.added, result.skipped, result.problems) == (len(lines) - 2, 1, ())
    assert fresh.exchange.quarantined_count() == 0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda ls: ls.pop(0), "not an IncidentDesk archive"),
        (_set(0, "incidentdesk_archive", 2), "format 2, from a newer"),
        (_set(0, "events", "many"), "'events' must be the number"),
    ],
    ids=["no header", "newer format", "header count"],
)
def test_a_file_that_is_not_an_archive_is_refused_whole(
    fresh: Desk, exported: tuple[list[str], Path], change: Callable[[Lines], Any], expected: str
) -> None:
    _incidents, path = exported
    lines = read_lines(path)
    change(lines)
    with pytest.raises(ArchiveError) as raised:
        import_archive(fresh, write_lines(path, lines))
    message = str(raised.value)
    assert "line 1: " in message and expected in message and "nothing was imported" in message
    assert_empty(fresh)
    assert fresh.exchange.quarantined_count() == 0


@pytest.mark.parametrize(
    ("kind", "field", "value", "expected"),
    [
        ("incident.declared", "severity", 2, "'severity' is 2 where the journal stores \"SEV2\""),
        ("incident.declared", "severity", "SEV9", "'SEV9' is not a severity"),
        ("severity.changed", "severity", "sev1", "'severity' is \"sev1\""),
        ("note.added", "pinned", "yes", "'pinned' must be true or false"),
        ("status.changed", "status", "fixed\nreally", "'fixed\\u000areally' is not a valid"),
        ("note.added", "text", "", "The note is empty"),
        ("role.assigned", "role", "pilot", "'pilot' is not a valid role"),
        ("event.pinned", "target", 12, "names no valid target"),
    ],
)
def test_a_payload_that_breaks_its_rules_is_named(
    fresh: Desk,
    exported: tuple[list[str], Path],
    kind: str,
    field: str,
    value: Any,
    expected: str,
) -> None:
    _incidents, path = exported
    lines = read_lines(path)
    number = _set_payload(kind, field, value)(lines)
    result = import_archive(fresh, write_lines(path, lines))
    assert len(result.problems) == 1 and result.quarantined == 1, result.problems
    problem = result.problems[0]
    assert problem.startswith(f"line {number}: ") and kind in problem, problem
    assert expected in problem and "\n" not in problem
    assert result.added == len(lines) - 2


def test_every_line_is_checked_and_named(fresh: Desk, exported: tuple[list[str], Path]) -> None:
    _incidents, path = exported
    lines = read_lines(path)
    total = len(lines) - 1
    for index in range(2, 10):
        lines[index] = "{" + "x" * index  # each its own row (the same row is kept once)
    result = import_archive(fresh, write_lines(path, lines))
    assert [p.split(":")[0] for p in result.problems] == [f"line {n}" for n in range(3, 11)]
    assert result.quarantined == 8 and result.added == total - 8
    again = import_archive(fresh, path)
    assert again.quarantined == 0 and len(again.problems) == 8, "kept once, named each time"
    assert fresh.exchange.quarantined_count() == 8


def test_not_utf8_is_named(fresh: Desk, exported: tuple[list[str], Path]) -> None:
    _incidents, path = exported
    data = path.read_bytes().split(b"\n")
    data[3] = data[3].replace(b"kind", b"ki\xffnd")
    path.write_bytes(b"\n".join(data))
    result = import_archive(fresh, path)
    assert result.problems[0].startswith("line 4: not UTF-8 text")
    assert fresh.exchange.quarantined_count() == 1


def test_an_empty_file_is_not_an_archive(fresh: Desk, tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    with pytest.raises(ArchiveError, match="is empty; an archive starts with its header"):
        import_archive(fresh, path)


def test_a_missing_file_or_a_folder_is_named(fresh: Desk, tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="There is no file"):
        import_archive(fresh, tmp_path / "nope.jsonl")
    with pytest.raises(ArchiveError, match="is a folder"):
        import_archive(fresh, tmp_path)


def test_an_archive_with_unknown_kinds_imports_and_round_trips(
    fresh: Desk, exported: tuple[list[str], Path], tmp_path: Path
) -> None:
    # A replica of a newer version holds kinds this one does not know (kept for newer
    # peers): its archive imports, and exports again exactly as it was.
    incidents, path = exported
    lines = read_lines(path)
    newer = json.loads(lines[3])
    newer.update(
        id=str(uuid.uuid4()),
        kind="oncall.override_set",
        payload={"who": "Ana Ruiz", "layers": [1, 2], "note": None},
        hlc=newer["hlc"] + 1,
    )
    lines.append(json.dumps(newer, ensure_ascii=False, separators=(",", ":")))
    _set(0, "events", len(lines) - 1)(lines)
    write_lines(path, lines)
    result = import_archive(fresh, path)
    assert result.problems == () and result.added == len(lines) - 1
    assert fresh.incidents.get(incidents[0]).title.startswith("Checkout 5xx")
    again = tmp_path / "again.jsonl"
    export_archive(fresh, again)
    assert read_lines(again)[1:] == read_lines(path)[1:]


# ------------------------------------------------------------------------ writing


def test_export_replaces_the_file_atomically(desk: Desk, tmp_path: Path) -> None:
    build_journal(desk)
    path = tmp_path / "out" / "library.jsonl"
    path.parent.mkdir()
    path.write_text("the previous backup\n", encoding="utf-8")
    export_archive(desk, path)
    assert json.loads(read_lines(path)[0])["incidentdesk_archive"] == 1
    assert [p.name for p in path.parent.iterdir()] == ["library.jsonl"]


def test_a_failed_export_leaves_the_previous_file(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_journal(desk)
    path = tmp_path / "out" / "library.jsonl"
    path.parent.mkdir()
    path.write_text("the previous backup\n", encoding="utf-8")

    def fail_midway(on_count: Callable[[int], None], on_events: Any, batch: int = 0) -> int:
        on_count(10)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(desk.exchange, "read_journal", fail_midway)
    with pytest.raises(ArchiveError, match="No space left on device"):
        export_archive(desk, path)
    assert path.read_text(encoding="utf-8") == "the previous backup\n"
    assert [p.name for p in path.parent.iterdir()] == ["library.jsonl"]


def test_export_to_a_missing_folder_or_a_folder_is_refused(desk: Desk, tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="does not exist"):
        export_archive(desk, tmp_path / "missing" / "library.jsonl")
    with pytest.raises(ArchiveError, match="is a folder"):
        export_archive(desk, tmp_path)


def test_a_large_journal_is_read_in_batches(desk: Desk, tmp_path: Path, fresh: Desk) -> None:
    incident = desk.incidents.declare("Busy", "SEV3")
    for i in range(25):
        desk.incidents.add_note(incident, f"note {i}")
    batches: list[int] = []
    total = desk.exchange.read_journal(lambda _n: None, lambda b: batches.append(len(b)), batch=10)
    assert (total, batches) == (26, [10, 10, 6])
    path = tmp_path / "busy.jsonl"
    export_archive(desk, path)
    assert import_archive(fresh, path).added == 26
    assert fresh.incidents.timeline(incident) == desk.incidents.timeline(incident)
