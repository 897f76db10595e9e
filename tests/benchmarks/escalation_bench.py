"""Paging figures: from a click on "Page" to the request landing at a local PagerDuty.

A real HTTP server (the standard library's, on localhost) answers like PagerDuty's Events API
(202). For each page: ``Desk.escalations.escalate`` (the journal event and the outbox row in one
transaction), then the courier's attempt (keyring read, HTTP POST, outcome recorded). Figures
are the escalate step (what the GUI worker spends before the panel shows "requested"), the
whole path to "sent", and the courier's part alone.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from incidentdesk.app.desk import Desk
from incidentdesk.core.catalog.model import parse_toml
from incidentdesk.runtime.courier import Courier

CATALOG = """
[[teams]]
name = "payments"
members = []
escalation_policy = "payments"
[[services]]
name = "checkout"
team = "payments"
tier = 1
[[policies]]
name = "payments"
[[policies.levels]]
targets = ["pd"]
ack_timeout_minutes = 5
[[targets]]
name = "pd"
adapter = "pagerduty"
secret = "pagerduty/bench"
options = {{ base_url = "{url}" }}
"""


class _PagerDuty(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"status": "success", "message": "Event processed"}).encode()
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        return


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def bench_escalation(sizes: Any) -> list[dict[str, Any]]:
    """Page ``sizes.escalation_pages`` incidents' owners, one at a time, through the courier."""
    pages = int(getattr(sizes, "escalation_pages", 50))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PagerDuty)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    escalate_ms: list[float] = []
    courier_ms: list[float] = []
    total_ms: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="incidentdesk-bench-") as tmp:
            desk = Desk.open(Path(tmp), "bench")
            desk.catalog.import_catalog(parse_toml(CATALOG.format(url=url)))
            # From the environment: a benchmark never writes to the person's keyring.
            os.environ["INCIDENTDESK_SECRET_PAGERDUTY_BENCH"] = "bench-routing-key-000000000000"
            courier = Courier(desk, timeout=5)
            try:
                for i in range(pages):
                    incident = desk.incidents.declare(f"Checkout down {i}", "SEV1", ["checkout"])
                    t0 = time.perf_counter()
                    desk.escalations.escalate(incident, "checkout")
                    t1 = time.perf_counter()
                    courier.run_due()
                    t2 = time.perf_counter()
                    assert desk.escalations.pages(incident)[0].status == "sent"
                    escalate_ms.append((t1 - t0) * 1000)
                    courier_ms.append((t2 - t1) * 1000)
                    total_ms.append((t2 - t0) * 1000)
            finally:
                courier.close()
                desk.close()
    finally:
        server.shutdown()
        server.server_close()
    params = {"pages": pages}
    return [
        _figure("escalate_p50", statistics.median(escalate_ms), params),
        _figure("escalate_p95", _p(escalate_ms, 0.95), params),
        _figure("page_delivered_p50", statistics.median(total_ms), params),
        _figure("page_delivered_p95", _p(total_ms, 0.95), params),
        _figure("courier_attempt_p50", statistics.median(courier_ms), params),
    ]


def _figure(name: str, value: float, params: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "value": round(value, 3), "unit": "ms", "parameters": params}


if __name__ == "__main__":
    from types import SimpleNamespace

    print(json.dumps(bench_escalation(SimpleNamespace(escalation_pages=200)), indent=2))
