"""Paging a service's owners end to end: Desk → outbox → courier → a real local HTTP server.

pytest-httpserver stands in for PagerDuty, Opsgenie and Slack; the courier makes real HTTP
requests to it; secrets come from the (in-memory) keyring.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from catalogkit import Clock, catalog_text  # tests/catalogkit.py
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from incidentdesk.app.desk import Desk
from incidentdesk.core.catalog.model import parse_toml
from incidentdesk.core.errors import DomainError, NotFound
from incidentdesk.infra.secrets import set_secret
from incidentdesk.runtime.courier import Courier, CourierService, deliver_until_settled

ROUTING_KEY = "R0UT1NGKEYsecretvalue00000000000"
GENIE_KEY = "genie-key-secret-0123456789"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(tmp_path: Path, httpserver: HTTPServer, clock: Clock) -> Iterator[Desk]:
    d = Desk.open(tmp_path, "Ana")
    d.clock = clock
    d.catalog.import_catalog(parse_toml(catalog_text(httpserver.url_for("").rstrip("/"))))
    set_secret("pagerduty/payments", ROUTING_KEY)
    set_secret("opsgenie/payments", GENIE_KEY)
    set_secret("slack/incidents", "https://hooks.slack.com/services/T000/B000/XXXXSECRET")
    yield d
    d.close()


@pytest.fixture
def incident(desk: Desk) -> str:
    return desk.incidents.declare("Checkout fails for EU cards", "SEV1", ["checkout"])


def enqueue_bodies(httpserver: HTTPServer) -> list[dict]:
    return [
        json.loads(request.get_data())
        for request, _response in httpserver.log
        if request.path == "/v2/enqueue"
    ]


def test_a_page_is_delivered_once_and_the_timeline_says_so(
    desk: Desk, incident: str, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/v2/enqueue", method="POST").respond_with_json(
        {"status": "success", "dedup_key": "x"}, status=202
    )
    escalation = desk.escalations.escalate(incident, "checkout")
    [page] = desk.escalations.pages(incident)
    assert (page.id, page.status, page.level, page.team) == (escalation, "requested", 1, "payments")

    Courier(desk).run_due()

    [body] = enqueue_bodies(httpserver)
    assert body["routing_key"] == ROUTING_KEY
    assert body["event_action"] == "trigger"
    assert body["dedup_key"] == page.dedup_key
    assert body["payload"]["component"] == "checkout"
    assert body["payload"]["severity"] == "critical"
    [page] = desk.escalations.pages(incident)
    assert page.status == "sent"
    assert page.ack_deadline == page.sent_at + timedelta(minutes=5)
    texts = [e.text for e in desk.incidents.timeline(incident)]
    assert any(t.startswith("Paging payments for checkout (level 1") for t in texts)
    assert "Page delivered to pd-payments (attempt 1)" in texts
    assert Courier(desk).run_due() == []  # nothing left to send: no second request
    assert len(enqueue_bodies(httpserver)) == 1


def test_a_second_click_does_not_page_twice(desk: Desk, incident: str) -> None:
    desk.escalations.escalate(incident, "checkout")
    with pytest.raises(DomainError, match="waiting for an answer"):
        desk.escalations.escalate(incident, "checkout", level=1)
    assert len(desk.escalations.pages(incident)) == 1
    assert len(desk.deliveries.pending()) == 1


def test_429_with_retry_after_then_202_is_one_alert_with_one_dedup_key(
    desk: Desk, incident: str, httpserver: HTTPServer, clock: Clock
) -> None:
    httpserver.expect_ordered_request("/v2/enqueue").respond_with_json(
        {"status": "throttle", "message": "Requests for this service are arriving too quickly"},
        status=429,
        headers={"Retry-After": "7"},
    )
    httpserver.expect_ordered_request("/v2/enqueue").respond_with_json(
        {"status": "success"}, status=202
    )
    desk.escalations.escalate(incident, "checkout")
    courier = Courier(desk)
    courier.run_due()
    [page] = desk.escalations.pages(incident)
    [target] = page.targets.values()
    assert page.status == "requested"
    assert target.retry_at is not None and target.retry_at >= clock.now + timedelta(seconds=7)
    assert courier.run_due() == []  # not due yet: Retry-After is honoured
    clock.advance(seconds=8)
    courier.run_due()
    first, second = enqueue_bodies(httpserver)
    assert first["dedup_key"] == second["dedup_key"]
    [page] = desk.escalations.pages(incident)
    assert page.status == "sent"
    texts = [e.text for e in desk.incidents.timeline(incident)]
    assert any("failed (attempt 1, will retry)" in t for t in texts)


def test_three_500s_then_202_is_delivered(
    desk: Desk, incident: str, httpserver: HTTPServer, clock: Clock
) -> None:
    for _ in range(3):
        httpserver.expect_ordered_request("/v2/enqueue").respond_with_data("oops", status=500)
    httpserver.expect_ordered_request("/v2/enqueue").respond_with_json({}, status=202)
    desk.escalations.escalate(incident, "checkout")
    courier = Courier(desk)
    for _ in range(4):
        clock.advance(minutes=1)  # past any backoff delay of the first attempts
        courier.run_due()
    assert len(enqueue_bodies(httpserver)) == 4
    [page] = desk.escalations.pages(incident)
    assert page.status == "sent"
    assert page.targets["pd-payments"].attempts == 4


def test_400_fails_for_good_with_a_reason_and_no_secret(
    desk: Desk, incident: str, httpserver: HTTPServer, clock: Clock
) -> None:
    httpserver.expect_request("/v2/enqueue").respond_with_json(
        {"status": "invalid event", "message": "Event object is invalid", "errors": ["bad"]},
        status=400,
    )
    desk.escalations.escalate(incident, "checkout")
    Courier(desk).run_due()
    clock.advance(minutes=5)
    Courier(desk).run_due()
    assert len(enqueue_bodies(httpserver)) == 1  # not retried
    [page] = desk.escalations.pages(incident)
    assert page.status == "failed"
    assert "400" in page.reason and "PagerDuty" in page.reason
    assert ROUTING_KEY not in page.reason
    for path in desk.store.path.parent.iterdir():  # the database, its WAL, the logs
        if path.is_file():
            assert ROUTING_KEY.encode() not in path.read_bytes(), path


def test_a_failed_level_offers_the_next_level(desk: Desk, incident: str) -> None:
    desk.escalations.escalate(incident, "checkout")
    [option] = desk.escalations.options(incident)
    assert (option.service, option.team, option.policy, option.levels) == (
        "checkout",
        "payments",
        "payments",
        2,
    )
    assert option.next_level == 2  # level 1 is waiting: the button offers the next one
    second = desk.escalations.escalate(incident, "checkout")
    assert [p.level for p in desk.escalations.pages(incident)] == [1, 2]
    assert desk.escalations.pages(incident)[1].id == second
    with pytest.raises(DomainError, match="levels 1 to 2"):
        desk.escalations.escalate(incident, "checkout", level=3)


def test_acknowledge_stops_retries_and_tells_pagerduty(
    desk: Desk, incident: str, httpserver: HTTPServer, clock: Clock
) -> None:
    httpserver.expect_request("/v2/enqueue").respond_with_json({}, status=202)
    escalation = desk.escalations.escalate(incident, "checkout")
    Courier(desk).run_due()
    desk.escalations.acknowledge(incident, escalation[:8], by="Priya Raman")
    [page] = desk.escalations.pages(incident)
    assert (page.status, page.acknowledged_by) == ("acknowledged", "Priya Raman")
    Courier(desk).run_due()
    actions = [b["event_action"] for b in enqueue_bodies(httpserver)]
    assert actions == ["trigger", "acknowledge"]
    assert len({b["dedup_key"] for b in enqueue_bodies(httpserver)}) == 1
    with pytest.raises(DomainError, match="already acknowledged"):
        desk.escalations.acknowledge(incident, escalation)


def test_resolving_pages_sends_resolve_and_cancels_unsent_triggers(
    desk: Desk, incident: str, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/v2/enqueue").respond_with_json({}, status=202)
    first = desk.escalations.escalate(incident, "checkout")
    Courier(desk).run_due()
    desk.escalations.escalate(incident, "checkout")  # level 2 (Opsgenie), never sent
    assert sorted(desk.escalations.resolve_pages(incident)) == sorted(
        [first, desk.escalations.pages(incident)[1].id]
    )
    Courier(desk).run_due()
    actions = [b["event_action"] for b in enqueue_bodies(httpserver)]
    assert actions == ["trigger", "resolve"]
    assert not [r for r in httpserver.log if r[0].path.startswith("/v2/alerts")]
    assert {p.status for p in desk.escalations.pages(incident)} == {"resolved"}
    assert desk.deliveries.pending() == []


def test_a_page_requested_offline_survives_a_restart(
    tmp_path: Path, httpserver: HTTPServer, clock: Clock
) -> None:
    url = httpserver.url_for("").rstrip("/")
    desk = Desk.open(tmp_path, "Ana")
    desk.clock = clock
    desk.catalog.import_catalog(parse_toml(catalog_text(url)))
    set_secret("pagerduty/payments", ROUTING_KEY)
    incident = desk.incidents.declare("Checkout down", "SEV2", ["checkout"])
    httpserver.expect_ordered_request("/v2/enqueue").respond_with_data("", status=503)
    desk.escalations.escalate(incident, "checkout")
    Courier(desk).run_due()  # the service is down: retry later
    desk.close()

    httpserver.expect_ordered_request("/v2/enqueue").respond_with_json({}, status=202)
    reopened = Desk.open(tmp_path, "Ana")
    reopened.clock = clock
    clock.advance(minutes=2)
    Courier(reopened).run_due()
    [page] = reopened.escalations.pages(incident)
    assert page.status == "sent"
    bodies = enqueue_bodies(httpserver)
    assert len(bodies) == 2 and bodies[0]["dedup_key"] == bodies[1]["dedup_key"]
    reopened.close()


def test_a_trigger_too_old_to_be_useful_is_given_up(
    desk: Desk, incident: str, httpserver: HTTPServer, clock: Clock
) -> None:
    httpserver.expect_request("/v2/enqueue").respond_with_data("busy", status=503)
    desk.escalations.escalate(incident, "checkout")
    courier = Courier(desk)
    for _ in range(40):
        clock.advance(minutes=2)
        courier.run_due()
    [page] = desk.escalations.pages(incident)
    assert page.status == "failed"
    assert "Gave up" in page.reason or "Not sent" in page.reason
    assert desk.deliveries.pending() == []


def test_a_hanging_endpoint_times_out_and_is_retried(
    desk: Desk, incident: str, httpserver: HTTPServer, clock: Clock
) -> None:
    release = threading.Event()

    def hang(_request: Request) -> Response:
        release.wait(5)
        return Response("{}", status=202)

    httpserver.expect_ordered_request("/v2/enqueue").respond_with_handler(hang)
    httpserver.expect_ordered_request("/v2/enqueue").respond_with_json({}, status=202)
    desk.escalations.escalate(incident, "checkout")
    started = time.monotonic()
    Courier(desk, timeout=0.5).run_due()
    assert time.monotonic() - started < 4.5  # gave up at its timeout, not after the 5 s hang
    release.set()
    [page] = desk.escalations.pages(incident)
    assert page.status == "requested"
    assert "did not answer within 0.5 seconds" in page.targets["pd-payments"].reason
    clock.advance(minutes=1)
    Courier(desk, timeout=2).run_due()
    assert desk.escalations.pages(incident)[0].status == "sent"


def test_a_missing_secret_says_how_to_set_it(
    desk: Desk, incident: str, httpserver: HTTPServer
) -> None:
    from incidentdesk.infra.secrets import delete_secret

    delete_secret("pagerduty/payments")
    desk.escalations.escalate(incident, "checkout")
    Courier(desk).run_due()
    [page] = desk.escalations.pages(incident)
    assert "incidentdesk secret set pagerduty/payments" in page.targets["pd-payments"].reason
    assert httpserver.log == []


def test_escalate_needs_a_known_service_and_an_active_incident(desk: Desk, incident: str) -> None:
    with pytest.raises(NotFound, match="nope"):
        desk.escalations.escalate(incident, "nope")
    desk.incidents.set_status(incident, "resolved")
    with pytest.raises(DomainError, match="nobody is paged"):
        desk.escalations.escalate(incident, "checkout")


def test_escalate_without_a_catalog_says_how_to_get_one(tmp_path: Path) -> None:
    desk = Desk.open(tmp_path, "Ana")
    incident = desk.incidents.declare("Down", "SEV2", ["checkout"])
    with pytest.raises(DomainError, match="catalog import"):
        desk.escalations.escalate(incident, "checkout")
    [option] = desk.escalations.options(incident)
    assert option.problem == "No service catalog imported."
    desk.close()


def test_posting_an_update_to_slack_is_recorded(
    desk: Desk, incident: str, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/services/T000/B000/XXXXSECRET", method="POST").respond_with_data(
        "ok"
    )
    assert desk.escalations.chat_targets() == ["slack-incidents"]
    desk.escalations.post_to_chat(incident, "slack-incidents", "Conditions: EU card payments fail.")
    rows = deliver_until_settled(desk, desk.escalations.chat_posts(incident)[0].id, wait=5)
    assert [r.state for r in rows] == ["done"]
    [request] = [r for r, _ in httpserver.log]
    body = json.loads(request.get_data())
    assert "Conditions: EU card payments fail." in json.dumps(body, ensure_ascii=False)
    [post] = desk.escalations.chat_posts(incident)
    assert post.status == "sent"
    assert "Posted to slack-incidents (attempt 1)" in [
        e.text for e in desk.incidents.timeline(incident)
    ]


def test_the_courier_thread_delivers_without_being_asked(
    tmp_path: Path, desk: Desk, incident: str, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/v2/enqueue").respond_with_json({}, status=202)
    changed: list[list[str]] = []
    service = CourierService(lambda: Desk.open(tmp_path, "courier"), changed.append, idle=0.1)
    service.start()
    try:
        desk.escalations.escalate(incident, "checkout")
        service.wake()
        wait_for(lambda: bool(changed))
    finally:
        service.stop()
    assert changed[0] == [incident]
    assert len(enqueue_bodies(httpserver)) == 1


def wait_for(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_status_changes_go_to_the_incident_channel_once_set(
    desk: Desk, incident: str, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/services/T000/B000/XXXXSECRET").respond_with_data("ok")
    desk.incidents.set_status(incident, "identified")  # no channel yet: nothing posted
    assert desk.escalations.chat_posts(incident) == []
    desk.escalations.set_chat_channel(incident, "slack-incidents")
    with pytest.raises(DomainError, match="already posted"):
        desk.escalations.set_chat_channel(incident, "slack-incidents")
    with pytest.raises(DomainError, match="not a chat channel"):
        desk.escalations.set_chat_channel(incident, "pd-payments")
    desk.incidents.set_status(incident, "mitigated")
    desk.incidents.set_severity(incident, "SEV2")
    Courier(desk).run_due()
    posts = desk.escalations.chat_posts(incident)
    assert [(p.text, p.status) for p in posts] == [
        ("Status changed to Mitigated (monitoring)", "sent"),
        ("Severity changed to SEV2", "sent"),
    ]
    texts = [e.text for e in desk.incidents.timeline(incident)]
    assert "Status changes will be posted to slack-incidents" in texts
    desk.escalations.set_chat_channel(incident, None)
    desk.incidents.set_status(incident, "resolved")
    assert len(desk.escalations.chat_posts(incident)) == 2


# ----------------------------------------------------------------- races and bad input


def exchange(source: Desk, target: Desk) -> None:
    """Copy the events ``target`` lacks (what sync does through the shared database)."""
    from incidentdesk.core.journal.events import Event

    events: list[Event] = []
    source.exchange.read_journal(lambda _n: None, events.extend)
    target.exchange.receive(events)


def test_a_trigger_in_flight_when_the_page_is_resolved_is_not_sent_again(
    desk: Desk, incident: str, httpserver: HTTPServer, clock: Clock
) -> None:
    from incidentdesk.app.escalations import AttemptOutcome

    escalation = desk.escalations.escalate(incident, "checkout")
    [claimed] = desk.deliveries.claim_due()  # the courier took it and is waiting for PagerDuty...
    desk.escalations.resolve_page(incident, escalation)  # ...when the commander resolves the page
    desk.deliveries.record_attempt(claimed, AttemptOutcome(False, False, "PagerDuty answered 503."))
    clock.advance(minutes=5)
    Courier(desk).run_due()
    assert enqueue_bodies(httpserver) == []  # never sent again after the resolve
    assert desk.deliveries.pending() == []


def test_a_trigger_delivered_after_the_page_was_resolved_is_resolved_too(
    desk: Desk, incident: str, httpserver: HTTPServer
) -> None:
    from incidentdesk.app.escalations import AttemptOutcome

    httpserver.expect_request("/v2/enqueue").respond_with_json({}, status=202)
    escalation = desk.escalations.escalate(incident, "checkout")
    [claimed] = desk.deliveries.claim_due()
    desk.escalations.resolve_page(incident, escalation)  # nothing to resolve yet: not sent
    desk.deliveries.record_attempt(
        claimed, AttemptOutcome(True, False, "Delivered to PagerDuty (202).")
    )
    Courier(desk).run_due()
    [body] = enqueue_bodies(httpserver)
    assert body["event_action"] == "resolve"  # the alert the trigger opened is closed
    assert body["dedup_key"] == desk.escalations.pages(incident)[0].dedup_key


def test_a_page_resolved_on_another_workstation_is_not_sent_by_the_requester(
    tmp_path: Path, desk: Desk, incident: str, httpserver: HTTPServer
) -> None:
    other_dir = tmp_path / "b"
    other_dir.mkdir()
    other = Desk.open(other_dir, "Bo")
    escalation = desk.escalations.escalate(incident, "checkout")
    exchange(desk, other)
    other.escalations.resolve_page(incident, escalation)
    exchange(other, desk)
    Courier(desk).run_due()
    assert enqueue_bodies(httpserver) == []
    [page] = desk.escalations.pages(incident)
    assert page.status == "resolved"
    assert "resolved before it went out" in page.targets["pd-payments"].reason
    other.close()


def test_two_workstations_paging_at_once_share_one_dedup_key(
    tmp_path: Path, desk: Desk, incident: str
) -> None:
    other_dir = tmp_path / "b"
    other_dir.mkdir()
    other = Desk.open(other_dir, "Bo")
    exchange(desk, other)  # the catalog and the incident
    desk.escalations.escalate(incident, "checkout")
    other.escalations.escalate(incident, "checkout")  # before either hears of the other's page
    exchange(other, desk)
    keys = {p.dedup_key for p in desk.escalations.pages(incident)}
    assert len(keys) == 1  # PagerDuty merges them into one alert
    other.close()


def test_an_absurd_retry_after_gives_up_instead_of_looping(
    desk: Desk, incident: str, httpserver: HTTPServer, clock: Clock
) -> None:
    httpserver.expect_request("/v2/enqueue").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1000000000000"}
    )
    desk.escalations.escalate(incident, "checkout")
    courier = Courier(desk)
    courier.run_due()
    courier.run_due()
    assert len(enqueue_bodies(httpserver)) == 1
    [page] = desk.escalations.pages(incident)
    assert page.status == "failed" and "Gave up" in page.reason


def test_a_secret_an_http_header_cannot_carry_fails_that_target_only(
    desk: Desk, incident: str, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/services/T000/B000/XXXXSECRET", method="POST").respond_with_data(
        "ok"
    )
    set_secret("opsgenie/payments", "genie…key\u200b")  # pasted with an ellipsis
    desk.escalations.escalate(incident, "checkout", level=2)  # Opsgenie
    desk.escalations.post_to_chat(incident, "slack-incidents", "Mitigated.")
    Courier(desk).run_due()
    [page] = desk.escalations.pages(incident)
    assert page.status == "failed"
    assert "cannot carry" in page.reason and "genie…key" not in page.reason
    assert [p.status for p in desk.escalations.chat_posts(incident)] == [
        "sent"
    ]  # the rest still goes


def test_a_claimed_delivery_is_not_sent_by_a_second_courier(desk: Desk, incident: str) -> None:
    desk.escalations.escalate(incident, "checkout")
    assert len(desk.deliveries.claim_due()) == 1  # the app's courier took it
    assert desk.deliveries.claim_due() == []  # `escalate --wait` in a terminal does not send it too
