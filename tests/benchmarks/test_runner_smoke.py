"""The benchmark runner still runs and still reports every benchmark.

This keeps ``run.py`` from rotting as the package changes. It is not a timing test: the
``--quick`` figures are meaningless and only have to be positive numbers (or, for the
shared-database figures on a machine without PostgreSQL, skipped with a reason).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

RUN = Path(__file__).with_name("run.py")
UI_BENCH = Path(__file__).with_name("ui_bench.py")
SKIPPABLE = ("sync_propagation_latency", "sync_catch_up")  # need a PostgreSQL server
SKIPPABLE_TOO = ("fleet_sev1", "fleet_writers")  # need one too
EXPECTED = (
    "append_notes",
    "fold_100k",
    "cli_version_wall",
    "cli_incidents_wall",
    "python_pass_wall",
    "cli_timeline_json_100k",
    "timeline_open_100k",
    "quick_entry_latency",
    "gui_stall_external_append",
    "cold_start_ratio",
    "sync_propagation_latency",
    "sync_catch_up",
    "sync_catch_up_hostile",
    "metrics_compute",
    "search_library",
    "library_open",
    "lint_postmortem",
    "export_postmortem",
    "escalation_delivery",
    "fleet_sev1",
    "fleet_writers",
)


def _runner(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # -W error: the runner keeps to the project's rule that warnings are errors.
    return subprocess.run(
        [sys.executable, "-W", "error", str(RUN), "--quick", *args],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=cwd,
        check=False,
    )


def _positive_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


# The quick run in a few runner processes, each a test of its own, so that two test workers
# share it: as one process it was 50 s of one worker, the longest test of the suite.
# Every benchmark is in exactly one group (checked below); the window's and the shared
# database's, the slowest, are split from the rest.
GROUPS = {
    "store_and_cli": (
        "append_notes",
        "fold_100k",
        "cli_version_wall",
        "cli_incidents_wall",
        "python_pass_wall",
        "cli_timeline_json_100k",
        "metrics_compute",
        "search_library",
        "library_open",
        "lint_postmortem",
        "export_postmortem",
        "escalation_delivery",
    ),
    "window": (
        "timeline_open_100k",
        "quick_entry_latency",
        "gui_stall_external_append",
        "cold_start_ratio",
    ),
    "sync": ("sync_propagation_latency", "sync_catch_up"),
    "sync_hostile": ("sync_catch_up_hostile",),
    "fleet": ("fleet_sev1", "fleet_writers"),
}


def test_the_groups_are_every_benchmark_once() -> None:
    sys.path.insert(0, str(RUN.parent))
    try:
        import run
    finally:
        sys.path.remove(str(RUN.parent))
    grouped = [name for group in GROUPS.values() for name in group]
    assert sorted(grouped) == sorted(EXPECTED) and len(set(grouped)) == len(grouped)
    assert list(run.BENCHMARKS) == list(EXPECTED), "a run without --only runs them all"


@pytest.mark.parametrize("group", list(GROUPS))
def test_quick_run_reports_every_benchmark(tmp_path: Path, group: str) -> None:
    # The runner's order, as a run without --only reports them.
    names = [name for name in EXPECTED if name in GROUPS[group]]
    done = _runner("--only", *names, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)

    assert document["quick"] is True
    machine = document["machine"]
    for key in ("python", "platform", "cpu_count", "date"):
        assert machine[key], key
    assert document["benchmarks"] == names

    figures = {f["name"]: f for f in document["figures"]}
    for name in names:
        assert name in figures, f"{name} is missing: {sorted(figures)}"
    for name, fig in figures.items():
        assert fig["benchmark"] in names, name
        assert isinstance(fig["unit"], str) and fig["unit"], fig
        assert isinstance(fig["parameters"], dict), fig
        if "skipped" in fig:
            assert fig["benchmark"] in SKIPPABLE + SKIPPABLE_TOO, fig
            assert fig["value"] is None and isinstance(fig["skipped"], str) and fig["skipped"]
        elif name == "sync_propagation_latency.notify_floor":
            # A notification may arrive before the NOTIFY statement returns: tiny, maybe <= 0.
            assert math.isfinite(fig["value"]), fig
        else:
            assert _positive_number(fig["value"]), fig
    sizes = document["sizes"]
    if "append_notes" in names:
        assert figures["append_notes"]["parameters"]["notes"] == sizes["notes"]
    if "fold_100k" in names:
        assert figures["fold_100k"]["parameters"]["events"] == sizes["events"]
    if "timeline_open_100k" in names:
        _check_window(figures, sizes)
    if "cold_start_ratio" in names:
        app, bare = figures["cold_start_ratio.app"], figures["cold_start_ratio.bare"]
        for fig in (app, bare):
            assert len(fig["parameters"]["runs_ms"]) == sizes["cold_starts"], fig
        assert figures["cold_start_ratio"]["value"] == round(app["value"] / bare["value"], 3)
    if "sync_propagation_latency" in names:
        _check_propagation(figures, sizes)
    if "sync_catch_up" in names:
        _check_catch_up(figures, sizes)


def _check_window(figures: dict[str, Any], sizes: dict[str, Any]) -> None:
    # The command window: each measurement ran in its own process on the sizes asked for.
    for name in ("timeline_open_100k", ".rss_mb", ".desk_snapshot_ms", ".loaded", ".loading_stall"):
        fig = figures[name if name[0] != "." else f"timeline_open_100k{name}"]
        assert fig["parameters"]["events"] == sizes["timeline_events"], fig
    assert figures["timeline_open_100k"]["parameters"]["rows"] > 0
    quick = [figures[f"quick_entry_latency{s}"] for s in (".p50", "", ".max")]
    for fig in quick:
        assert fig["parameters"]["entries"] == sizes["quick_entries"], fig
    assert quick[0]["value"] <= quick[1]["value"] <= quick[2]["value"]  # p50, p95, max
    for name in ("", ".p99_gap", ".catch_up"):
        fig = figures[f"gui_stall_external_append{name}"]
        assert fig["parameters"]["notes"] == sizes["external_notes"], fig
    assert (
        figures["gui_stall_external_append.p99_gap"]["value"]
        <= figures["gui_stall_external_append"]["value"]
    )


def _check_propagation(figures: dict[str, Any], sizes: dict[str, Any]) -> None:
    # The shared database (skipped only where PostgreSQL's server is not installed).
    live = [figures[f"sync_propagation_latency{s}"] for s in (".p50", "", ".max")]
    if "skipped" not in live[0]:
        for fig in live:
            assert fig["parameters"]["notes"] == sizes["sync_notes"], fig
        assert live[0]["value"] <= live[1]["value"] <= live[2]["value"]  # p50, p95, max
        assert set(live[0]["parameters"]["stages_p50_ms"]) >= {"notify", "round", "apply"}
        floor = figures["sync_propagation_latency.notify_floor"]
        assert floor["parameters"]["pings"] == sizes["sync_pings"], floor
        assert floor["value"] < live[0]["value"], floor


def _check_catch_up(figures: dict[str, Any], sizes: dict[str, Any]) -> None:
    catch = [figures["sync_catch_up"], figures["sync_catch_up.events_per_s"]]
    if "skipped" not in catch[0]:
        for fig in catch:
            assert fig["parameters"]["events"] == sizes["sync_events"], fig
        rate = sizes["sync_events"] / (catch[0]["value"] / 1000)
        assert catch[1]["value"] == pytest.approx(rate, rel=0.01)


def test_sync_figures_are_skipped_without_postgres(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sys.path.insert(0, str(RUN.parent))
    try:
        import run
        import sync_bench
    finally:
        sys.path.remove(str(RUN.parent))
    reason = "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    monkeypatch.setattr(sync_bench, "skip_reason", lambda: reason)
    figures = run.run(list(SKIPPABLE), run.QUICK)
    assert {f["benchmark"] for f in figures} == set(SKIPPABLE)
    assert len(figures) == 6
    for fig in figures:
        assert fig["value"] is None and fig["skipped"] == reason, fig
    assert f"sync_catch_up: skipped ({reason})" in capsys.readouterr().err


def test_only_and_out(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    done = _runner("--only", "fold_100k", "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == done.stdout
    document = json.loads(done.stdout)
    assert document["benchmarks"] == ["fold_100k"]
    assert {f["benchmark"] for f in document["figures"]} == {"fold_100k"}


def test_unknown_benchmark_is_a_usage_error(tmp_path: Path) -> None:
    done = _runner("--only", "no_such_benchmark", cwd=tmp_path)
    assert done.returncode == 2
    assert "no_such_benchmark" in done.stderr
    assert done.stdout == ""


def test_ui_bench_unknown_measurement_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(UI_BENCH), "no_such_measurement"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2
    assert "timeline_open_100k" in done.stderr
    assert done.stdout == ""
