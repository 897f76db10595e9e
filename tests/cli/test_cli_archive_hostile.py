"""The hostile peer's rows through ``archive import``: each bad line is named with its number
and kept aside, the rest is imported, and the workstation goes on writing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from incidentdesk.cli.main import main
from incidentdesk.core.journal.ids import hlc_pack
from incidentdesk.core.timefmt import utc_now

YEAR_MS = 365 * 86_400_000


def run(data_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, err
    return code, out


def archive_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write(path: Path, lines: list[Any]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
    return path


def test_hostile_lines_are_kept_aside_line_by_line_and_writing_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    target.mkdir()
    _code, out = run(source, capsys, "declare", "Payments down", "--severity", "SEV1")
    incident = out.strip().split()[-1]
    run(source, capsys, "note", incident, "gateway 502s")
    exported = tmp_path / "library.jsonl"
    assert run(source, capsys, "archive", "export", str(exported))[0] == 0
    header, declared, note = archive_lines(exported)
    now_ms = int(utc_now().timestamp() * 1000)

    def bad(n: int, **changes: Any) -> dict[str, Any]:
        return {**note, "id": note["id"][:-4] + f"{n:04x}", "hlc": note["hlc"] + n, **changes}

    hostile: list[tuple[Any, str | None]] = [
        (bad(1, kind="oncall.override_set", payload={"who": "Ana"}), None),  # kept for newer
        (bad(2, payload={"text": ["a", "list"]}), "payload breaks the rules of note.added"),
        (bad(3, hlc=2**63 - 1), "hlc is after the year 2200"),
        (bad(4, hlc=hlc_pack(now_ms + YEAR_MS, 0)), "hlc is more than a day ahead"),
        (bad(5, occurred_at="0001-01-01T00:00:01+00:00"), "occurred_at is outside 1970..2200"),
        (bad(6, occurred_at="9999-12-31T23:59:59+00:00"), "occurred_at is outside 1970..2200"),
        ({**note, "author": "Mallory"}, "same id as an existing event, different content"),
        (bad(8, payload={"text": "x" * 10_000_000}), "payload is too large"),
        (bad(9, payload={"text": "a\x00b"}), "payload text holds a NUL character"),
        (
            json.dumps(bad(10)).replace('"gateway 502s"', '"a\\ud800b"'),
            "payload text holds a lone surrogate",
        ),
        (json.dumps(bad(11))[:-1] + ', "payload": not json}', "not valid JSON"),
    ]
    lines = [header, declared, note, *[line for line, _r in hostile]]
    lines[0] = {**header, "events": len(lines) - 1}
    path = write(tmp_path / "hostile.jsonl", lines)

    code, out = run(target, capsys, "archive", "import", str(path))
    assert code == 0, out
    expected = [(n, r) for n, (_l, r) in enumerate(hostile, start=4) if r is not None]
    for number, reason in expected[:5]:  # the first five are named, the rest counted
        assert f"line {number}: {reason}" in out, out
    assert f"and {len(expected) - 5} more line(s)" in out
    assert f"{len(expected)} line(s) could not be read" in out
    assert "Imported 3 events into 1 incident" in out

    code, out = run(target, capsys, "sync", "--quarantined", "--json")
    listed = json.loads(out)
    by_line = {int(r["source_ref"].rsplit(":", 1)[1]): r for r in listed}
    assert sorted(by_line) == [n for n, _r in expected]
    for number, reason in expected:
        assert by_line[number]["reason"].startswith(reason), by_line[number]
        assert by_line[number]["source"] == "archive"
    code, out = run(target, capsys, "sync", "--status")
    assert out.startswith("local only · nothing waiting"), out
    assert f"{len(expected)} events could not be read" in out
    code, out = run(target, capsys, "db", "check")
    assert code == 0 and f"; {len(expected)} event(s) that could not be read" in out

    # The clock was not poisoned: writing goes on, in order after what was imported.
    code, out = run(target, capsys, "note", incident, "still writing")
    assert code == 0
    code, out = run(target, capsys, "declare", "Search slow", "--severity", "SEV3")
    assert code == 0
    code, out = run(target, capsys, "timeline", incident, "--json")
    texts = [e["text"] for e in json.loads(out)]
    assert texts[-1] == "still writing" and "gateway 502s" in texts

    # Importing again keeps each bad line once; the archive with the unknown kind
    # round-trips.
    code, out = run(target, capsys, "archive", "import", str(path))
    assert "Nothing new" in out
    code, out = run(target, capsys, "sync", "--status", "--json")
    assert json.loads(out)["quarantined"] == len(expected)
