"""One delivery attempt to any target: picks the adapter and guards the secret."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

import requests

from incidentdesk.paging import opsgenie, pagerduty, slack, teams, webhook
from incidentdesk.paging.base import ADAPTER_NAMES, Outcome, PageMessage, Target, redact, refused

log = logging.getLogger(__name__)

Adapter = Callable[..., Outcome]

ADAPTERS: dict[str, Adapter] = {
    "pagerduty": pagerduty.send,
    "opsgenie": opsgenie.send,
    "slack": slack.send,
    "teams": teams.send,
    "webhook": webhook.send,
}
assert tuple(ADAPTERS) == ADAPTER_NAMES


def send(
    target: Target,
    message: PageMessage,
    secret: str,
    *,
    base_url: str | None = None,
    timeout: float = 10.0,
    session: requests.Session | None = None,
) -> Outcome:
    """Exactly one HTTP attempt to deliver ``message`` to ``target``.

    Never raises for network trouble (refused, unknown host, timeout, TLS, an unreadable
    answer): that is a retryable :class:`Outcome` with a reason. A target that cannot work
    (unknown adapter, missing secret or option, a refusal by the receiver) is a final one.
    ``timeout`` bounds the connection and each wait for data, in seconds. ``base_url`` replaces
    the service's address (tests, proxies). The secret appears in no reason and no log line.
    """
    adapter = ADAPTERS.get(target.adapter)
    if adapter is None:
        outcome = refused(
            None,
            f"Target '{target.name}' names an unknown adapter {target.adapter!r}; use one of "
            + ", ".join(ADAPTER_NAMES)
            + ".",
        )
    elif not secret.strip():
        outcome = refused(
            None, f"No secret is stored for target '{target.name}'; set it, then page again."
        )
    else:
        outcome = adapter(
            target, message, secret, base_url=base_url, timeout=timeout, session=session
        )
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
