"""The scripting command line, as a script or a person would use it."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incidentdesk import __version__
from incidentdesk.cli.main import main


class Cli:
    """Runs ``incidentdesk`` in-process against one data folder."""

    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data_dir = data_dir
        self.capsys = capsys

    def __call__(self, *args: str, ok: bool = True) -> tuple[int, str, str]:
        code = main(["--data-dir", str(self.data_dir), *args])
        out, err = self.capsys.readouterr()
        if ok:
            assert code == 0, err
            assert err == ""
        return code, out, err

    def out(self, *args: str) -> str:
        return self(*args)[1].strip()

    def json(self, *args: str) -> object:
        return json.loads(self.out(*args, "--json"))

    def fails(self, *args: str) -> str:
        code, out, err = self(*args, ok=False)
        assert code == 1, (out, err)
        assert "Traceback" not in err
        assert err.startswith("incidentdesk: ") and err.count("\n") == 1, err
        return err


@pytest.fixture
def cli(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(data_dir, capsys)


def test_declare_then_list_show_and_timeline(cli: Cli) -> None:
    incident = cli.out(
        "declare",
        "Checkout 5xx in EU",
        "--severity",
        "sev2",
        "--service",
        "payments-api",
        "--service",
        "ledger",
    )
    assert len(incident) == 36
    rows = cli.json("incidents")
    assert [(r["id"], r["severity"], r["status"]) for r in rows] == [
        (incident, "SEV2", "investigating")
    ]
    assert rows[0]["services"] == ["payments-api", "ledger"]
    shown = cli.json("show", incident[:8])
    assert shown["title"] == "Checkout 5xx in EU"
    assert shown["major"] is True
    assert shown["milestones"]["started_at"].endswith("+00:00")
    assert shown["milestones"]["resolved_at"] is None
    timeline = cli.json("timeline", incident)
    assert [e["kind"] for e in timeline] == ["incident.declared"]
    assert timeline[0]["author"]
    text = cli.out("show", incident)
    assert "Checkout 5xx in EU" in text and "SEV2 (major)" in text


def test_roles_handover_and_release(cli: Cli) -> None:
    incident = cli.out("declare", "DNS failures", "--severity", "SEV1")
    cli.out("role", incident, "commander", "Alice")
    cli.out("role", incident, "ic", "Bob")  # a handover
    cli.out("role", incident, "scribe", "Carol", "--shadow")
    cli.out("role", incident, "sme", "Dan")
    cli.out("role", incident, "sme", "Erin")
    roles = cli.json("show", incident)
    assert [h["person"] for h in roles["roles"]["commander"]] == ["Bob"]
    assert [h["person"] for h in roles["roles"]["sme"]] == ["Dan", "Erin"]
    assert roles["shadows"]["scribe"]["person"] == "Carol"
    texts = [e["text"] for e in cli.json("timeline", incident)]
    assert "Incident Commander handed over from Alice to Bob" in texts

    err = cli.fails("role", incident, "sme", "--release")
    assert "Several people hold Subject Matter Expert (Dan, Erin)" in err
    cli.out("role", incident, "sme", "Dan", "--release")
    cli.out("role", incident, "commander", "--release")
    roles = cli.json("show", incident)
    assert roles["roles"]["commander"] == []
    assert [h["person"] for h in roles["roles"]["sme"]] == ["Erin"]
    assert "Nobody holds Incident Commander" in cli.fails("role", incident, "ic", "--release")
    assert "not a role" in cli.fails("role", incident, "janitor", "Zed")
    assert "already holds" in cli.fails("role", incident, "sme", "Erin")


def test_notes_kinds_pins_corrections(cli: Cli) -> None:
    incident = cli.out("declare", "Queue backlog", "--severity", "SEV3")
    note = cli.out("note", incident, "Consumers stuck on partition 7", "--kind", "observation")
    decision = cli.out("note", incident, "Restart consumers", "--kind", "decision", "--pin")
    cli.out("correct", incident, note, "Consumers stuck on partitions 7 and 9")
    cli.out("pin", incident, note)
    cli.out("unpin", incident, decision)
    entries = {e["id"]: e for e in cli.json("timeline", incident)}
    assert entries[note]["text"] == "Consumers stuck on partitions 7 and 9"
    assert entries[note]["original_text"] == "Consumers stuck on partition 7"
    assert entries[note]["pinned"] is True
    assert entries[decision]["pinned"] is False
    assert entries[decision]["payload"]["note_kind"] == "decision"
    assert "already unpinned" in cli.fails("unpin", incident, decision)
    assert "Only notes can be corrected" in cli.fails("correct", incident, incident, "x")


def test_back_dated_entries_sort_into_place(cli: Cli) -> None:
    start = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
    incident = cli.out("declare", "Latency", "--severity", "SEV3", "--at", start.isoformat())
    cli.out("note", incident, "later")
    earlier = (start + timedelta(minutes=5)).isoformat()
    cli.out("note", incident, "earlier, typed late", "--at", earlier)
    texts = [e["text"] for e in cli.json("timeline", incident)]
    assert texts[1:] == ["earlier, typed late", "later"]
    occurred = cli.json("timeline", incident)[1]["occurred_at"]
    assert datetime.fromisoformat(occurred) == start + timedelta(minutes=5)


def test_times_without_offset_are_local_and_stored_as_utc(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    import time

    time.tzset()
    try:
        incident = cli.out(
            "declare", "Local time", "--severity", "SEV4", "--at", "2026-01-10T12:00:00"
        )
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    shown = cli.json("show", incident)
    assert shown["milestones"]["started_at"] == "2026-01-10T06:30:00+00:00"


def test_status_lifecycle_and_milestone_order(cli: Cli) -> None:
    start = datetime.now(UTC) - timedelta(hours=1)
    incident = cli.out("declare", "API down", "--severity", "SEV1", "--at", start.isoformat())
    cli.out("status", incident, "identified")
    cli.out("status", incident, "monitoring")
    before_start = (start - timedelta(minutes=10)).isoformat()
    err = cli.fails("milestone", incident, "acknowledged", "--at", before_start)
    assert "Acknowledged" in err and "earlier than Detected" in err
    cli.out(
        "milestone", incident, "acknowledged", "--at", (start + timedelta(minutes=3)).isoformat()
    )
    cli.out("status", incident, "resolved")
    shown = cli.json("show", incident)
    assert shown["status"] == "resolved"
    assert all(shown["milestones"][m] for m in shown["milestones"])
    assert cli.json("incidents") and cli.json("incidents")[0]["resolved_at"]
    cli.out("status", incident, "closed")
    assert cli.json("incidents") == []
    assert [r["id"] for r in cli.json("incidents", "--all")] == [incident]
    assert "closed" in cli.fails("status", incident, "investigating")
    assert "not a status" in cli.fails("status", incident, "done")


def test_active_incidents_come_first_worst_first(cli: Cli) -> None:
    minor = cli.out("declare", "Minor", "--severity", "SEV4")
    fixed = cli.out("declare", "Fixed", "--severity", "SEV1")
    cli.out("status", fixed, "resolved")
    major = cli.out("declare", "Major", "--severity", "SEV2")
    assert [r["id"] for r in cli.json("incidents")] == [major, minor, fixed]
    lines = cli.out("incidents").splitlines()
    assert "Major" in lines[0]
    # The short ids printed are unique even for incidents declared in the same second.
    short_ids = [line.split()[0] for line in lines]
    assert [cli.json("show", short)["title"] for short in short_ids] == ["Major", "Minor", "Fixed"]


def test_severity_change(cli: Cli) -> None:
    incident = cli.out("declare", "Search slow", "--severity", "SEV4")
    cli.out("severity", incident, "SEV-3")
    assert cli.json("show", incident)["severity"] == "SEV3"
    assert "already SEV3" in cli.fails("severity", incident, "3")
    assert "not a severity" in cli.fails("severity", incident, "SEV9")


def test_id_prefixes_like_git(cli: Cli) -> None:
    first = cli.out("declare", "One", "--severity", "SEV5")
    second = cli.out("declare", "Two", "--severity", "SEV5")
    assert cli.json("show", first[:13])["title"] == "One"
    assert cli.json("show", second.upper())["title"] == "Two"
    assert "at least 6 characters" in cli.fails("show", first[:5])
    common = next(i for i in range(36) if first[i] != second[i])
    if common >= 6:  # ids made in the same moment share their leading characters
        assert "matches several incidents" in cli.fails("show", first[:common])
    assert "No incident has an id starting with" in cli.fails("show", "ffffffff")
    assert "not an incident id" in cli.fails("show", "not-an-id")


def test_bad_input_gets_one_clear_error_and_loses_nothing(cli: Cli) -> None:
    incident = cli.out("declare", "Keep me", "--severity", "SEV3")
    note = cli.out("note", incident, "saved before the bad input")
    assert "is empty" in cli.fails("declare", "   ", "--severity", "SEV3")
    assert "too long" in cli.fails("declare", "x" * 10_000_000, "--severity", "SEV3")
    assert "too long" in cli.fails("note", incident, "y" * 10_000_000)
    assert "control character (U+001B)" in cli.fails("note", incident, "red \x1b[31m text")
    assert "not a severity" in cli.fails("declare", "T", "--severity", "critical")
    assert "not a valid date" in cli.fails("note", incident, "x", "--at", "2026-02-30T10:00")
    assert "not a valid date" in cli.fails("note", incident, "x", "--at", "yesterday")
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert "in the future" in cli.fails("note", incident, "x", "--at", future)
    year_one = "0001-01-01T00:00:01Z"
    assert "is before 1970" in cli.fails("declare", "Old", "--severity", "SEV3", "--at", year_one)
    assert "is before 1970" in cli.fails("milestone", incident, "detected", "--at", year_one)
    assert "is before 1970" in cli.fails("note", incident, "x", "--at", "1969-07-20T20:17Z")
    assert "in the future" in cli.fails("note", incident, "x", "--at", "2300-01-01T00:00Z")
    assert len(cli.json("incidents")) == 1  # the year-one incident was not declared
    assert "No incident" in cli.fails("note", "0123456789ab", "x")
    timeline = cli.json("timeline", incident)
    assert [e["id"] for e in timeline][1:] == [note]


def test_unicode_right_to_left_and_emoji_round_trip(cli: Cli) -> None:
    title = "خطأ في الدفع — תקלה 🔥"
    incident = cli.out("declare", title, "--severity", "SEV2")
    cli.out("note", incident, "line one\nשורה שתיים\ttab")
    assert cli.json("show", incident)["title"] == title
    assert cli.json("timeline", incident)[1]["text"] == "line one\nשורה שתיים\ttab"


def test_author_from_option_config_and_os_user(cli: Cli) -> None:
    incident = cli.out("declare", "Who", "--severity", "SEV5", "--as", "Grace")
    cli.out("config", "name", "Heidi Ö")
    cli.out("note", incident, "from config")
    authors = [e["author"] for e in cli.json("timeline", incident)]
    assert authors == ["Grace", "Heidi Ö"]
    assert cli.out("config", "name") == "Heidi Ö"
    assert "name" in (cli.data_dir / "config.toml").read_text(encoding="utf-8")


def test_data_dir_from_environment_and_option_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("INCIDENTDESK_HOME", str(home))
    assert main(["declare", "Env", "--severity", "SEV5"]) == 0
    incident = capsys.readouterr().out.strip()
    assert (home / "incidentdesk.sqlite3").exists()
    other = tmp_path / "other"
    other.mkdir()
    assert main(["incidents", "--data-dir", str(other), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["show", incident, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Env"


def test_missing_data_dir_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(tmp_path / "typo"), "incidents"]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and "Traceback" not in err
    assert not (tmp_path / "typo").exists()


def test_demo_seeds_a_realistic_incident(cli: Cli) -> None:
    incident = cli.out("demo")
    shown = cli.json("show", incident)
    assert shown["severity"] == "SEV2"
    assert shown["roles"]["commander"][0]["person"]
    assert shown["shadows"]
    assert all(
        shown["milestones"][m]
        for m in ("started_at", "detected_at", "acknowledged_at", "mitigated_at")
    )
    assert shown["drill"] is True, "like the welcome dialog's demo: kept out of the metrics"
    timeline = cli.json("timeline", incident)
    # A drill from its first minute, marked by whoever declared it (not the last entry).
    drill = [e for e in timeline if e["kind"] == "incident.drill_set"]
    assert [(e["author"], e["occurred_at"]) for e in drill] == [
        (timeline[0]["author"], timeline[0]["occurred_at"])
    ]
    timeline = [e for e in timeline if e["kind"] != "incident.drill_set"]
    assert 55 <= len(timeline) <= 80
    first = datetime.fromisoformat(timeline[0]["occurred_at"])
    last = datetime.fromisoformat(timeline[-1]["occurred_at"])
    assert timedelta(hours=2, minutes=30) <= last - first <= timedelta(hours=3)
    assert any("handed over" in e["text"] for e in timeline)


def test_db_commands(cli: Cli) -> None:
    incident = cli.out("declare", "DB", "--severity", "SEV5")
    assert "ok" in cli.out("db", "check")
    from incidentdesk.infra.store.migrate import SCHEMA_HEAD

    assert SCHEMA_HEAD in cli.out("db", "upgrade")
    assert "1 incident" in cli.out("db", "rebuild")
    assert cli.json("incidents")[0]["id"] == incident


def test_installed_command_runs_without_tracebacks(data_dir: Path) -> None:
    exe = Path(sys.executable).parent / "incidentdesk"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "incidentdesk"]
    version = subprocess.run([*command, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"incidentdesk {__version__}"
    bad = subprocess.run(
        [*command, "--data-dir", str(data_dir), "show", "abcdef12"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert bad.stderr.strip() == "incidentdesk: No incident has an id starting with 'abcdef12'."


def test_drills_are_marked_and_unmarked(cli: Cli) -> None:
    incident = cli.out("declare", "Game day: failover", "--severity", "SEV3")
    cli.out("drill", incident)
    assert cli.json("show", incident)["drill"] is True
    assert cli.json("incidents")[0]["drill"] is True
    assert "already a drill" in cli.fails("drill", incident)
    cli.out("drill", incident, "--off")
    assert cli.json("show", incident)["drill"] is False
    texts = [e["text"] for e in cli.json("timeline", incident)]
    assert texts[-2:] == ["Marked as a drill", "No longer marked as a drill"]


def test_note_kind_action_with_owner_and_due_is_a_tracked_item(cli: Cli) -> None:
    from incidentdesk.app.desk import Desk

    incident = cli.out("declare", "Auth down", "--severity", "SEV1")
    given = cli.out(
        "note",
        incident,
        "roll back auth-gateway",
        "--kind",
        "action",
        "--owner",
        "Bob",
        "--due",
        "2026-12-11",
    )
    typed = cli.out("note", incident, "@carol rotate the keys due 2026-12-20", "--kind", "action")
    code, out, err = cli(
        "note", incident, "write it up by end of week", "--kind", "action", ok=False
    )
    assert code == 0
    unknown = out.strip()
    assert err.startswith("incidentdesk: 'by end of week' is not a due date I know")
    plain = cli.out("note", incident, "Bob: not an item", "--kind", "decision")

    desk = Desk.open(cli.data_dir, "Reader")
    try:
        items = {i.note: i for i in desk.incidents.get(incident).postmortem.action_items.values()}
    finally:
        desk.close()
    assert set(items) == {given, typed, unknown}  # a decision is not an action item
    assert plain not in items
    assert (items[given].description, items[given].owner, str(items[given].due)) == (
        "roll back auth-gateway",
        "Bob",
        "2026-12-11",
    )
    assert (items[typed].description, items[typed].owner, str(items[typed].due)) == (
        "rotate the keys",
        "carol",
        "2026-12-20",
    )
    assert (items[unknown].owner, items[unknown].due) == ("", None)
    timeline = {e["id"]: e for e in cli.json("timeline", incident)}
    assert timeline[given]["text"] == "roll back auth-gateway"
    assert timeline[given]["payload"]["note_kind"] == "action"

    assert "is not a due date; use a date" in cli.fails(
        "note", incident, "x", "--kind", "action", "--due", "next week"
    )
    assert "add --kind action" in cli.fails("note", incident, "x", "--owner", "Bob")
    assert "needs doing" in cli.fails("note", incident, "Bob: by Friday", "--kind", "action")
    assert len(cli.json("timeline", incident)) == len(timeline)  # refused: nothing recorded


def help_text(cli: Cli, command: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    return " ".join(cli.capsys.readouterr().out.split())


def test_help_reads_as_english(cli: Cli) -> None:
    assert "--at ISO8601 when it started (without" in help_text(cli, "declare")
    for command in ("note", "status", "milestone"):
        text = help_text(cli, command)
        assert "--at ISO8601 when it happened (without" in text
        assert "happened happened" not in text
    assert "marked as a drill so it stays out of the metrics" in help_text(cli, "demo")


def test_one_of_something_is_singular(cli: Cli) -> None:
    cli.out("declare", "One", "--severity", "SEV3")
    assert cli.out("db", "rebuild") == "Rebuilt the projections of 1 incident from the journal."


def test_plain_output_shows_hidden_characters_and_json_keeps_them(cli: Cli) -> None:
    spoof = "RTL \u202egnp.exe\u202c"
    incident = cli.out("declare", f"Upload of {spoof}", "--severity", "SEV3")
    cli.out("note", incident, f"attachment {spoof} and pay\u200bments")
    shown = cli.out("timeline", incident)
    assert "attachment RTL ⟨U+202E⟩gnp.exe⟨U+202C⟩ and pay⟨U+200B⟩ments" in shown
    assert "\u202e" not in shown and "\u200b" not in shown
    listed = cli.out("incidents")
    assert "Upload of RTL ⟨U+202E⟩gnp.exe⟨U+202C⟩" in listed and "\u202e" not in listed
    assert cli.out("show", incident).splitlines()[0] == "Upload of RTL ⟨U+202E⟩gnp.exe⟨U+202C⟩"
    # Stored as typed: the machine-readable outputs keep the characters.
    assert cli.json("show", incident)["title"] == f"Upload of {spoof}"
    notes = [e["text"] for e in cli.json("timeline", incident)]
    assert f"attachment {spoof} and pay\u200bments" in notes
