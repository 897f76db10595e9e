"""(being built this session) The Desk's postmortem commands and queries (a mixin of Desk)."""

from __future__ import annotations


class PostmortemCommands:
    """postmortem commands; mixed into :class:`incidentdesk.desk.Desk`, using its ``_record``."""
