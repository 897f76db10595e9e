"""The shared-database commands, as a user runs them, against a real PostgreSQL."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from pgcluster import PgCluster
from synckit import APP_PASSWORD

from incidentdesk.cli.main import main
from incidentdesk.infra.config import shared_secret_name


def run(
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    *args: str,
    stdin: str | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_connect_upgrade_sync_status_and_disconnect(
    data_dir: Path,
    shared_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: dict[tuple[str, str], str],
) -> None:
    code, out, err = run(
        data_dir,
        capsys,
        "connect",
        shared_url,
        "--password-stdin",
        stdin=APP_PASSWORD + "\n",
        monkeypatch=monkeypatch,
    )
    assert code == 1, "connected, but the schema does not exist yet"
    assert "password is in the system keyring" in out
    assert "db upgrade --shared" in err
    assert memory_keyring[("incidentdesk", shared_secret_name(data_dir))] == APP_PASSWORD
    config = (data_dir / "config.toml").read_text()
    assert shared_url in config and APP_PASSWORD not in config

    code, out, _ = run(data_dir, capsys, "db", "upgrade", "--shared")
    assert code == 0 and "Upgraded the shared database from empty" in out
    code, out, _ = run(data_dir, capsys, "db", "upgrade", "--shared")
    assert "already at schema" in out

    code, out, _ = run(data_dir, capsys, "declare", "Search down", "--severity", "SEV2")
    incident = out.strip().split()[-1]
    code, out, _ = run(data_dir, capsys, "sync", "--status", "--json")
    status = json.loads(out)
    assert status["state"] == "online" and status["waiting"] == 1
    code, out, _ = run(data_dir, capsys, "sync")
    assert code == 0 and "Pushed 1 new event," in out
    code, out, _ = run(data_dir, capsys, "sync", "--status")
    assert out.startswith("online · nothing waiting · last sync: 20")

    code, out, _ = run(data_dir, capsys, "disconnect")
    assert "works locally only" in out
    assert ("incidentdesk", shared_secret_name(data_dir)) not in memory_keyring
    code, out, _ = run(data_dir, capsys, "sync", "--status", "--json")
    assert json.loads(out)["state"] == "local only"
    assert json.loads(out)["waiting"] == 0 and json.loads(out)["quarantined"] == 0
    code, _out, _ = run(data_dir, capsys, "note", incident, "written while local only")
    assert code == 0
    code, out, _ = run(data_dir, capsys, "sync", "--status")
    assert out.startswith("local only · nothing waiting · "), out


def test_wrong_password_and_unreachable_server_get_specific_messages(
    data_dir: Path,
    shared_schema: str,
    pg_cluster: PgCluster,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _out, err = run(
        data_dir,
        capsys,
        "connect",
        shared_schema,
        "--password-stdin",
        stdin="not-the-password\n",
        monkeypatch=monkeypatch,
    )
    assert code == 1
    assert "refused the password for user 'desk_app'" in err
    assert "not-the-password" not in err

    closed = shared_schema.replace(f":{pg_cluster.port}/", ":1/")
    code, _out, err = run(
        data_dir,
        capsys,
        "connect",
        closed,
        "--password-stdin",
        stdin=APP_PASSWORD + "\n",
        monkeypatch=monkeypatch,
    )
    assert code == 1 and "Cannot reach the shared database at 127.0.0.1:1" in err

    missing = shared_schema.rsplit("/", 1)[0] + "/no_such_db"
    code, _out, err = run(
        data_dir,
        capsys,
        "connect",
        missing,
        "--password-stdin",
        stdin=APP_PASSWORD + "\n",
        monkeypatch=monkeypatch,
    )
    assert code == 1 and "'no_such_db' does not exist" in err


def test_bad_urls_are_refused_before_anything_is_stored(
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _o, err = run(
        data_dir,
        capsys,
        "connect",
        "postgresql://u:pw@host/db",
        "--password-stdin",
        stdin="x\n",
        monkeypatch=monkeypatch,
    )
    assert code == 1 and "Do not put the password in the URL" in err
    code, _o, err = run(data_dir, capsys, "connect", "mysql://u@host/db")
    assert code == 1 and "not a postgresql:// URL" in err
    assert not (data_dir / "config.toml").exists()


def test_the_password_is_never_written_anywhere(
    tmp_path: Path,
    data_dir: Path,
    shared_schema: str,
    pg_cluster: PgCluster,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    outputs: list[str] = []

    def step(*args: str, stdin: str | None = None) -> None:
        _code, out, err = run(data_dir, capsys, *args, stdin=stdin, monkeypatch=monkeypatch)
        outputs.extend([out, err])

    step("connect", shared_schema, "--password-stdin", stdin=APP_PASSWORD + "\n")
    step("declare", "Leak check", "--severity", "SEV3")
    incident = outputs[-2].strip()
    step("note", incident, "nothing secret here")
    step("sync")
    step("timeline", incident, "--json")
    step("show", incident, "--json")
    step("sync", "--status", "--json")
    # A failure after the password was used: the exception text must not carry it.
    pg_cluster.stop("fast")
    try:
        step("sync")
    finally:
        pg_cluster.start()
    step("sync", "--status")

    texts = [*outputs, caplog.text]
    for path in data_dir.rglob("*"):
        if path.is_file():
            texts.append(path.read_bytes().decode("utf-8", errors="replace"))
    with pg_cluster.admin(shared_schema.rsplit("/", 1)[1]) as conn:
        rows = conn.execute("SELECT payload, author, kind FROM events").fetchall()
    texts.append(repr(rows))
    leaks = [t[:80] for t in texts if APP_PASSWORD in t]
    assert not leaks, leaks
    assert any("Cannot reach the shared database" in t for t in outputs)
