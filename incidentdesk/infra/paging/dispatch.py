"""One delivery attempt to any target: picks the adapter, sends once, guards the secret."""

from __future__ import annotations

import logging
from dataclasses import replace

from incidentdesk.infra.paging import opsgenie, pagerduty, slack, teams, webhook
from incidentdesk.infra.paging.base import ADAPTER_NAMES, Adapter, Outcome, PageMessage, Target
from incidentdesk.infra.paging.http import Session, post
from incidentdesk.infra.paging.message import refused
from incidentdesk.infra.paging.text import redact

log = logging.getLogger(__name__)

ADAPTERS: dict[str, Adapter] = {
    "pagerduty": pagerduty.ADAPTER,
    "opsgenie": opsgenie.ADAPTER,
    "slack": slack.ADAPTER,
    "teams": teams.ADAPTER,
    "webhook": webhook.ADAPTER,
}
assert tuple(ADAPTERS) == ADAPTER_NAMES


def send(
    target: Target,
    message: PageMessage,
    secret: str,
    *,
    base_url: str | None = None,
    timeout: float = 10.0,
    session: Session | None = None,
) -> Outcome:
    """Exactly one HTTP attempt to deliver ``message`` to ``target``.

    Never raises for network trouble (refused, unknown host, timeout, TLS, an unreadable
    answer): that is a retryable :class:`Outcome` with a reason. A target that cannot work
    (unknown adapter, missing secret or option, a refusal by the receiver) is a final one.
    ``timeout`` bounds the connection and each wait for data, in seconds. ``base_url`` replaces
    the service's address (tests, proxies). The secret appears in no reason and no log line.
    """
    outcome = _attempt(target, message, secret, base_url, timeout, session)
    # Belt and braces: a receiver may echo the key or the webhook URL in its error text.
    outcome = replace(outcome, reason=redact(outcome.reason, secret))
    log.info(
        "Page %s for incident %s to %s (%s): %s",
        message.action,
        message.incident_id,
        target.name,
        target.adapter,
        outcome.reason,
    )
    return outcome


def _attempt(
    target: Target,
    message: PageMessage,
    secret: str,
    base_url: str | None,
    timeout: float,
    session: Session | None,
) -> Outcome:
    adapter = ADAPTERS.get(target.adapter)
    if adapter is None:
        return refused(
            None,
            f"Target '{target.name}' names an unknown adapter {target.adapter!r}; use one of "
            + ", ".join(ADAPTER_NAMES)
            + ".",
            fix="catalog",
        )
    if not secret.strip():
        return refused(
            None,
            f"No secret is stored for target '{target.name}'; set it, then page again.",
            fix="secret",
        )
    request = adapter.prepare(target, message, secret, base_url)
    if isinstance(request, Outcome):
        return request
    answer = post(request, timeout=timeout, session=session)
    if isinstance(answer, Outcome):
        return answer
    # Redact before any excerpt is cut from the body: a cut secret would no longer match.
    return adapter.read(replace(answer, text=redact(answer.text, secret)), target)
