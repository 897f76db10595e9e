"""(being built this session) The escalation part of an incident's state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from incidentdesk.core.events import Event

Payload = dict[str, Any]

# Payload validators for this module's event kinds; merged into events.VALIDATORS.
PAYLOADS: dict[str, Callable[[Mapping[str, Any]], Payload]] = {}


@dataclass
class EscalationState:
    """What the journal says about the incident's escalation."""


# How each kind changes the state; merged into fold's handlers.
APPLY: dict[str, Callable[[EscalationState, Event], None]] = {}
