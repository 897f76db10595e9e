"""Response metrics: hand-computed medians and percentiles, grouping, filters, properties."""

from __future__ import annotations

import math
import random
import statistics
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidentdesk.core.errors import DomainError
from incidentdesk.core.library.metrics import (
    CSV_HEADER,
    METRICS,
    NO_SERVICE,
    NO_START,
    NO_TEAM,
    GroupMetrics,
    MetricsReport,
    compute_metrics,
    not_recorded_sentence,
    quantile,
)

MIN = 60.0  # seconds


def incident(
    name: str,
    severity: str,
    services: list[str],
    started: datetime | None,
    detect: float | None = 0,
    ack: float | None = None,
    mitigate: float | None = None,
    resolve: float | None = None,
    drill: bool = False,
) -> dict[str, Any]:
    """A row as Desk.incidents gives it. ``detect`` is minutes after the start; ``ack``,
    ``mitigate`` and ``resolve`` are minutes after detection (None: not recorded)."""
    detected = None if started is None or detect is None else started + timedelta(minutes=detect)

    def after_detection(minutes: float | None) -> datetime | None:
        return (
            None if detected is None or minutes is None else detected + timedelta(minutes=minutes)
        )

    return {
        "id": name,
        "title": f"incident {name}",
        "severity": severity,
        "status": "resolved" if resolve is not None else "investigating",
        "services": services,
        "commander": None,
        "started_at": started,
        "detected_at": detected,
        "acknowledged_at": after_detection(ack),
        "mitigated_at": after_detection(mitigate),
        "resolved_at": after_detection(resolve),
        "drill": drill,
        "event_count": 3,
    }


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Minutes:                           detect  ack  mitigate  resolve (the last three after detection)
A = incident("A", "SEV1", ["api"], utc(2025, 12, 10, 10), 5, 2, 30, 60)
B = incident(
    "B", "SEV1", ["api", "db"], utc(2025, 12, 31, 23, 50), 10, 4, 20, 120
)  # detected in 2026
C = incident("C", "SEV1", ["db"], utc(2026, 1, 15, 8), 0, 6, 50, 90)
D = incident(
    "D", "SEV2", ["web"], utc(2026, 1, 20, 12), 20, None, 15, None
)  # still open, never acked
E = incident("E", "SEV2", [], utc(2026, 2, 3, 9), 1, 3, None, 45)  # no service, never mitigated
F = incident("F", "SEV3", ["api"], utc(2026, 1, 10, 10), 100, 5, 10, 20, drill=True)
G = incident(
    "G", "SEV3", ["web"], utc(2026, 2, 20, 10), -3, 1, 10, 30
)  # detected before it started
H = incident("H", "SEV1", ["api"], utc(2026, 1, 25, 14), 3, 10, 40, 75)
ROWS = [A, B, C, D, E, F, G, H]


def group(report: MetricsReport, key: str) -> GroupMetrics:
    (found,) = [g for g in report.groups if g.key == key]
    return found


def minutes(report_group: GroupMetrics, metric: str) -> tuple[Any, ...]:
    s = report_group.metric(metric)
    as_min = [None if v is None else round(v / MIN, 6) for v in (s.median, s.p90, s.mean)]
    return (s.measured, s.missing, s.negative, *as_min)


def test_by_severity_hand_computed() -> None:
    report = compute_metrics(ROWS)
    assert [g.key for g in report.groups] == ["SEV1", "SEV2", "SEV3"]
    assert [g.incidents for g in report.groups] == [4, 2, 1]  # F is a drill: left out
    sev1 = group(report, "SEV1")
    # SEV1 is A, B, C, H. C's detection was never recorded apart from its start (both at the
    # declaration): not recorded, not a zero. Detect 5, 10, 3 → 3 5 10: median 5;
    # p90 h=1.8 → 5+0.8·5 = 9; mean 18/3 = 6
    assert minutes(sev1, "time_to_detect") == (3, 0, 0, 5, 9, 6)
    assert sev1.metric("time_to_detect").not_recorded == 1
    assert not sev1.metric("time_to_detect").unrecorded  # some were measured
    # ack 2, 4, 6, 10: median 5; p90 6+0.7·4 = 8.8; mean 5.5
    assert minutes(sev1, "time_to_acknowledge") == (4, 0, 0, 5, 8.8, 5.5)
    # mitigate 20 30 40 50: median 35; p90 40+0.7·10 = 47; mean 35
    assert minutes(sev1, "time_to_mitigate") == (4, 0, 0, 35, 47, 35)
    # resolve 60 75 90 120: median 82.5; p90 90+0.7·30 = 111; mean 345/4 = 86.25
    assert minutes(sev1, "time_to_resolve") == (4, 0, 0, 82.5, 111, 86.25)

    sev2 = group(report, "SEV2")
    # detect 20 (D), 1 (E) → 1 20: median h=0.5 → 10.5; p90 h=0.9 → 1+0.9·19 = 18.1
    assert minutes(sev2, "time_to_detect") == (2, 0, 0, 10.5, 18.1, 10.5)
    # D was never acknowledged: one value (E's 3), which is its median, p90 and mean.
    assert minutes(sev2, "time_to_acknowledge") == (1, 1, 0, 3, 3, 3)
    ack = sev2.metric("time_to_acknowledge")
    assert ack.most_missing == "acknowledged_at"
    assert dict(ack.missing_by_milestone) == {"detected_at": 0, "acknowledged_at": 1}
    assert sev2.metric("time_to_mitigate").most_missing == "mitigated_at"  # E
    assert sev2.metric("time_to_resolve").most_missing == "resolved_at"  # D, still open
    assert sev2.metric("time_to_detect").most_missing is None

    sev3 = group(report, "SEV3")
    # G was detected 3 minutes before it started: left out of the figures, and counted.
    assert minutes(sev3, "time_to_detect") == (0, 0, 1, None, None, None)
    assert minutes(sev3, "time_to_resolve") == (1, 0, 0, 30, 30, 30)


def test_totals_odd_and_even_counts() -> None:
    report = compute_metrics(ROWS)
    total = report.total
    assert (report.considered, report.counted, report.drills_excluded) == (8, 7, 1)
    assert total.key == "all"
    # detect: A5 B10 D20 E1 H3 (C not recorded, G negative) → 1 3 5 10 20:
    # median 5; p90 h=3.6 → 10+0.6·10 = 16; mean 39/5 = 7.8
    assert minutes(total, "time_to_detect") == (5, 0, 1, 5, 16, 7.8)
    # ack: A2 B4 C6 E3 G1 H10 (D missing) → 1 2 3 4 6 10: median 3.5; p90 6+0.5·4 = 8
    assert minutes(total, "time_to_acknowledge")[:5] == (6, 1, 0, 3.5, 8)
    # mitigate: A30 B20 C50 D15 G10 H40 (E missing) → 10 15 20 30 40 50: median 25; p90 45
    assert minutes(total, "time_to_mitigate")[:5] == (6, 1, 0, 25, 45)
    # resolve: A60 B120 C90 E45 G30 H75 (D open) → 30 45 60 75 90 120: median 67.5;
    # p90 h=4.5 → 90+0.5·30 = 105; mean 420/6 = 70
    assert minutes(total, "time_to_resolve") == (6, 1, 0, 67.5, 105, 70)
    # Every incident is in exactly one of measured, missing, negative, not recorded.
    for s in total.metrics:
        assert s.measured + s.missing + s.negative + s.not_recorded == s.incidents == 7


def test_by_service_counts_a_multi_service_incident_in_each() -> None:
    report = compute_metrics(ROWS, by="service")
    assert [(g.key, g.incidents) for g in report.groups] == [
        ("api", 3),  # A, B, H (F is a drill)
        ("db", 2),  # B, C
        ("web", 2),  # D, G
        (NO_SERVICE, 1),  # E
    ]
    assert report.total.incidents == 7  # B once
    # api (odd count): resolve 60 120 75 → 60 75 120: median 75; p90 h=1.8 → 75+0.8·45 = 111
    assert minutes(group(report, "api"), "time_to_resolve")[3:5] == (75, 111)
    # api detect 5 10 3 → 3 5 10: median 5; p90 5+0.8·5 = 9
    assert minutes(group(report, "api"), "time_to_detect")[3:5] == (5, 9)
    # db: resolve 120 (B), 90 (C) → median 105; p90 h=0.9 → 90+0.9·30 = 117
    assert minutes(group(report, "db"), "time_to_resolve")[3:5] == (105, 117)


def test_by_month_across_the_year_boundary() -> None:
    report = compute_metrics(ROWS, by="month")
    # B started at 23:50 UTC on 31 December and was detected in January: its month is its start.
    assert [(g.key, g.incidents) for g in report.groups] == [
        ("2025-12", 2),  # A, B
        ("2026-01", 3),  # C, D, H (F is a drill)
        ("2026-02", 2),  # E, G
    ]
    assert [(m.month, m.incidents) for m in report.per_month] == [
        ("2025-12", 2),
        ("2026-01", 3),
        ("2026-02", 2),
    ]
    # December: resolve 60 (A), 120 (B): median 90; p90 60+0.9·60 = 114
    assert minutes(group(report, "2025-12"), "time_to_resolve")[3:5] == (90, 114)


def test_months_are_utc() -> None:
    # 00:30 on 1 January at +02:00 is still December in UTC.
    started = datetime.fromisoformat("2026-01-01T00:30:00+02:00")
    report = compute_metrics([incident("X", "SEV3", [], started)], by="month")
    assert [g.key for g in report.groups] == ["2025-12"]


def test_drills_only_when_asked() -> None:
    report = compute_metrics(ROWS, include_drills=True)
    assert (report.counted, report.drills_excluded) == (8, 0)
    sev3 = group(report, "SEV3")
    # F detected after 100 minutes; G is still negative.
    assert minutes(sev3, "time_to_detect") == (1, 0, 1, 100, 100, 100)
    api = group(compute_metrics(ROWS, by="service", include_drills=True), "api")
    # api detect with F: 5 10 3 100 → 3 5 10 100: median 7.5; p90 h=2.7 → 10+0.7·90 = 73
    assert minutes(api, "time_to_detect")[3:5] == (7.5, 73)
    months = compute_metrics(ROWS, include_drills=True).per_month
    assert [m.incidents for m in months] == [2, 4, 2]


def test_since_until_filter_on_the_start() -> None:
    report = compute_metrics(ROWS, since=utc(2026, 1, 1), until=utc(2026, 2, 1), by="all")
    # B was detected at 00:00 on 1 January but started in December: outside.
    assert (report.counted, report.outside_period, report.drills_excluded) == (3, 4, 1)
    # C, D, H: resolve 90, (D open), 75 → median 82.5
    assert minutes(report.total, "time_to_resolve")[:4] == (2, 1, 0, 82.5)
    assert [(m.month, m.incidents) for m in report.per_month] == [("2026-01", 3)]
    # until is exclusive: E started exactly at 09:00 on 3 February.
    report = compute_metrics(ROWS, since=utc(2026, 2, 1), until=E["started_at"])
    assert report.counted == 0
    report = compute_metrics(ROWS, since=E["started_at"])
    assert [g.key for g in report.groups] == ["SEV2", "SEV3"]  # E and G


def test_per_month_fills_empty_months_of_the_period() -> None:
    report = compute_metrics(ROWS, since=utc(2025, 11, 1), until=utc(2026, 4, 1))
    assert [(m.month, m.incidents) for m in report.per_month] == [
        ("2025-11", 0),
        ("2025-12", 2),
        ("2026-01", 3),
        ("2026-02", 2),
        ("2026-03", 0),
    ]
    gap = [A, incident("Z", "SEV4", [], utc(2026, 3, 5))]
    assert [m.incidents for m in compute_metrics(gap).per_month] == [1, 0, 0, 1]


def test_no_rows() -> None:
    report = compute_metrics([])
    assert report.groups == () and report.per_month == ()
    assert report.total.incidents == 0
    assert all(s.median is None and s.measured == 0 for s in report.total.metrics)


def test_an_incident_without_a_start() -> None:
    undated = incident("U", "SEV4", ["api"], None)
    report = compute_metrics([A, undated], by="month")
    assert [(g.key, g.incidents) for g in report.groups] == [("2025-12", 1), (NO_START, 1)]
    detect = group(report, NO_START).metric("time_to_detect")
    assert (detect.missing, detect.most_missing) == (1, "started_at")  # both lack: the earlier
    assert [m.incidents for m in report.per_month] == [1]
    # With a period it cannot be placed: counted as undated, not silently dropped.
    report = compute_metrics([A, undated], since=utc(2025, 1, 1))
    assert (report.counted, report.undated) == (1, 1)


def test_team_needs_the_service_catalog() -> None:
    with pytest.raises(DomainError, match="service catalog"):
        compute_metrics(ROWS, by="team")
    with pytest.raises(DomainError, match="service catalog"):
        compute_metrics(ROWS, by="team", service_teams={})
    with pytest.raises(DomainError, match="'colour' is not a grouping"):
        compute_metrics(ROWS, by="colour")


def test_bad_periods() -> None:
    with pytest.raises(DomainError, match="not before"):
        compute_metrics(ROWS, since=utc(2026, 2, 1), until=utc(2026, 1, 1))
    with pytest.raises(DomainError, match="timezone"):
        compute_metrics(ROWS, since=datetime(2026, 1, 1))


def test_definitions_name_their_milestones() -> None:
    assert [(m.key, m.start, m.end) for m in METRICS] == [
        ("time_to_detect", "started_at", "detected_at"),
        ("time_to_acknowledge", "detected_at", "acknowledged_at"),
        ("time_to_mitigate", "detected_at", "mitigated_at"),
        ("time_to_resolve", "detected_at", "resolved_at"),
        ("time_to_postmortem", "resolved_at", "postmortem_published_at"),
    ]
    for m in METRICS:
        assert f"({m.start.removesuffix('_at')})" in m.definition
        assert f"({m.end.removesuffix('_at').removeprefix('postmortem_')})" in m.definition
        assert m.definition.endswith(".") and m.definition.count(". ") == 0
    assert "MTTA" in METRICS[1].label and "MTTR" in METRICS[3].label


def test_json_document() -> None:
    doc = compute_metrics(ROWS, since=utc(2025, 12, 1)).as_json()
    assert list(doc) == [
        "by",
        "since",
        "until",
        "include_drills",
        "definitions",
        "totals",
        "groups",
        "action_items",
        "per_month",
        "trend",
    ]
    assert doc["since"] == "2025-12-01T00:00:00+00:00" and doc["until"] is None
    assert doc["definitions"][3]["from"] == "detected_at"
    assert doc["totals"]["counted"] == 7 and doc["totals"]["drills_excluded"] == 1
    resolve = doc["groups"][0]["metrics"]["time_to_resolve"]
    assert resolve == {
        "measured": 4,
        "missing": 0,
        "missing_by_milestone": {"detected_at": 0, "resolved_at": 0},
        "most_missing": None,
        "negative": 0,
        "not_recorded": 0,
        "median_seconds": 82.5 * MIN,
        "p90_seconds": pytest.approx(111 * MIN),
        "mean_seconds": 86.25 * MIN,
    }
    assert isinstance(resolve["median_seconds"], float)
    sev3 = doc["groups"][2]["metrics"]["time_to_detect"]
    assert sev3["median_seconds"] is None and sev3["negative"] == 1


def test_csv_rows() -> None:
    rows = compute_metrics(ROWS).as_csv_rows()
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 1 + (3 + 1) * len(METRICS)  # three severities and the total
    sev1_resolve = rows[1 + 3]  # the fourth metric of the first group
    assert sev1_resolve[:4] == ["severity", "SEV1", "time_to_resolve", "4"]
    assert float(sev1_resolve[8]) == 82.5 * MIN
    total_ack = rows[-1 - len(METRICS) + 2]
    assert total_ack[:8] == [
        "all",
        "all",
        "time_to_acknowledge",
        "7",
        "6",
        "1",
        "acknowledged_at",
        "0",
    ]
    # by=all: the total once.
    assert len(compute_metrics(ROWS, by="all").as_csv_rows()) == 1 + len(METRICS)


def test_report_does_not_depend_on_row_order() -> None:
    shuffled = ROWS[:]
    random.Random(7).shuffle(shuffled)
    for by in ("severity", "service", "month", "all"):
        assert compute_metrics(shuffled, by=by) == compute_metrics(ROWS, by=by)


# ------------------------------------------------------------------------ quantile


def test_quantile_by_hand() -> None:
    assert quantile([7.0], 0.9) == 7.0  # a single value is every quantile
    assert quantile([0.0, 10.0], 0.9) == 9.0
    assert quantile([3.0, 1.0, 2.0], 0.5) == 2.0  # odd: the middle one
    assert quantile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5  # even: halfway between the middle two
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.9) == pytest.approx(3.7)  # h = 2.7
    assert quantile([1.0, 2.0], 0.0) == 1.0 and quantile([1.0, 2.0], 1.0) == 2.0
    with pytest.raises(ValueError):
        quantile([], 0.5)
    with pytest.raises(ValueError):
        quantile([1.0], 1.5)


durations = st.lists(
    st.floats(min_value=0, max_value=10 * 365 * 86_400, allow_nan=False), min_size=1, max_size=60
)


@given(durations)
def test_median_between_min_and_max(values: list[float]) -> None:
    assert min(values) <= quantile(values, 0.5) <= max(values)


@given(durations)
def test_p90_not_below_median(values: list[float]) -> None:
    assert quantile(values, 0.9) >= quantile(values, 0.5)


@given(durations, st.randoms(use_true_random=False))
def test_quantiles_ignore_order(values: list[float], rnd: random.Random) -> None:
    shuffled = values[:]
    rnd.shuffle(shuffled)
    for q in (0.5, 0.9):
        assert quantile(shuffled, q) == quantile(values, q)


@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=2, max_size=60))
def test_quantile_matches_the_inclusive_method(values: list[int]) -> None:
    # statistics.quantiles(method="inclusive") is the same method (numpy's "linear").
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    floats = [float(v) for v in values]
    assert math.isclose(quantile(floats, 0.9), deciles[8], rel_tol=1e-9, abs_tol=1e-6)
    assert math.isclose(quantile(floats, 0.5), statistics.median(values), abs_tol=1e-6)


rows_strategy = st.lists(
    st.builds(
        incident,
        name=st.just("x"),
        severity=st.sampled_from(["SEV1", "SEV2", "SEV3"]),
        services=st.lists(st.sampled_from(["api", "db", "web"]), max_size=3),
        started=st.datetimes(
            min_value=datetime(2024, 1, 1), max_value=datetime(2026, 1, 1), timezones=st.just(UTC)
        ),
        detect=st.none() | st.integers(-10, 600),
        ack=st.none() | st.integers(0, 600),
        mitigate=st.none() | st.integers(0, 6000),
        resolve=st.none() | st.integers(0, 60000),
        drill=st.booleans(),
    ),
    max_size=25,
)


@given(rows_strategy, st.sampled_from(["severity", "service", "month", "all"]), st.randoms())
def test_every_group_is_ordered_and_accounted_for(
    rows: list[dict[str, Any]], by: str, rnd: random.Random
) -> None:
    report = compute_metrics(rows, by=by)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert compute_metrics(shuffled, by=by) == report
    assert report.counted + report.drills_excluded == len(rows)
    assert sum(m.incidents for m in report.per_month) == report.counted
    for g in (*report.groups, report.total):
        for s in g.metrics:
            assert (
                s.measured + s.missing + s.negative + s.not_recorded == s.incidents == g.incidents
            )
            if s.measured:
                assert s.median is not None and s.p90 is not None and s.mean is not None
                assert 0 <= s.median <= s.p90
            else:
                assert s.median is None and s.p90 is None and s.mean is None


def test_by_team_counts_an_incident_once_per_owning_team() -> None:
    # api and db belong to "core" (case does not matter), web to "front"; E names no service.
    teams = {"api": "core", "DB": "core", "web": "front"}
    report = compute_metrics(ROWS, by="team", service_teams=teams)
    assert [(g.key, g.incidents) for g in report.groups] == [
        ("core", 4),  # A, B (api and db: one team, counted once), C, H; F is a drill
        ("front", 2),  # D, G
        (NO_TEAM, 1),  # E: no service, so no team; last
    ]
    # Acknowledged 2, 4, 6 and 10 minutes after detection: the median is 5 minutes.
    assert group(report, "core").metric("time_to_acknowledge").median == 5 * 60


def test_action_items_of_the_incidents_counted_by_status_and_overdue() -> None:
    items = [
        {"incident_id": "A", "status": "open", "due": "2026-01-01"},  # overdue
        {"incident_id": "A", "status": "in_progress", "due": "2027-01-01"},
        {"incident_id": "C", "status": "done", "due": "2025-01-01"},  # done: not overdue
        {"incident_id": "C", "status": "wont_do", "due": None},
        {"incident_id": "H", "status": "open", "due": None},
        {"incident_id": "F", "status": "open", "due": "2020-01-01"},  # a drill: left out
    ]
    report = compute_metrics(ROWS, action_items=items, today=date(2026, 6, 1))
    assert report.actions.as_json() == {
        "open": 2,
        "in_progress": 1,
        "done": 1,
        "wont_do": 1,
        "overdue": 1,
        "total": 5,
    }


def test_time_to_published_post_mortem_counts_unpublished_as_missing() -> None:
    published = {**A, "postmortem_published_at": A["resolved_at"] + timedelta(days=2)}
    report = compute_metrics([published, C], by="all")
    stats = report.total.metric("time_to_postmortem")
    assert (stats.measured, stats.missing, stats.median) == (1, 1, 2 * 24 * 3600)
    assert stats.most_missing == "postmortem_published_at"


def test_time_to_detect_never_recorded_says_so_instead_of_zero() -> None:
    # Declared and never given a detected time of its own: started = detected.
    undetected = [
        incident(n, "SEV2", [], utc(2026, 3, d), 0, 4, 10, 30) for n, d in (("P", 1), ("Q", 2))
    ]
    report = compute_metrics(undetected, by="all")
    detect = report.total.metric("time_to_detect")
    assert (detect.measured, detect.not_recorded, detect.median) == (0, 2, None)
    assert detect.unrecorded
    assert not_recorded_sentence(detect) == (
        "Not recorded for 2 incidents: no detected time apart from the started time "
        "(declaring sets both to the same moment); record it with "
        "'incidentdesk milestone ID detected --at TIME'."
    )
    # The other metrics measure from that detected time as usual: a zero there is a value.
    ack = report.total.metric("time_to_acknowledge")
    assert (ack.measured, ack.not_recorded, ack.median) == (2, 0, 4 * MIN)
    assert not_recorded_sentence(ack) == ""
    zero_ack = compute_metrics([incident("Z", "SEV2", [], utc(2026, 3, 1), 5, 0)], by="all")
    assert zero_ack.total.metric("time_to_acknowledge").median == 0.0
    assert report.as_json()["totals"]["metrics"]["time_to_detect"]["not_recorded"] == 2


@pytest.mark.parametrize("year", [1, 1969, 2200, 9999])
@pytest.mark.parametrize("by", ["severity", "service", "month", "all"])
def test_a_date_outside_1970_to_2200_is_left_out_and_counted(year: int, by: str) -> None:
    far = incident("X", "SEV1", ["api"], datetime(year, 1, 1, 0, 0, 1, tzinfo=UTC), 5, 1, 2, 3)
    report = compute_metrics([A, far, C], by=by)
    assert (report.counted, report.out_of_range) == (2, 1)
    assert report.out_of_range_note() == (
        "1 incident has a date outside 1970–2200 and is left out."
    )
    assert [m.month for m in report.per_month] == ["2025-12", "2026-01"]
    assert report.as_json()["totals"]["out_of_range"] == 1
    # Only a later milestone far off counts too (it would swamp every mean).
    late = {**A, "id": "L", "resolved_at": datetime(9999, 12, 31, tzinfo=UTC)}
    two = compute_metrics([late, far, C], by=by)
    assert (two.counted, two.out_of_range) == (1, 2)
    assert two.out_of_range_note() == "2 incidents have a date outside 1970–2200 and are left out."
    assert compute_metrics([A]).out_of_range_note() == ""


def test_a_period_reaching_past_possible_dates_lists_only_possible_months() -> None:
    report = compute_metrics(
        [A], since=datetime(1, 1, 1, tzinfo=UTC), until=datetime(1970, 3, 1, tzinfo=UTC)
    )
    assert [m.month for m in report.per_month] == ["1970-01", "1970-02"]
    assert report.counted == 0 and report.outside_period == 1


def test_trend_has_mtta_and_mttr_for_every_month_of_the_period() -> None:
    report = compute_metrics(ROWS, by="severity", since=utc(2025, 11, 1), until=utc(2026, 3, 1))
    assert [(t.month, t.incidents) for t in report.trend] == [
        ("2025-11", 0),
        ("2025-12", 2),
        ("2026-01", 3),
        ("2026-02", 2),
    ]
    empty, december, january, february = report.trend
    assert empty.metric("time_to_acknowledge").measured == 0
    assert empty.metric("time_to_acknowledge").mean is None
    # December: A and B, acknowledged 2 and 4 minutes after detection; resolved 60 and 120.
    assert december.metric("time_to_acknowledge").mean == 3 * MIN
    assert december.metric("time_to_resolve").mean == 90 * MIN
    # January: C, D (open, never acknowledged) and H: ack 6, 10 → mean 8; resolve 90, 75.
    ack = january.metric("time_to_acknowledge")
    assert (ack.measured, ack.missing, ack.mean) == (2, 1, 8 * MIN)
    assert january.metric("time_to_resolve").mean == 82.5 * MIN
    assert february.metric("time_to_resolve").measured == 2  # E 45, G 30
    doc = report.as_json()["trend"][1]
    assert doc["month"] == "2025-12" and doc["incidents"] == 2
    assert doc["metrics"]["time_to_resolve"]["mean_seconds"] == 90 * MIN
    assert compute_metrics([]).trend == ()
