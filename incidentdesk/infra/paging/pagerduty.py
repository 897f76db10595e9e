"""PagerDuty Events API v2: ``POST /v2/enqueue`` with the integration's routing key."""

from __future__ import annotations

from typing import Any

from incidentdesk.infra.paging.base import (
    USER_AGENT,
    Adapter,
    Answer,
    Outcome,
    PageMessage,
    Refusal,
    Request,
    Target,
    encode,
    shorten,
)

DEFAULT_BASE = "https://events.pagerduty.com"
SUMMARY_MAX = 1024
SERVICE = "PagerDuty"

SEVERITY = {"SEV1": "critical", "SEV2": "error", "SEV3": "warning", "SEV4": "info", "SEV5": "info"}


def event(message: PageMessage, routing_key: str) -> dict[str, Any]:
    """The Events API v2 body for the message.

    A trigger carries the whole payload; acknowledge and resolve only name the alert by its
    dedup key (PagerDuty ignores anything else on them).
    """
    document: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": message.action,
        "dedup_key": message.dedup_key,
    }
    if message.action != "trigger":
        return document
    custom: dict[str, str] = {"incident_id": message.incident_id, **message.details}
    if message.incident_url:
        custom["incident_link"] = message.incident_url
    if message.commander:
        custom["incident_commander"] = message.commander
    payload: dict[str, Any] = {
        "summary": shorten(message.summary, SUMMARY_MAX),
        "source": message.source,
        "severity": SEVERITY[message.severity],
        "timestamp": message.iso_timestamp,
        "class": "incident escalation",
        "custom_details": custom,
    }
    if message.component:
        payload["component"] = message.component
    if message.group:
        payload["group"] = message.group
    links = [{"href": href, "text": text} for href, text in message.links]
    if message.incident_url and all(link["href"] != message.incident_url for link in links):
        links.insert(0, {"href": message.incident_url, "text": f"Incident {message.incident_id}"})
    document["payload"] = payload
    document["links"] = links
    document["client"] = USER_AGENT
    if message.incident_url:
        document["client_url"] = message.incident_url
    return document


class PagerDuty(Adapter):
    """202 means PagerDuty accepted the event; a refusal quotes its message and errors."""

    service = SERVICE

    def prepare(
        self, target: Target, message: PageMessage, secret: str, base_url: str | None
    ) -> Request | Outcome:
        """The request that enqueues the event."""
        url = (base_url or DEFAULT_BASE).rstrip("/") + "/v2/enqueue"
        body = encode(event(message, secret))
        return Request(SERVICE, url, body, {"Accept": "application/json"})

    def detail(self, answer: Answer) -> str:
        body = answer.fields()
        message = str(body.get("message") or "").strip()
        errors = body.get("errors")
        listed = [str(e) for e in errors] if isinstance(errors, list) else []
        return "; ".join(part for part in [message, *listed] if part)

    def remote_id(self, answer: Answer) -> str | None:
        remote = answer.fields().get("dedup_key")
        return remote if isinstance(remote, str) else None

    def refusal(self, answer: Answer, target: Target, detail: str) -> Refusal:
        if "routing" in detail.lower() or answer.status in (401, 403, 404):
            return Refusal(
                f"PagerDuty rejected the routing key of target '{target.name}'",
                "Check the integration key stored for this target.",
                "secret",  # the routing key is the secret
            )
        return Refusal(f"PagerDuty rejected the event for target '{target.name}'")


ADAPTER = PagerDuty()
prepare = ADAPTER.prepare
read = ADAPTER.read
