"""Bridge and customer impact through the Desk and the CLI: recorded, refused, exported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incidentdesk.app.demo import seed_demo_catalog
from incidentdesk.app.desk import Desk
from incidentdesk.cli.main import main
from incidentdesk.core.errors import DomainError
from incidentdesk.infra.export.markdown import to_markdown


def test_declare_with_links_then_change_and_clear_them(desk: Desk) -> None:
    incident = desk.incidents.declare(
        "Checkout down",
        "SEV1",
        ["payments-api"],
        bridge="https://zoom.us/j/1?pwd=p4ss",
        impact="EU cannot pay",
    )
    assert (desk.incidents.get(incident).bridge, desk.incidents.get(incident).impact) == (
        "https://zoom.us/j/1?pwd=p4ss",
        "EU cannot pay",
    )
    with pytest.raises(DomainError, match="already"):
        desk.links.set_bridge(incident, "https://zoom.us/j/1?pwd=p4ss")
    desk.links.set_impact(incident, "EU and UK cannot pay")
    desk.links.set_bridge(incident, "none")
    state = desk.incidents.get(incident)
    assert (state.bridge, state.impact) == ("", "EU and UK cannot pay")
    with pytest.raises(DomainError, match="There is no bridge link"):
        desk.links.set_bridge(incident, "")
    texts = [entry.text for entry in desk.incidents.timeline(incident)]
    assert texts[-2:] == ["Customer impact: EU and UK cannot pay", "Bridge link removed"]


def test_the_post_mortem_shows_the_impact_and_the_bridge_without_its_passcode(
    desk: Desk,
) -> None:
    incident = desk.incidents.declare(
        "Checkout down", "SEV2", [], bridge="https://zoom.us/j/1?pwd=p4ss", impact="EU cannot pay"
    )
    desk.postmortems.start(incident, "standard")
    document = desk.postmortems.document(incident)
    markdown = to_markdown(document)
    assert "| Customer impact | EU cannot pay |" in markdown
    assert "| Bridge | https://zoom.us/j/1 |" in markdown
    assert "p4ss" not in markdown
    assert "Customer impact (during the incident): EU cannot pay" in markdown  # prefilled


def test_service_links_of_the_incident(desk: Desk) -> None:
    seed_demo_catalog(desk)
    incident = desk.incidents.declare("Checkout down", "SEV2", ["payments-api", "billing"])
    [links] = desk.links.service_links(incident)
    assert links.service == "payments-api"
    assert links.runbook_url == "https://runbooks.example.com/payments/payments-api"


def run(data_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), "--as", "Ana", *args])
    out, err = capsys.readouterr()
    return code, out.strip(), err


def test_cli_bridge_and_impact(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, incident, _ = run(
        data_dir,
        capsys,
        "declare",
        "Checkout down",
        "--severity",
        "SEV1",
        "--impact",
        "EU cannot pay",
    )
    assert code == 0
    assert run(data_dir, capsys, "bridge", incident, "https://meet.example.com/x")[0] == 0
    code, _out, err = run(data_dir, capsys, "bridge", incident, "javascript:alert(1)")
    assert code == 1
    assert err.startswith("incidentdesk: 'javascript:alert(1)' is not a bridge link")
    assert "Traceback" not in err and err.count("\n") == 1
    assert run(data_dir, capsys, "impact", incident, "EU and UK cannot pay")[0] == 0
    shown = json.loads(run(data_dir, capsys, "show", incident, "--json")[1])
    assert (shown["bridge"], shown["impact"]) == (
        "https://meet.example.com/x",
        "EU and UK cannot pay",
    )
    text = run(data_dir, capsys, "show", incident)[1]
    assert "bridge    https://meet.example.com/x" in text
