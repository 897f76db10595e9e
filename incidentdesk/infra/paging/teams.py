"""Microsoft Teams workflow webhook: the secret is the URL; the message is an Adaptive Card."""

from __future__ import annotations

from typing import Any

from incidentdesk.infra.paging.base import (
    Answer,
    PageMessage,
    Refusal,
    Target,
    WebhookURLAdapter,
)

SERVICE = "Microsoft Teams"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def card(message: PageMessage) -> dict[str, Any]:
    """The workflow body: one message holding an Adaptive Card 1.4."""
    title = f"{message.severity} · {message.headline}"
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": title,
            "size": "Large",
            "weight": "Bolder",
            "wrap": True,
            "color": "Attention" if message.level <= 2 else "Default",
        },
        {"type": "TextBlock", "text": message.chat_text, "wrap": True},
    ]
    shown = message.chat_facts
    if shown:
        body.append({"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in shown]})
    body.append(
        {
            "type": "TextBlock",
            "text": f"Incident {message.incident_id} · {message.source} · {message.iso_timestamp}",
            "isSubtle": True,
            "size": "Small",
            "wrap": True,
        }
    )
    links = list(message.links)
    if message.incident_url and all(href != message.incident_url for href, _ in links):
        links.insert(0, (message.incident_url, "Open the incident"))
    content: dict[str, Any] = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if links:
        content["actions"] = [
            {"type": "Action.OpenUrl", "title": text or href, "url": href} for href, text in links
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": content,
            }
        ],
    }


class Teams(WebhookURLAdapter):
    """The workflow answers 202 (or 200) when it accepted the card; a refusal carries
    ``{"error": {"code", "message"}}``."""

    service = SERVICE
    success = (200, 202)

    def body(self, message: PageMessage) -> dict[str, Any]:
        return card(message)

    def detail(self, answer: Answer) -> str:
        error = answer.fields().get("error")
        if isinstance(error, dict):
            return str(error.get("message") or error.get("code") or "")
        return ""

    def refusal(self, answer: Answer, target: Target, detail: str) -> Refusal:
        if answer.status in (401, 403, 404):
            return Refusal(
                f"The Teams workflow of target '{target.name}' refused the URL or is gone",
                "Check the workflow still exists and store its current URL.",
                "secret",  # the workflow URL is the secret
            )
        return Refusal(f"Teams rejected the card for target '{target.name}'")


ADAPTER = Teams()
prepare = ADAPTER.prepare
read = ADAPTER.read
