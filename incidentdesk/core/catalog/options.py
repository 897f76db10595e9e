"""A notification target's options and secret name, checked (values are never echoed)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from incidentdesk.core.catalog.checking import URL_RE
from incidentdesk.core.errors import DomainError

REGIONS = ("us", "eu")
PAGERDUTY_SEVERITIES = ("critical", "error", "warning", "info")
RESPONDER_TYPES = ("team", "user", "escalation", "schedule")
SECRET_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")


def check_secret_name(name: str) -> str:
    """A usable secret name (``pagerduty/checkout``), stripped.

    Raises:
        DomainError: the name has characters a secret name cannot hold (not echoed).
    """
    cleaned = str(name).strip()
    if not SECRET_NAME_RE.fullmatch(cleaned):
        raise DomainError(
            "A secret name is letters, digits and . _ / - (at most 100), such as "
            "pagerduty/checkout."
        )
    return cleaned


def option_problems(adapter: str, options: Mapping[str, Any]) -> list[str]:
    """What is wrong with a target's options (each a sentence fragment), if anything."""
    problems: list[str] = []
    for key, value in options.items():
        if not _json_able(value):
            problems.append(f"'{key}' holds a value that is not text, a number or a list.")
        elif (key == "url" or str(key).endswith("_url")) and not (
            isinstance(value, str) and URL_RE.fullmatch(value)
        ):
            problems.append(f"'{key}' must be an http or https URL.")
    if adapter == "webhook" and "url" not in options:
        problems.append("a webhook target needs 'url', the address to post to.")
    region = options.get("region")
    if region is not None and region not in REGIONS:
        problems.append(f"'region' must be one of {', '.join(REGIONS)}.")
    severity = options.get("severity")
    if adapter == "pagerduty" and severity is not None and severity not in PAGERDUTY_SEVERITIES:
        problems.append(f"'severity' must be one of {', '.join(PAGERDUTY_SEVERITIES)}.")
    responders = options.get("responders")
    if responders is not None and not _responders_ok(responders):
        problems.append(
            "'responders' must be a list of tables with 'type' (team, user, escalation or "
            "schedule) and 'name', 'id' or 'username'."
        )
    purpose = options.get("purpose")
    if purpose is not None and not isinstance(purpose, str):
        problems.append("'purpose' must be text, such as \"incident channel\".")
    return problems


def _responders_ok(value: Any) -> bool:
    if not isinstance(value, list):
        return False
    return all(
        isinstance(r, Mapping)
        and r.get("type") in RESPONDER_TYPES
        and any(isinstance(r.get(k), str) and r[k] for k in ("name", "id", "username"))
        for r in value
    )


def _json_able(value: Any) -> bool:
    if isinstance(value, bool | int | str):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_json_able(v) for v in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and _json_able(v) for k, v in value.items())
    return False


def plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
