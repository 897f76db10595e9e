"""``incidentdesk metrics`` driven through a real Desk (the subcommand on its own parser)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from incidentdesk.app.desk import Desk
from incidentdesk.cli.metrics import add_metrics_parser, parse_bound, run_metrics
from incidentdesk.core.errors import DomainError


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def record(
    desk: Desk,
    title: str,
    severity: str,
    services: list[str],
    started: str,
    detected: str | None = None,
    acknowledged: str | None = None,
    mitigated: str | None = None,
    resolved: str | None = None,
) -> str:
    """Declare a back-dated incident (declaring records started = detected), then set its
    milestones as a commander would."""
    incident = desk.incidents.declare(title, severity, services, at(detected or started))
    if detected and detected != started:
        desk.incidents.set_milestone(incident, "started", at(started))
    if acknowledged:
        desk.incidents.set_milestone(incident, "acknowledged", at(acknowledged))
    if mitigated:
        desk.incidents.set_status(incident, "mitigated", at(mitigated))
    if resolved:
        desk.incidents.set_status(incident, "resolved", at(resolved))
    return incident


@pytest.fixture
def library(desk: Desk) -> Desk:
    # Minutes after detection:               ack  mitigate  resolve
    # I1 SEV1 checkout+payments (10-03)       4      30        65
    # I2 SEV1 payments (20-03)                2      45        90
    # I3 SEV2 search (15-04), open            -       -         -    (detected after 10)
    # I4 SEV1 checkout (02-04), a drill       -       -       210    (detected after 30)
    record(
        desk,
        "Checkout 5xx",
        "SEV1",
        ["checkout", "payments"],
        "2026-03-10T10:00",
        "2026-03-10T10:05",
        "2026-03-10T10:09",
        "2026-03-10T10:35",
        "2026-03-10T11:10",
    )
    record(
        desk,
        "Card payments declined",
        "SEV1",
        ["payments"],
        "2026-03-20T08:00",
        "2026-03-20T08:00",
        "2026-03-20T08:02",
        "2026-03-20T08:45",
        "2026-03-20T09:30",
    )
    record(desk, "Search is slow", "SEV2", ["search"], "2026-04-15T12:00", "2026-04-15T12:10")
    drill = record(
        desk,
        "Game day: region failover",
        "SEV1",
        ["checkout"],
        "2026-04-02T09:00",
        "2026-04-02T09:30",
        resolved="2026-04-02T13:00",
    )
    desk.incidents.set_drill(drill)
    return desk


def metrics(desk: Desk, *argv: str) -> str:
    parser = argparse.ArgumentParser(prog="incidentdesk")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS)
    add_metrics_parser(parser.add_subparsers(dest="command"), [common])
    args = parser.parse_args(["metrics", *argv])
    out = io.StringIO()
    assert run_metrics(args, desk, out) == 0
    return out.getvalue()


def as_json(desk: Desk, *argv: str) -> Any:
    return json.loads(metrics(desk, *argv, "--json"))


def test_table_by_severity(library: Desk) -> None:
    text = metrics(library)
    assert text.startswith(
        "Incident metrics by severity: 3 incidents counted; 1 drill left out "
        "(--include-drills counts them)."
    )
    assert (
        "Time to resolve (MTTR) — From detection (detected) to resolution (resolved); "
        "its mean is the MTTR." in text
    )
    resolve = text.split("Time to resolve (MTTR)")[1].splitlines()
    header, sev1, sev2, total = resolve[1:5]
    assert header.split() == [
        "severity",
        "incidents",
        "measured",
        "median",
        "p90",
        "mean",
        "missing",
    ]
    # SEV1 resolved after 65 and 90 minutes: median 77.5 min (1h 17m 30s → 1h 17m);
    # p90 65+0.9·25 = 87.5 min → 1h 27m; mean 77.5 → 1h 17m.
    assert sev1.split() == ["SEV1", "2", "2", "1h", "17m", "1h", "27m", "1h", "17m", "0"]
    # SEV2 is still open: no values, and its missing milestone is named.
    assert sev2.split() == ["SEV2", "1", "0", "—", "—", "—", "1", "(resolved)"]
    assert total.split()[:3] == ["all", "3", "2"]
    assert "Incidents per month (UTC, by start)" in text
    assert "  2026-03     2  " in text and "  2026-04     1  " in text


def test_single_value_in_a_period(library: Desk) -> None:
    # Dates far from the incidents' times: right in any local timezone.
    text = metrics(library, "--since", "2026-03-01", "--until", "2026-03-15")
    assert "1 incident counted" in text and "2 outside the period" in text
    resolve = text.split("Time to resolve (MTTR)")[1].splitlines()
    # One value, 65 minutes: it is the median, the p90 and the mean.
    assert resolve[2].split() == ["SEV1", "1", "1", "1h", "05m", "1h", "05m", "1h", "05m", "0"]


@contextmanager
def local_timezone(name: str) -> Iterator[None]:
    saved = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


def test_until_a_date_includes_that_whole_day(library: Desk) -> None:
    with local_timezone("UTC"):
        doc = as_json(library, "--until", "2026-03-10")
        assert doc["until"] == "2026-03-11T00:00:00+00:00"
        assert doc["totals"]["counted"] == 1
        doc = as_json(library, "--since", "2026-03-10T10:00:01Z")
        assert doc["since"] == "2026-03-10T10:00:01+00:00"
        assert doc["totals"]["counted"] == 2  # I1 started a second before


def test_json(library: Desk) -> None:
    doc = as_json(library)
    assert doc["by"] == "severity" and doc["include_drills"] is False
    assert doc["totals"]["counted"] == 3 and doc["totals"]["drills_excluded"] == 1
    sev1 = doc["groups"][0]
    assert sev1["key"] == "SEV1" and sev1["incidents"] == 2
    resolve = sev1["metrics"]["time_to_resolve"]
    assert resolve["median_seconds"] == 77.5 * 60
    assert resolve["p90_seconds"] == pytest.approx(87.5 * 60)
    # detect: I1 5 min; I2 was never detected apart from its start (not recorded, not 0);
    # I3 (SEV2) detected after 10 min.
    detect = sev1["metrics"]["time_to_detect"]
    assert (detect["median_seconds"], detect["measured"], detect["not_recorded"]) == (300.0, 1, 1)
    ack = doc["groups"][1]["metrics"]["time_to_acknowledge"]
    assert ack["median_seconds"] is None
    assert ack["missing"] == 1 and ack["most_missing"] == "acknowledged_at"
    assert doc["per_month"] == [
        {"month": "2026-03", "incidents": 2},
        {"month": "2026-04", "incidents": 1},
    ]


def test_by_service_with_drills(library: Desk) -> None:
    doc = as_json(library, "--by", "service", "--include-drills")
    groups = {g["key"]: g for g in doc["groups"]}
    assert list(groups) == ["checkout", "payments", "search"]
    # checkout: I1 and the drill I4; payments: I1 and I2 — I1 counts in both.
    assert groups["checkout"]["incidents"] == 2 and groups["payments"]["incidents"] == 2
    # checkout resolve: 65 and 210 minutes → median 137.5 min
    assert groups["checkout"]["metrics"]["time_to_resolve"]["median_seconds"] == 137.5 * 60
    assert doc["totals"]["counted"] == 4


def test_by_month_table(library: Desk) -> None:
    text = metrics(library, "--by", "month")
    detect = text.split("Time to detect")[1].splitlines()
    assert [line.split()[0] for line in detect[1:5]] == ["month", "2026-03", "2026-04", "all"]


def test_csv(library: Desk) -> None:
    rows = list(csv.reader(io.StringIO(metrics(library, "--csv"))))
    assert rows[0][:3] == ["by", "group", "metric"]
    by_key = {(r[1], r[2]): r for r in rows[1:]}
    assert float(by_key[("SEV1", "time_to_resolve")][8]) == 77.5 * 60
    assert by_key[("SEV2", "time_to_resolve")][6] == "resolved_at"
    assert by_key[("all", "time_to_detect")][3] == "3"


def test_team_needs_the_service_catalog(library: Desk) -> None:
    with pytest.raises(DomainError, match="catalog import") as caught:
        metrics(library, "--by", "team")
    assert str(caught.value).count(".") == 1  # one sentence


CATALOG = """
[[people]]
handle = "ana"
name = "Ana"
team = "money"
[[teams]]
name = "money"
members = ["ana"]
[[teams]]
name = "shop"
members = []
[[services]]
name = "checkout"
team = "shop"
tier = 1
[[services]]
name = "payments"
team = "money"
tier = 1
"""


def test_by_team_follows_the_catalog(library: Desk) -> None:
    from incidentdesk.core.catalog.model import parse_toml

    library.catalog.import_catalog(parse_toml(CATALOG))
    report = as_json(library, "--by", "team")
    counts = {g["key"]: g["incidents"] for g in report["groups"]}
    # I1 (checkout + payments) counts for both teams; I2 payments; I3 search has no team;
    # I4 is a drill.
    assert counts == {"money": 2, "shop": 1, "(no team)": 1}


def test_bad_dates_name_the_value(library: Desk) -> None:
    with pytest.raises(DomainError, match=r"--since: '2026-02-30' is not a valid date"):
        metrics(library, "--since", "2026-02-30")
    with pytest.raises(DomainError, match=r"--until: 'last week'"):
        metrics(library, "--until", "last week")
    with pytest.raises(DomainError, match="is not before --until"):
        metrics(library, "--since", "2026-04-01", "--until", "2026-03-01")


def test_a_future_end_is_a_period_not_an_error(library: Desk) -> None:
    assert as_json(library, "--until", "2099-12-31")["totals"]["counted"] == 3


def test_nothing_to_measure(desk: Desk) -> None:
    assert metrics(desk) == (
        "Incident metrics by severity: 0 incidents counted.\nNo incidents to measure.\n"
    )
    doc = as_json(desk)
    assert doc["groups"] == [] and doc["totals"]["metrics"]["time_to_resolve"]["measured"] == 0


def test_json_and_csv_are_exclusive(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        metrics(desk, "--json", "--csv")
    assert exited.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_parse_bound_reads_dates_in_the_given_zone() -> None:
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    assert parse_bound("2026-07-01", "since", paris) == at("2026-06-30T22:00")
    assert parse_bound("2026-07-01", "until", paris) == at("2026-07-01T22:00")
    assert parse_bound("2026-07-01T09:00Z", "until", paris) == at("2026-07-01T09:00")
    with pytest.raises(DomainError, match="leave --until out"):
        parse_bound("9999-12-31", "until")


def test_never_recorded_detection_says_not_recorded(desk: Desk) -> None:
    # Declared, acknowledged and resolved; nobody recorded when it started or was detected.
    incident = desk.incidents.declare("Queue backlog", "SEV2", ["queue"], at("2026-05-04T10:00"))
    desk.incidents.set_milestone(incident, "acknowledged", at("2026-05-04T10:03"))
    desk.incidents.set_status(incident, "resolved", at("2026-05-04T11:00"))
    text = metrics(desk)
    detect = text.split("Time to detect")[1].split("\n\n")[0].splitlines()
    assert detect[2].split() == ["SEV2", "1", "0", "not", "recorded", "0"]
    assert detect[-1].strip().startswith("Not recorded for 1 incident: no detected time")
    acknowledge = text.split("Time to acknowledge (MTTA)")[1].splitlines()
    assert acknowledge[2].split()[:5] == ["SEV2", "1", "1", "3m", "00s"]  # measured from it


def test_month_trend_of_mtta_and_mttr(library: Desk) -> None:
    text = metrics(library, "--by", "month")
    trend = text.split("MTTA and MTTR by month")[1].splitlines()
    assert trend[1].split() == ["month", "incidents", "MTTA", "n", "MTTR", "n"]
    # March: I1 acknowledged 4 and I2 2 minutes after detection (mean 3), resolved after 65
    # and 90 (mean 77.5 → 1h 17m); April: I3 open and unacknowledged.
    assert trend[2].split() == ["2026-03", "2", "3m", "00s", "2", "1h", "17m", "2"]
    assert trend[3].split() == ["2026-04", "1", "—", "0", "—", "0"]
    doc = as_json(library, "--by", "month")
    assert [t["month"] for t in doc["trend"]] == ["2026-03", "2026-04"]
    assert doc["trend"][0]["metrics"]["time_to_acknowledge"]["mean_seconds"] == 180.0


@pytest.mark.parametrize("by", ["severity", "service", "team", "month", "all"])
def test_a_year_one_incident_does_not_break_any_grouping(
    library: Desk, by: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from incidentdesk.app import recorder as desk_module
    from incidentdesk.core.catalog.model import parse_toml

    library.catalog.import_catalog(parse_toml(CATALOG))
    # An older version accepted `declare --at 0001-01-01T00:00:01Z` (it did not check event
    # times, as this one does); its journal keeps what it wrote.
    monkeypatch.setattr(desk_module, "check_event_time", lambda moment, now: moment)
    library.incidents.declare(
        "Back-dated by mistake", "SEV3", ["checkout"], at("0001-01-01T00:00:01")
    )
    # …and a workstation whose clock was centuries off resolved another in year 2500.
    far_off = Desk(library.store, "Old client", clock=lambda: at("2500-06-01T12:00"))
    far = far_off.incidents.declare(
        "Resolved far ahead", "SEV3", ["checkout"], at("2026-03-11T10:00")
    )
    far_off.incidents.set_status(far, "resolved", at("2500-06-01T00:00"))
    monkeypatch.undo()
    table = metrics(library, "--by", by)
    assert "2 incidents have a date outside 1970–2200 and are left out." in table
    assert "3 incidents counted" in table  # the library's three, as before
    doc = as_json(library, "--by", by)
    assert doc["totals"]["out_of_range"] == 2 and doc["totals"]["counted"] == 3
    assert [m["month"] for m in doc["per_month"]] == ["2026-03", "2026-04"]
    rows = list(csv.reader(io.StringIO(metrics(library, "--by", by, "--csv"))))
    assert len(rows) > 1


def test_mtta_counts_an_incident_with_a_commander_and_no_page(desk: Desk) -> None:
    # Declare, take command four minutes later, resolve: nobody paged, no milestone typed.
    incident = desk.incidents.declare("Checkout down", "SEV2", ["checkout"], at("2026-05-04T10:00"))
    desk.incidents.assign_role(incident, "commander", "Alice", at=at("2026-05-04T10:04"))
    desk.incidents.set_status(incident, "resolved", at("2026-05-04T10:30"))
    ack = as_json(desk)["groups"][0]["metrics"]["time_to_acknowledge"]
    assert (ack["measured"], ack["missing"]) == (1, 0)
    assert ack["median_seconds"] == 240.0
    text = metrics(desk)
    assert "lack an acknowledged time" not in text
    mtta = text.split("Time to acknowledge (MTTA)")[1].splitlines()
    assert mtta[2].split()[:5] == ["SEV2", "1", "1", "4m", "00s"]  # median 4m 00s
