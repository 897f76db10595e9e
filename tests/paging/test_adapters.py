"""Each adapter against a real local HTTP server: what it sends, and how it reads the answer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import standardwebhooks
from jsonschema import Draft202012Validator
from pytest_httpserver import HTTPServer
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sharedkit import shared_dir  # tests/sharedkit.py

from incidentdesk.infra.paging import Outcome, PageMessage, Target, send
from incidentdesk.infra.paging.opsgenie import base_for

ROUTING_KEY = "R0UT1NGKEY0123456789abcdef012345"
GENIE_KEY = "eb243592-faa2-4ba2-a551q-1afdf565c889"
SLACK_URL = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
TEAMS_URL = (
    "https://prod-12.westeurope.logic.azure.com:443/workflows/0a1b2c3d/triggers/manual/paths/"
    "invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=S1gnatureS3cret0123"
)
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
DEDUP = "incidentdesk-01J0INCIDENT-esc-7"

FIXTURE = shared_dir() / "fixtures" / "pagerduty-events-v2.openapi.json"
SPEC_URI = "urn:pagerduty-events-v2"


def page(action: str = "trigger", **changes: Any) -> PageMessage:
    """A page for the payments incident, as the escalation panel would build it."""
    fields: dict[str, Any] = {
        "action": action,
        "dedup_key": DEDUP,
        "summary": "SEV2 payments-api: checkout failing for 30% of customers",
        "severity": "SEV2",
        "source": "IncidentDesk (Priya Raman)",
        "component": "payments-api",
        "group": "Payments",
        "incident_id": "01J0INCIDENT",
        "timestamp": datetime(2024, 5, 1, 9, 30, 12, tzinfo=UTC),
        "incident_url": "https://incidents.example.com/i/01J0INCIDENT",
        "commander": "Priya Raman",
        "details": {"level": "1", "policy": "payments-primary"},
        "links": (("https://grafana.example.com/d/payments", "Payments dashboard"),),
        "text": "Checkout is failing; please join the incident bridge.",
        "facts": (("Severity", "SEV2"), ("Service", "payments-api")),
    }
    fields.update(changes)
    return PageMessage(**fields)


def requests_seen(server: HTTPServer) -> list[Any]:
    return [request for request, _ in server.log]


# PagerDuty -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def enqueue_schema() -> Draft202012Validator:
    """A validator for PagerDuty's published ``/enqueue`` request schema."""
    if not FIXTURE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{FIXTURE} is missing; CI must validate against PagerDuty's schema.")
        pytest.skip(f"PagerDuty's Events API v2 description is not at {FIXTURE}")
    spec = json.loads(FIXTURE.read_text(encoding="utf-8"))
    registry = Registry().with_resource(
        SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    pointer = "/paths/~1enqueue/post/requestBody/content/application~1json/schema"
    return Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def pagerduty(server: HTTPServer, message: PageMessage, key: str = ROUTING_KEY) -> Outcome:
    return send(Target("payments-oncall", "pagerduty"), message, key, base_url=server.url_for("/"))


def pd_accepts(server: HTTPServer) -> None:
    server.expect_ordered_request("/v2/enqueue", method="POST").respond_with_json(
        {"status": "success", "message": "Event processed", "dedup_key": DEDUP}, status=202
    )


def test_pagerduty_trigger_matches_the_published_schema(
    httpserver: HTTPServer, enqueue_schema: Draft202012Validator
) -> None:
    pd_accepts(httpserver)
    outcome = pagerduty(httpserver, page())
    assert outcome.delivered and outcome.status == 202 and outcome.remote_id == DEDUP
    body = requests_seen(httpserver)[0].get_json()
    enqueue_schema.validate(body)
    assert body["routing_key"] == ROUTING_KEY
    assert body["event_action"] == "trigger"
    assert body["dedup_key"] == DEDUP
    assert body["client"] == "IncidentDesk"
    payload = body["payload"]
    assert payload["severity"] == "error"
    assert payload["component"] == "payments-api" and payload["group"] == "Payments"
    assert datetime.fromisoformat(payload["timestamp"]) == datetime(
        2024, 5, 1, 9, 30, 12, tzinfo=UTC
    )
    assert (
        payload["custom_details"]["incident_link"] == "https://incidents.example.com/i/01J0INCIDENT"
    )
    assert payload["custom_details"]["incident_commander"] == "Priya Raman"
    assert {"href": "https://grafana.example.com/d/payments", "text": "Payments dashboard"} in body[
        "links"
    ]


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_pagerduty_follow_ups_name_the_alert_only(
    httpserver: HTTPServer, enqueue_schema: Draft202012Validator, action: str
) -> None:
    pd_accepts(httpserver)
    assert pagerduty(httpserver, page(action)).delivered
    body = requests_seen(httpserver)[0].get_json()
    enqueue_schema.validate(body)
    assert body == {"routing_key": ROUTING_KEY, "event_action": action, "dedup_key": DEDUP}


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        ("SEV1", "critical"),
        ("SEV2", "error"),
        ("SEV3", "warning"),
        ("SEV4", "info"),
        ("SEV5", "info"),
    ],
)
def test_pagerduty_severity_follows_the_incident(
    httpserver: HTTPServer, severity: str, expected: str
) -> None:
    pd_accepts(httpserver)
    pagerduty(httpserver, page(severity=severity))
    assert requests_seen(httpserver)[0].get_json()["payload"]["severity"] == expected


def test_pagerduty_long_summary_is_cut_to_1024_characters(
    httpserver: HTTPServer, enqueue_schema: Draft202012Validator
) -> None:
    pd_accepts(httpserver)
    summary = "Zahlungen schlagen fehl – 決済が失敗しています 👩‍💻 " * 60
    pagerduty(httpserver, page(summary=summary))
    body = requests_seen(httpserver)[0].get_json()
    enqueue_schema.validate(body)
    sent = body["payload"]["summary"]
    assert len(sent.encode("utf-16-le")) // 2 <= 1024
    assert sent.endswith("…") and summary.startswith(sent[:-1].rstrip())


def test_throttled_then_accepted_is_one_alert_with_one_dedup_key(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/v2/enqueue", method="POST").respond_with_json(
        {"status": "throttle", "message": "Requests for this service are arriving too quickly"},
        status=429,
        headers={"Retry-After": "7"},
    )
    pd_accepts(httpserver)
    first = pagerduty(httpserver, page())
    second = pagerduty(httpserver, page())
    assert first.retryable and first.status == 429 and first.retry_after == 7.0
    assert "throttling" in first.reason and "7 seconds" in first.reason
    assert second.delivered and second.remote_id == DEDUP
    assert [r.get_json()["dedup_key"] for r in requests_seen(httpserver)] == [DEDUP, DEDUP]


def test_three_server_errors_are_retryable_then_the_fourth_attempt_lands(
    httpserver: HTTPServer,
) -> None:
    for _ in range(3):
        httpserver.expect_ordered_request("/v2/enqueue", method="POST").respond_with_data(
            "upstream connect error", status=503
        )
    pd_accepts(httpserver)
    outcomes = [pagerduty(httpserver, page()) for _ in range(4)]
    assert [o.retryable for o in outcomes] == [True, True, True, False]
    assert outcomes[0].status == 503 and "temporary problem" in outcomes[0].reason
    assert outcomes[3].delivered


def test_pagerduty_400_is_final_and_quotes_pagerduty_not_the_key(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v2/enqueue").respond_with_json(
        {
            "status": "invalid event",
            "message": "Event object is invalid",
            "errors": [f"Invalid routing key: {ROUTING_KEY}"],
        },
        status=400,
    )
    outcome = pagerduty(httpserver, page())
    assert not outcome.delivered and outcome.final and outcome.status == 400
    assert outcome.reason.startswith(
        "PagerDuty rejected the routing key of target 'payments-oncall' (400)"
    )
    assert "Event object is invalid" in outcome.reason
    assert ROUTING_KEY not in outcome.reason


def test_pagerduty_other_client_errors_are_final(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v2/enqueue").respond_with_data(
        "Request Entity Too Large", status=413
    )
    outcome = pagerduty(httpserver, page())
    assert outcome.final and not outcome.delivered and "(413)" in outcome.reason


# Opsgenie --------------------------------------------------------------------------------


def opsgenie(server: HTTPServer, message: PageMessage, **options: Any) -> Outcome:
    target = Target("payments-genie", "opsgenie", options)
    return send(target, message, GENIE_KEY, base_url=server.url_for("/"))


def genie_accepts(server: HTTPServer, uri: str) -> None:
    server.expect_ordered_request(uri, method="POST").respond_with_json(
        {"result": "Request will be processed", "took": 0.302, "requestId": "43a29c5c-3dbf"},
        status=202,
    )


def test_opsgenie_creates_an_alert_with_alias_priority_and_responders(
    httpserver: HTTPServer,
) -> None:
    genie_accepts(httpserver, "/v2/alerts")
    summary = "SEV1 " + "payments-api down everywhere; " * 10
    outcome = opsgenie(
        httpserver,
        page(severity="SEV1", summary=summary),
        responders=["team:Payments", {"type": "user", "username": "ana@example.com"}],
    )
    assert outcome.delivered and outcome.remote_id == "43a29c5c-3dbf"
    request = requests_seen(httpserver)[0]
    assert request.headers["Authorization"] == f"GenieKey {GENIE_KEY}"
    body = request.get_json()
    assert body["alias"] == DEDUP
    assert body["priority"] == "P1"
    assert len(body["message"]) <= 130 and body["message"].endswith("…")
    assert body["responders"] == [
        {"type": "team", "name": "Payments"},
        {"type": "user", "username": "ana@example.com"},
    ]
    assert body["details"]["incident_link"] == "https://incidents.example.com/i/01J0INCIDENT"
    assert "Priya Raman" in body["description"]
    assert "SEV1" in body["tags"]


@pytest.mark.parametrize(("action", "verb"), [("acknowledge", "acknowledge"), ("resolve", "close")])
def test_opsgenie_acknowledges_and_closes_by_alias(
    httpserver: HTTPServer, action: str, verb: str
) -> None:
    genie_accepts(httpserver, f"/v2/alerts/{DEDUP}/{verb}")
    assert opsgenie(httpserver, page(action)).delivered
    request = requests_seen(httpserver)[0]
    assert request.args["identifierType"] == "alias"
    assert request.headers["Authorization"] == f"GenieKey {GENIE_KEY}"


def test_opsgenie_priority_follows_severity(httpserver: HTTPServer) -> None:
    for _ in range(5):
        genie_accepts(httpserver, "/v2/alerts")
    for level in range(1, 6):
        opsgenie(httpserver, page(severity=f"SEV{level}"))
    assert [r.get_json()["priority"] for r in requests_seen(httpserver)] == [
        "P1",
        "P2",
        "P3",
        "P4",
        "P5",
    ]


@pytest.mark.parametrize("status", [400, 401, 403, 422])
def test_opsgenie_refusals_are_final(httpserver: HTTPServer, status: int) -> None:
    httpserver.expect_request("/v2/alerts").respond_with_json(
        {"message": "Key format is not valid!", "took": 0.001, "requestId": "r-1"}, status=status
    )
    outcome = opsgenie(httpserver, page())
    assert outcome.final and not outcome.delivered and f"({status})" in outcome.reason
    assert "Key format is not valid" in outcome.reason and GENIE_KEY not in outcome.reason
    if status in (401, 403):
        assert "refused the API key of target 'payments-genie'" in outcome.reason


@pytest.mark.parametrize("status", [429, 500, 503])
def test_opsgenie_throttling_and_outages_are_retried(httpserver: HTTPServer, status: int) -> None:
    httpserver.expect_request("/v2/alerts").respond_with_json({"message": "busy"}, status=status)
    assert opsgenie(httpserver, page()).retryable


def test_opsgenie_region_picks_the_api_host() -> None:
    assert (
        base_for(Target("t", "opsgenie", {"region": "eu"}), None) == "https://api.eu.opsgenie.com"
    )
    assert base_for(Target("t", "opsgenie"), None) == "https://api.opsgenie.com"


def test_opsgenie_unknown_region_or_bad_responders_are_final_without_a_request(
    httpserver: HTTPServer,
) -> None:
    region = send(Target("g", "opsgenie", {"region": "mars"}), page(), GENIE_KEY)
    assert region.final and "'mars'" in region.reason
    responders = opsgenie(httpserver, page(), responders=["payments"])
    assert responders.final and "TYPE:NAME" in responders.reason
    assert requests_seen(httpserver) == []


# Slack -----------------------------------------------------------------------------------

SLACK_PATH = "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"


def slack(server: HTTPServer, message: PageMessage) -> Outcome:
    return send(Target("#inc-payments", "slack"), message, SLACK_URL, base_url=server.url_for("/"))


def test_slack_posts_text_and_blocks_to_the_webhook_path(httpserver: HTTPServer) -> None:
    httpserver.expect_request(SLACK_PATH, method="POST").respond_with_data("ok")
    outcome = slack(httpserver, page(summary="Payments <down> & failing"))
    assert outcome.delivered and outcome.status == 200
    body = requests_seen(httpserver)[0].get_json()
    assert "Payments &lt;down&gt; &amp; failing" in body["text"]
    assert [block["type"] for block in body["blocks"]] == ["header", "section", "context"]
    header, section, context = body["blocks"]
    assert header["text"] == {"type": "plain_text", "text": "Payments <down> & failing"}
    assert section["text"]["text"] == "Checkout is failing; please join the incident bridge."
    assert section["fields"][0] == {"type": "mrkdwn", "text": "*Severity*\nSEV2"}
    assert (
        "<https://incidents.example.com/i/01J0INCIDENT|Incident 01J0INCIDENT>"
        in (context["elements"][0]["text"])
    )


@pytest.mark.parametrize(
    ("status", "code", "words"),
    [
        (400, "invalid_payload", "Slack rejected the message"),
        (404, "no_service", "was removed or revoked"),
        (403, "invalid_token", "was removed or revoked"),
        (410, "channel_is_archived", "is gone or archived"),
    ],
)
def test_slack_refusals_are_final_and_say_what_to_fix(
    httpserver: HTTPServer, status: int, code: str, words: str
) -> None:
    httpserver.expect_request(SLACK_PATH).respond_with_data(code, status=status)
    outcome = slack(httpserver, page())
    assert outcome.final and not outcome.delivered
    assert words in outcome.reason and code in outcome.reason
    assert "XXXXXXXXXXXXXXXXXXXXXXXX" not in outcome.reason


def test_slack_rate_limit_is_retried_after_the_asked_delay(httpserver: HTTPServer) -> None:
    httpserver.expect_request(SLACK_PATH).respond_with_data(
        "rate_limited", status=429, headers={"Retry-After": "30"}
    )
    outcome = slack(httpserver, page())
    assert outcome.retryable and outcome.retry_after == 30.0


def test_slack_secret_that_is_not_a_url_is_final() -> None:
    outcome = send(Target("#inc", "slack"), page(), "xoxb-not-a-webhook-url")
    assert outcome.final and "not a webhook URL" in outcome.reason
    assert "xoxb-not-a-webhook-url" not in outcome.reason


# Teams -----------------------------------------------------------------------------------


def teams(server: HTTPServer, message: PageMessage) -> Outcome:
    return send(
        Target("Payments channel", "teams"), message, TEAMS_URL, base_url=server.url_for("/")
    )


def test_teams_posts_an_adaptive_card_to_the_workflow(httpserver: HTTPServer) -> None:
    httpserver.expect_request(
        "/workflows/0a1b2c3d/triggers/manual/paths/invoke", method="POST"
    ).respond_with_data("", status=202)
    outcome = teams(httpserver, page("resolve"))
    assert outcome.delivered and outcome.status == 202
    request = requests_seen(httpserver)[0]
    assert request.args["sig"] == "S1gnatureS3cret0123"  # the query string is kept
    body = request.get_json()
    assert body["type"] == "message"
    attachment = body["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    title, text, facts, _ = card["body"]
    assert title["type"] == "TextBlock" and title["text"].startswith("SEV2 · Resolved: ")
    assert text["text"] == "Checkout is failing; please join the incident bridge."
    assert facts == {
        "type": "FactSet",
        "facts": [
            {"title": "Severity", "value": "SEV2"},
            {"title": "Service", "value": "payments-api"},
        ],
    }
    assert card["actions"][0] == {
        "type": "Action.OpenUrl",
        "title": "Open the incident",
        "url": "https://incidents.example.com/i/01J0INCIDENT",
    }


def test_teams_gone_workflow_is_final_without_the_signature(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/workflows/0a1b2c3d/triggers/manual/paths/invoke").respond_with_json(
        {"error": {"code": "WorkflowNotFound", "message": "The workflow 'x' could not be found."}},
        status=404,
    )
    outcome = teams(httpserver, page())
    assert outcome.final and "could not be found" in outcome.reason
    assert "S1gnatureS3cret0123" not in outcome.reason


# Standard Webhooks ------------------------------------------------------------------------


def webhook(server: HTTPServer, message: PageMessage, secret: str = WEBHOOK_SECRET) -> Outcome:
    target = Target("status-bot", "webhook", {"url": server.url_for("/hooks/incidents")})
    return send(target, message, secret)


def spec_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """The signature as the Standard Webhooks spec defines it, written out independently."""
    key = base64.b64decode(secret.split("_", 1)[1])
    content = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def test_webhook_signature_verifies_with_the_spec_algorithm(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hooks/incidents", method="POST").respond_with_data("", status=204)
    before = int(time.time())
    outcome = webhook(httpserver, page())
    assert outcome.delivered and outcome.status == 204
    request = requests_seen(httpserver)[0]
    body = request.get_data()
    msg_id = request.headers["webhook-id"]
    stamp = request.headers["webhook-timestamp"]
    assert before <= int(stamp) <= time.time() + 1
    assert request.headers["webhook-signature"] == spec_signature(
        WEBHOOK_SECRET, msg_id, stamp, body
    )
    verified = standardwebhooks.Webhook(WEBHOOK_SECRET).verify(body, dict(request.headers))
    assert verified["type"] == "incident.escalation.trigger"
    assert verified["data"]["dedup_key"] == DEDUP
    assert verified["data"]["incident_url"] == "https://incidents.example.com/i/01J0INCIDENT"
    assert verified["timestamp"] == "2024-05-01T09:30:12.000Z"


def test_webhook_retry_keeps_the_message_id(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/hooks/incidents").respond_with_data("busy", status=503)
    for _ in range(2):
        httpserver.expect_ordered_request("/hooks/incidents").respond_with_data("", status=200)
    assert webhook(httpserver, page()).retryable
    assert webhook(httpserver, page()).delivered
    assert webhook(httpserver, page("resolve")).delivered
    first, retried, resolved = (r.headers["webhook-id"] for r in requests_seen(httpserver))
    assert first == retried
    assert resolved != first  # another message: the receiver must not drop it as a duplicate


@pytest.mark.parametrize(
    ("status", "retryable"), [(400, False), (404, False), (408, True), (429, True), (502, True)]
)
def test_webhook_status_decides_retry(httpserver: HTTPServer, status: int, retryable: bool) -> None:
    httpserver.expect_request("/hooks/incidents").respond_with_data("no", status=status)
    outcome = webhook(httpserver, page())
    assert outcome.retryable is retryable and not outcome.delivered


@pytest.mark.parametrize("secret", ["whsec_not base64!!", "c2VjcmV0", "whsec_"])
def test_malformed_signing_secret_is_final_before_any_request(
    httpserver: HTTPServer, secret: str
) -> None:
    outcome = webhook(httpserver, page(), secret)
    assert outcome.final and "whsec_ followed by base64" in outcome.reason
    assert requests_seen(httpserver) == []


def test_webhook_without_url_is_final() -> None:
    outcome = send(Target("status-bot", "webhook"), page(), WEBHOOK_SECRET)
    assert outcome.final and "has no url option" in outcome.reason
