"""``incidentdesk catalog`` and ``incidentdesk secret``, as a person or a script uses them."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from sharedkit import shared_dir  # tests/sharedkit.py

from incidentdesk.cli.main import main
from incidentdesk.core.catalog.model import parse_toml
from incidentdesk.infra.config import Profile, shared_secret_name
from incidentdesk.infra.shipped import resource_path

EXAMPLE = resource_path("catalog", "example.toml")
SHARED = shared_dir()
BACKSTAGE = SHARED / "fixtures" / "backstage"
KEY = "e93facc04764012d7bfb002500d5d1a6"  # looks like a PagerDuty integration key


class Cli:
    """Runs ``incidentdesk`` in-process against one data folder."""

    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data_dir = data_dir
        self.capsys = capsys

    def __call__(self, *args: str) -> str:
        code = main(["--data-dir", str(self.data_dir), *args])
        out, err = self.capsys.readouterr()
        assert (code, err) == (0, "")
        return out

    def fails(self, *args: str) -> str:
        code = main(["--data-dir", str(self.data_dir), *args])
        out, err = self.capsys.readouterr()
        assert code == 1, (out, err)
        assert "Traceback" not in err
        assert err.startswith("incidentdesk: ") and err.count("\n") == 1, err
        return err.removeprefix("incidentdesk: ").strip()


@pytest.fixture
def cli(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(data_dir, capsys)


def backstage_file(tmp_path: Path) -> Path:
    """Backstage's example entities plus one component carrying an integration key, as one
    catalog-info.yaml (skipped where ../shared is absent, except under CI)."""
    files = sorted(BACKSTAGE.glob("*.yaml"))
    if not files:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Backstage's example entities in {BACKSTAGE}.")
        pytest.skip(f"Backstage's example entities are not here ({BACKSTAGE}).")
    paged = (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: checkout\n"
        f"  annotations:\n    pagerduty.com/integration-key: {KEY}\n"
        "spec:\n  type: service\n  owner: group:default/team-a\n"
    )
    texts = [path.read_text(encoding="utf-8") for path in files]
    target = tmp_path / "catalog-info.yaml"
    target.write_text("\n---\n".join([*texts, paged]), encoding="utf-8")
    return target


def test_import_show_and_export_the_example(cli: Cli, tmp_path: Path) -> None:
    assert "No catalog has been imported yet" in cli("catalog", "show")
    assert json.loads(cli("catalog", "show", "--json")) is None
    out = cli("catalog", "import", str(EXAMPLE))
    assert out == "Imported example.toml: 3 teams, 6 people, 5 services, 2 policies, 6 targets.\n"
    again = cli("catalog", "import", str(EXAMPLE))
    assert again.startswith("The catalog in example.toml is unchanged (3 teams, 6 people")
    shown = cli("catalog", "show")
    assert "checkout [commerce]  tier 1  team payments  policy payments-critical" in shown
    assert "level 3: opsgenie-payments-leads, webhook-status-bridge (acknowledge within 15" in (
        shown
    )
    document = json.loads(cli("catalog", "show", "--json"))
    assert document["source"] == "example.toml"
    assert [s["name"] for s in document["catalog"]["services"]][:2] == ["checkout", "payments-api"]
    exported = cli("catalog", "export")
    original = parse_toml(EXAMPLE.read_text(encoding="utf-8"))
    assert parse_toml(exported) == original
    out_file = tmp_path / "exported.toml"
    assert cli("catalog", "export", "-o", str(out_file)) == f"Wrote the catalog to {out_file}.\n"
    assert out_file.read_text(encoding="utf-8") == exported
    # the exported file imports as the same catalog: nothing changes
    assert "is unchanged" in cli("catalog", "import", str(out_file))


def test_a_bad_file_leaves_the_previous_catalog_in_place(cli: Cli, tmp_path: Path) -> None:
    cli("catalog", "import", str(EXAMPLE))
    before = cli("catalog", "export")
    text = EXAMPLE.read_text(encoding="utf-8")
    bad = tmp_path / "catalog.toml"
    # many good entries and one unknown team: nothing of it is imported
    bad.write_text(
        text.replace(
            'name = "kubernetes-eu"\nteam = "platform"', 'name = "k8s"\nteam = "platfrm"'
        ).replace('name = "checkout"', 'name = "checkout-v2"'),
        encoding="utf-8",
    )
    line = bad.read_text(encoding="utf-8").splitlines().index('team = "platfrm"') + 1
    assert cli.fails("catalog", "import", str(bad)) == (
        f"catalog.toml, line {line}: service 'k8s': 'team' names 'platfrm', which is not a team."
    )
    assert cli("catalog", "export") == before
    assert cli.fails("catalog", "import", str(tmp_path / "missing.toml")).startswith(
        "There is no file"
    )
    (tmp_path / "binary.toml").write_bytes(b"\xff\xfe\x00")
    assert "is not UTF-8 text" in cli.fails("catalog", "import", str(tmp_path / "binary.toml"))


def test_export_without_a_catalog_says_what_to_do(cli: Cli) -> None:
    assert cli.fails("catalog", "export") == (
        "No catalog has been imported yet; run `incidentdesk catalog import FILE`."
    )


def test_backstage_import_keeps_the_key_in_the_keyring_only(
    cli: Cli,
    tmp_path: Path,
    data_dir: Path,
    memory_keyring: dict[tuple[str, str], str],
) -> None:
    source = backstage_file(tmp_path)
    out = cli("catalog", "import", str(source))
    lines = out.splitlines()
    assert lines[0] == (
        "Imported catalog-info.yaml: 2 teams, 5 people, 3 services, 1 policy, 1 target."
    )
    assert any("System 'audio-playback' skipped: its owner, group 'team-c'" in s for s in lines)
    assert "  Secret 'pagerduty/checkout': stored in the keyring." in lines
    assert memory_keyring[("incidentdesk", "pagerduty/checkout")] == KEY
    shown = cli("catalog", "show")
    assert "playback-order [" not in shown and "playback-order  tier 3  team user-guest" in shown
    exported = cli("catalog", "export", "-o", str(tmp_path / "out.toml"))
    printed = cli("catalog", "export") + cli("catalog", "show", "--json") + out + exported
    status = cli("secret", "status") + cli("secret", "status", "--json")
    assert "pagerduty/checkout  present (keyring)  used by target pagerduty/checkout" in status
    # Nowhere on disk (database, its WAL, logs, the exported file) nor in any output
    assert KEY not in printed + status
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != source]
    assert any(p.name.startswith("incidentdesk.sqlite3") for p in files)
    logs = [p for p in files if p.suffix == ".log"]
    assert logs and "secrets stored: pagerduty/checkout" in logs[0].read_text(encoding="utf-8")
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path


def test_secret_set_reads_one_line_and_refuses_an_empty_value(
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: dict[tuple[str, str], str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cr3t-value\nsecond line ignored\n"))
    out = cli("secret", "set", "slack/incidents")
    assert out == "Stored the secret 'slack/incidents' in the system keyring.\n"
    assert memory_keyring[("incidentdesk", "slack/incidents")] == "s3cr3t-value"
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert cli.fails("secret", "set", "slack/incidents") == (
        "The value for 'slack/incidents' is empty; nothing was stored."
    )
    assert memory_keyring[("incidentdesk", "slack/incidents")] == "s3cr3t-value"
    assert "A secret name is letters" in cli.fails("secret", "set", "bad name")


def test_secret_status_says_present_and_where_never_the_value(
    cli: Cli,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: dict[tuple[str, str], str],
) -> None:
    assert "No secrets are used yet" in cli("secret", "status")
    cli("catalog", "import", str(EXAMPLE))
    profile = Profile.load(data_dir)
    profile.shared_url = "postgresql://desk@db.example.com:5432/incidents"
    profile.save()
    memory_keyring[("incidentdesk", "pagerduty/payments")] = "pd-value-1234567890"
    memory_keyring[("incidentdesk", "shared-db")] = "db-password-0987654321"
    monkeypatch.setenv("INCIDENTDESK_SECRET_SLACK_INCIDENTS", "https://hooks.example/T/B/xyz987")
    text = cli("secret", "status")
    document = json.loads(cli("secret", "status", "--json"))
    for value in ("pd-value-1234567890", "db-password-0987654321", "xyz987"):
        assert value not in text and value not in json.dumps(document)
    rows = {row["name"]: row for row in document["secrets"]}
    # The old installation's shared name was copied to this profile's own name.
    own = shared_secret_name(data_dir)
    assert own != "shared-db"
    assert rows[own] == {
        "name": own,
        "used_by": ["the shared database"],
        "present": True,
        "source": "keyring",
    }
    assert rows["pagerduty/payments"]["source"] == "keyring"
    assert rows["slack/incidents"]["source"] == "environment"
    assert rows["teams/storefront"] == {
        "name": "teams/storefront",
        "used_by": ["target teams-storefront"],
        "present": False,
        "source": None,
    }
    assert len(rows) == 7
    assert "MISSING: incidentdesk secret set opsgenie/payments" in text
    assert "slack/incidents" in text and "present (environment)" in text


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "bomb.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: a\n"
            "  x: &a [1, 1]\n  y: [*a, *a]\n",
            "aliases (*name) are not allowed",
        ),
        ("deep.toml", "x = " + "[" * 20_000 + "]" * 20_000 + "\n", "nests too deeply"),
    ],
)
def test_hostile_catalog_files_are_refused_in_one_sentence(
    data_dir: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, message: str
) -> None:
    from incidentdesk.cli.main import main

    path = data_dir / name
    path.write_text(text, encoding="utf-8")
    code = main(["--data-dir", str(data_dir), "catalog", "import", str(path)])
    err = capsys.readouterr().err
    assert code == 1 and message in err and "Traceback" not in err
