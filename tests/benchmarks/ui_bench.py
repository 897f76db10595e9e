"""The command window's measurements, each run in a fresh process by ``run.py``.

Usage (``run.py`` seeds the data folder and calls these; each prints one JSON line)::

    python tests/benchmarks/ui_bench.py timeline_open_100k DATA_DIR [--profile P]
    python tests/benchmarks/ui_bench.py quick_entry_latency DATA_DIR ENTRIES WARMUP [--profile P]
    python tests/benchmarks/ui_bench.py gui_stall_external_append DATA_DIR NOTES [--profile P]
    python tests/benchmarks/ui_bench.py cold_start_app DATA_DIR SPAWNED_AT
    python tests/benchmarks/ui_bench.py cold_start_bare SPAWNED_AT

A fresh process per measurement keeps QApplication state, caches and resident memory from
one measurement out of the next. ``--profile P`` also writes cProfile statistics of the
GUI thread (``P.gui.prof``) and of the store worker thread (``P.worker.prof``)
over the measured part; read them with ``python -m pstats``.

Module level imports stay minimal: ``cold_start_*`` time this file's own start-up too, and
each imports what it needs inside the timed part.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

STARTED = time.time()  # the interpreter is up and this file is running
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The note-writing process of gui_stall_external_append: another process using the Desk,
# as an alerting script would. Prints the wall times of its first and last write.
WRITER = """
import sys, time
from pathlib import Path
from incidentdesk.app.desk import Desk
data_dir, incident, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
desk = Desk.open(data_dir, 'alerting')
first = time.time()
for i in range(n):
    desk.incidents.add_note(incident, f'alerting: check {i} fired (p99 over budget)', 'observation')
last = time.time()
desk.close()
print(first, last)
"""

# gui_stall_external_append's heartbeat times (perf_counter), kept for a caller that wants
# to line the longest gaps up with what else ran.
HEARTBEATS: list[float] = []

TIMEOUT_S = 600.0  # no single wait inside a measurement should come near this


def _rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory (``VmRSS``) or its peak (``VmHWM``), in MB."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _quantile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by the inclusive method, as ``statistics.quantiles``."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --------------------------------------------------------------------------- Qt plumbing


_SINGLETONS = {"None": None, "True": True, "False": False}
_EXTRA_REFS = 1 << 40


def _dropped_singletons() -> dict[str, bool]:
    """Which of ``None``, ``True`` and ``False`` PySide calls return without a reference.

    PySide6 6.12.0 on CPython 3.11 (seen with the cp310-abi3 wheel) does: every call of a
    method returning ``void`` (``QTimer.start``, ``QLineEdit.setText``, ``exec`` of an event
    loop, …) drops one reference to ``None``, and every ``SignalInstance.emit()`` drops one
    to ``True``. When a count reaches zero the process aborts ("Fatal Python error:
    none_dealloc" / "bool_dealloc"). From CPython 3.12 these objects are immortal.
    """
    QtCore, _ = _qt()

    class Probe(QtCore.QObject):
        ping = QtCore.Signal()

    probe = Probe()
    timer = QtCore.QTimer()
    counts = {name: sys.getrefcount(obj) for name, obj in _SINGLETONS.items()}
    for _ in range(10):
        probe.ping.emit()
        timer.stop()
    return {name: sys.getrefcount(obj) < counts[name] for name, obj in _SINGLETONS.items()}


def _keep_singletons_alive() -> list[str]:
    """Work around :func:`_dropped_singletons` so that a long measurement is not killed by
    it: give each object PySide drops references to 2**40 extra references (no memory, no
    time). Returns their names, which the measurements report so the defect stays visible."""
    dropped = [name for name, lost in _dropped_singletons().items() if lost]
    if dropped:
        import ctypes

        for name in dropped:
            ctypes.c_ssize_t.from_address(id(_SINGLETONS[name])).value += _EXTRA_REFS
    return dropped


def _qt() -> tuple[Any, Any]:
    """The Qt pieces every measurement uses (imported only in a measuring process)."""
    from PySide6 import QtCore, QtWidgets

    return QtCore, QtWidgets


def _open_app(data_dir: str) -> Any:
    """The QApplication with the profile's theme, as ``run_app`` prepares it."""
    from pathlib import Path

    from incidentdesk.ui.shell.app import ensure_app, ui_settings
    from incidentdesk.ui.shell.theme import apply_theme

    app = ensure_app()
    apply_theme(app, str(ui_settings(Path(data_dir)).value("theme", "system")))
    return app


class _Waiter:
    """Runs the event loop until a condition holds; :meth:`check` is called on progress.

    Waiting is event-driven (no busy loop, no polling timer) so the waiting itself does not
    take the GIL from the store worker.
    """

    def __init__(self) -> None:
        QtCore, _ = _qt()
        self._loop = QtCore.QEventLoop()
        self._condition: Callable[[], bool] | None = None
        self._timer = QtCore.QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._loop.quit)

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        # The condition may hold for a moment only (a callback that ends one job and starts
        # the next): after each wake-up, look again and keep waiting until it really holds.
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
            self._condition = condition
            self._timer.start(max(1, int(remaining * 1000)))
            self._loop.exec()
            self._timer.stop()
            self._condition = None

    def check(self, *_args: object) -> None:
        if self._condition is not None and self._condition():
            self._loop.quit()


def _paint_probe(view: Any, on_paint: Callable[[float, float], None]) -> Any:
    """Calls ``on_paint(started, finished)`` (perf_counter seconds) for each paint of the
    view's viewport; the paint runs inside the probe, so ``finished`` is after painting."""
    QtCore, _ = _qt()

    class Probe(QtCore.QObject):
        def eventFilter(self, watched: Any, event: Any) -> bool:
            if event.type() == QtCore.QEvent.Type.Paint:
                started = time.perf_counter()
                view.viewportEvent(event)  # what the scroll area would do next: paint now
                on_paint(started, time.perf_counter())
                return True
            return False

    probe = Probe(view)
    view.viewport().installEventFilter(probe)
    return probe


class _Profiler:
    """cProfile on the GUI thread and on the store worker thread, when asked for."""

    def __init__(self, prefix: str | None, client: Any) -> None:
        import cProfile

        self.prefix = prefix
        self.client = client
        self.gui = cProfile.Profile() if prefix else None
        self.worker = cProfile.Profile() if prefix else None

    def start(self) -> None:
        if self.gui is not None and self.worker is not None:
            self.client.worker.submit(self.worker.enable)  # runs on the worker thread
            self.gui.enable()

    def stop(self) -> None:
        if self.gui is not None and self.worker is not None:
            self.gui.disable()
            self.client.worker.submit(self.worker.disable)
            self.client.worker.shutdown()  # waits for the disable
            self.gui.dump_stats(f"{self.prefix}.gui.prof")
            self.worker.dump_stats(f"{self.prefix}.worker.prof")


def _timed_method(cls: Any, name: str, record: list[float]) -> None:
    """Wrap ``cls.name`` (a class's or a module's) to append each call's duration (s) to
    ``record``; the package's code is unchanged, only this process's objects are."""
    original = getattr(cls, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            record.append(time.perf_counter() - t0)

    setattr(cls, name, timed)


def _open_window(data_dir: str, waiter: _Waiter) -> Any:
    """The main window shown on the profile, its incident loaded and the feed running."""
    from pathlib import Path

    from incidentdesk.ui.shell.app import build_window

    window = build_window(Path(data_dir), "bench")
    window.resize(1400, 900)
    window.command_view.loaded.connect(waiter.check)
    window.client.busy_changed.connect(waiter.check)
    window.show()
    # Loaded, and the feed's first look has recorded where the journal is (changes after
    # that point are announced).
    waiter.wait(
        lambda: (
            window.command_view.state is not None
            and window.client.describe()["cursor"] is not None
            and window.client.worker.pending == 0
        ),
        "the window to load",
    )
    return window


# ------------------------------------------------------------------ timeline_open_100k


def timeline_open_100k(data_dir: str, profile: str | None = None) -> dict[str, object]:
    """First paint of a 100k-event timeline after ``build_window``, and memory after it."""
    import gc
    from pathlib import Path

    from incidentdesk.app.desk import Desk
    from incidentdesk.app.incidents import Incidents
    from incidentdesk.ui.command import view as command_view
    from incidentdesk.ui.command.timeline_model import TimelineModel
    from incidentdesk.ui.shell.app import build_window

    QtCore, _ = _qt()
    app = _open_app(data_dir)
    guard = _keep_singletons_alive()
    rss_start = _rss_mb()

    # Where the time goes, part one: the Desk's load alone, on a Desk of its own.
    desk = Desk.open(Path(data_dir), "bench")
    incident_id = desk.incidents.rows(include_closed=True)[0]["id"]
    t0 = time.perf_counter()
    snapshot = desk.incidents.snapshot(incident_id)
    desk_snapshot = time.perf_counter() - t0
    events = len(snapshot.events)
    del snapshot
    desk.close()
    del desk
    gc.collect()
    rss_before = _rss_mb()

    # Part two: the same calls inside the window (worker thread) and the model's load.
    snapshots: list[float] = []
    people: list[float] = []
    prepares: list[float] = []
    loads: list[float] = []
    _timed_method(Incidents, "snapshot", snapshots)
    _timed_method(Incidents, "people", people)
    _timed_method(command_view, "prepare", prepares)  # a module's name: wrapped the same way
    for name in ("load", "load_prepared", "insert_rows", "begin_prepared", "end_prepared"):
        _timed_method(TimelineModel, name, loads)
    # The GUI thread's heartbeat while the incident loads: its longest gap is the longest
    # the window could not answer a key or paint.
    ticks: list[float] = []
    heartbeat = QtCore.QTimer()
    heartbeat.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))

    waiter = _Waiter()
    marks: dict[str, float] = {}
    window = None

    def on_paint(started: float, finished: float) -> None:
        if window is None or "painted" in marks:
            return
        if window.command_view.timeline.model.rowCount() > 0:
            marks["paint_started"], marks["painted"] = started, finished
            waiter.check()

    start = time.perf_counter()
    window = build_window(Path(data_dir), "bench")
    marks["built"] = time.perf_counter()
    timeline = window.command_view.timeline
    _paint_probe(timeline.view, on_paint)
    loaded_rows: list[int] = []

    def loaded(_id: str) -> None:
        marks.setdefault("loaded", time.perf_counter())
        loaded_rows.append(timeline.model.rowCount())
        waiter.check()

    window.command_view.loaded.connect(loaded)
    profiler = _Profiler(profile, window.client)
    profiler.start()
    window.resize(1400, 900)
    window.show()
    marks["shown"] = time.perf_counter()
    heartbeat.start()
    ticks.append(time.perf_counter())
    waiter.wait(lambda: "painted" in marks, "the first paint of the timeline's rows")
    rss = _rss_mb()
    peak = _rss_mb("VmHWM")
    first_rows = timeline.model.rowCount()
    waiter.wait(lambda: "loaded" in marks, "the incident to be fully loaded")
    heartbeat.stop()
    rows = timeline.model.rowCount()
    profiler.stop()
    window.client.stop()
    app.processEvents()
    return {
        "open_ms": _ms(marks["painted"] - start),
        "rss_mb": rss,
        "desk_snapshot_ms": _ms(desk_snapshot),
        "loaded_ms": _ms(marks["loaded"] - start),
        "loading_stall_ms": _ms(max(b - a for a, b in itertools.pairwise(ticks))),
        "events": events,
        "rows": rows,
        "first_rows": first_rows,
        "rows_when_loaded": loaded_rows[0],
        "rss_loaded_mb": _rss_mb(),
        "rss_start_mb": rss_start,
        "rss_before_window_mb": rss_before,
        "peak_rss_mb": peak,
        "pyside_drops_refs_to": guard,
        "breakdown_ms": {
            "build_window": _ms(marks["built"] - start),
            "show": _ms(marks["shown"] - marks["built"]),
            "until_loaded": _ms(marks["loaded"] - start),
            "worker_snapshot": _ms(sum(snapshots)),
            "worker_people": _ms(sum(people)),
            "worker_prepare_rows": _ms(sum(prepares)),
            "timeline_model_load": _ms(sum(loads)),
            "paint_start": _ms(marks["paint_started"] - start),
            "first_paint": _ms(marks["painted"] - marks["paint_started"]),
        },
    }


# ------------------------------------------------------------------ quick_entry_latency


def quick_entry_latency(
    data_dir: str, entries: str, warmup: str, profile: str | None = None
) -> dict[str, object]:
    """Enter in the quick entry → the new row in the timeline model and painted."""
    QtCore, _ = _qt()
    from PySide6.QtTest import QTest

    app = _open_app(data_dir)
    guard = _keep_singletons_alive()
    waiter = _Waiter()
    window = _open_window(data_dir, waiter)
    view = window.command_view
    model = view.timeline.model
    field = view.quick_entry.line_edit
    field.setFocus()

    state: dict[str, float] = {}

    def inserted(*_args: object) -> None:
        if "enter" in state and "inserted" not in state:
            state["inserted"] = time.perf_counter()

    def painted(started: float, finished: float) -> None:
        if "inserted" in state and "painted" not in state:
            state["paint_started"], state["painted"] = started, finished
            waiter.check()

    def saved(_event_id: str) -> None:
        state.setdefault("saved", time.perf_counter())
        waiter.check()

    model.rowsInserted.connect(inserted)
    view.quick_entry.submitted.connect(saved)
    _paint_probe(view.timeline.view, painted)

    total, skip = int(entries), int(warmup)
    to_save: list[float] = []
    to_insert: list[float] = []
    to_paint: list[float] = []
    painting: list[float] = []
    profiler = _Profiler(profile, window.client)
    for i in range(skip + total):
        if i == skip:
            profiler.start()
        QTest.keyClicks(field, f"bench note {i}: checkout p99 back under 300ms")
        before = model.rowCount()
        state.clear()
        state["enter"] = time.perf_counter()
        QTest.keyClick(field, QtCore.Qt.Key.Key_Return)
        waiter.wait(
            lambda: "painted" in state and "saved" in state, f"entry {i} to show", timeout=60
        )
        if model.rowCount() != before + 1 or field.text():
            raise RuntimeError(f"entry {i}: {model.rowCount() - before} rows, {field.text()!r}")
        if i >= skip:
            to_save.append(state["saved"] - state["enter"])
            to_insert.append(state["inserted"] - state["enter"])
            to_paint.append(state["painted"] - state["enter"])
            painting.append(state["painted"] - state["paint_started"])
        # Let the rest of the change (the incident list's refresh) finish before the next.
        waiter.wait(lambda: window.client.worker.pending == 0, "the worker to go idle")
    profiler.stop()
    window.client.stop()
    app.processEvents()
    return {
        "entries": total,
        "warmup": skip,
        "p50_ms": _ms(_quantile(to_paint, 0.5)),
        "p95_ms": _ms(_quantile(to_paint, 0.95)),
        "max_ms": _ms(max(to_paint)),
        "saved_p50_ms": _ms(_quantile(to_save, 0.5)),
        "saved_p95_ms": _ms(_quantile(to_save, 0.95)),
        "inserted_p50_ms": _ms(_quantile(to_insert, 0.5)),
        "inserted_p95_ms": _ms(_quantile(to_insert, 0.95)),
        "paint_p50_ms": _ms(_quantile(painting, 0.5)),
        "paint_p95_ms": _ms(_quantile(painting, 0.95)),
        "pyside_drops_refs_to": guard,
    }


# ------------------------------------------------------------ gui_stall_external_append


def gui_stall_external_append(
    data_dir: str, notes: str, profile: str | None = None
) -> dict[str, object]:
    """The GUI thread's longest stall while another process appends notes."""
    import subprocess

    QtCore, _ = _qt()
    app = _open_app(data_dir)
    guard = _keep_singletons_alive()
    waiter = _Waiter()
    window = _open_window(data_dir, waiter)
    view = window.command_view
    model = view.timeline.model
    incident_id = view.incident_id
    target = model.rowCount() + int(notes)

    ticks = HEARTBEATS
    ticks.clear()
    batches: list[int] = []
    paints: list[float] = []
    marks: dict[str, float] = {}
    writer: list[subprocess.Popen[str]] = []

    def tick() -> None:
        ticks.append(time.perf_counter())

    def inserted(_parent: object, first: int, last: int) -> None:
        batches.append(last - first + 1)

    def painted(started: float, finished: float) -> None:
        paints.append(finished - started)
        if "visible" not in marks and model.rowCount() >= target:
            marks["visible"] = finished
            marks["visible_wall"] = time.time()
            waiter.check()

    def exited() -> None:
        if "exited" not in marks and writer and writer[0].poll() is not None:
            marks["exited"] = time.perf_counter()
            waiter.check()

    model.rowsInserted.connect(inserted)
    _paint_probe(view.timeline.view, painted)
    heartbeat = QtCore.QTimer()
    heartbeat.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(tick)
    reaper = QtCore.QTimer()
    reaper.setInterval(20)
    reaper.timeout.connect(exited)

    profiler = _Profiler(profile, window.client)
    command = [sys.executable, "-c", WRITER, data_dir, str(incident_id), str(int(notes))]
    writer.append(
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    )
    profiler.start()
    heartbeat.start()
    reaper.start()
    tick()  # the first tick: from here on every gap counts
    waiter.wait(lambda: "exited" in marks and "visible" in marks, "the notes to show")
    heartbeat.stop()
    reaper.stop()
    profiler.stop()
    out, err = writer[0].communicate()
    if writer[0].returncode != 0:
        raise RuntimeError(f"the writer failed ({writer[0].returncode}): {err.strip()[-800:]}")
    first_write, last_write = (float(x) for x in out.split())
    if model.rowCount() != target:
        raise RuntimeError(f"the timeline has {model.rowCount()} rows, expected {target}")
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    window.client.stop()
    app.processEvents()
    return {
        "notes": int(notes),
        "longest_stall_ms": _ms(max(gaps)),
        "p99_gap_ms": _ms(_quantile(gaps, 0.99)),
        "p50_gap_ms": _ms(_quantile(gaps, 0.5)),
        "gaps_over_50ms": sum(g > 0.050 for g in gaps),
        "ticks": len(ticks),
        "catch_up_ms": _ms(marks["visible_wall"] - last_write),
        "writer_seconds": round(last_write - first_write, 3),
        "writer_notes_per_s": round(int(notes) / (last_write - first_write), 1),
        "insert_batches": len(batches),
        "largest_batch": max(batches),
        "paints": len(paints),
        "longest_paint_ms": _ms(max(paints)),
        "pyside_drops_refs_to": guard,
    }


# ------------------------------------------------------------------------- cold start


def cold_start_app(data_dir: str, spawned_at: str) -> dict[str, object]:
    """Process start → the main window shown with its incident loaded (as ``run_app``)."""
    marks = {"spawned": float(spawned_at), "interpreter": STARTED}
    from pathlib import Path

    from PySide6.QtCore import QEventLoop

    # As run_app does: the Desk (and SQLAlchemy with it) is imported and opened on the store
    # worker, so nothing here may import it on the GUI thread first.
    from incidentdesk.ui.shell.app import build_window, ensure_app, ui_settings
    from incidentdesk.ui.shell.theme import apply_theme

    marks["imports"] = time.time()
    app = ensure_app()
    apply_theme(app, str(ui_settings(Path(data_dir)).value("theme", "system")))
    marks["qapplication"] = time.time()
    window = build_window(Path(data_dir), None)
    marks["build_window"] = time.time()
    loop = QEventLoop()

    def loaded(_incident_id: str) -> None:
        marks["loaded"] = time.time()
        loop.quit()

    window.command_view.loaded.connect(loaded)
    window.show()
    marks["show"] = time.time()
    if "loaded" not in marks:
        loop.exec()
    result = {
        "elapsed_ms": _ms(marks["loaded"] - marks["spawned"]),
        "incident": window.command_view.incident_id,
        "breakdown_ms": _steps(marks),
    }
    window.client.stop()
    return result


def cold_start_bare(spawned_at: str) -> dict[str, object]:
    """Process start → a bare PySide6 QMainWindow shown, after one processEvents."""
    marks = {"spawned": float(spawned_at), "interpreter": STARTED}
    from PySide6.QtWidgets import QApplication, QMainWindow

    marks["imports"] = time.time()
    app = QApplication(sys.argv[:1])
    marks["qapplication"] = time.time()
    window = QMainWindow()
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    marks["shown"] = time.time()
    return {"elapsed_ms": _ms(marks["shown"] - marks["spawned"]), "breakdown_ms": _steps(marks)}


def _steps(marks: dict[str, float]) -> dict[str, float]:
    """Each mark's time since the one before (marks in the order they were taken)."""
    names = list(marks)
    return {b: _ms(marks[b] - marks[a]) for a, b in itertools.pairwise(names)}


# ----------------------------------------------------------------------------- main


def library_open(data_dir: str) -> dict[str, object]:
    """Window built with the Library showing → first paint of its rows; then the metrics of
    every incident, database read included."""
    from pathlib import Path

    from incidentdesk.app.desk import Desk
    from incidentdesk.core.library.metrics import compute_metrics
    from incidentdesk.ui.shell.app import build_window
    from incidentdesk.ui.shell.main_window import LIBRARY

    app = _open_app(data_dir)
    guard = _keep_singletons_alive()
    waiter = _Waiter()
    marks: dict[str, float] = {}
    window = None

    def on_paint(started: float, finished: float) -> None:
        if window is not None and "painted" not in marks and window.library.proxy.rowCount():
            marks["painted"] = finished
            waiter.check()

    start = time.perf_counter()
    window = build_window(Path(data_dir), "bench")
    window.show_view(LIBRARY)
    _paint_probe(window.library.table, on_paint)
    window.resize(1400, 900)
    window.show()
    waiter.wait(lambda: "painted" in marks, "the first paint of the library's rows")
    rows = window.library.proxy.rowCount()
    window.client.stop()
    app.processEvents()

    desk = Desk.open(Path(data_dir), "bench")
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        report = compute_metrics(desk.incidents.rows(include_closed=True), by="service")
        times.append(time.perf_counter() - t0)
    desk.close()
    del guard
    return {
        "first_paint_ms": _ms(marks["painted"] - start),
        "rows": rows,
        "metrics_ms": _ms(sorted(times)[1]),
        "metrics_incidents": report.considered,
    }


MEASUREMENTS: dict[str, Callable[..., dict[str, object]]] = {
    "library_open": library_open,
    "timeline_open_100k": timeline_open_100k,
    "quick_entry_latency": quick_entry_latency,
    "gui_stall_external_append": gui_stall_external_append,
    "cold_start_app": cold_start_app,
    "cold_start_bare": cold_start_bare,
}
PROFILED = ("timeline_open_100k", "quick_entry_latency", "gui_stall_external_append")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in MEASUREMENTS:
        print(__doc__, file=sys.stderr)
        print(f"unknown measurement; one of {', '.join(MEASUREMENTS)}", file=sys.stderr)
        return 2
    name, args = argv[0], list(argv[1:])
    kwargs: dict[str, str] = {}
    if "--profile" in args and name in PROFILED:
        at = args.index("--profile")
        kwargs["profile"] = args[at + 1]
        del args[at : at + 2]
    result = MEASUREMENTS[name](*args, **kwargs)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
