"""Slack incoming webhook: the secret is the webhook URL; ``text`` plus Block Kit blocks."""

from __future__ import annotations

from typing import Any

from incidentdesk.infra.paging.base import (
    Answer,
    Outcome,
    PageMessage,
    Refusal,
    Target,
    WebhookURLAdapter,
    refused,
    shorten,
)

SERVICE = "Slack"
HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
FIELDS_MAX = 10

GONE = ("no_service", "no_service_id", "no_team", "team_disabled", "invalid_token")
CHANNEL = ("channel_not_found", "channel_is_archived")
PROHIBITED = ("action_prohibited", "posting_to_general_channel_denied")


def escape(text: str) -> str:
    """Text safe in Slack ``mrkdwn``: ``&``, ``<`` and ``>`` are control characters there."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def blocks(message: PageMessage) -> dict[str, Any]:
    """The webhook body: a notification ``text`` and a header, a section and a context."""
    title = message.headline
    section: dict[str, Any] = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": shorten(escape(message.chat_text), SECTION_MAX)},
    }
    fields = [
        {"type": "mrkdwn", "text": shorten(f"*{escape(name)}*\n{escape(value)}", FIELD_MAX)}
        for name, value in message.chat_facts[:FIELDS_MAX]
    ]
    if fields:
        section["fields"] = fields
    context = [f"Incident {escape(message.incident_id)}"]
    if message.incident_url:
        context[0] = f"<{message.incident_url}|{context[0]}>"
    context.extend(f"<{href}|{escape(text or href)}>" for href, text in message.links)
    context.append(f"{escape(message.source)} · {message.iso_timestamp}")
    return {
        "text": escape(f"{message.severity} · {title}"),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": shorten(title, HEADER_MAX)}},
            section,
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": shorten(" · ".join(context), 3000)}],
            },
        ],
    }


class Slack(WebhookURLAdapter):
    """Slack answers 200 ``ok`` when the message is in the channel, else an error code such
    as ``invalid_payload``."""

    service = SERVICE
    success = (200,)

    def body(self, message: PageMessage) -> dict[str, Any]:
        return blocks(message)

    def read(self, answer: Answer, target: Target) -> Outcome:
        code = answer.text.strip()
        if 200 <= answer.status < 300 and code not in ("", "ok"):
            return refused(answer.status, f"Slack did not post the message ({answer.excerpt()}).")
        return super().read(answer, target)

    def refusal(self, answer: Answer, target: Target, detail: str) -> Refusal:
        code = answer.text.strip()
        unexplained = answer.status in (401, 403, 404, 410) and code not in PROHIBITED + CHANNEL
        if code in GONE or unexplained:
            return Refusal(
                f"The Slack webhook of target '{target.name}' was removed or revoked",
                "Create a new incoming webhook and store its URL.",
                "secret",  # the webhook URL is the secret
            )
        if code in CHANNEL:
            return Refusal(
                f"The Slack channel of target '{target.name}' is gone or archived",
                "Point the webhook at a live channel.",
            )
        if code in PROHIBITED:
            return Refusal(
                f"Slack does not let the webhook of target '{target.name}' post in its channel"
            )
        return Refusal(f"Slack rejected the message for target '{target.name}'")


ADAPTER = Slack()
prepare = ADAPTER.prepare
read = ADAPTER.read
