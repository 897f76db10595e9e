"""(being built this session) The Desk's catalog commands and queries (a mixin of Desk)."""

from __future__ import annotations


class CatalogCommands:
    """catalog commands; mixed into :class:`incidentdesk.desk.Desk`, using its ``_record``."""
