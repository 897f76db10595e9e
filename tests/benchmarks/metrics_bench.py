"""The metrics figure: ``core.metrics.compute_metrics`` over a library of synthetic incidents.

``run.py`` calls :func:`bench_metrics` (its return value has the shape of ``run.figure``).
By hand::

    python tests/benchmarks/metrics_bench.py [N_INCIDENTS]
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from incidentdesk.core.library.metrics import GROUPINGS, compute_metrics

SERVICES = tuple(f"service-{i:02d}" for i in range(40))
TEAMS = {service: f"team-{i % 8}" for i, service in enumerate(SERVICES)}  # the catalog's owners
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV3", "SEV4", "SEV4", "SEV5")
REPEATS = 5
GOAL_MS = 500.0


def synthetic_rows(n_incidents: int, seed: int = 1) -> list[dict[str, Any]]:
    """Incident-list rows as ``Desk.incidents.rows(include_closed=True)`` gives them: starts
    spread over two years, one to three services, milestones minutes to days apart, about
    15% still open, 10% never acknowledged, 5% drills and 1% with a negative duration."""
    rnd = random.Random(seed)
    first = datetime(2024, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(n_incidents):
        started = first + timedelta(seconds=rnd.uniform(0, 2 * 365 * 86_400))
        detected = started + timedelta(minutes=rnd.expovariate(1 / 15))
        if rnd.random() < 0.01:
            detected = started - timedelta(minutes=5)  # bad data: detected before the start
        acknowledged = detected + timedelta(minutes=rnd.expovariate(1 / 5))
        mitigated = acknowledged + timedelta(minutes=rnd.expovariate(1 / 60))
        resolved = mitigated + timedelta(minutes=rnd.expovariate(1 / 600))
        still_open = rnd.random() < 0.15
        rows.append(
            {
                "id": f"incident-{i}",
                "title": f"Synthetic incident {i}",
                "severity": rnd.choice(SEVERITIES),
                "status": "investigating" if still_open else "closed",
                "services": rnd.sample(SERVICES, rnd.randint(1, 3)),
                "commander": None,
                "started_at": started,
                "detected_at": detected,
                "acknowledged_at": None if rnd.random() < 0.10 else acknowledged,
                "mitigated_at": None if still_open else mitigated,
                "resolved_at": None if still_open else resolved,
                "drill": rnd.random() < 0.05,
                "event_count": rnd.randint(3, 400),
            }
        )
    return rows


def bench_metrics(n_incidents: int = 5_000) -> dict[str, Any]:
    """Time ``compute_metrics`` over ``n_incidents`` synthetic rows, for every grouping.

    The figure is the slowest grouping's median of :data:`REPEATS` runs (after one warm-up
    run each), in ms; ``parameters`` has each grouping's median and best. Goal: under
    500 ms for 5,000 incidents.
    """
    rows = synthetic_rows(n_incidents)
    medians: dict[str, float] = {}
    best: dict[str, float] = {}
    for by in GROUPINGS:
        compute_metrics(rows, by=by, include_drills=True, service_teams=TEAMS)  # warm-up
        times = []
        for _ in range(REPEATS):
            gc.collect()
            t0 = time.perf_counter()
            compute_metrics(rows, by=by, service_teams=TEAMS)
            times.append((time.perf_counter() - t0) * 1000)
        medians[by] = round(statistics.median(times), 3)
        best[by] = round(min(times), 3)
    slowest = max(medians, key=lambda by: medians[by])
    return {
        "name": "metrics_compute",
        "value": medians[slowest],
        "unit": "ms",
        "parameters": {
            "incidents": n_incidents,
            "repeats": REPEATS,
            "slowest_grouping": slowest,
            "median_ms": medians,
            "best_ms": best,
            "goal_ms": GOAL_MS,
        },
    }


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    print(json.dumps(bench_metrics(count), indent=2))
