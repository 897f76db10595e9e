"""(being built this session) The service ownership catalog."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Payload = dict[str, Any]

# The catalog is kept in the journal under this reserved incident id (never declared, so it
# never shows as an incident); it syncs like any other event.
CATALOG_ID = "00000000-0000-7000-8000-000000000000"

# Payload validators for this module's event kinds; merged into events.VALIDATORS.
PAYLOADS: dict[str, Callable[[Mapping[str, Any]], Payload]] = {}
