"""The export figures: a demo-sized post-mortem written as Markdown, HTML and PDF.

``run.py`` calls :func:`bench_export` (a list of figures in the shape of ``run.figure``). By
hand::

    python tests/benchmarks/export_bench.py [TIMELINE_ROWS]
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from incidentdesk.core.postmortem.document import (
    DocActionItem,
    DocSection,
    DocTimelineRow,
    PostmortemDocument,
)
from incidentdesk.infra.export import export

DEMO_ROWS = 60  # the demo incident's journal: about sixty entries over three hours
REPEATS = 5
GOAL_PDF_MS = 2000.0
KINDS = ("observation", "note", "action", "decision", "update")
PEOPLE = ("Maya Chen", "Jonas Weber", "Priya Raman", "Lena Novak", "Sam Okafor", "Alex Kim")


def demo_sized_document(rows: int = DEMO_ROWS) -> PostmortemDocument:
    """A post-mortem the size of the demo incident's: ``rows`` timeline entries, the
    Standard template's ten sections with a few paragraphs, lists, code and a table each,
    six action items."""
    start = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    paragraph = (
        "The ledger-service deploy ran migration 0142, which dropped `ix_entries_account`; "
        "queries on **ledger_entries** fell back to full scans and the connection pool "
        "saturated. See the [runbook](https://runbooks.example.com/ledger)."
    )
    body = (
        f"{paragraph}\n\n{paragraph}\n\n- went well: paging reached Ledger in 4 minutes\n"
        "- went poorly: no alert on pool saturation\n- lucky: low traffic hour\n\n"
        "```sql\nCREATE INDEX CONCURRENTLY ix_entries_account ON ledger_entries (account);\n```\n\n"
        "| Measure | Value |\n|---|---|\n| Failed payments | 1,284 |\n| Tickets | ~300 |\n"
    )
    titles = (
        "Overview",
        "What happened",
        "Contributing factors",
        "Resolution",
        "Impact",
        "Responders",
        "Timeline",
        "How'd we do",
        "Action items",
        "Messaging",
    )
    return PostmortemDocument(
        incident_id="0195f3a2-7c41-7d2e-9b1a-3f4e5d6c7b8a",
        title="EU checkout failing: payments-api 5xx from ledger-service timeouts",
        severity="SEV2",
        status="resolved",
        template="Standard",
        review_state="approved",
        revision=3,
        reviewers=("Lena Novak", "Rui Costa"),
        approved_by=("Lena Novak", "Rui Costa"),
        started_at=start,
        resolved_at=start + timedelta(minutes=172),
        durations=(("Time to acknowledge", "4m 00s"), ("Time to mitigate", "1h 16m")),
        responders=tuple((f"Role {i}", PEOPLE[i % len(PEOPLE)]) for i in range(7)),
        sections=tuple(
            DocSection(t.lower().replace(" ", "_"), t, body, required=i < 4)
            for i, t in enumerate(titles)
        ),
        timeline=tuple(
            DocTimelineRow(
                start + timedelta(minutes=3 * i),
                KINDS[i % len(KINDS)],
                PEOPLE[i % len(PEOPLE)],
                f"Entry {i}: ledger-service p99 latency {180 + 37 * i}ms, pool "
                f"{min(200, 90 + 9 * i)}/200 in use; payments-api 5xx rate steady",
            )
            for i in range(rows)
        ),
        action_items=tuple(
            DocActionItem(
                f"Follow-up {i}: alert on connection pool saturation above 80%",
                ("prevent", "detect", "mitigate", "process")[i % 4],
                PEOPLE[i % len(PEOPLE)],
                f"2026-03-{17 + i:02d}",
                f"P{1 + i % 4}",
                "open",
                f"https://tracker.example.com/LEDGER-{881 + i}",
            )
            for i in range(6)
        ),
    )


def _time(doc: PostmortemDocument, fmt: str, folder: Path) -> tuple[float, float, float]:
    """(first run, median, best) in ms; the first run includes loading Qt and fonts."""
    times = []
    for attempt in range(REPEATS + 1):
        gc.collect()
        t0 = time.perf_counter()
        export(doc, fmt, folder / f"pm-{attempt}.{fmt}")
        times.append((time.perf_counter() - t0) * 1000)
    warm = times[1:]
    return round(times[0], 3), round(statistics.median(warm), 3), round(min(warm), 3)


def bench_export(sizes: Any = None) -> list[dict[str, Any]]:
    """Export a demo-sized post-mortem to PDF, HTML and Markdown.

    ``sizes`` may carry ``export_rows`` (timeline rows; default :data:`DEMO_ROWS`). Figures:
    ``export_pdf`` (median of :data:`REPEATS` after a first run, which is reported apart
    because it loads Qt and the fonts; goal under 2 s), ``export_html``, ``export_markdown``.
    """
    rows = int(getattr(sizes, "export_rows", DEMO_ROWS))
    doc = demo_sized_document(rows)
    figures = []
    with tempfile.TemporaryDirectory(prefix="incidentdesk-bench-") as tmp:
        folder = Path(tmp)
        for fmt, name in (
            ("pdf", "export_pdf"),
            ("html", "export_html"),
            ("md", "export_markdown"),
        ):
            first, median, best = _time(doc, fmt, folder)
            size = (folder / f"pm-0.{fmt}").stat().st_size
            parameters: dict[str, Any] = {
                "timeline_rows": rows,
                "sections": len(doc.sections),
                "repeats": REPEATS,
                "first_run_ms": first,
                "best_ms": best,
                "bytes": size,
            }
            if fmt == "pdf":
                parameters["goal_ms"] = GOAL_PDF_MS
            figures.append({"name": name, "value": median, "unit": "ms", "parameters": parameters})
    return figures


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else DEMO_ROWS

    class _Sizes:
        export_rows = count

    print(json.dumps(bench_export(_Sizes()), indent=2))
