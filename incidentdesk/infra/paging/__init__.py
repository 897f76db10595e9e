"""Adapters that page people and post to chat: the only code that speaks HTTP.

:func:`send` makes exactly one delivery attempt and returns an :class:`Outcome`; retrying
(when, and until when) is the caller's business, with :mod:`incidentdesk.core.escalation.backoff`.
"""

from incidentdesk.infra.paging.base import (
    ACTIONS,
    ADAPTER_NAMES,
    Outcome,
    PageMessage,
    Target,
    shorten,
)
from incidentdesk.infra.paging.dispatch import send

__all__ = ["ACTIONS", "ADAPTER_NAMES", "Outcome", "PageMessage", "Target", "send", "shorten"]
