"""The search figures: typical searches over a large local library.

:func:`bench_search` seeds a fresh data dir with ``n_incidents`` incidents holding
``n_events`` events in all (titles and notes in a realistic vocabulary: a few domain words
that recur everywhere, service names, numbers, and a long tail of rarer words, some
accented), written in one store transaction with their search index and incident-list rows
(as received events: no outbox),
then times ``Desk.incidents.search`` for a few typical queries: the median of several runs
each, on a warm store (the page cache and SQLite's cache as after a first search). Goal:
under 100 ms.

Usage::

    python tests/benchmarks/search_bench.py              # 5,000 incidents, 500,000 events
    python tests/benchmarks/search_bench.py 50 5000      # any sizes
"""

from __future__ import annotations

import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from incidentdesk.app.desk import PROJECTION_VERSION, Desk
from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.fold import fold, state_summary
from incidentdesk.core.journal.ids import hlc_pack, new_event_id
from incidentdesk.core.library.search import match_expression
from incidentdesk.core.timefmt import from_micros
from incidentdesk.infra.store.local import DB_NAME, LocalStore

GOAL_MS = 100.0
RUNS = 9  # timed runs per query, after one untimed
SEED = 20261126

SERVICES = (
    "payments-api",
    "ledger-service",
    "checkout-web",
    "auth-gateway",
    "search-indexer",
    "notifications",
    "inventory-db",
    "billing-worker",
)
TITLES = (
    "{svc} 5xx after deploy",
    "Elevated latency on {svc}",
    "{svc} connection pool exhausted",
    "Disk full on {svc} primary",
    "Checkout failing in {region}",
    "Certificate expired for {svc}",
    "Data loss risk: {svc} replica lag",
    "Café menu sync broken in {region}",
)
NOTES = (
    "Error rate on {svc} at {n}%",
    "Rolled back {svc} to the previous release",
    "Deploy of {svc} paused pending review",
    "Customers in {region} report failed checkouts",
    "Pager for {svc} escalated to the secondary",
    "Disk usage on {svc} at {n}% and climbing",
    "Latency p99 {n} ms on {svc}",
    "Status page updated: investigating {svc}",
    "Connection pool for {svc} saturated {n}/{n}",
    "Décision: keep the feature flag off in {region}",
)
REGIONS = ("EU", "US", "APAC", "São Paulo", "Zürich", "Montréal")
QUERIES = (
    "checkout",  # a common word: many thousands of matches
    "disk full",  # two common words, any order
    '"connection pool"',  # a phrase
    "deploy*",  # a prefix
    "zurich",  # accent folded, in titles and notes
    "payments-api roll*",  # a service name and a prefix
    "quixotic",  # a rare word from the long tail
    "nothingmatchesthis",  # nothing found
)


def _vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyzéèü"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(size)}
    return [*sorted(words), "quixotic"]


def seed_library(data_dir: Path, n_incidents: int, n_events: int) -> int:
    """Write the library in one store transaction; returns the number of events written."""
    rng = random.Random(SEED)
    vocabulary = _vocabulary(rng)
    zipf = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))
    devices = [f"{rng.getrandbits(48):012x}" for _ in range(6)]
    people = ("Maya Chen", "Sam Okafor", "Ana Ruiz", "Jonas Berg", "Priya Nair", "Léa Martin")
    per_incident = max(1, n_events // n_incidents)
    ms = 1_700_000_000_000
    written = 0
    store = LocalStore(data_dir)
    try:
        with store.writing() as tx:
            for number in range(n_incidents):
                incident_id = new_event_id(ms)
                journal: list[Event] = []
                count = per_incident if number < n_incidents - 1 else n_events - written
                for index in range(max(1, count)):
                    ms += rng.randint(100, 5_000)
                    fill = {
                        "svc": rng.choice(SERVICES),
                        "region": rng.choice(REGIONS),
                        "n": rng.randint(1, 100),
                    }
                    if index == 0:
                        kind, field = "incident.declared", "title"
                        payload: dict[str, Any] = {
                            "title": rng.choice(TITLES).format(**fill),
                            "severity": rng.choice(("SEV1", "SEV2", "SEV3", "SEV4")),
                            "services": [fill["svc"]],
                        }
                    else:
                        extra = rng.choices(vocabulary, cum_weights=zipf, k=rng.randint(2, 8))
                        kind, field = "note.added", "text"
                        payload = {
                            "text": rng.choice(NOTES).format(**fill) + " " + " ".join(extra),
                            "note_kind": "note",
                            "pinned": False,
                        }
                    device = rng.randrange(len(devices))
                    event = Event(
                        id=incident_id if index == 0 else new_event_id(ms),
                        incident_id=incident_id,
                        kind=kind,
                        payload=payload,
                        occurred_at=from_micros(ms * 1000),
                        hlc=hlc_pack(ms, 0),
                        author=people[device],
                        device=devices[device],
                    )
                    # The journal insert of received events: one plain statement, about
                    # five times faster than append's (which also fills the outbox).
                    tx.receive(event)
                    tx.index_text(incident_id, event.id, payload[field])
                    journal.append(event)
                written += len(journal)
                tx.put_summary(state_summary(fold(incident_id, journal)), tx.max_seq())
            # Folded by this version, as the Desk stamps a store it wrote (else the first
            # Desk.open would rebuild every projection, as after an upgrade).
            tx.meta_set("projection_version", PROJECTION_VERSION)
    finally:
        store.close()
    return written


def time_searches(desk: Desk, queries: tuple[str, ...] = QUERIES) -> dict[str, dict[str, Any]]:
    """Each query's median, fastest and slowest time (ms) over :data:`RUNS` runs, its number
    of hits and the number of indexed texts it matches."""
    results: dict[str, dict[str, Any]] = {}
    for query in queries:
        hits = desk.incidents.search(query)  # untimed: warms the caches as a first search would
        times: list[float] = []
        for _ in range(RUNS):
            start = time.perf_counter()
            desk.incidents.search(query)
            times.append((time.perf_counter() - start) * 1000)
        results[query] = {
            "matches": _matches(desk, query),
            "median_ms": round(statistics.median(times), 2),
            "min_ms": round(min(times), 2),
            "max_ms": round(max(times), 2),
            "hits": len(hits),
        }
    return results


def _matches(desk: Desk, query: str) -> int:
    """How many indexed texts match (what FTS5 ranks before the best are kept)."""
    expression = match_expression(query)
    if expression is None:
        return 0
    with desk.store.reading() as tx:
        count = tx.conn.exec_driver_sql(
            "SELECT count(*) FROM search_index WHERE search_index MATCH ?", (expression,)
        ).scalar()
    return int(count or 0)


def bench_search(n_incidents: int = 5000, n_events: int = 500_000) -> dict[str, Any]:
    """Seed a library of that size in a temporary data dir and time typical searches.

    Returns a JSON-able dict: the sizes, the seeding time, the file's size, each query's
    figures (``queries``), the slowest median (``worst_median_ms``) and the goal.
    """
    with tempfile.TemporaryDirectory(prefix="incidentdesk-search-bench-") as tmp:
        data_dir = Path(tmp) / "profile"
        data_dir.mkdir()
        start = time.perf_counter()
        written = seed_library(data_dir, n_incidents, n_events)
        seed_s = time.perf_counter() - start
        desk = Desk.open(data_dir, "Bench")
        try:
            queries = time_searches(desk)
        finally:
            desk.close()
        size_mb = (data_dir / DB_NAME).stat().st_size / 1e6
    worst = max(q["median_ms"] for q in queries.values())
    return {
        "n_incidents": n_incidents,
        "n_events": written,
        "seed_s": round(seed_s, 2),
        "db_mb": round(size_mb, 1),
        "runs_per_query": RUNS,
        "queries": queries,
        "worst_median_ms": worst,
        "goal_ms": GOAL_MS,
        "within_goal": worst < GOAL_MS,
    }


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:3]]
    print(json.dumps(bench_search(*sizes), ensure_ascii=False, indent=2))
