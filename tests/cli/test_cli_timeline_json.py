"""``incidentdesk timeline --json`` of a long incident, as a script reads it: the installed
command in its own process, its output piped (the benchmarks time it on 100,000 events)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from incidentdesk.app.desk import Desk
from incidentdesk.cli.incidents import timeline_json
from incidentdesk.core.journal.events import Event, validate_payload
from incidentdesk.core.journal.fold import fold, state_summary
from incidentdesk.core.journal.ids import hlc_pack, new_event_id
from incidentdesk.core.timefmt import to_micros

ROOT = Path(__file__).resolve().parents[2]
NOTES = 3_000


def long_incident(data_dir: Path, notes: int) -> str:
    """An incident of ``notes`` notes (every 100th pinned, non-ASCII and a newline in the
    text), written in one transaction of the store: the way a long incident's journal
    looks, built in a second or so."""
    desk = Desk.open(data_dir, "Maya")
    try:
        incident_id = desk.incidents.declare("Checkout 5xx in EU — Zoë's pager", "SEV2")
        start = desk.incidents.get(incident_id).milestones["started_at"]
        ms = to_micros(start) // 1000
        device = desk.store.device_id
        with desk.store.writing() as tx:
            seq = 0
            for i in range(1, notes + 1):
                payload = {
                    "text": f"step {i}: שלום\nretry",
                    "note_kind": "note",
                    "pinned": i % 100 == 0,
                }
                seq = tx.append(
                    Event(
                        new_event_id(ms + i),
                        incident_id,
                        "note.added",
                        validate_payload("note.added", payload),
                        start + timedelta(milliseconds=i),
                        hlc_pack(ms + i, 0),
                        "Maya",
                        device,
                    )
                )
            state = fold(incident_id, (e for _s, e in tx.events(incident_id)))
            tx.put_summary(state_summary(state), seq)
        return incident_id
    finally:
        desk.close()


def run_cli(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "incidentdesk", *args]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def test_a_long_timeline_is_one_json_document_one_entry_a_line(data_dir: Path) -> None:
    incident_id = long_incident(data_dir, NOTES)
    with run_cli("--data-dir", str(data_dir), "timeline", incident_id, "--json") as done:
        out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    entries = json.loads(out)
    assert len(entries) == NOTES + 1
    assert entries[0]["kind"] == "incident.declared"
    assert [e["text"] for e in entries[1:4]] == [f"step {i}: שלום\nretry" for i in (1, 2, 3)]
    assert sum(e["pinned"] for e in entries) == NOTES // 100
    # What the Desk says, entry for entry; and each entry on a line of its own, for tools
    # that read a line at a time.
    desk = Desk.open(data_dir, "Maya")
    try:
        assert entries == [timeline_json(e) for e in desk.incidents.timeline(incident_id)]
    finally:
        desk.close()
    lines = out.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == NOTES + 3
    assert [json.loads(line.removesuffix(",")) for line in lines[1:-1]] == entries


def test_a_reader_that_stops_early_is_no_error(data_dir: Path) -> None:
    incident_id = long_incident(data_dir, NOTES)
    with run_cli("--data-dir", str(data_dir), "timeline", incident_id, "--json") as done:
        assert done.stdout is not None and done.stderr is not None
        first = [done.stdout.readline() for _ in range(3)]  # as `| head -3` reads
        done.stdout.close()
        err = done.stderr.read()
        assert done.wait(timeout=120) == 0, err
    assert first[0] == "[\n"
    assert json.loads(first[1].removesuffix(",\n"))["kind"] == "incident.declared"
    assert err == ""


def test_an_empty_list_is_still_a_list() -> None:
    import io

    from incidentdesk.cli.common import dump_list

    out = io.StringIO()
    dump_list([], out)
    assert out.getvalue() == "[]\n" and json.loads(out.getvalue()) == []
