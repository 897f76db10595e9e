"""The command line's figures: how long a script waits for ``incidentdesk``.

:func:`bench_startup` times, interleaved in the same minutes (A, B, C, D, A, B, …), the bare
interpreter (``python -c pass``, the same executable the command runs on: ``site`` and its
``.pth`` files are on both sides of each ratio), ``incidentdesk --version``, ``--help`` and
``incidentdesk note`` to a local store holding one incident; each as a new process, its
bytecode cached (the first, untimed runs write it). The ratios are the medians' ratios,
so load on the machine weighs on both sides alike; the children's CPU time (user + system)
is in ``parameters`` too, steadier than wall time on a busy machine.

:func:`bench_timeline_json` times ``incidentdesk timeline ID --json`` of one long incident
to a file, then reads the file back with :func:`json.load` and checks every entry is there.

``run.py`` registers both (``python_pass_wall`` and ``cli_timeline_json_100k``) and times
``--version`` and ``incidents`` alone too (``cli_version_wall``, ``cli_incidents_wall``).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Figure = dict[str, Any]


def _figure(name: str, value: float, unit: str, **parameters: Any) -> Figure:
    return {"name": name, "value": value, "unit": unit, "parameters": parameters}


def cli_command() -> tuple[list[str], str]:
    """The installed ``incidentdesk`` next to this Python, else ``python -m incidentdesk``."""
    bindir = Path(sys.executable).parent
    for name in ("incidentdesk", "incidentdesk.exe"):
        exe = bindir / name
        if exe.is_file():
            return [str(exe)], "script"
    return [sys.executable, "-m", "incidentdesk"], "module"


def child_env() -> dict[str, str]:
    """This environment, bytecode written (the timed runs read it, as an installed
    command's would be)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_cli(args: Sequence[str], stdout: Any = subprocess.PIPE) -> tuple[float, float, str]:
    """Run a command in a new process: its wall time, its CPU time (s), its output."""
    cpu = _children_cpu()
    t0 = time.perf_counter()
    done = subprocess.run(
        args, stdout=stdout, stderr=subprocess.PIPE, text=True, env=child_env(), check=False
    )
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} exited with {done.returncode}: {done.stderr.strip()[-500:]}"
        )
    return elapsed, _children_cpu() - cpu, done.stdout or ""


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def interleaved(
    commands: dict[str, list[str]], runs: int, warmup: int
) -> dict[str, tuple[list[float], list[float]]]:
    """Each command's wall and CPU times over ``runs`` rounds of all of them in turn."""
    for _ in range(max(1, warmup)):  # at least once: bytecode written, disk cache warm
        for args in commands.values():
            run_cli(args)
    times: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in commands}
    for _ in range(runs):
        for name, args in commands.items():
            wall, cpu, _out = run_cli(args)
            times[name][0].append(wall)
            times[name][1].append(cpu)
    return times


def bench_startup(runs: int, warmup: int) -> list[Figure]:
    """``python_pass_wall`` and, as ratios of it, ``--version``, ``--help`` and ``note``."""
    command, launcher = cli_command()
    with tempfile.TemporaryDirectory(prefix="incidentdesk-bench-") as tmp:
        base = [*command, "--data-dir", tmp]
        _w, _c, out = run_cli([*base, "declare", "Checkout 5xx", "--severity", "SEV2"])
        incident_id = out.strip()
        times = interleaved(
            {
                "pass": [sys.executable, "-c", "pass"],
                "version": [*command, "--version"],
                "help": [*command, "--help"],
                "note": [*base, "note", incident_id, "Rolled back the deploy"],
            },
            runs,
            warmup,
        )
    medians = {name: statistics.median(wall) for name, (wall, _cpu) in times.items()}

    def params(name: str) -> dict[str, Any]:
        wall, cpu = times[name]
        return {
            "runs": runs,
            "warmup": max(1, warmup),
            "launcher": launcher,
            "min_ms": _ms(min(wall)),
            "max_ms": _ms(max(wall)),
            "cpu_median_ms": _ms(statistics.median(cpu)),
            "cpu_ratio": round(statistics.median(cpu) / statistics.median(times["pass"][1]), 3),
        }

    def ratio(name: str) -> Figure:
        return _figure(
            f"cli_{name}_ratio",
            round(medians[name] / medians["pass"], 3),
            "ratio",
            **params(name),
            wall_median_ms=_ms(medians[name]),
        )

    return [
        _figure("python_pass_wall", _ms(medians["pass"]), "ms", **params("pass"), stat="median"),
        ratio("version"),
        ratio("help"),
        _figure("cli_note_wall", _ms(medians["note"]), "ms", **params("note"), stat="median"),
        ratio("note"),
    ]


def bench_timeline_json(
    events: int, runs: int, seed: Callable[[Path, int], str], name: str
) -> list[Figure]:
    """``timeline --json`` of one incident of ``events`` events (``seed(data_dir, n)``
    writes it and returns its id; not timed) to a file, read back whole."""
    command, launcher = cli_command()
    with tempfile.TemporaryDirectory(prefix="incidentdesk-bench-") as tmp:
        data_dir = Path(tmp) / "profile"
        data_dir.mkdir()
        incident_id = seed(data_dir, events)
        args = [*command, "--data-dir", str(data_dir), "timeline", incident_id, "--json"]
        out = Path(tmp) / "timeline.json"
        walls, cpus = [], []
        for _ in range(runs):
            with out.open("w", encoding="utf-8") as handle:
                wall, cpu, _text = run_cli(args, stdout=handle)
            walls.append(wall)
            cpus.append(cpu)
            with out.open(encoding="utf-8") as handle:
                entries = json.load(handle)
            if len(entries) != events or entries[0]["id"] != incident_id:
                raise RuntimeError(f"{name}: {len(entries)} entries of {events} read back")
        size_mb = round(out.stat().st_size / 1e6, 1)
    return [
        _figure(
            name,
            _ms(statistics.median(walls)),
            "ms",
            events=events,
            runs=runs,
            launcher=launcher,
            stat="median",
            min_ms=_ms(min(walls)),
            max_ms=_ms(max(walls)),
            cpu_median_ms=_ms(statistics.median(cpus)),
            output_mb=size_mb,
        )
    ]
