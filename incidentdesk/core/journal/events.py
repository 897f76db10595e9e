"""Events: the immutable rows of the journal, and the rules for each kind's payload."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from incidentdesk.core.errors import DomainError
from incidentdesk.core.escalation import model as escalation
from incidentdesk.core.incident import links
from incidentdesk.core.incident.lifecycle import MILESTONES, STATUSES
from incidentdesk.core.incident.roles import ROLE_BY_KEY
from incidentdesk.core.incident.severity import parse_severity
from incidentdesk.core.postmortem import payloads as postmortem
from incidentdesk.core.text import clean_name, clean_note, clean_title

NOTE_KINDS: tuple[str, ...] = ("note", "decision", "action", "observation", "update")

Payload = dict[str, Any]


class Event(NamedTuple):
    """One immutable journal row (a named tuple: cheap to make by the hundred thousand).

    Attributes:
        id: UUIDv7 made by the workstation that wrote it.
        incident_id: the incident it belongs to.
        kind: what happened, such as ``note.added``.
        payload: the kind's data, validated by :func:`validate_payload`.
        occurred_at: when it happened (UTC; may be back-dated).
        hlc: hybrid logical clock value when it was recorded.
        author: who the event says wrote it (a claim made by the client).
        device: the workstation that recorded it (also a claim).
        recorded_by: the shared server's login role that inserted it (a fact the server
            stamps; None until the event has been through the shared server).
        received_at: when the shared server received it (None until then).
    """

    id: str
    incident_id: str
    kind: str
    payload: Payload
    occurred_at: datetime
    hlc: int
    author: str
    device: str
    recorded_by: str | None = None
    received_at: datetime | None = None

    @property
    def key(self) -> tuple[int, str, str]:
        """The total order every replica folds in."""
        return (self.hlc, self.device, self.id)


def _require(payload: Mapping[str, Any], field: str) -> Any:
    if field not in payload:
        raise DomainError(f"The event is missing '{field}'.")
    return payload[field]


def _choice(value: Any, allowed: Any, what: str) -> str:
    if not isinstance(value, str) or value not in allowed:  # a list or dict is unhashable
        raise DomainError(f"'{value}' is not a valid {what}.")
    return str(value)


def _bool(payload: Mapping[str, Any], field: str) -> bool:
    value = payload.get(field, False)
    if not isinstance(value, bool):
        raise DomainError(f"'{field}' must be true or false.")
    return value


def _services(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise DomainError("Services must be a list of names.")
    cleaned: list[str] = []
    for name in value:
        service = clean_name(name, "service name")
        if service not in cleaned:
            cleaned.append(service)
    return cleaned


def _declared(p: Mapping[str, Any]) -> Payload:
    return {
        "title": clean_title(_require(p, "title")),
        "severity": parse_severity(_require(p, "severity")).code,
        "services": _services(p.get("services", [])),
        **links.declared_links(p),
    }


def _severity(p: Mapping[str, Any]) -> Payload:
    return {"severity": parse_severity(_require(p, "severity")).code}


def _status(p: Mapping[str, Any]) -> Payload:
    return {"status": _choice(_require(p, "status"), STATUSES, "status")}


def _milestone(p: Mapping[str, Any]) -> Payload:
    return {"milestone": _choice(_require(p, "milestone"), MILESTONES, "milestone")}


def _role_assigned(p: Mapping[str, Any]) -> Payload:
    previous = p.get("previous")
    return {
        "role": _choice(_require(p, "role"), ROLE_BY_KEY, "role"),
        "person": clean_name(_require(p, "person"), "person's name"),
        "shadow": _bool(p, "shadow"),
        "previous": None if previous is None else clean_name(previous, "person's name"),
    }


def _role_released(p: Mapping[str, Any]) -> Payload:
    return {
        "role": _choice(_require(p, "role"), ROLE_BY_KEY, "role"),
        "person": clean_name(_require(p, "person"), "person's name"),
        "shadow": _bool(p, "shadow"),
    }


def _note(p: Mapping[str, Any]) -> Payload:
    return {
        "text": clean_note(_require(p, "text")),
        "note_kind": _choice(p.get("note_kind", "note"), NOTE_KINDS, "note kind"),
        "pinned": _bool(p, "pinned"),
    }


def _target(p: Mapping[str, Any]) -> str:
    target = _require(p, "target")
    if not isinstance(target, str) or len(target) != 36:
        raise DomainError("The event names no valid target event.")
    return target


def _corrected(p: Mapping[str, Any]) -> Payload:
    return {"target": _target(p), "text": clean_note(_require(p, "text"))}


def _drill(p: Mapping[str, Any]) -> Payload:
    value = _require(p, "drill")
    if not isinstance(value, bool):
        raise DomainError("'drill' must be true or false.")
    return {"drill": value}


def _pinned(p: Mapping[str, Any]) -> Payload:
    return {"target": _target(p), "pinned": _bool(p, "pinned")}


def _catalog_imported(p: Mapping[str, Any]) -> Payload:
    # The catalog's rules load when a catalog event is checked, not with every event kind.
    from incidentdesk.core.catalog.payload import PAYLOADS

    return PAYLOADS["catalog.imported"](p)


VALIDATORS: dict[str, Callable[[Mapping[str, Any]], Payload]] = {
    "incident.declared": _declared,
    "severity.changed": _severity,
    "status.changed": _status,
    "milestone.set": _milestone,
    "role.assigned": _role_assigned,
    "role.released": _role_released,
    "note.added": _note,
    "note.corrected": _corrected,
    "event.pinned": _pinned,
    "incident.drill_set": _drill,
    **links.PAYLOADS,
    **escalation.PAYLOADS,
    **postmortem.PAYLOADS,
    "catalog.imported": lambda p: _catalog_imported(p),
}
KINDS: tuple[str, ...] = tuple(VALIDATORS)


def validate_payload(kind: str, payload: Mapping[str, Any]) -> Payload:
    """Check and normalise a payload for its kind.

    Raises:
        DomainError: unknown kind, or a payload that breaks the kind's rules.
    """
    validator = VALIDATORS.get(kind)
    if validator is None:
        raise DomainError(f"'{kind}' is not a known event kind.")
    if not isinstance(payload, Mapping):
        raise DomainError("An event payload must be an object.")
    return validator(payload)
