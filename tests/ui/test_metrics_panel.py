"""The metrics panel and its QPainter charts, on a real local store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QPoint
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from incidentdesk.app.desk import Desk
from incidentdesk.core.catalog.model import parse_toml
from incidentdesk.core.library.metrics import METRICS, compute_metrics
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.metrics.charts import (
    BAR,
    COUNT_COLOR,
    COUNT_SCALE,
    DURATION_SCALE,
    MEDIAN_COLOR,
    P90_COLOR,
    TICK,
    BarChart,
    BarGroup,
    Series,
    tick_text,
)
from incidentdesk.ui.metrics.panel import (
    GROUP_BY,
    UNEXPECTED,
    MetricsPanel,
    group_label,
    lacking_sentences,
)
from incidentdesk.ui.shell.theme import apply_theme

# (title, severity, services, days ago, minutes to detect, acknowledge, mitigate, resolve)
HISTORY = (
    ("Checkout errors", "SEV1", ["payments-api"], 10, 2, 5, 30, 120),
    ("Ledger timeouts", "SEV1", ["ledger-service"], 40, 4, 10, 60, 240),
    ("Search slow", "SEV2", ["search"], 15, 1, 3, None, 90),
    ("Login failures", "SEV2", ["auth-api", "payments-api"], 70, 6, 9, 20, 45),
    ("Push delays", "SEV3", [], 100, 10, None, None, None),
)


TEAMS = """
[[teams]]
name = "money"
members = []
[[services]]
name = "payments-api"
team = "money"
tier = 1
"""


def seed_history(desk: Desk) -> dict[str, str]:
    """Incidents with known milestones (minutes after the start), and one drill."""
    now = datetime.now(UTC).replace(microsecond=0)
    ids = {}
    for title, sev, services, days, detect, ack, mitigate, resolve in HISTORY:
        start = now - timedelta(days=days)
        incident = desk.incidents.declare(title, sev, services, at=start)
        desk.incidents.set_milestone(incident, "detected", at=start + timedelta(minutes=detect))
        if ack is not None:
            desk.incidents.set_milestone(
                incident, "acknowledged", at=start + timedelta(minutes=ack)
            )
        if mitigate is not None:
            desk.incidents.set_status(incident, "mitigated", at=start + timedelta(minutes=mitigate))
        if resolve is not None:
            desk.incidents.set_status(incident, "resolved", at=start + timedelta(minutes=resolve))
        ids[title] = incident
    drill = desk.incidents.declare("Game day", "SEV1", ["edge"], at=now - timedelta(days=5))
    desk.incidents.set_status(drill, "resolved", at=now - timedelta(days=5) + timedelta(hours=9))
    desk.incidents.set_drill(drill)
    ids["Game day"] = drill
    return ids


@pytest.fixture
def history(desk: Desk) -> dict[str, str]:
    return seed_history(desk)


@pytest.fixture
def open_panel(
    qtbot: QtBot, client: DeskClient, settle: Callable[[], None]
) -> Callable[..., MetricsPanel]:
    """Opens a metrics panel of a size (grouped as asked) and waits for its figures."""

    def make(size: tuple[int, int] = (1200, 900), by: str = "By severity") -> MetricsPanel:
        made = MetricsPanel(client)
        qtbot.addWidget(made)
        made.resize(*size)
        made.show()
        made.group_box.setCurrentText(by)
        made.reload()
        settle()
        assert made.report is not None
        return made

    return make


@pytest.fixture
def panel(history: dict[str, str], open_panel: Callable[..., MetricsPanel]) -> MetricsPanel:
    return open_panel()


@pytest.fixture
def restore_theme() -> Iterator[None]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    palette, sheet, style = app.palette(), app.styleSheet(), app.style().name()
    yield
    app.setStyle(style)
    app.setPalette(palette)
    app.setStyleSheet(sheet)


def colours(image: QImage) -> set[int]:
    return {
        image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
    }


def has_colour(image: QImage, colour: str) -> bool:
    wanted = QColor(colour).rgb()
    return wanted in colours(image)


def test_charts_show_the_figures_of_compute_metrics(
    panel: MetricsPanel, desk: Desk, qtbot: QtBot, settle: Callable[[], None]
) -> None:
    rows = desk.incidents.rows(include_closed=True)
    for by, label in (
        ("severity", "By severity"),
        ("service", "By service"),
        ("month", "By month"),
    ):
        panel.group_box.setCurrentText(label)
        settle()
        expected = compute_metrics(rows, by=by)
        assert panel.report == expected
        for metric in METRICS:
            chart = panel.cards[metric.key].chart
            assert [g.label for g in chart.groups] == [
                group_label(g.key, by) for g in expected.groups
            ]
            assert [g.values for g in chart.groups] == [
                (g.metric(metric.key).median, g.metric(metric.key).p90) for g in expected.groups
            ]
            # n= on every row: the incidents that row's values summarise.
            assert [g.count_label for g in chart.groups] == [
                f"n={g.metric(metric.key).measured}" for g in expected.groups
            ]
        months = [(g.label, g.values[0]) for g in panel.month_chart.groups]
        assert months == [(group_label(m.month, "month"), m.incidents) for m in expected.per_month]

    panel.group_box.setCurrentText("By severity")
    settle()
    report = panel.report
    assert report is not None
    assert [g.key for g in report.groups] == ["SEV1", "SEV2", "SEV3"]  # the drill is left out
    sev1 = report.groups[0].metric("time_to_mitigate")
    assert (sev1.median, sev1.p90) == (2520.0, 3192.0)  # of 28 and 56 minutes
    assert panel.summary.text() == "5 incidents counted · 1 drill left out"
    assert panel.action_counts.text() == "Action items: none in these incidents' post-mortems."
    incident = next(r["id"] for r in rows if not r["drill"])
    desk.postmortems.start(incident, "lightweight", fill=False)
    desk.action_items.save(incident, description="Add a canary", owner="Ana", due=None)
    panel.recompute()
    settle()
    assert panel.action_counts.text() == (
        "Action items: 1 open, 0 in progress, 0 done, 0 won't do; 0 overdue."
    )


def test_each_metric_has_its_definition_and_says_what_is_missing(panel: MetricsPanel) -> None:
    for metric in METRICS:
        card = panel.cards[metric.key]
        assert card.definition.text() == metric.definition
        assert card.title.text() == f"<b>{metric.label}</b>"
    mitigate = panel.cards["time_to_mitigate"]
    assert mitigate.span.text() == "Spans: detected → mitigated"
    assert mitigate.lacking.text() == "2 incidents lack a mitigated time."
    acknowledge = panel.cards["time_to_acknowledge"]
    assert acknowledge.lacking.text() == "1 incident lacks an acknowledged time."
    detect = panel.cards["time_to_detect"]
    assert detect.lacking.isHidden()
    assert detect.overall.text().startswith("All counted: median 4m 00s, p90")


def test_include_drills_and_the_period_change_what_is_counted(
    panel: MetricsPanel, desk: Desk, settle: Callable[[], None]
) -> None:
    rows = desk.incidents.rows(include_closed=True)
    panel.drills_box.setChecked(True)
    settle()
    assert panel.report == compute_metrics(rows, include_drills=True)
    assert panel.report is not None and panel.report.counted == 6
    assert panel.summary.text() == "6 incidents counted"

    panel.drills_box.setChecked(False)
    panel.period.preset.setCurrentText("Last 30 days")
    settle()
    assert panel.report is not None
    assert panel.report.counted == 2  # 10 and 15 days ago
    assert "outside the period" in panel.summary.text()

    today = QDate.currentDate()
    panel.period.set_range(today.addDays(-80), today.addDays(-30))
    settle()
    since, until = panel.period.bounds()
    assert panel.report == compute_metrics(rows, since=since, until=until)
    assert panel.report is not None and panel.report.counted == 2  # 40 and 70 days ago

    panel.period.set_range(today, today.addDays(-3))  # backwards: the message says so
    settle()
    assert "The period is empty" in panel.summary.text()


def test_a_new_drill_leaves_the_figures_when_the_rows_come_in(
    panel: MetricsPanel, desk: Desk, history: dict[str, str], settle: Callable[[], None]
) -> None:
    assert panel.report is not None and panel.report.counted == 5
    desk.incidents.set_drill(history["Search slow"])
    panel.set_rows(desk.incidents.rows(include_closed=True))
    settle()
    assert panel.report.counted == 4
    assert panel.report.drills_excluded == 2


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_charts_render_readably_in_both_themes(
    history: dict[str, str],
    open_panel: Callable[..., MetricsPanel],
    restore_theme: None,
    theme: str,
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, theme)
    panel = open_panel()
    chart = panel.cards["time_to_resolve"].chart
    image = chart.grab().toImage()
    assert len(colours(image)) > 15, "not a blank chart"
    assert has_colour(image, MEDIAN_COLOR) and has_colour(image, P90_COLOR)
    background = image.pixelColor(2, image.height() - 2)
    assert (background.lightness() < 80) == (theme == "dark")
    text = chart.palette().windowText().color()
    assert abs(text.lightness() - background.lightness()) > 120, "labels stand out"
    months = panel.month_chart.grab().toImage()
    assert has_colour(months, COUNT_COLOR)


def test_hovering_a_group_tells_its_values(panel: MetricsPanel) -> None:
    chart = panel.cards["time_to_resolve"].chart
    bars = chart.bar_rects()
    assert bars, "bars are drawn"
    group, _series, rect = bars[0]
    text = chart.tooltip_at(rect.center().toPoint())
    stats = panel.report.groups[group].metric("time_to_resolve")  # type: ignore[union-attr]
    assert text.splitlines()[0] == f"SEV1 (n={stats.measured})"
    assert f"median: {DURATION_SCALE.format(stats.median or 0)}" in text
    assert f"p90: {DURATION_SCALE.format(stats.p90 or 0)}" in text
    assert "2 of 2 incidents measured" in text
    assert chart.tooltip_at(QPoint(1, 1)) == ""  # over the axis: nothing


def test_an_empty_chart_says_so(qtbot: QtBot) -> None:
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(400, 200)
    chart.set_data((Series("median", MEDIAN_COLOR),), [])
    assert chart.summary() == "No incidents"
    assert chart.bar_rects() == []
    chart.set_data((Series("median", MEDIAN_COLOR),), [BarGroup("SEV1", (None,))])
    assert chart.bar_rects() == []
    assert chart.summary() == "SEV1: no data"


def test_axis_steps_and_labels_are_round() -> None:
    assert tick_text(0) == "0"
    assert tick_text(900) == "15m"
    assert tick_text(4500) == "1h 15m"
    assert tick_text(2 * 86_400) == "2d"
    assert DURATION_SCALE.step(20 * 60) == 300  # 5-minute ticks up to 20 minutes
    assert DURATION_SCALE.step(9 * 3600) == 7200
    assert COUNT_SCALE.step(4) == 1
    assert COUNT_SCALE.step(40) == 10
    assert COUNT_SCALE.tick(1200) == "1,200"


def test_lacking_sentences_count_missing_and_out_of_order_milestones(desk: Desk) -> None:
    seed_history(desk)
    report = compute_metrics(desk.incidents.rows(include_closed=True))
    stats = report.total.metric("time_to_resolve")
    assert lacking_sentences(stats) == ["1 incident lacks a resolved time."]
    assert group_label("2026-11", "month") == "Nov 2026"
    assert group_label("(no start)", "month") == "(no start)"
    assert group_label("SEV1", "severity") == "SEV1"


def test_median_is_a_bar_and_p90_a_tick_with_a_legend(panel: MetricsPanel) -> None:
    chart = panel.cards["time_to_resolve"].chart
    assert [(s.name, s.mark) for s in chart.series] == [("median", BAR), ("p90", TICK)]
    assert chart.series[0].color != chart.series[1].color
    report = panel.report
    assert report is not None
    marks = {(g, s): rect for g, s, rect in chart.bar_rects()}
    sev1 = report.groups[0].metric("time_to_resolve")  # 118 and 236 minutes
    assert sev1.median is not None and sev1.p90 is not None and sev1.p90 > sev1.median
    bar, tick = marks[(0, 0)], marks[(0, 1)]
    assert bar.width() > 10 * tick.width()  # a bar from the axis; a thin tick
    assert tick.center().x() > bar.right()  # the p90 lies beyond the median's end
    assert tick.height() > bar.height()  # and stands out above and below it
    # Each row is its own band: the SEV2 row sits below the SEV1 row.
    assert marks[(1, 0)].top() > bar.bottom()
    # The legend says which is which, drawn in the series' colours.
    image = chart.grab().toImage()
    assert has_colour(image, MEDIAN_COLOR) and has_colour(image, P90_COLOR)
    assert chart.summary().startswith("SEV1 (n=2): median 2h 57m, p90 3h 44m; SEV2 (n=2)")


def test_a_chart_is_as_tall_as_its_rows(
    panel: MetricsPanel, settle: Callable[[], None], qtbot: QtBot
) -> None:
    chart = panel.cards["time_to_resolve"].chart
    by_severity = chart.height()
    assert len(chart.groups) == 3
    panel.group_box.setCurrentText("By service")
    settle()
    assert len(chart.groups) == 5  # four services and "(no service)"
    qtbot.waitUntil(lambda: chart.height() == chart.sizeHint().height(), timeout=5000)
    row = (chart.height() - by_severity) / 2
    assert 20 <= row <= 40, "two more rows, a row's height each"
    assert by_severity < 200, "three rows need no more than a strip"


def test_a_metric_never_recorded_says_so_instead_of_zeros(
    desk: Desk, open_panel: Callable[..., MetricsPanel], settle: Callable[[], None]
) -> None:
    # Declared, acknowledged and resolved; nobody recorded when they started or were detected.
    now = datetime.now(UTC).replace(microsecond=0)
    for days, sev in ((3, "SEV1"), (9, "SEV2"), (12, "SEV2")):
        incident = desk.incidents.declare(
            f"Outage {days}", sev, ["api"], at=now - timedelta(days=days)
        )
        desk.incidents.set_milestone(
            incident, "acknowledged", at=now - timedelta(days=days, minutes=-4)
        )
        desk.incidents.set_status(incident, "resolved", at=now - timedelta(days=days, minutes=-50))
    panel = open_panel((1280, 720))
    detect = panel.cards["time_to_detect"]
    assert detect.chart.bar_rects() == []  # no bar of 0 s
    assert detect.chart.empty_text.startswith("Not recorded for any incident counted")
    assert [g.empty_label for g in detect.chart.groups] == ["not recorded", "not recorded"]
    assert detect.overall.text().startswith("All counted: Not recorded: no detected time")
    # Measured from that detection, acknowledging is a real figure.
    acknowledge = panel.cards["time_to_acknowledge"]
    assert acknowledge.chart.bar_rects() and acknowledge.overall.text().startswith(
        "All counted: median 4m 00s"
    )
    # Once one incident has its start recorded, its group is measured and the other still says
    # "not recorded" in its row.
    sev1 = next(r["id"] for r in desk.incidents.rows() if r["severity"] == "SEV1")
    desk.incidents.set_milestone(sev1, "started", at=now - timedelta(days=3, minutes=20))
    panel.set_rows(desk.incidents.rows(include_closed=True))
    settle()
    groups = detect.chart.groups
    assert [(g.label, g.count_label, g.note) for g in groups] == [
        ("SEV1", "n=1", ""),
        ("SEV2", "n=0", "not recorded"),
    ]
    assert detect.lacking.text().startswith("Not recorded for 2 incidents")


def test_mtta_and_mttr_by_month(panel: MetricsPanel, qtbot: QtBot) -> None:
    report = panel.report
    assert report is not None and len(report.trend) >= 3  # 10 to 100 days ago
    for key in ("time_to_acknowledge", "time_to_resolve"):
        chart = panel.trend_card.charts[key]
        assert chart.line
        assert [g.label for g in chart.groups] == [
            group_label(t.month, "month") for t in report.trend
        ]
        assert [g.values[0] for g in chart.groups] == [t.metric(key).mean for t in report.trend]
        assert [g.count_label for g in chart.groups] == [
            f"n={t.metric(key).measured}" for t in report.trend
        ]
        measured = [i for i, t in enumerate(report.trend) if t.metric(key).mean is not None]
        assert [g for g, _s, _r in chart.bar_rects()] == measured  # a point per measured month
        assert len(measured) >= 2

        def first_tip(chart: Any = chart) -> tuple[int, str]:
            # Asked again each time: under load the chart may still be laid out to its size.
            g, _s, point = chart.bar_rects()[0]
            return g, chart.tooltip_at(point.center())

        qtbot.waitUntil(lambda: bool(first_tip()[1]), timeout=5000)
        g, tip = first_tip()
        assert tip.splitlines()[0] == f"{chart.groups[g].label} ({chart.groups[g].count_label})"
        assert tip.splitlines()[1].startswith("mean: ")
    months = panel.month_chart
    assert [g.count_label for g in months.groups] == [f"n={m.incidents}" for m in report.per_month]


@pytest.mark.parametrize("by", list(GROUP_BY))
def test_a_year_one_incident_leaves_the_tab_working(
    desk: Desk,
    history: dict[str, str],
    open_panel: Callable[..., MetricsPanel],
    by: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from incidentdesk.app import recorder as desk_module

    # An older version accepted `declare --at 0001-01-01T00:00:01Z` (it did not check event
    # times, as this one does); the journal keeps what it wrote.
    with monkeypatch.context() as older:
        older.setattr(desk_module, "check_event_time", lambda moment, now: moment)
        desk.incidents.declare(
            "Back-dated by mistake", "SEV3", ["api"], at=datetime(1, 1, 1, 0, 0, 1, tzinfo=UTC)
        )
    desk.catalog.import_catalog(parse_toml(TEAMS))
    panel = open_panel((1280, 720), by)
    assert panel.report is not None and panel.report.by == GROUP_BY[by]
    assert panel.report.counted == 5 and panel.report.out_of_range == 1
    assert panel.summary.text() == (
        "5 incidents counted · 1 drill left out · "
        "1 incident has a date outside 1970–2200 and is left out"
    )
    assert panel.cards["time_to_resolve"].chart.bar_rects()


def test_an_unexpected_failure_is_one_sentence_and_keeps_the_charts(
    panel: MetricsPanel, settle: Callable[[], None]
) -> None:
    before = panel.cards["time_to_resolve"].chart.groups
    # A damaged row (times that are not times) makes the computation itself fail.
    panel.set_rows([{"id": "x", "severity": "SEV1", "started_at": "soon", "detected_at": "now"}])
    settle()
    assert panel.summary.text() == UNEXPECTED
    assert "Error" not in panel.summary.text() and "soon" not in panel.summary.text()
    assert panel.cards["time_to_resolve"].chart.groups == before  # nothing lost


def test_wide_screens_put_the_cards_two_abreast(
    panel: MetricsPanel, qtbot: QtBot, settle: Callable[[], None]
) -> None:
    panel.resize(1280, 720)
    qtbot.waitUntil(lambda: panel.columns == 1, timeout=5000)
    detect, acknowledge = panel.cards["time_to_detect"], panel.cards["time_to_acknowledge"]
    assert acknowledge.y() > detect.y()
    panel.resize(1920, 1080)
    qtbot.waitUntil(lambda: panel.columns == 2, timeout=5000)
    qtbot.waitUntil(lambda: acknowledge.x() > detect.x(), timeout=5000)
    assert acknowledge.y() == detect.y()
    trend = panel.trend_card
    assert trend.width() > detect.width() * 1.8  # the trend spans both columns


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_every_chart_gets_its_full_height_at_both_sizes(
    qtbot: QtBot,
    history: dict[str, str],
    open_panel: Callable[..., MetricsPanel],
    restore_theme: None,
    tmp_path: Path,
    theme: str,
    size: tuple[int, int],
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, theme)
    panel = open_panel(size)
    charts = [c.chart for c in panel.cards.values()]
    charts += [*panel.trend_card.charts.values(), panel.month_chart]
    for chart in charts:  # nothing squashed or cut: each is as tall as its content asks
        qtbot.waitUntil(lambda c=chart: c.height() == c.sizeHint().height(), timeout=5000)
        assert chart.width() >= chart.minimumSizeHint().width()
    assert panel.grab().save(str(tmp_path / f"metrics-{theme}-{size[0]}x{size[1]}.png"))
