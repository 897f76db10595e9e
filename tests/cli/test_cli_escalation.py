"""``incidentdesk escalate / escalations / ack / post`` against a real local HTTP server."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from catalogkit import catalog_text  # tests/catalogkit.py
from pytest_httpserver import HTTPServer

from incidentdesk.cli.main import main

ROUTING_KEY = "cli-routing-key-0123456789abcdef"


def run(data_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), "--as", "Ana", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def incident(
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    path = data_dir / "catalog.toml"
    path.write_text(catalog_text(httpserver.url_for("").rstrip("/")), encoding="utf-8")
    assert run(data_dir, capsys, "catalog", "import", str(path))[0] == 0
    monkeypatch.setenv("INCIDENTDESK_SECRET_PAGERDUTY_PAYMENTS", ROUTING_KEY)
    monkeypatch.setenv("INCIDENTDESK_SECRET_SLACK_INCIDENTS", "https://hooks.slack.com/x/y")
    code, out, _err = run(data_dir, capsys, "declare", "Checkout down", "--severity", "SEV2")
    assert code == 0
    incident_id = out.split()[0]
    return incident_id


def test_escalate_wait_exits_0_once_delivered(
    data_dir: Path, capsys: pytest.CaptureFixture[str], httpserver: HTTPServer, incident: str
) -> None:
    httpserver.expect_request("/v2/enqueue").respond_with_json({"status": "success"}, status=202)
    code, out, err = run(
        data_dir, capsys, "escalate", incident, "--service", "checkout", "--wait", "5"
    )
    assert (code, err) == (0, "")
    assert "paging payments for checkout (level 1: pd-payments)" in out
    assert "pd-payments: delivered" in out
    [request] = [r for r, _ in httpserver.log]
    assert json.loads(request.get_data())["routing_key"] == ROUTING_KEY

    code, out, _ = run(data_dir, capsys, "escalations", incident, "--json")
    [page] = json.loads(out)
    assert (page["service"], page["status"], page["level"]) == ("checkout", "sent", 1)
    assert page["targets"][0]["status"] == "sent"

    code, out, _ = run(data_dir, capsys, "ack", incident, page["id"], "--by", "Priya Raman")
    assert code == 0 and "acknowledged by Priya Raman" in out
    code, out, _ = run(data_dir, capsys, "escalations", incident)
    assert "acknowledged by Priya Raman" in out


def test_escalate_wait_exits_1_when_refused_and_prints_the_reason(
    data_dir: Path, capsys: pytest.CaptureFixture[str], httpserver: HTTPServer, incident: str
) -> None:
    httpserver.expect_request("/v2/enqueue").respond_with_json(
        {"status": "invalid event", "message": "Event object is invalid"}, status=400
    )
    code, out, _ = run(
        data_dir, capsys, "escalate", incident, "--service", "checkout", "--wait", "5"
    )
    assert code == 1
    assert "pd-payments: failed:" in out and "400" in out
    assert ROUTING_KEY not in out


def test_escalate_wait_exits_1_at_once_when_the_secret_is_missing(
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    httpserver: HTTPServer,
    incident: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("INCIDENTDESK_SECRET_PAGERDUTY_PAYMENTS")
    started = time.monotonic()
    code, out, _ = run(
        data_dir, capsys, "escalate", incident, "--service", "checkout", "--wait", "30"
    )
    took = time.monotonic() - started
    assert code == 1
    # It does not wait out --wait 30 (nor a retry's backoff): it ends after the one attempt.
    assert took < 10.0, f"a permanent failure took {took:.2f} s to report"
    assert "payments was NOT paged for checkout: The secret 'pagerduty/payments' is not set" in out
    assert httpserver.log == []  # nothing was sent, and nothing will be retried
    code, out, _ = run(data_dir, capsys, "escalations", incident, "--json")
    [page] = json.loads(out)
    assert (page["status"], page["state"], page["targets"][0]["attempts"]) == ("failed",) * 2 + (1,)
    code, out, _ = run(data_dir, capsys, "escalations", incident)
    assert "NOT paged: The secret 'pagerduty/payments' is not set on this workstation" in out


def test_escalate_twice_is_refused_in_one_sentence(
    data_dir: Path, capsys: pytest.CaptureFixture[str], incident: str
) -> None:
    assert run(data_dir, capsys, "escalate", incident, "--service", "checkout")[0] == 0
    code, _out, err = run(
        data_dir, capsys, "escalate", incident, "--service", "checkout", "--level", "1"
    )
    assert code == 1
    assert err.startswith("incidentdesk: ") and "waiting for an answer" in err
    assert err.count("\n") == 1


def test_escalate_an_unknown_service(
    data_dir: Path, capsys: pytest.CaptureFixture[str], incident: str
) -> None:
    code, _out, err = run(data_dir, capsys, "escalate", incident, "--service", "billing")
    assert code == 1 and "billing" in err and "Traceback" not in err


def test_post_an_update_to_slack(
    data_dir: Path, capsys: pytest.CaptureFixture[str], httpserver: HTTPServer, incident: str
) -> None:
    httpserver.expect_request("/x/y", method="POST").respond_with_data("ok")
    code, out, err = run(
        data_dir, capsys, "post", incident, "--to", "slack-incidents", "Mitigated.", "--wait", "5"
    )
    assert (code, err) == (0, ""), err
    assert "slack-incidents: delivered" in out
    code, out, _ = run(data_dir, capsys, "timeline", incident)
    assert "Posted to slack-incidents (attempt 1)" in out


def test_channel_posts_status_changes(
    data_dir: Path, capsys: pytest.CaptureFixture[str], httpserver: HTTPServer, incident: str
) -> None:
    httpserver.expect_request("/x/y", method="POST").respond_with_data("ok")
    code, out, _ = run(data_dir, capsys, "channel", incident)
    assert (code, out.strip()) == (0, "Status changes are not posted to chat.")
    code, out, err = run(data_dir, capsys, "channel", incident, "slack-incidents")
    assert (code, err) == (0, "") and "slack-incidents" in out
    assert run(data_dir, capsys, "status", incident, "mitigated")[0] == 0
    code, out, _ = run(data_dir, capsys, "timeline", incident)
    assert "Posting to slack-incidents: Status changed to Mitigated (monitoring)" in out
    code, _out, err = run(data_dir, capsys, "channel", incident, "pd-payments")
    assert code == 1 and "not a chat channel" in err
    assert run(data_dir, capsys, "channel", incident, "--none")[0] == 0


def test_demo_brings_its_catalog_only_when_there_is_none(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(data_dir, capsys, "demo")
    incident = out.strip()
    code, out, _ = run(data_dir, capsys, "catalog", "show", "--json")
    services = {s["name"] for s in json.loads(out)["catalog"]["services"]}
    assert {"payments-api", "ledger-service"} <= services
    code, _out, err = run(data_dir, capsys, "escalate", incident, "--service", "payments-api")
    assert (code, err) == (0, "")  # queued; its secret is not set, which the page will say
    code, out, _ = run(data_dir, capsys, "demo")  # a second demo leaves the catalog alone
    code, out, _ = run(data_dir, capsys, "catalog", "show", "--json")
    assert len(json.loads(out)["catalog"]["services"]) == len(services)
