"""Adapters that page people and post to chat: the only code that speaks HTTP.

:func:`send` makes exactly one delivery attempt and returns an :class:`Outcome`; retrying
(when, and until when) is the caller's business, with :mod:`incidentdesk.core.escalation.backoff`.
"""

from incidentdesk.infra.paging.base import ADAPTER_NAMES
from incidentdesk.infra.paging.dispatch import send
from incidentdesk.infra.paging.http import Session, new_session
from incidentdesk.infra.paging.message import ACTIONS, Outcome, PageMessage, Target
from incidentdesk.infra.paging.text import shorten

__all__ = [
    "ACTIONS",
    "ADAPTER_NAMES",
    "Outcome",
    "PageMessage",
    "Session",
    "Target",
    "new_session",
    "send",
    "shorten",
]
