"""Adapters that page people and post to chat: the only code that speaks HTTP.

:func:`send` makes exactly one delivery attempt and returns an :class:`Outcome`; retrying
(when, and until when) is the caller's business, with :mod:`incidentdesk.core.backoff`.
"""

from incidentdesk.paging.base import ACTIONS, ADAPTER_NAMES, Outcome, PageMessage, Target, shorten
from incidentdesk.paging.dispatch import send

__all__ = ["ACTIONS", "ADAPTER_NAMES", "Outcome", "PageMessage", "Target", "send", "shorten"]
