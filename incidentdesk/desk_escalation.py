"""(being built this session) The Desk's escalation commands and queries (a mixin of Desk)."""

from __future__ import annotations


class EscalationCommands:
    """escalation commands; mixed into :class:`incidentdesk.desk.Desk`, using its ``_record``."""
