"""Slack incoming webhook: the secret is the webhook URL; ``text`` plus Block Kit blocks."""

from __future__ import annotations

from typing import Any

from incidentdesk.infra.paging.base import (
    Answer,
    Outcome,
    PageMessage,
    Request,
    Target,
    classify,
    encode,
    refused,
    shorten,
    webhook_address,
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


def prepare(
    target: Target, message: PageMessage, secret: str, base_url: str | None
) -> Request | Outcome:
    """The post to the webhook; Slack answers 200 ``ok`` when the message is in the channel."""
    url = webhook_address(SERVICE, target, secret, base_url)
    if isinstance(url, Outcome):
        return url
    return Request(SERVICE, url, encode(blocks(message)))


def read(answer: Answer, target: Target) -> Outcome:
    """Slack's answer: 200 ``ok``, or an error code such as ``invalid_payload``."""
    code = answer.text.strip()
    if 200 <= answer.status < 300 and code not in ("", "ok"):
        return refused(answer.status, f"Slack did not post the message ({answer.excerpt()}).")
    refusal = f"Slack rejected the message for target '{target.name}'"
    hint = ""
    fix = None
    unexplained = answer.status in (401, 403, 404, 410) and code not in PROHIBITED + CHANNEL
    if code in GONE or unexplained:
        refusal = f"The Slack webhook of target '{target.name}' was removed or revoked"
        hint = "Create a new incoming webhook and store its URL."
        fix = "secret"  # the webhook URL is the secret
    elif code in CHANNEL:
        refusal = f"The Slack channel of target '{target.name}' is gone or archived"
        hint = "Point the webhook at a live channel."
    elif code in PROHIBITED:
        refusal = f"Slack does not let the webhook of target '{target.name}' post in its channel"
    return classify(
        SERVICE,
        answer,
        success=(200,),
        detail=answer.excerpt(),
        refusal=refusal,
        hint=hint,
        fix=fix,
    )
