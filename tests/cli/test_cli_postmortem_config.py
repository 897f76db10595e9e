"""The default due date of action items follows the profile's setting."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from incidentdesk.cli.main import main
from incidentdesk.infra.config import Profile


def run(data_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_due_days_are_a_profile_setting_used_for_new_action_items(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(data_dir, capsys, "config", "due-days")
    assert code == 0 and "SEV1=7" in out and "SEV2=14" in out
    code, out, err = run(data_dir, capsys, "config", "due-days", "SEV1=3, sev2=5")
    assert (code, err) == (0, "")
    assert "SEV1=3" in out and "SEV2=5" in out and "SEV3=30" in out
    assert Profile.load(data_dir).due_days["SEV1"] == 3
    assert "SEV1 = 3" in (data_dir / "config.toml").read_text(encoding="utf-8")

    code, out, _ = run(data_dir, capsys, "declare", "Checkout down", "--severity", "SEV1")
    incident = out.split()[0]
    from incidentdesk.app.desk import Desk

    desk = Desk.open(data_dir, "Ana")
    desk.action_items.due_days = Profile.load(data_dir).due_days
    desk.postmortems.start(incident, "lightweight", fill=False)
    desk.action_items.save(incident, description="Add a canary", owner="Ana")
    [item] = desk.action_items.rows()
    assert item["due"] == (date.today() + timedelta(days=3)).isoformat()
    desk.close()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("SEV9=3", "'SEV9' is not a severity"),
        ("SEV1=0", "SEV1 must be due in 1 to 365 days"),
        ("SEV1", "is not SEVERITY=DAYS"),
        ("SEV2=soon", "SEV2 must be due in 1 to 365 days, not 'soon'"),
    ],
)
def test_bad_due_days_are_refused_in_one_sentence(
    data_dir: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    code, _out, err = run(data_dir, capsys, "config", "due-days", value)
    assert code == 1 and message in err and err.count("\n") == 1
    assert not (data_dir / "config.toml").exists()  # nothing half-saved


def test_lint_needs_no_profile_or_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "pm.md"
    doc.write_text("# Post-mortem\n\nThe deploy paused itself.\n", encoding="utf-8")
    missing = tmp_path / "no-such-folder"
    code = main(["--data-dir", str(missing), "postmortem", "lint", str(doc), "--json"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert json.loads(out) == []
    assert not missing.exists()
