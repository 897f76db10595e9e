"""Opsgenie Alert API: create an alert, then acknowledge or close it by its alias."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

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
    refused,
    shorten,
)

SERVICE = "Opsgenie"
REGIONS = {"us": "https://api.opsgenie.com", "eu": "https://api.eu.opsgenie.com"}
MESSAGE_MAX = 130
DESCRIPTION_MAX = 15_000
SOURCE_MAX = 100
RESPONDER_TYPES = ("team", "user", "escalation", "schedule")


def responders(options: Mapping[str, Any]) -> list[dict[str, str]]:
    """The ``responders`` option as Opsgenie wants it.

    Each entry is an object (``{"type": "team", "name": "Payments"}``, ``{"type": "user",
    "username": "ana@example.com"}``, or with an ``id``) or a ``"TYPE:NAME"`` string.

    Raises:
        ValueError: an entry is neither; the message says which and why.
    """
    raw = options.get("responders", [])
    if not isinstance(raw, list | tuple):
        raise ValueError("its responders option must be a list")
    result: list[dict[str, str]] = []
    for position, entry in enumerate(raw, start=1):
        if isinstance(entry, str):
            kind, _, name = entry.partition(":")
            if kind not in RESPONDER_TYPES or not name.strip():
                raise ValueError(
                    f"responder {position} ({entry!r}) must read TYPE:NAME with TYPE one of "
                    + ", ".join(RESPONDER_TYPES)
                )
            key = "username" if kind == "user" else "name"
            result.append({"type": kind, key: name.strip()})
        elif isinstance(entry, Mapping) and entry.get("type") in RESPONDER_TYPES:
            result.append({str(k): str(v) for k, v in entry.items()})
        else:
            raise ValueError(
                f"responder {position} must have a type among " + ", ".join(RESPONDER_TYPES)
            )
    return result


def alert(message: PageMessage, target: Target) -> dict[str, Any]:
    """The body that creates the alert (``POST /v2/alerts``)."""
    details: dict[str, str] = {"incident_id": message.incident_id, **message.details}
    lines = [message.chat_text]
    if message.incident_url:
        details["incident_link"] = message.incident_url
        lines.append(f"Incident: {message.incident_url}")
    if message.commander:
        details["incident_commander"] = message.commander
        lines.append(f"Incident commander: {message.commander}")
    lines.extend(f"{title}: {value}" for title, value in message.facts)
    lines.extend(f"{text or href}: {href}" for href, text in message.links)
    document: dict[str, Any] = {
        "message": shorten(message.summary, MESSAGE_MAX),
        "alias": message.dedup_key,
        "description": shorten("\n".join(lines), DESCRIPTION_MAX),
        "responders": responders(target.options),
        "tags": [tag for tag in ("incidentdesk", message.severity, message.component) if tag],
        "details": details,
        "source": shorten(message.source or USER_AGENT, SOURCE_MAX),
        "priority": f"P{message.level}",
    }
    if message.component:
        document["entity"] = message.component
    return document


def follow_up(message: PageMessage) -> dict[str, Any]:
    """The body of an acknowledge or close request."""
    done = "acknowledged" if message.action == "acknowledge" else "resolved"
    return {
        "source": shorten(message.source or USER_AGENT, SOURCE_MAX),
        "note": f"Incident {message.incident_id} {done} in IncidentDesk.",
    }


def base_for(target: Target, base_url: str | None) -> str | None:
    """The API root: ``base_url`` when given, else the target's region (US by default)."""
    if base_url:
        return base_url.rstrip("/")
    region = str(target.options.get("region", "us")).lower()
    return REGIONS.get(region)


class Opsgenie(Adapter):
    """202 means accepted; the request id of an accepted request is kept."""

    service = SERVICE

    def prepare(
        self, target: Target, message: PageMessage, secret: str, base_url: str | None
    ) -> Request | Outcome:
        """The request that creates the alert, or acknowledges or closes it."""
        base = base_for(target, base_url)
        if base is None:
            return refused(
                None,
                f"Target '{target.name}' names Opsgenie region {target.options.get('region')!r}; "
                "use 'us' or 'eu'.",
                fix="catalog",
            )
        if message.action == "trigger":
            try:
                document = alert(message, target)
            except ValueError as problem:
                return refused(None, f"Opsgenie target '{target.name}': {problem}.", fix="catalog")
            url = f"{base}/v2/alerts"
        else:
            verb = "acknowledge" if message.action == "acknowledge" else "close"
            alias = quote(message.dedup_key, safe="")
            url = f"{base}/v2/alerts/{alias}/{verb}?identifierType=alias"
            document = follow_up(message)
        headers = {"Authorization": f"GenieKey {secret}", "Accept": "application/json"}
        return Request(SERVICE, url, encode(document), headers)

    def detail(self, answer: Answer) -> str:
        body = answer.fields()
        message = str(body.get("message") or "").strip()
        errors = body.get("errors")
        if isinstance(errors, dict):
            message = "; ".join([message, *(f"{k}: {v}" for k, v in errors.items())]).strip("; ")
        return message

    def remote_id(self, answer: Answer) -> str | None:
        request_id = answer.fields().get("requestId")
        return request_id if isinstance(request_id, str) else None

    def refusal(self, answer: Answer, target: Target, detail: str) -> Refusal:
        if answer.status in (401, 403):
            return Refusal(
                f"Opsgenie refused the API key of target '{target.name}'",
                "Check the key stored for this target and that it may create alerts.",
            )
        return Refusal(f"Opsgenie rejected the alert for target '{target.name}'")


ADAPTER = Opsgenie()
prepare = ADAPTER.prepare
read = ADAPTER.read
