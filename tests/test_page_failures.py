"""Paging that tells the truth: failures retrying cannot fix end the page at once, transient
ones keep retrying and say so. Desk → outbox → courier → pytest-httpserver as PagerDuty."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from catalogkit import Clock, catalog_text  # tests/catalogkit.py
from pytest_httpserver import HTTPServer

from incidentdesk.app.desk import Desk
from incidentdesk.core.catalog.model import parse_toml
from incidentdesk.core.escalation.page_status import NOT_REACHED_AFTER, page_words
from incidentdesk.core.incident.timeline import timeline
from incidentdesk.infra.secrets import delete_secret, set_secret
from incidentdesk.runtime.courier import Courier

ROUTING_KEY = "R0UT1NGKEYsecretvalue00000000000"


def open_desk(path: Path, base_url: str, clock: Clock) -> Desk:
    desk = Desk.open(path, "Ana")
    desk.clock = clock
    desk.catalog.import_catalog(parse_toml(catalog_text(base_url)))
    return desk


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(tmp_path: Path, httpserver: HTTPServer, clock: Clock) -> Iterator[Desk]:
    d = open_desk(tmp_path, httpserver.url_for("").rstrip("/"), clock)
    set_secret("pagerduty/payments", ROUTING_KEY)
    yield d
    d.close()


@pytest.fixture
def incident(desk: Desk) -> str:
    return desk.incidents.declare("Checkout fails for EU cards", "SEV1", ["checkout"])


def requests_made(httpserver: HTTPServer) -> int:
    return sum(1 for request, _ in httpserver.log if request.path == "/v2/enqueue")


def test_a_missing_secret_fails_the_page_at_once_and_names_the_secret_to_set(
    desk: Desk, incident: str, httpserver: HTTPServer, clock: Clock
) -> None:
    delete_secret("pagerduty/payments")
    desk.escalations.escalate(incident, "checkout")
    Courier(desk).run_due()
    clock.advance(minutes=10)
    assert Courier(desk).run_due() == []  # nothing left to retry
    [page] = desk.escalations.pages(incident)
    assert page.status == "failed"
    words = page_words(page, clock.now)
    assert (words.state, words.tone, words.fix, words.secret_name) == (
        "failed",
        "error",
        "secret",
        "pagerduty/payments",
    )
    assert words.text.startswith("NOT paged: The secret 'pagerduty/payments' is not set")
    assert httpserver.log == []
    assert desk.deliveries.pending() == []


@pytest.mark.parametrize(
    ("status", "fix"),
    [(400, None), (401, "secret"), (403, "secret"), (404, "secret"), (410, "catalog"), (422, None)],
)
def test_a_refusal_by_pagerduty_is_permanent(
    desk: Desk,
    incident: str,
    httpserver: HTTPServer,
    clock: Clock,
    status: int,
    fix: str | None,
) -> None:
    httpserver.expect_request("/v2/enqueue").respond_with_json(
        {"status": "nope", "message": "Refused"}, status=status
    )
    desk.escalations.escalate(incident, "checkout")
    Courier(desk).run_due()
    clock.advance(minutes=5)
    Courier(desk).run_due()
    assert requests_made(httpserver) == 1  # never retried
    [page] = desk.escalations.pages(incident)
    words = page_words(page, clock.now)
    assert words.state == "failed" and str(status) in words.text
    assert words.fix == fix
    assert ROUTING_KEY not in words.text


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
def test_a_transient_failure_retries_and_the_row_counts_the_attempts(
    desk: Desk, incident: str, httpserver: HTTPServer, clock: Clock, status: int
) -> None:
    httpserver.expect_ordered_request("/v2/enqueue").respond_with_json(
        {"status": "busy"}, status=status, headers={"Retry-After": "12"}
    )
    httpserver.expect_ordered_request("/v2/enqueue").respond_with_json(
        {"status": "success"}, status=202
    )
    desk.escalations.escalate(incident, "checkout")
    Courier(desk).run_due()
    [page] = desk.escalations.pages(incident)
    words = page_words(page, clock.now)
    assert (words.state, words.tone) == ("retrying", "info")
    assert words.text.startswith("Retrying — attempt 2, next in ")
    seconds = int(words.text.removeprefix("Retrying — attempt 2, next in ").split()[0])
    assert 12 <= seconds <= 13  # Retry-After is honoured
    clock.advance(seconds=13)
    Courier(desk).run_due()
    [page] = desk.escalations.pages(incident)
    assert page_words(page, clock.now).state == "sent"
    assert requests_made(httpserver) == 2
    kinds = [e.event.kind for e in desk.incidents.timeline(incident)]
    assert kinds.count("escalation.failed") == 1 and kinds.count("escalation.sent") == 1


def test_after_three_minutes_of_retrying_the_row_says_it_reached_nobody(
    tmp_path: Path, clock: Clock
) -> None:
    with socket.socket() as probe:  # a port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    desk = open_desk(tmp_path, f"http://127.0.0.1:{port}", clock)
    try:
        set_secret("pagerduty/payments", ROUTING_KEY)
        incident = desk.incidents.declare("Checkout down", "SEV1", ["checkout"])
        desk.escalations.escalate(incident, "checkout")
        attempts = 0
        while clock.now - desk.escalations.pages(incident)[0].requested_at < NOT_REACHED_AFTER:
            Courier(desk, timeout=2.0).run_due()
            attempts += 1
            clock.advance(seconds=20)
        [page] = desk.escalations.pages(incident)
        words = page_words(page, clock.now)
        assert page.status == "requested"  # still retrying: a refused connection may pass
        assert words.state == "not_reached" and words.tone == "warning"
        assert words.text.startswith("Has not reached anyone yet — retrying (attempt ")
        assert "Could not reach PagerDuty" in words.reason
        # The journal keeps every attempt.
        failed = [
            e for e in desk.incidents.timeline(incident) if e.event.kind == "escalation.failed"
        ]
        assert len(failed) == page.targets["pd-payments"].attempts >= 2
    finally:
        desk.close()


def test_the_timeline_text_of_a_page_includes_every_attempt(
    desk: Desk, incident: str, httpserver: HTTPServer, clock: Clock
) -> None:
    from incidentdesk.core.escalation.page_status import page_row

    httpserver.expect_ordered_request("/v2/enqueue").respond_with_json({}, status=503)
    httpserver.expect_ordered_request("/v2/enqueue").respond_with_json({}, status=202)
    desk.escalations.escalate(incident, "checkout")
    Courier(desk).run_due()
    clock.advance(minutes=1)
    Courier(desk).run_due()
    state = desk.incidents.get(incident)
    entries = timeline(desk.incidents.snapshot(incident).events, state)
    [requested] = [e.event for e in entries if e.event.kind == "escalation.requested"]
    outcomes = [e.event for e in entries if e.event.kind.startswith("escalation.")][1:]
    text, details = page_row(requested, outcomes)
    assert text == (
        "Paging payments for checkout (level 1: pd-payments) — delivered, waiting for an answer"
    )
    assert "attempt 1 failed (will retry)" in details and "503" in details
    assert "attempt 2 delivered" in details
