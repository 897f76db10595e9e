"""The adapter base: what every adapter shares, so that each one is only what differs.

An adapter turns a :class:`PageMessage` into exactly one HTTP request and the answer into an
:class:`Outcome`. Network trouble is an outcome, never an exception, and no reason or log line
ever carries the secret (a routing key, an API key, or a webhook URL that is itself the secret).
:class:`Adapter` holds the common steps (the usual reading of a status, the receiver's name in
reasons); an adapter says how its request is built (:meth:`Adapter.prepare`) and, where its
receiver explains itself, what it said and what fixes a refusal. :class:`WebhookURLAdapter` is
the base of the chat adapters whose secret is the webhook URL itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from incidentdesk.infra.paging.http import USER_AGENT, Answer, Request, encode
from incidentdesk.infra.paging.message import (
    ACTIONS,
    Outcome,
    PageMessage,
    Target,
    delivered,
    refused,
    retry,
)
from incidentdesk.infra.paging.text import first, shorten

__all__ = [
    "ACTIONS",
    "ADAPTER_NAMES",
    "USER_AGENT",
    "Adapter",
    "Answer",
    "Outcome",
    "PageMessage",
    "Refusal",
    "Request",
    "Target",
    "WebhookURLAdapter",
    "classify",
    "encode",
    "refused",
    "shorten",
    "webhook_address",
]

ADAPTER_NAMES = ("pagerduty", "opsgenie", "slack", "teams", "webhook")


def classify(
    service: str,
    answer: Answer,
    *,
    success: tuple[int, ...] = (200, 201, 202, 204),
    remote_id: str | None = None,
    detail: str = "",
    refusal: str | None = None,
    hint: str = "",
    fix: str | None = None,
) -> Outcome:
    """The usual reading of a status: success, retry (408, 425, 429, 5xx) or refusal.

    ``detail`` (what the receiver said) follows the status; ``refusal`` replaces the default
    "… rejected the request" wording for a final failure, and ``hint`` (what to do) ends it.
    A refusal's ``fix`` is ``fix`` when given, else ``secret`` for 401/403 (the credentials)
    and ``catalog`` for 404/410 (the address); other refusals have none.
    """
    status = answer.status
    said = f": {detail.rstrip('.')}." if detail else "."
    if status in success:
        return delivered(status, f"Delivered to {service} ({status}).", remote_id)
    if status == 429:
        wait = answer.retry_after
        seconds = "" if wait is None else f"{wait:g} {'second' if wait == 1 else 'seconds'}"
        when = f"; retrying after {seconds}" if wait is not None else ""
        return retry(status, f"{first(service)} is throttling requests (429){when}{said}", wait)
    if status in (408, 425) or status >= 500:
        return retry(
            status, f"{first(service)} had a temporary problem ({status}){said}", answer.retry_after
        )
    if 300 <= status < 400:
        return refused(
            status,
            f"{first(service)} answered with a redirect ({status}); update the target's address.",
            fix="catalog",
        )
    what = refusal or f"{first(service)} rejected the request"
    reason = f"{what} ({status}){said}"
    if hint:
        reason = f"{reason.rstrip('.')}. {hint}"
    return refused(status, reason, fix or CREDENTIAL_FIX.get(status))


# What a person changes when a receiver refuses: the credentials, or the address.
CREDENTIAL_FIX = {401: "secret", 403: "secret", 404: "catalog", 410: "catalog"}


def webhook_address(
    service: str, target: Target, secret: str, base_url: str | None
) -> str | Outcome:
    """Where to post when the secret is the webhook URL itself (Slack, Teams).

    With ``base_url`` (tests, a proxy), the URL's path and query are kept and its scheme and
    host replaced. A secret that is not an http(s) URL is a final :class:`Outcome`.
    """
    parts = urlsplit(secret.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return refused(
            None,
            f"The secret stored for {service} target '{target.name}' is not a webhook URL "
            "(it must start with https://); store the URL the webhook was created with.",
            fix="secret",
        )
    if not base_url:
        return secret.strip()
    query = f"?{parts.query}" if parts.query else ""
    return f"{base_url.rstrip('/')}{parts.path}{query}"


@dataclass(frozen=True)
class Refusal:
    """How a reason words a final failure: ``text`` replaces "… rejected the request",
    ``hint`` (what to do) ends it and ``fix`` says what a person changes (see :func:`classify`)."""

    text: str | None = None
    hint: str = ""
    fix: str | None = None


class Adapter:
    """One kind of target. Subclasses set :attr:`service` and write :meth:`prepare`; the
    other hooks default to the plain reading of an answer."""

    service: str = ""
    """Who receives the request, as reasons name it ("PagerDuty")."""
    success: tuple[int, ...] = (200, 201, 202, 204)
    """The statuses that mean delivered."""

    def prepare(
        self, target: Target, message: PageMessage, secret: str, base_url: str | None
    ) -> Request | Outcome:
        """The one request to send, or a final :class:`Outcome` when none can be made."""
        raise NotImplementedError

    def read(self, answer: Answer, target: Target) -> Outcome:
        """The receiver's answer as an outcome: delivered, worth a retry, or refused."""
        detail = self.detail(answer) or answer.excerpt()
        why = self.refusal(answer, target, detail)
        return classify(
            self.name(target),
            answer,
            success=self.success,
            remote_id=self.remote_id(answer),
            detail=detail,
            refusal=why.text,
            hint=why.hint,
            fix=why.fix,
        )

    def name(self, target: Target) -> str:
        """How reasons name the receiver of ``target``."""
        return self.service

    def detail(self, answer: Answer) -> str:
        """What the receiver said, when it explains itself (else the start of the body)."""
        return ""

    def remote_id(self, answer: Answer) -> str | None:
        """The receiver's id for what it accepted, if it gives one."""
        return None

    def refusal(self, answer: Answer, target: Target, detail: str) -> Refusal:
        """How a final failure is worded and what fixes it."""
        return Refusal()


class WebhookURLAdapter(Adapter):
    """A chat webhook whose URL is the secret (Slack, Teams): only the body differs."""

    def body(self, message: PageMessage) -> dict[str, Any]:
        """The JSON document posted."""
        raise NotImplementedError

    def prepare(
        self, target: Target, message: PageMessage, secret: str, base_url: str | None
    ) -> Request | Outcome:
        url = webhook_address(self.service, target, secret, base_url)
        if isinstance(url, Outcome):
            return url
        return Request(self.service, url, encode(self.body(message)))
