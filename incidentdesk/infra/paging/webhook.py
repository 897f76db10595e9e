"""Generic webhook signed per the Standard Webhooks specification (standardwebhooks.com).

Headers: ``webhook-id`` (stable per message, so the receiver can drop a retry it already
has), ``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature``
(``v1,`` and the base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}``, keyed with the
base64-decoded part of the ``whsec_`` secret). The URL is an option, not a secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from typing import Any

from incidentdesk.infra.paging.base import (
    Adapter,
    Outcome,
    PageMessage,
    Request,
    Target,
    encode,
    refused,
)

SECRET_PREFIX = "whsec_"


def signing_key(secret: str) -> bytes | None:
    """The HMAC key inside a ``whsec_<base64>`` secret, or None when it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    encoded = secret[len(SECRET_PREFIX) :].strip()
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return key or None


def message_id(message: PageMessage) -> str:
    """The ``webhook-id``: the same for every attempt of one action of one escalation."""
    return f"{message.dedup_key}:{message.action}"


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for one attempt."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def document(message: PageMessage) -> dict[str, Any]:
    """The JSON body: the event type, when it happened and what it is about."""
    return {
        "type": f"incident.escalation.{message.action}",
        "timestamp": message.iso_timestamp,
        "data": {
            "action": message.action,
            "dedup_key": message.dedup_key,
            "incident_id": message.incident_id,
            "incident_url": message.incident_url,
            "summary": message.summary,
            "text": message.chat_text,
            "severity": message.severity,
            "source": message.source,
            "service": message.component,
            "team": message.group,
            "commander": message.commander,
            "details": dict(message.details),
            "links": [{"href": href, "text": text} for href, text in message.links],
            "facts": [{"title": title, "value": value} for title, value in message.facts],
        },
    }


class Webhook(Adapter):
    """Any 2xx is delivered; 408, 429 and 5xx are retried; anything else is final."""

    success = tuple(range(200, 300))

    def prepare(
        self, target: Target, message: PageMessage, secret: str, base_url: str | None
    ) -> Request | Outcome:
        """The signed post, with this attempt's timestamp."""
        key = signing_key(secret)
        if key is None:
            return refused(
                None,
                f"The signing secret stored for webhook target '{target.name}' is not a "
                "Standard Webhooks secret: it must be whsec_ followed by base64.",
                fix="secret",
            )
        url = str(target.options.get("url") or "")
        if not url:
            return refused(
                None, f"Webhook target '{target.name}' has no url option; add one.", fix="catalog"
            )
        if base_url:
            url = base_url.rstrip("/") + "/" + url.split("://", 1)[-1].partition("/")[2]
        body = encode(document(message))
        msg_id = message_id(message)
        timestamp = int(time.time())
        headers = {
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(key, msg_id, timestamp, body),
        }
        return Request(self.name(target), url, body, headers)

    def name(self, target: Target) -> str:
        return f"the webhook of target '{target.name}'"


ADAPTER = Webhook()
prepare = ADAPTER.prepare
read = ADAPTER.read
